"""LSTM speed: purejax's RNN (fused and per-step) against Flax's `nn.RNN`, forward + backward.

The workload: batch 32, 128 time steps, 128 inputs, 256 hidden units, the gradient
of the summed outputs with respect to the parameters and the inputs, jitted. Each variant is
compiled once, then the variants are timed in turns, the order rotated every round (A B C, B C A,
C A B, ...) so that no variant always follows the same one; `block_until_ready` around every call,
and the median is kept. The matmul peak is measured first on the same device (a square float32
product), so throughput can be read as a fraction of what the device can do.

    FLOPs per step = 2 * batch * (in + hidden) * 4 * hidden           # the two products
    training FLOPs ~= 3 * time * FLOPs per step                       # forward + 2x backward

Two measured limits go with the figures: `products_only`, the same three products per step in the
same scan with no gate arithmetic (what any LSTM of these shapes could reach here), and
`same_program_as_flax`, whether a purejax variant compiles to Flax's optimised program (then it
cannot be faster than Flax, only equal).
"""

from __future__ import annotations

import re
import statistics
import time

import flax.linen as fnn
import jax
import jax.numpy as jnp
from rich.console import Group

import purejax.nn as pnn
from comparisons import display

FULL = {"batch": 32, "time": 128, "inputs": 128, "hidden": 256, "repeats": 40}
QUICK = {"batch": 32, "time": 128, "inputs": 128, "hidden": 256, "repeats": 5}


def matmul_peak(n: int = 1024, repeats: int = 10) -> float:
    """Measured float32 GFLOP/s of an `[n, n] @ [n, n]` product, jitted, median of `repeats`."""
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n))
    f = jax.jit(lambda a: a @ a)
    f(a).block_until_ready()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f(a).block_until_ready()
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def variants(hidden: int, unroll: int = 1) -> dict:
    """name -> (layer, variables-maker); every variant computes the same function."""
    return {
        "purejax fused": pnn.RNN(pnn.OptimizedLSTMCell(hidden), fused=True, unroll=unroll),
        "purejax per-step": pnn.RNN(pnn.OptimizedLSTMCell(hidden), fused=False, unroll=unroll),
        "flax OptimizedLSTMCell": fnn.RNN(fnn.OptimizedLSTMCell(hidden), unroll=unroll),
        "flax LSTMCell": fnn.RNN(fnn.LSTMCell(hidden), unroll=unroll),
    }


def run(settings: dict | None = None, unrolls=(1, 8)) -> dict:
    """Time every variant; returns figures per variant and unroll, plus the peak and the device."""
    s = dict(FULL if settings is None else settings)
    x = jax.random.normal(jax.random.PRNGKey(1), (s["batch"], s["time"], s["inputs"]))  # [batch, time, in]
    variables = fnn.RNN(fnn.LSTMCell(s["hidden"])).init(jax.random.PRNGKey(0), x)  # one tree for all
    peak = matmul_peak()
    flops = 3 * s["time"] * 2 * s["batch"] * (s["inputs"] + s["hidden"]) * 4 * s["hidden"]
    steps = {}
    for unroll in unrolls:
        for name, layer in variants(s["hidden"], unroll).items():
            grad = jax.jit(jax.grad(lambda v, x, layer=layer: layer.apply(v, x).sum(), argnums=(0, 1)))
            start = time.perf_counter()
            jax.block_until_ready(grad(variables, x))
            steps[(name, unroll)] = {"fn": grad, "compile_s": time.perf_counter() - start, "times": []}
    ceiling = products_only(s)
    start = time.perf_counter()
    jax.block_until_ready(ceiling(variables, x))
    steps[("products only", 1)] = {"fn": ceiling, "compile_s": time.perf_counter() - start, "times": []}
    entries = list(steps.values())
    for round_ in range(s["repeats"]):
        for entry in rotated(entries, round_):  # interleaved, the order rotated every round
            start = time.perf_counter()
            jax.block_until_ready(entry["fn"](variables, x))
            entry["times"].append(time.perf_counter() - start)
    rows = []
    for (name, unroll), entry in steps.items():
        median = statistics.median(entry["times"])
        rows.append(
            {
                "variant": name,
                "unroll": unroll,
                "median_ms": 1e3 * median,
                "compile_s": entry["compile_s"],
                "tokens_per_s": s["batch"] * s["time"] / median,
                "gflops": flops / median / 1e9,
                "fraction_of_peak": flops / median / 1e9 / peak,
            }
        )
    flax_program = _program(steps[("flax OptimizedLSTMCell", unrolls[0])]["fn"], variables, x)
    same = {
        name: _program(steps[(name, unrolls[0])]["fn"], variables, x) == flax_program
        for name in ("purejax per-step", "purejax fused")
    }
    return {
        "device": str(jax.devices()[0]),
        "platform": jax.default_backend(),
        "settings": s,
        "matmul_peak_gflops": peak,
        "rows": rows,
        "same_program_as_flax": same,
    }


