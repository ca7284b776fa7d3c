"""`python -m comparisons bench --sweep`: how the train step, its memory and its first call grow with size.

Each model of `SIZES` is built at three or more sizes through its own `init(key, batch,
**hparams)` and `loss_fn(..., **hparams)`, both sides from the same variables, batch and key:

    mlp             hidden width                      (digits, 8x8)
    cnn, resnet     channels and image size           (digits, 8x8 upscaled to 16x16 and 32x32)
    lstm_lm         hidden units and sequence length  (random bytes)
    transformer_lm  width, layers and context         (random bytes)

For every size and side (`SIDES`: purejax and Flax linen under `jax.jit`, Flax NNX under
`nnx.jit` with its model and `nnx.Optimizer` updated in place; ratios are each side over
`REFERENCE`, linen):

    flops          FLOPs of one train step: XLA's `compiled.cost_analysis()`, except where a scan
                   hides them (XLA counts a loop's body once): there, counted (`count_flops`)
    step_ms        median of the jitted step, the sides timed in turns (A B, B A, ...) after warm-up;
                   `step_ratio_iqr`: the interquartile range of the per-turn ratios
    gflops         flops / step time; `fraction_of_peak` against the matmul peak: the best of its
                   measurements (first, with each LSTM size, last), so a busy moment cannot inflate it
    memory         XLA's `compiled.memory_analysis()`: argument, output, temporary and generated-code
                   bytes, and their sum `total_bytes`
    first call     `trace_s` (`.trace()`: Python to a jaxpr), `lower_s` (`.lower()`: to StableHLO),
                   `trace_lower_s` (the two), `xla_compile_s` (`.compile()`) and `first_call_s`
                   (a fresh jit's first call: trace, lower, compile, one run), medians over the
                   compile turns, after both sides' steps have compiled once (JAX's caches warm);
                   `first_call_iqr`: the interquartile range of the per-turn ratios

then NNX's dispatch at each model's smallest size (`nnx_dispatch`: `jax.jit` against `nnx.jit`
and `nnx.cached_partial`, with and without work), and the LSTM workload of
`comparisons/bench/lstm.py` at each hidden size of `settings["lstm"]`:
every variant's share of the matmul peak and the fused path over its products-only ceiling.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import platform as platform_
import statistics
import time

import jax
import numpy as np
from rich.console import Group

import purejax.random
from comparisons import display
from comparisons.bench import goals as bench_goals
from comparisons.bench import lstm as bench_lstm
from comparisons.bench.chart import sweep_plot
from comparisons.bench.lstm import normalized_program, rotated
from comparisons.bench.models import peak_bytes_in_use, staged_first_call
from comparisons.training.pair import create_states, modules
from flaxed.nnx import train as nnx_train
from purejax.data.tasks import digits, text
from purejax.nn.recurrent_lstm_fused import FUSED_BY_PLATFORM
from purejax.train import make_train_step

SCHEMA = "purejax-bench-sweep/1"
SIDES = ("purejax", "flaxed", "nnx")  # purejax, Flax linen under jax.jit, Flax NNX under nnx.jit
REFERENCE = "flaxed"  # ratios are side / REFERENCE

# name -> tier -> sizes; a size is {"hparams", "batch_size"} and, for text models, "seq_len"
SIZES = {
    "mlp": {
        "full": [{"hparams": {"hidden": h}, "batch_size": 64} for h in (64, 256, 1024, 2048)],
        "quick": [{"hparams": {"hidden": h}, "batch_size": 64} for h in (64, 256, 1024)],
        "tiny": [{"hparams": {"hidden": h}, "batch_size": 8} for h in (8, 32)],
    },
    "cnn": {  # channels and image size (the digits upscaled), batch fixed: 0.015 to 3.95 GFLOP a step (263x)
        tier: [
            {"hparams": {"features": f, "hidden": h, "image_size": s}, "batch_size": 32}
            for f, h, s in (((16, 32), 64, 8), ((32, 64), 128, 16), ((64, 128), 256, 32))
        ]
        for tier in ("full", "quick")
    },
    "resnet": {  # likewise: 0.086 to 24.8 GFLOP a step (288x)
        tier: [
            {"hparams": {"stage_features": f, "image_size": s}, "batch_size": 32}
            for f, s in (((16, 32), 8), ((32, 64), 16), ((64, 128), 32))
        ]
        for tier in ("full", "quick")
    },
    "lstm_lm": {
        "full": [
            {"hparams": {"hidden": h}, "batch_size": 32, "seq_len": t} for h, t in ((256, 32), (512, 64), (1024, 128))
        ],
        "quick": [
            {"hparams": {"hidden": h}, "batch_size": 32, "seq_len": t} for h, t in ((256, 16), (512, 32), (1024, 64))
        ],
    },
    "transformer_lm": {
        "full": [
            {
                "hparams": {"features": d, "num_layers": n, "mlp_dim": 4 * d, "max_len": t},
                "batch_size": 32,
                "seq_len": t,
            }
            for d, n, t in ((64, 2, 32), (128, 4, 64), (256, 4, 128))
        ],
        "quick": [
            {
                "hparams": {"features": d, "num_layers": n, "mlp_dim": 4 * d, "max_len": t},
                "batch_size": 32,
                "seq_len": t,
            }
            for d, n, t in ((64, 2, 32), (128, 2, 64), (256, 4, 64))
        ],
    },
}
FULL = {
    "tier": "full",
    "models": list(SIZES),
    "steps": 100,  # timed turns at most per size ...
    "min_steps": 10,  # ... and at least, whatever the budget
    "budget_s": 10.0,  # per side and size: fewer turns for a slow step
    "warmup": 3,
    "compile_repeats": 3,
    "matmul_repeats": 10,
    "lstm": {"batch": 32, "time": 128, "inputs": 128, "hiddens": [256, 1024], "repeats": 10},
}
QUICK = {
    **FULL,
    "tier": "quick",
    "steps": 40,
    "min_steps": 5,
    "budget_s": 2.0,
    "warmup": 2,
    "compile_repeats": 1,
    "matmul_repeats": 5,
    "lstm": {"batch": 32, "time": 128, "inputs": 128, "hiddens": [256, 1024], "repeats": 3},  # the standard workload
}
TINY = {  # the test's: seconds, not a measurement
    **QUICK,
    "tier": "tiny",
    "models": ["mlp"],
    "steps": 2,
    "min_steps": 2,
    "warmup": 1,
    "matmul_repeats": 1,
    "lstm": {"batch": 4, "time": 4, "inputs": 8, "hiddens": [8, 16], "repeats": 1},
}
TIERS = {"full": FULL, "quick": QUICK, "tiny": TINY}


def sizes(name: str, tier: str) -> list[dict]:
    """The sizes of model `name` in `tier` (a tier a model lacks falls back to `quick`)."""
    by_tier = SIZES[name]
    return by_tier.get(tier) or by_tier["quick"]


def count_flops(name: str, size: dict) -> float | None:
    """FLOPs of one train step counted from the shapes, for a model whose scan hides them from XLA.

    lstm_lm: per byte, the LSTM's `[features + hidden] @ [features + hidden, 4 * hidden]` and the
    output `[hidden] @ [hidden, 256]`, two FLOPs a multiply-add, three times (forward and the two
    products of the backward pass). None for the other models: XLA counts theirs.
    """
    if name != "lstm_lm":
        return None
    ours = modules(name)[0]
    h = size["hparams"].get("hidden", ours.HPARAMS["hidden"])
    f = size["hparams"].get("features", ours.HPARAMS["features"])
    per_byte = 2 * (f + h) * 4 * h + 2 * h * text.VOCAB
    return 3.0 * size["batch_size"] * size["seq_len"] * per_byte


def make_batch(name: str, size: dict, key) -> dict:
    """A device-resident batch: the model's own digits (upscaled to the size's `image_size` when it
    has one: `digits.upscale`, each pixel a block), or random bytes `int32[batch, seq_len + 1]`."""
    ours = modules(name)[0]
    if "seq_len" in size:
        tokens = np.random.default_rng(0).integers(0, text.VOCAB, (size["batch_size"], size["seq_len"] + 1))
        return jax.device_put({"tokens": tokens.astype(np.int32)})
    batch = next(ours.train_batches(key, size["batch_size"]))
    image_size = size["hparams"].get("image_size", digits.IMAGE_SIZE)
    if image_size != digits.IMAGE_SIZE:
        batch = digits.upscale(batch, image_size // digits.IMAGE_SIZE)  # [batch, image_size, image_size, 1]
    return jax.device_put(batch)


class NNXStep:
    """NNX's own train step (`flaxed.nnx.train.make_train_step`: `nnx.jit`, the model and its
    `nnx.Optimizer` updated in place) in the sweep's calling convention, `step(state, batch, key)
    -> (state, metrics)` with `state = (model, optimizer)`, and `trace` as a jitted function has.

    Each call goes through `nnx.jit`'s Python side (split the model and optimizer into a graph and
    state, call the compiled program, merge the new state back), which is what an NNX user runs.
    """

    def __init__(self, module):
        self.step = nnx_train.make_train_step(module.loss)

    def __call__(self, state, batch, key):
        return state, self.step(*state, batch, key)

    def trace(self, state, batch, key):
        return self.step.trace(*state, batch, key)


def side_steps(name: str, size: dict, batch, key) -> dict:
    """side -> `(make_step, state)`: a fresh jitted train step maker and its start state, one per side.

    All three start from the same variables (purejax's init); the NNX model is built from them
    (`from_variables`), so its step computes what the other two compute.
    """
    ours, theirs = modules(name)
    nnx_module = modules(name, "nnx")[1]
    variables = ours.init(key, batch, **size["hparams"])
    learning_rate = ours.DEFAULTS["learning_rate"]
    state_p, state_f = create_states(name, variables, learning_rate)
    state_n = nnx_train.create(nnx_module, variables, learning_rate, **size["hparams"])
    return {
        "purejax": (lambda: make_train_step(functools.partial(ours.loss_fn, **size["hparams"])), state_p),
        "flaxed": (lambda: make_train_step(functools.partial(theirs.loss_fn, **size["hparams"])), state_f),
        "nnx": (lambda: NNXStep(nnx_module), state_n),
    }


def _timed(fn, *args):
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    return time.perf_counter() - start, out


def xla_memory(compiled) -> dict | None:
    """XLA's memory analysis of an executable in bytes, or None where the backend gives none."""
    try:
        m = compiled.memory_analysis()
        out = {
            "argument_bytes": int(m.argument_size_in_bytes),
            "output_bytes": int(m.output_size_in_bytes),
            "temp_bytes": int(m.temp_size_in_bytes),
            "generated_code_bytes": int(m.generated_code_size_in_bytes),
            "alias_bytes": int(m.alias_size_in_bytes),
        }
    except Exception:  # a backend without memory_analysis
        return None
    out["total_bytes"] = sum(out[k] for k in ("argument_bytes", "output_bytes", "temp_bytes", "generated_code_bytes"))
    return out


def _ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def time_size(name: str, size: dict, settings: dict) -> dict:
    """Every figure of one model at one size, per side, and the ratios side / REFERENCE."""
    k_init, k_data, k_step = purejax.random.split(purejax.random.PRNGKey(0), 3)
    batch = make_batch(name, size, k_data)
    key = purejax.random.fold_in(k_step, 0)
    makers = side_steps(name, size, batch, k_init)
    sides = list(makers)
    out: dict = {side: {} for side in sides}
    parts = {
        side: {"trace_s": [], "lower_s": [], "trace_lower_s": [], "xla_compile_s": [], "first_call_s": []}
        for side in sides
    }
    programs, xla_flops, steps = {}, {}, {}
    for side in sides:  # warm-up: the steps timed below, and JAX's process-wide caches, for both sides
        steps[side] = makers[side][0]()
        _timed(steps[side], makers[side][1], batch, key)
    for turn in range(settings["compile_repeats"]):
        for side in rotated(sides, turn):
            make, state = makers[side]
            _, compiled, seconds = staged_first_call(make(), state, batch, key)
            for part, value in seconds.items():
                parts[side][part].append(value)
            parts[side]["trace_lower_s"].append(seconds["trace_s"] + seconds["lower_s"])
            if turn == 0:
                out[side]["memory"] = xla_memory(compiled)
                programs[side] = normalized_program(compiled)
                xla_flops[side] = float((compiled.cost_analysis() or {}).get("flops", 0.0))
            gc.collect()
            seconds, _ = _timed(make(), state, batch, key)  # a fresh jit's first call
            parts[side]["first_call_s"].append(seconds)
    states = {side: makers[side][1] for side in sides}
    warm = max(_timed(steps[side], states[side], batch, key)[0] for side in sides)
    n = max(settings["min_steps"], min(settings["steps"], int(settings["budget_s"] / max(warm, 1e-6))))
    times: dict = {side: [] for side in sides}
    for i in range(settings["warmup"] + n):
        for side in rotated(sides, i):  # interleaved, each side first every other turn
            seconds, (states[side], _) = _timed(steps[side], states[side], batch, key)
            if i >= settings["warmup"]:
                times[side].append(seconds)
    counted = count_flops(name, size)
    flops = counted if counted is not None else xla_flops[REFERENCE]
    for side in sides:
        out[side].update({k: statistics.median(v) for k, v in parts[side].items()})
        step_s = statistics.median(times[side])
        out[side].update(
            step_ms=1e3 * step_s,
            step_ms_iqr=[1e3 * float(q) for q in np.percentile(times[side], [25, 75])],
            xla_flops=xla_flops[side],
            gflops=flops / step_s / 1e9,
        )
    ratios = {}
    for side in sides:
        if side == REFERENCE:
            continue
        mine, ref = out[side], out[REFERENCE]
        per_turn = [a / b for a, b in zip(times[side], times[REFERENCE], strict=True)]
        mem = _ratio((mine["memory"] or {}).get("total_bytes"), (ref["memory"] or {}).get("total_bytes"))
        ratios[side] = {
            "step": mine["step_ms"] / ref["step_ms"],
            "step_iqr": [float(q) for q in np.percentile(per_turn, [25, 75])],
            "memory": mem,
            "first_call": mine["first_call_s"] / ref["first_call_s"],
            "first_call_iqr": [  # over the compile turns, paired
                float(q)
                for q in np.percentile(
                    [a / b for a, b in zip(parts[side]["first_call_s"], parts[REFERENCE]["first_call_s"], strict=True)],
                    [25, 75],
                )
            ],
            "trace_lower": mine["trace_lower_s"] / ref["trace_lower_s"],
            "trace": mine["trace_s"] / ref["trace_s"],
            "lower": mine["lower_s"] / ref["lower_s"],
            "xla_compile": mine["xla_compile_s"] / ref["xla_compile_s"],
            "same_program": programs[side] == programs[REFERENCE],
        }
    return {
        "hparams": size["hparams"],
        "batch_size": size["batch_size"],
        "seq_len": size.get("seq_len"),
        "label": label(size),
        "flops": flops,
        "flops_source": "counted" if counted is not None else "xla cost_analysis",
        "timed_steps": n,
        **out,
        "ratios": ratios,
        "peak_bytes_in_use": peak_bytes_in_use(),
    }


def nnx_dispatch(name: str, size: dict, settings: dict) -> dict:
    """NNX's Python work per step against a plain `jax.jit`, for model `name` at `size`, in ms.

    Three ways to run the same train step, timed in turns: purejax's `jax.jit` of a pure function
    of its `TrainState`; NNX's `nnx.jit` of the model and optimizer (what NNX's tutorials write),
    which splits both into a graph and arrays on every call and merges the results back; and
    `nnx.cached_partial(step, model, optimizer)`, Flax's documented way to cache that traversal.
    The `*_floor_ms` figures time the same three calls of a function that computes nothing (it
    returns its state), so they are the dispatch alone: what each call costs before any work.
    """
    from flax import nnx

    k_init, k_data, k_step = purejax.random.split(purejax.random.PRNGKey(0), 3)
    batch = make_batch(name, size, k_data)
    key = purejax.random.fold_in(k_step, 0)
    makers = side_steps(name, size, batch, k_init)
    state = makers["purejax"][1]
    model, optimizer = makers["nnx"][1]
    step_p, nnx_step = makers["purejax"][0](), makers["nnx"][0]().step
    empty_jax = jax.jit(lambda state, batch, key: state)
    empty_nnx = nnx.jit(lambda model, optimizer, batch, key: None)
    nnx_step(model, optimizer, batch, key)  # the model's mode set (`model.train()` in its loss) before caching:
    cached = nnx.cached_partial(nnx_step, model, optimizer)  # cached_partial refuses a graph that changes
    cached_empty = nnx.cached_partial(empty_nnx, model, optimizer)
    calls = {
        "jax_jit": lambda: step_p(state, batch, key),  # the state is not carried: the same work every call
        "nnx_jit": lambda: nnx_step(model, optimizer, batch, key),
        "nnx_cached_partial": lambda: cached(batch, key),
        "jax_jit_floor": lambda: empty_jax(state, batch, key),
        "nnx_jit_floor": lambda: empty_nnx(model, optimizer, batch, key),
        "nnx_cached_partial_floor": lambda: cached_empty(batch, key),
    }
    times: dict = {k: [] for k in calls}
    for i in range(settings["warmup"] + settings["steps"]):
        for k in rotated(calls, i):
            seconds, _ = _timed(calls[k])
            if i >= settings["warmup"]:
                times[k].append(seconds)
    out = {"model": name, "label": label(size), **{f"{k}_ms": 1e3 * statistics.median(v) for k, v in times.items()}}
    out["nnx_jit_over_jax_jit_ms"] = out["nnx_jit_ms"] - out["jax_jit_ms"]
    out["nnx_cached_partial_over_jax_jit_ms"] = out["nnx_cached_partial_ms"] - out["jax_jit_ms"]
    return out


def label(size: dict) -> str:
    """A size as a short line: `hidden=256 batch=32 T=64`."""
    parts = [f"{k}={'x'.join(map(str, v)) if isinstance(v, tuple | list) else v}" for k, v in size["hparams"].items()]
    parts.append(f"batch={size['batch_size']}")
    if size.get("seq_len") is not None:
        parts.append(f"T={size['seq_len']}")
    return " ".join(p for p in parts if not p.startswith(("mlp_dim=", "max_len=")))


def lstm_sizes(settings: dict, log=print) -> dict:
    """The LSTM workload at each hidden size: every variant's time and GFLOP/s, and the peaks measured."""
    s = settings["lstm"]
    default = "purejax fused" if FUSED_BY_PLATFORM.get(jax.default_backend(), False) else "purejax per-step"
    rows, peaks = [], []
    for hidden in s["hiddens"]:
        log(f"LSTM hidden {hidden} ...")
        got = bench_lstm.run({k: v for k, v in s.items() if k != "hiddens"} | {"hidden": hidden}, unrolls=(1,))
        peaks.append(got["matmul_peak_gflops"])
        variants = {r["variant"]: r for r in got["rows"]}
        rows.append(
            {
                "hidden": hidden,
                "variants": {v: {k: r[k] for k in ("median_ms", "gflops")} for v, r in variants.items()},
                "default_over_ceiling": variants["products only"]["median_ms"] / variants[default]["median_ms"],
                "default_over_flax": variants[default]["median_ms"] / variants["flax OptimizedLSTMCell"]["median_ms"],
            }
        )
    return {"settings": s, "purejax_default_variant": default, "rows": rows, "matmul_peaks_gflops": peaks}


def run(settings: dict, log=print) -> dict:
    """A whole sweep as a JSON-ready dict; `log(text)` as each stage begins."""
    started = time.perf_counter()
    result = {
        "schema": SCHEMA,
        "device": str(jax.devices()[0]),
        "platform": jax.default_backend(),
        "device_kind": jax.devices()[0].device_kind,
        "cpu_count": os.cpu_count(),
        "machine": platform_.machine(),
        "python": platform_.python_version(),
        "jax": jax.__version__,
        "load_average_start": list(os.getloadavg()),
        "settings": settings,
        "sides": list(SIDES),
        "reference": REFERENCE,
    }
    log("matmul peak ...")
    peaks = [bench_lstm.matmul_peak(repeats=settings["matmul_repeats"])]
    result["models"] = {}
    for name in settings["models"]:
        result["models"][name] = []
        for size in sizes(name, settings["tier"]):
            log(f"{name} {label(size)} ...")
            result["models"][name].append(time_size(name, size, settings))
    result["nnx_dispatch"] = []
    for name in settings["models"]:
        log(f"NNX dispatch {name} ...")
        result["nnx_dispatch"].append(nnx_dispatch(name, sizes(name, settings["tier"])[0], settings))
    result["lstm"] = lstm_sizes(settings, log)
    log("matmul peak again ...")
    peaks += [*result["lstm"]["matmul_peaks_gflops"], bench_lstm.matmul_peak(repeats=settings["matmul_repeats"])]
    peak = max(peaks)  # the best measurement: the device's, not a busy moment's
    result["matmul_peaks_gflops"], result["matmul_peak_gflops"] = peaks, peak
    for rows in result["models"].values():
        for r in rows:
            for side in result["sides"]:
                r[side]["fraction_of_peak"] = r[side]["gflops"] / peak
    for r in result["lstm"]["rows"]:
        for v in r["variants"].values():
            v["fraction_of_peak"] = v["gflops"] / peak
    result["load_average_end"] = list(os.getloadavg())
    result["elapsed_s"] = time.perf_counter() - started
    return result


def _worst(rows: list[dict], key: str) -> dict:
    """The size whose ratio `key` (purejax / REFERENCE) is highest."""
    return max(rows, key=lambda r: r["ratios"]["purejax"][key] or 0.0)


def _limit(key: str, p: dict, f: dict) -> str:
    """What bounds a ratio `key`, measured: the two sides' figures behind it (p: purejax, f: the reference)."""
    if key == "memory":
        mib = {side: {k: v / 2**20 for k, v in x["memory"].items()} for side, x in (("p", p), ("f", f))}
        return (
            f"{mib['p']['total_bytes']:.2f}/{mib['f']['total_bytes']:.2f} MiB; "
            f"temp {mib['p']['temp_bytes']:.2f}/{mib['f']['temp_bytes']:.2f} MiB"
        )
    if key == "first_call":
        return (
            f"{p['first_call_s']:.2f}/{f['first_call_s']:.2f} s; "
            f"XLA compile {p['xla_compile_s']:.2f}/{f['xla_compile_s']:.2f} s"
        )
    return f"trace {p['trace_s']:.3f}/{f['trace_s']:.3f} s; lowering {p['lower_s']:.3f}/{f['lower_s']:.3f} s"


def goals(result: dict) -> list[dict]:
    """The sweep's goals (`comparisons.bench.goals`): the step ratio at every size; memory, first call
    and tracing at each model's worst size; the LSTM against its ceiling, the peak and Flax."""
    t, rows = bench_goals.TARGETS, []
    for name, sized in result["models"].items():
        for r in sized:
            q = r["ratios"]["purejax"]
            rows.append(
                bench_goals.goal(
                    f"step {name} {r['label']}",
                    q["step"],
                    "<=",
                    t["step_ratio"],
                    f"{'same' if q['same_program'] else 'different'} XLA program; "
                    f"{r['purejax']['fraction_of_peak']:.0%} of peak",
                    noise=q["step_iqr"],
                )
            )
    for name, sized in result["models"].items():
        for key, target, what in (
            ("memory", "memory_ratio", "XLA memory"),
            ("first_call", "first_call_ratio", "first call"),
            ("trace", "trace_ratio", "tracing"),
        ):
            if all(r["ratios"]["purejax"][key] is None for r in sized):
                continue  # a backend without memory_analysis
            r = _worst(sized, key)
            limit = _limit(key, r["purejax"], r[REFERENCE])
            noise = r["ratios"]["purejax"]["first_call_iqr"] if key == "first_call" else None
            rows.append(
                bench_goals.goal(
                    f"{what} {name} (worst: {r['label']})",
                    r["ratios"]["purejax"][key],
                    "<=",
                    t[target],
                    limit,
                    noise=noise,
                )
            )
    lstm = result["lstm"]
    default = lstm["purejax_default_variant"]
    first, last = lstm["rows"][0], lstm["rows"][-1]
    products = first["variants"]["products only"]["fraction_of_peak"]
    rows.append(
        bench_goals.goal(
            f"LSTM {default} / products-only ceiling (hidden {first['hidden']})",
            first["default_over_ceiling"],
            ">=",
            t["lstm_of_ceiling"],
            f"ceiling {products:.0%} of peak, {default} {first['variants'][default]['fraction_of_peak']:.0%}",
        )
    )
    ours = last["variants"][default]["fraction_of_peak"]
    rows.append(
        bench_goals.goal(
            f"LSTM {default}: fraction of peak at hidden {last['hidden']}",
            ours,
            ">=",
            t["lstm_of_peak_at_1024"],
            f"its products alone {last['variants']['products only']['fraction_of_peak']:.0%} of peak",
        )
    )
    for r in lstm["rows"]:
        rows.append(
            bench_goals.goal(
                f"LSTM {default} / flax OptimizedLSTMCell (hidden {r['hidden']})",
                r["default_over_flax"],
                "<",
                1.0,
                f"{r['variants'][default]['median_ms']:.1f}/"
                f"{r['variants']['flax OptimizedLSTMCell']['median_ms']:.1f} ms",
            )
        )
    return rows


def format_table(result: dict):
    """The sweep's tables (per model and size: time, GFLOP/s, memory, first call; the LSTM; the goals)."""
    la = result["load_average_start"]
    sized = []
    for name, rows in result["models"].items():
        for r in rows:
            p, f, q = r["purejax"], r[REFERENCE], r["ratios"]["purejax"]
            mem = (
                "n/a"
                if p["memory"] is None
                else f"{p['memory']['total_bytes'] / 2**20:.2f}/{f['memory']['total_bytes'] / 2**20:.2f}"
            )
            sized.append(
                [
                    name,
                    r["label"],
                    f"{r['flops'] / 1e6:.1f}",
                    f"{p['step_ms']:.3f}/{f['step_ms']:.3f}",
                    f"{q['step']:.2f} [{q['step_iqr'][0]:.2f}, {q['step_iqr'][1]:.2f}]",
                    f"{p['gflops']:.1f} ({p['fraction_of_peak']:.0%})",
                    mem,
                    "n/a" if q["memory"] is None else f"{q['memory']:.2f}",
                    f"{p['first_call_s']:.2f}/{f['first_call_s']:.2f}",
                    f"{q['first_call']:.2f}",
                    f"{q['trace']:.2f}",
                ]
            )
    nnx_sized = [
        [
            name,
            r["label"],
            f"{r['nnx']['step_ms']:.3f}",
            f"{q['step']:.2f} [{q['step_iqr'][0]:.2f}, {q['step_iqr'][1]:.2f}]",
            f"{r['nnx']['step_ms'] - r['purejax']['step_ms']:+.3f}",
            "n/a" if q["memory"] is None else f"{q['memory']:.2f}",
            f"{q['first_call']:.2f}",
            f"{q['trace']:.2f}",
        ]
        for name, rows in result["models"].items()
        for r in rows
        for q in [r["ratios"]["nnx"]]
    ]
    dispatch = [
        [d["model"], d["label"]]
        + [f"{d[k + '_ms']:.3f} ({d[k + '_floor_ms']:.3f})" for k in ("jax_jit", "nnx_jit", "nnx_cached_partial")]
        for d in result["nnx_dispatch"]
    ]
    default = result["lstm"]["purejax_default_variant"]
    lstm = [
        [str(r["hidden"])]
        + [
            f"{v['median_ms']:.1f} ms, {v['gflops']:.1f} GFLOP/s ({v['fraction_of_peak']:.0%})"
            for v in (r["variants"][k] for k in (default, "flax OptimizedLSTMCell", "products only"))
        ]
        + [f"{r['default_over_ceiling']:.2f}"]
        for r in result["lstm"]["rows"]
    ]
    return Group(
        f"sweep on {result['device']} ({result['cpu_count']} CPUs, load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}); "
        f"jax {result['jax']}; {result['settings']['tier']} tier; {result['elapsed_s']:.0f} s",
        f"matmul peak {result['matmul_peak_gflops']:.1f} GFLOP/s",
        "",
        display.table(
            [
                "model",
                "size",
                "MFLOP",
                "step ms",
                "ratio [IQR]",
                "purejax GFLOP/s",
                "XLA MiB",
                "ratio",
                "first call s",
                "ratio",
                "trace",
            ],
            sized,
            justify=["left", "left"] + ["right"] * 9,
        ),
        f"(purejax/{REFERENCE}; ratio = purejax / {REFERENCE}, its IQR over the paired turns; MFLOP per train step; "
        "XLA MiB: arguments + outputs + temporaries + generated code; trace: the Python tracing ratio)",
        "",
        "Flax NNX (nnx.jit, the model and nnx.Optimizer updated in place), the same sizes:",
        display.table(
            ["model", "size", "nnx step ms", f"nnx/{REFERENCE} [IQR]", "nnx - purejax ms", "XLA MiB", "first", "trace"],
            nnx_sized,
            justify=["left", "left"] + ["right"] * 6,
        ),
        f"(ratios nnx / {REFERENCE}; nnx - purejax: what nnx.jit adds to purejax's jax.jit step, per step)",
        "",
        "NNX's dispatch, per step in ms (in brackets: a step that computes nothing, the call alone):",
        display.table(
            ["model", "size", "purejax jax.jit", "nnx.jit", "nnx.cached_partial"],
            dispatch,
            justify=["left", "left", "right", "right", "right"],
        ),
        "",
        f"LSTM forward+backward, {result['lstm']['settings']}:",
        display.table(["hidden", default, "flax OptimizedLSTMCell", "products only", "of ceiling"], lstm),
        "",
        *bench_goals.table(result["goals"]),
    )


def main(args, argv: list[str]) -> int:
    """`bench --sweep`: run the tier `args` asks for, print the tables, write `--json` and `--plot`."""
    settings = dict(TIERS["tiny" if args.tiny else "quick" if args.quick else "full"])
    if args.models_given:
        unknown = [m for m in args.models if m not in SIZES]
        if unknown:
            print(f"bench --sweep: no sizes for model {unknown[0]!r}; the swept models are: {', '.join(SIZES)}")
            return 2
        settings["models"] = list(args.models)
    if args.steps is not None:
        settings["steps"], settings["min_steps"] = args.steps, min(settings["min_steps"], args.steps)
    result = run(settings, log=lambda text: print(text, flush=True))
    result["goals"] = goals(result)
    result["command"] = "python -m comparisons bench " + " ".join(argv)
    out = display.console()
    display.show(out, format_table(result))
    if args.json:
        with open(args.json, "w") as file:
            json.dump(result, file, indent=1)
        display.show(out, f"wrote {args.json}")
    if args.plot:
        display.show(out, f"wrote {sweep_plot(result, args.plot)}")
    return 0
