"""The bench's goals: each a measured figure against a target, labelled met, not met or within noise.

    step ratio       <= 1.00 at every size (purejax / Flax linen train-step time)
    memory ratio     <= 1.00 (XLA's memory analysis of the compiled step, total bytes)
    first call       <= 1.00 (a fresh jit's first call: trace, lower, XLA compile, one run)
    tracing          <= 0.70 (Python tracing alone, `jit(f).trace(...)`: before lowering and XLA)
    LSTM ceiling     >= 0.90 of its products-only ceiling (the same products, no gates)
    LSTM peak        >= 0.60 of the matmul peak at hidden 1024

A figure that misses its target while its interquartile range (`noise`, `[low, high]`) reaches
the target is "within noise": reported as such, never counted as met. Goals are reported, never
asserted: a benchmark on a shared machine is a measurement, not a test.
"""

from __future__ import annotations

import operator

from comparisons import display

TARGETS = {
    "step_ratio": 1.00,
    "memory_ratio": 1.00,
    "first_call_ratio": 1.00,
    "trace_ratio": 0.70,
    "import_margin_s": 0.050,
    "lstm_of_ceiling": 0.90,
    "lstm_of_peak_at_1024": 0.60,
}
MET, NOT_MET, NOISE = "met", "NOT MET", "within noise"
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}


def status(value: float, op: str, target: float, noise: list[float] | None = None) -> str:
    """`MET` when `value op target` holds, `NOISE` when it does not but `noise` reaches `target`, else `NOT_MET`."""
    if _OPS[op](value, target):
        return MET
    if noise is not None and noise[0] <= target <= noise[1]:
        return NOISE
    return NOT_MET


def goal(name: str, value: float, op: str, target: float, limit: str, noise: list[float] | None = None) -> dict:
    """One goal row: `{"goal", "value", "target", "status", "met", "noise", "limit"}` (`met`: status is met)."""
    s = status(value, op, target, noise)
    return {
        "goal": name,
        "value": value,
        "target": f"{op} {target:.2f}",
        "status": s,
        "met": s == MET,
        "noise": noise,
        "limit": limit,
    }


def rows_table(rows: list[dict]) -> list[list[str]]:
    """Goal rows as table rows: goal, value (with its IQR), target, status, measured limit."""
    return [
        [
            g["goal"],
            f"{g['value']:.3f}" + ("" if g["noise"] is None else f" [{g['noise'][0]:.2f}, {g['noise'][1]:.2f}]"),
            g["target"],
            g["status"],
            g["limit"],
        ]
        for g in rows
    ]


def summary(rows: list[dict]) -> str:
    """`N of M goals met, K within noise (reported, not asserted)`."""
    met = sum(g["status"] == MET for g in rows)
    noise = sum(g["status"] == NOISE for g in rows)
    return f"{met} of {len(rows)} goals met, {noise} within noise (reported, not asserted)"


def table(rows: list[dict]) -> list:
    """The goals as the bench prints them: the table of `rows_table`, then `summary`."""
    return [
        display.table(
            ["goal", "value [IQR]", "target", "status", "measured limit"],
            rows_table(rows),
            justify=["left", "right", "right", "left", "left"],
        ),
        summary(rows),
    ]
