"""`python -m comparisons bench --sweep`: the JSON schema on the tiny tier, and the goals' labels.

The tiny tier (one model at two sizes, two timed steps, an LSTM of 8 and 16 units) measures
nothing worth reading; it checks that every figure is there and consistent. The labels (met / not
met / within noise) are checked on crafted figures, where the right answer is known.
"""

import copy
import json
import os
import subprocess
import sys

import pytest

from comparisons.bench import goals as bench_goals
from comparisons.bench import sweep

SIDE_KEYS = {
    "memory",
    "trace_s",
    "lower_s",
    "trace_lower_s",
    "xla_compile_s",
    "first_call_s",
    "step_ms",
    "step_ms_iqr",
    "xla_flops",
    "gflops",
    "fraction_of_peak",
}
MEMORY_KEYS = {"argument_bytes", "output_bytes", "temp_bytes", "generated_code_bytes", "alias_bytes", "total_bytes"}
RATIO_KEYS = {
    "step",
    "step_iqr",
    "memory",
    "first_call",
    "first_call_iqr",
    "trace_lower",
    "trace",
    "lower",
    "xla_compile",
    "same_program",
}


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    args = ["--sweep", "--tiny", "--json", str(out / "sweep.json"), "--plot", str(out / "sweep.png")]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # pytest-xdist sets 80: tables as in a file
    result = subprocess.run(
        [sys.executable, "-m", "comparisons", "bench", *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads((out / "sweep.json").read_text()), (out / "sweep.png").read_bytes()


def test_sweep_json_holds_sizes_memory_and_first_calls(tiny_sweep):
    _, data, _ = tiny_sweep
    assert data["schema"] == sweep.SCHEMA and data["settings"]["tier"] == "tiny"
    assert data["sides"] == ["purejax", "flaxed", "nnx"] and data["reference"] == "flaxed"
    assert list(data["models"]) == ["mlp"] and data["matmul_peak_gflops"] > 0
    rows = data["models"]["mlp"]
    assert [r["hparams"] for r in rows] == [s["hparams"] for s in sweep.SIZES["mlp"]["tiny"]]
    assert rows[0]["flops"] < rows[1]["flops"] and all(r["flops_source"] == "xla cost_analysis" for r in rows)
    for r in rows:
        for side in data["sides"]:
            figures = r[side]
            assert SIDE_KEYS <= set(figures) and figures["step_ms"] > 0 and figures["first_call_s"] > 0
            assert figures["gflops"] == pytest.approx(r["flops"] / figures["step_ms"] / 1e6)
            assert figures["fraction_of_peak"] == pytest.approx(figures["gflops"] / data["matmul_peak_gflops"])
            memory = figures["memory"]
            assert set(memory) == MEMORY_KEYS and memory["argument_bytes"] > 0
            assert memory["total_bytes"] == sum(memory[k] for k in MEMORY_KEYS - {"alias_bytes", "total_bytes"})
        assert set(r["ratios"]) == {"purejax", "nnx"}  # the reference has no ratio to itself
        for side, ratios in r["ratios"].items():
            assert set(ratios) == RATIO_KEYS
            assert ratios["step"] == pytest.approx(r[side]["step_ms"] / r["flaxed"]["step_ms"])
            assert ratios["memory"] == pytest.approx(
                r[side]["memory"]["total_bytes"] / r["flaxed"]["memory"]["total_bytes"]
            )
            assert ratios["first_call"] == pytest.approx(r[side]["first_call_s"] / r["flaxed"]["first_call_s"])
            assert ratios["step_iqr"][0] <= ratios["step_iqr"][1]
        assert r["ratios"]["purejax"]["same_program"] is True  # the MLP compiles to Flax's program
    (dispatch,) = data["nnx_dispatch"]  # one row per model, at its smallest size
    assert dispatch["model"] == "mlp" and dispatch["label"] == rows[0]["label"]
    for call in ("jax_jit", "nnx_jit", "nnx_cached_partial"):
        assert dispatch[f"{call}_ms"] > 0 and dispatch[f"{call}_floor_ms"] > 0
    assert dispatch["nnx_jit_over_jax_jit_ms"] == pytest.approx(dispatch["nnx_jit_ms"] - dispatch["jax_jit_ms"])
    lstm = data["lstm"]
    assert [r["hidden"] for r in lstm["rows"]] == data["settings"]["lstm"]["hiddens"]
    for r in lstm["rows"]:
        assert {"products only", "flax OptimizedLSTMCell", lstm["purejax_default_variant"]} <= set(r["variants"])
        assert r["default_over_ceiling"] > 0 and r["default_over_flax"] > 0


def test_sweep_goals_and_tables_are_printed(tiny_sweep):
    stdout, data, png = tiny_sweep
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    names = [g["goal"] for g in data["goals"]]
    assert sum(n.startswith("step mlp") for n in names) == 2  # every size
    assert {"XLA memory", "first call", "tracing"} <= {n.split(" mlp")[0] for n in names}
    for goal in data["goals"]:
        line = next(line for line in stdout.splitlines() if line.startswith(goal["goal"]))
        assert f" {goal['status']} " in line and goal["limit"] in line, line
    assert bench_goals.summary(data["goals"]) in stdout
    nnx_rows = stdout[stdout.index("Flax NNX (nnx.jit") : stdout.index("NNX's dispatch")].splitlines()
    assert sum(line.startswith("mlp ") for line in nnx_rows) == 2  # every size, NNX's side
    dispatch = stdout[stdout.index("NNX's dispatch") : stdout.index("LSTM forward")]
    assert f"{data['nnx_dispatch'][0]['nnx_cached_partial_ms']:.3f}" in dispatch


@pytest.mark.parametrize(
    ("value", "op", "target", "noise", "expected"),
    [
        (0.97, "<=", 1.0, [0.95, 1.02], "met"),  # met whatever the noise
        (1.03, "<=", 1.0, [0.98, 1.06], "within noise"),  # missed, but the IQR reaches the target
        (1.03, "<=", 1.0, [1.01, 1.06], "NOT MET"),  # the whole IQR above the target
        (1.03, "<=", 1.0, None, "NOT MET"),  # no noise measured: no benefit of the doubt
        (0.55, ">=", 0.6, [0.50, 0.58], "NOT MET"),
        (0.58, ">=", 0.6, [0.55, 0.61], "within noise"),
        (1.00, "<", 1.0, None, "NOT MET"),
    ],
)
def test_goal_status(value, op, target, noise, expected):
    row = bench_goals.goal("g", value, op, target, "limit", noise=noise)
    assert row["status"] == expected and row["met"] is (expected == "met")
    assert row["target"] == f"{op} {target:.2f}"


def test_sweep_goals_label_crafted_figures(tiny_sweep):
    """Ratios written into a real result: within noise is reported as such, never as met."""
    data = copy.deepcopy(tiny_sweep[1])
    small, large = data["models"]["mlp"]
    small["ratios"]["purejax"].update(step=1.04, step_iqr=[0.97, 1.09], memory=1.0, first_call=0.9, trace=0.5)
    large["ratios"]["purejax"].update(step=0.95, step_iqr=[0.90, 0.99], memory=1.2, first_call=1.1, trace=0.8)
    large["ratios"]["purejax"]["first_call_iqr"] = [1.05, 1.15]
    rows = {g["goal"].split(" (")[0].split(" batch")[0]: g for g in sweep.goals(data)}
    assert rows["step mlp hidden=8"]["status"] == "within noise" and not rows["step mlp hidden=8"]["met"]
    assert rows["step mlp hidden=32"]["status"] == "met"
    for what, value in (("XLA memory", 1.2), ("first call", 1.1), ("tracing", 0.8)):  # the worst size each
        assert rows[f"{what} mlp"]["value"] == value and rows[f"{what} mlp"]["status"] == "NOT MET"
