"""LSTM speed: purejax's RNN (fused and per-step) against Flax's `nn.RNN`, forward + backward.

The workload is issue 9's: batch 32, 128 time steps, 128 inputs, 256 hidden units, the gradient
of the summed outputs with respect to the parameters and the inputs, jitted. Each variant is
compiled once, then the variants are timed in turns (A B C A B C ...), `block_until_ready` around
every call, and the median is kept. The matmul peak is measured first on the same device (a
square float32 product), so throughput can be read as a fraction of what the device can do.

    FLOPs per step = 2 * batch * (in + hidden) * 4 * hidden           # the two products
    training FLOPs ~= 3 * time * FLOPs per step                       # forward + 2x backward
"""
from __future__ import annotations

import statistics
import time

import flax.linen as fnn
import jax

import purejax.nn as pnn

FULL = {"batch": 32, "time": 128, "inputs": 128, "hidden": 256, "repeats": 20}
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
    return 2 * n ** 3 / statistics.median(times) / 1e9


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
    for _ in range(s["repeats"]):
        for entry in steps.values():  # interleaved
            start = time.perf_counter()
            jax.block_until_ready(entry["fn"](variables, x))
            entry["times"].append(time.perf_counter() - start)
    rows = []
    for (name, unroll), entry in steps.items():
        median = statistics.median(entry["times"])
        rows.append({"variant": name, "unroll": unroll, "median_ms": 1e3 * median,
                     "compile_s": entry["compile_s"], "tokens_per_s": s["batch"] * s["time"] / median,
                     "gflops": flops / median / 1e9, "fraction_of_peak": flops / median / 1e9 / peak})
    return {"device": str(jax.devices()[0]), "platform": jax.default_backend(), "settings": s,
            "matmul_peak_gflops": peak, "rows": rows}


def format_table(result: dict) -> str:
    lines = [f"LSTM forward+backward on {result['device']}: {result['settings']}",
             f"measured matmul peak: {result['matmul_peak_gflops']:.1f} GFLOP/s",
             f"{'variant':24s} {'unroll':>6s} {'median ms':>10s} {'compile s':>10s} {'tokens/s':>10s} "
             f"{'GFLOP/s':>8s} {'of peak':>8s}"]
    for r in sorted(result["rows"], key=lambda r: r["median_ms"]):
        lines.append(f"{r['variant']:24s} {r['unroll']:6d} {r['median_ms']:10.2f} {r['compile_s']:10.2f} "
                     f"{r['tokens_per_s']:10.0f} {r['gflops']:8.1f} {r['fraction_of_peak']:8.1%}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_table(run()))