def products_only(s: dict):
    """The LSTM's products with no gate arithmetic: a jitted gradient, same shapes, same scan.

    Each step computes `z = [x_t, h] @ W` (`[batch, in + hidden] @ [in + hidden, 4 * hidden]`) and
    passes on `h = z_i + z_f + z_g + z_o` (three adds instead of the gates), so forward and backward
    run exactly the LSTM's three products per step. Its rate is a ceiling for any LSTM of these
    shapes on this device, whatever its gates cost.
    """
    w = jax.random.normal(jax.random.PRNGKey(2), (s["inputs"] + s["hidden"], 4 * s["hidden"])) / 32

    def loss(w, x):
        def step(h, x_t):
            z = jnp.concatenate([x_t, h], axis=-1) @ w  # [batch, 4 * hidden]
            z_i, z_f, z_g, z_o = jnp.split(z, 4, axis=-1)  # [batch, hidden] each
            h = z_i + z_f + z_g + z_o
            return h, h

        h0 = jnp.zeros((x.shape[0], s["hidden"]), x.dtype)  # [batch, hidden]
        return jax.lax.scan(step, h0, jnp.swapaxes(x, 0, 1))[1].sum()  # over [time, batch, hidden]

    grad = jax.grad(loss, argnums=(0, 1))
    return jax.jit(lambda variables, x: grad(w, x))  # called as the variants are: (variables, x)


def rotated(items, turn: int) -> list:
    """`items` (any iterable) as a list rotated left by `turn`: A B C, B C A, C A B, ... (for two:
    A B, B A, ...), so that in timings taken in turns no item always runs first or after the same one."""
    items = list(items)
    shift = turn % len(items)
    return items[shift:] + items[:shift]


def _program(fn, *args) -> str:
    return normalized_program(fn.lower(*args).compile())


def normalized_program(compiled) -> str:
    """The optimised program XLA runs (a compiled `jit`), without names and source locations.

    Every `%name` is renamed by its first appearance (`%0`, `%1`, ...): two programs compare equal
    when they hold the same instructions, on the same shapes, wired the same way.
    """
    text = re.sub(r", metadata=\{[^}]*\}|stack_frame_id=\d+", "", compiled.as_text())
    lines = [line for line in text.splitlines() if line.startswith(("%", "  ", "ENTRY", "ROOT"))]
    body = "\n".join(
        re.sub(r"(\(|, )[\w.\-]+: ", r"\1", line) if line.startswith("ENTRY") else line for line in lines
    )  # argument names follow the pytrees' keys: not the program
    names: dict[str, str] = {}
    return re.sub(r"%[\w.\-]+", lambda m: names.setdefault(m.group(0), f"%{len(names)}"), body)


def format_table(result: dict):
    """The LSTM figures as a table (`comparisons.display`), fastest first."""
    rows = [
        [
            r["variant"],
            str(r["unroll"]),
            f"{r['median_ms']:.2f}",
            f"{r['compile_s']:.2f}",
            f"{r['tokens_per_s']:.0f}",
            f"{r['gflops']:.1f}",
            f"{r['fraction_of_peak']:.1%}",
        ]
        for r in sorted(result["rows"], key=lambda r: r["median_ms"])
    ]
    return Group(
        f"LSTM forward+backward on {result['device']}: {result['settings']}",
        f"measured matmul peak: {result['matmul_peak_gflops']:.1f} GFLOP/s",
        display.table(
            ["variant", "unroll", "median ms", "compile s", "tokens/s", "GFLOP/s", "of peak"],
            rows,
            justify=["left"] + ["right"] * 6,
        ),
    )


if __name__ == "__main__":
    display.show(display.console(), format_table(run()))
