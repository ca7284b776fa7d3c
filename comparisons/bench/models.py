"""Measurements behind `python -m comparisons bench`: train steps, compiles, imports, limits.

Each model's purejax and flaxed train steps start from the same variables and see the same
device-resident batch and key. They are timed in turns (A B, then B A, ...) in one process, with
`jax.block_until_ready` around every call, after warm-up, and the median is kept:

    step_ms      one jitted train step (state in, state and metrics out)
    step_donated_ms  the same step with the state's buffers donated (`make_train_step(donate=True)`),
                 on its own copy of the state: the before/after of buffer donation
    dispatch_ms  a jitted identity on the same (state, batch, key): flattening the state pytree
                 and launching a program, the floor below which no step can go
    compile_s    the first call of a freshly jitted step: trace, lower, XLA compile, one run
    trace_s, lower_s, xla_compile_s   the same first call taken apart: Python tracing to a jaxpr
                 (`.trace()`), lowering to StableHLO (`.lower()`) and XLA (`.compile()`);
                 trace_lower_s is the first two together
    stablehlo_ops  lines with an `=` in the lowered module: how much the step traces to
    same_program   whether XLA's optimised programs of the two steps are the same, names aside
    compiled_bytes XLA's own account of the executable (arguments + outputs + temporaries)
    step_ratio_iqr the interquartile range of the per-turn ratios purejax / flaxed

With `flax="nnx"` (`bench --flax nnx`) the flaxed side is the model's Flax NNX version
(`flaxed/nnx/NAME.py`): the figures above time its functional `loss_fn` under the same `jax.jit`
step (the program NNX compiles), and one more figure times NNX's own loop:

    nnx_step_ms  one `nnx.jit` step of `flaxed.nnx.train.Trainer` (`nnx.Optimizer`, model updated
                 in place): the compiled step plus NNX's graph traversal on every call

A language model whose `sample` takes `use_cache` (transformer_lm) is also timed sampling, both
sides, with the attention cache and without it (the whole text read again at every step):

    tokens_per_s  bytes generated per second of `sample(...)`, median over repeats after one
                  warm-up call (which compiles), greedy, as long as the context allows

Import times are the wall time of `python -c "import X"` in a fresh interpreter minus that of
`python -c "pass"`, taken in turns (the order rotated every turn) and reduced by the median; the
cost of purejax over jax is the median of the paired differences (each turn's `import purejax`
minus its `import jax`); `python -X importtime` gives the share of purejax's own modules
(everything else `import purejax` loads is jax).
"""

from __future__ import annotations

import gc
import inspect
import os
import statistics
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import purejax.random
from comparisons.bench.lstm import normalized_program, rotated
from comparisons.training.pair import create_states, modules
from flaxed.nnx.train import Trainer
from purejax.train import make_train_step, model_variables

SIDES = ("purejax", "flaxed")
IMPORTS = ("purejax", "jax", "flax.linen")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository: purejax imports


def _timed(fn, *args):
    """`(seconds, outputs)` of one call, waited for."""
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    return time.perf_counter() - start, out


def staged_first_call(step, *args) -> tuple:
    """A fresh jitted `step`'s first call taken apart: `(lowered, compiled, seconds)`, where
    `seconds` holds `trace_s` (`.trace()`: Python to a jaxpr), `lower_s` (`.lower()`: to
    StableHLO) and `xla_compile_s` (`.compile()`). Works for `jax.jit` and `nnx.jit` alike."""
    gc.collect()  # no collection of earlier garbage inside this timing
    start = time.perf_counter()
    traced = step.trace(*args)
    traced_at = time.perf_counter()
    lowered = traced.lower()
    lowered_at = time.perf_counter()
    compiled = lowered.compile()
    seconds = {
        "trace_s": traced_at - start,
        "lower_s": lowered_at - traced_at,
        "xla_compile_s": time.perf_counter() - lowered_at,
    }
    return lowered, compiled, seconds


def _stablehlo_ops(lowered) -> int:
    return sum(1 for line in lowered.as_text().splitlines() if " = " in line)


def _compiled_bytes(compiled):
    """Arguments + outputs + temporaries of an executable, as XLA reports them (None if it does not)."""
    try:
        stats = compiled.memory_analysis()
        return int(stats.argument_size_in_bytes + stats.output_size_in_bytes + stats.temp_size_in_bytes)
    except Exception:  # some backends do not implement memory_analysis
        return None


def peak_bytes_in_use():
    """The device's peak bytes in use so far (process-wide), or None where the backend keeps no count (CPU)."""
    stats = jax.devices()[0].memory_stats()
    return None if stats is None else stats.get("peak_bytes_in_use")


def prepare(name: str, batch_size: int | None = None, seed: int = 0, flax: str = "linen") -> dict:
    """Both sides of model `name` (`flax`: linen or nnx): train state, step maker, the shared batch and key."""
    ours, theirs = modules(name, flax)
    batch_size = batch_size or ours.DEFAULTS["batch_size"]
    k_init, k_data, k_step = purejax.random.split(purejax.random.PRNGKey(seed), 3)
    batch = jax.device_put(next(ours.train_batches(k_data, batch_size)))  # on the device: no copies timed
    variables = ours.init(k_init, batch)
    state_p, state_f = create_states(name, variables, ours.DEFAULTS["learning_rate"], flax)
    return {
        "theirs": theirs,
        "batch_size": batch_size,
        "batch": batch,
        "learning_rate": ours.DEFAULTS["learning_rate"],
        "key": purejax.random.fold_in(k_step, 0),
        "states": {"purejax": state_p, "flaxed": state_f},
        "loss_fns": {"purejax": ours.loss_fn, "flaxed": theirs.loss_fn},
    }


def time_model(
    name: str, steps: int, warmup: int, compile_repeats: int, batch_size: int | None = None, flax: str = "linen"
) -> dict:
    """Step, dispatch and compile figures for both sides of one model, and the ratios purejax / flaxed."""
    case = prepare(name, batch_size, flax=flax)
    batch, key = case["batch"], case["key"]
    out = {side: {"compile_s_all": []} for side in SIDES}
    steps_fn, donated_fn, dispatch_fn = {}, {}, jax.jit(lambda state, batch, key: state)
    donated_states = {side: jax.tree.map(jnp.copy, case["states"][side]) for side in SIDES}  # its own buffers
    for side in SIDES:  # warm-up: the steps timed below, and JAX's process-wide caches, for both sides
        steps_fn[side] = make_train_step(case["loss_fns"][side])
        donated_fn[side] = make_train_step(case["loss_fns"][side], donate=True)
        _timed(steps_fn[side], case["states"][side], batch, key)
        _timed(dispatch_fn, case["states"][side], batch, key)
        _, (donated_states[side], _) = _timed(donated_fn[side], donated_states[side], batch, key)
    programs, parts = {}, {side: {"trace_s": [], "lower_s": [], "xla_compile_s": []} for side in SIDES}
    for turn in range(compile_repeats):
        for side in rotated(SIDES, turn):  # each side first every other turn
            step = make_train_step(case["loss_fns"][side])  # a first call taken apart
            lowered, compiled, seconds = staged_first_call(step, case["states"][side], batch, key)
            for part, value in seconds.items():
                parts[side][part].append(value)
            if turn == 0:  # the same program every turn: read it once
                out[side].update(stablehlo_ops=_stablehlo_ops(lowered), compiled_bytes=_compiled_bytes(compiled))
                programs[side] = normalized_program(compiled)
            step = make_train_step(case["loss_fns"][side])  # a fresh jit: trace, lower, compile, run
            gc.collect()
            seconds, _ = _timed(step, case["states"][side], batch, key)
            out[side]["compile_s_all"].append(seconds)
    for side in SIDES:
        out[side].update({name: statistics.median(values) for name, values in parts[side].items()})
        out[side]["trace_lower_s"] = statistics.median(
            [a + b for a, b in zip(parts[side]["trace_s"], parts[side]["lower_s"], strict=True)]
        )
    states = dict(case["states"])
    times = {side: {"step": [], "dispatch": [], "donated": []} for side in SIDES}
    for i in range(warmup + steps):
        for side in rotated(SIDES, i):  # interleaved, each side first every other turn
            seconds, (states[side], _) = _timed(steps_fn[side], states[side], batch, key)
            floor, _ = _timed(dispatch_fn, states[side], batch, key)
            donated, (donated_states[side], _) = _timed(donated_fn[side], donated_states[side], batch, key)
            if i >= warmup:
                times[side]["step"].append(seconds)
                times[side]["dispatch"].append(floor)
                times[side]["donated"].append(donated)
    for side in SIDES:
        out[side].update(
            step_ms=1e3 * statistics.median(times[side]["step"]),
            step_ms_iqr=[1e3 * float(q) for q in np.percentile(times[side]["step"], [25, 75])],
            dispatch_ms=1e3 * statistics.median(times[side]["dispatch"]),
            step_donated_ms=1e3 * statistics.median(times[side]["donated"]),
            compile_s=statistics.median(out[side]["compile_s_all"]),
        )
        out[side]["donation_ratio"] = out[side]["step_donated_ms"] / out[side]["step_ms"]
    if flax == "nnx":  # NNX's own loop: nnx.jit, in place, from the same variables
        trainer = Trainer(case["theirs"], model_variables(case["states"]["flaxed"]), case["learning_rate"])
        nnx_times = [_timed(trainer.step, batch, key)[0] for _ in range(warmup + steps)][warmup:]
        out["flaxed"]["nnx_step_ms"] = 1e3 * statistics.median(nnx_times)
    p, f = out["purejax"], out["flaxed"]
    return {
        "model": name,
        "flax": flax,
        "batch_size": case["batch_size"],
        **out,
        "step_ratio": p["step_ms"] / f["step_ms"],
        "step_ratio_iqr": [  # over the per-turn ratios: the two sides' steps of one turn, paired
            float(q)
            for q in np.percentile(
                [a / b for a, b in zip(times["purejax"]["step"], times["flaxed"]["step"], strict=True)], [25, 75]
            )
        ],
        "memory_ratio": None
        if p["compiled_bytes"] is None or f["compiled_bytes"] is None
        else p["compiled_bytes"] / f["compiled_bytes"],
        "step_donated_ratio": p["step_donated_ms"] / f["step_donated_ms"],
        "compile_ratio": p["compile_s"] / f["compile_s"],
        "compile_ratio_iqr": [  # over the compile turns, paired
            float(q)
            for q in np.percentile(
                [a / b for a, b in zip(p["compile_s_all"], f["compile_s_all"], strict=True)], [25, 75]
            )
        ],
        "trace_lower_ratio": p["trace_lower_s"] / f["trace_lower_s"],
        "trace_ratio": p["trace_s"] / f["trace_s"],
        "lower_ratio": p["lower_s"] / f["lower_s"],
        "xla_compile_ratio": p["xla_compile_s"] / f["xla_compile_s"],
        "dispatch_ratio": p["dispatch_ms"] / f["dispatch_ms"],
        "same_program": programs["purejax"] == programs["flaxed"],  # XLA's optimised programs, names aside
        "peak_bytes_in_use": peak_bytes_in_use(),
    }


def sampling_speed(name: str, repeats: int, prompt: bytes = b"def ", flax: str = "linen") -> dict | None:
    """Tokens per second of cached and uncached greedy sampling on both sides, or None without a cache.

    Returns `{"length", "purejax": {"cached_tokens_per_s", "uncached_tokens_per_s", "cache_speedup"},
    "flaxed": {...}}`; `length` bytes follow `prompt`, up to the model's context.
    """
    sides = dict(zip(SIDES, modules(name, flax), strict=True))
    sample = getattr(sides["purejax"], "sample", None)
    if sample is None or "use_cache" not in inspect.signature(sample).parameters:
        return None
    ours = sides["purejax"]
    k_init, k_data, k_sample = purejax.random.split(purejax.random.PRNGKey(0), 3)
    variables = ours.init(k_init, next(ours.train_batches(k_data, 1)))
    length = ours.HPARAMS["max_len"] - len(prompt)
    out: dict = {"length": length}
    for side, module in sides.items():
        speeds = {}
        for label, use_cache in (("cached", True), ("uncached", False)):

            def call(module=module, use_cache=use_cache):
                return module.sample(variables, k_sample, prompt, length, greedy=True, use_cache=use_cache)

            call()  # compiles
            seconds = statistics.median(_timed(call)[0] for _ in range(repeats))
            speeds[f"{label}_tokens_per_s"] = length / seconds
        speeds["cache_speedup"] = speeds["cached_tokens_per_s"] / speeds["uncached_tokens_per_s"]
        out[side] = speeds
    return out


def import_times(repeats: int, modules_=IMPORTS) -> dict:
    """Median seconds to import each module in a fresh interpreter, the bare start subtracted."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    commands = {"bare": "pass", **{name: f"import {name}" for name in modules_}}
    walls = {name: [] for name in commands}
    for turn in range(repeats):
        for name in rotated(commands, turn):  # in turns, the order rotated: no module always first
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", commands[name]],
                check=True,
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            walls[name].append(time.perf_counter() - start)
    bare = statistics.median(walls["bare"])
    own = []  # purejax's own modules, by `python -X importtime` (self times, microseconds, on stderr)
    for _ in range(repeats):
        log = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import purejax"],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stderr
        own.append(
            1e-6
            * sum(
                int(line.split("|")[0].split(":")[1])
                for line in log.splitlines()
                if line.split("|")[-1].strip().startswith("purejax")
            )
        )
    return {
        "repeats": repeats,
        "bare_s": bare,
        "purejax_own_modules_s": statistics.median(own),
        "seconds": {name: statistics.median(walls[name]) - bare for name in modules_},
        "purejax_minus_jax_s": statistics.median(p - j for p, j in zip(walls["purejax"], walls["jax"], strict=True)),
    }


def recurrent_matmul_ceiling(batch: int, inputs: int, hidden: int, time_steps: int, repeats: int) -> float:
    """GFLOP/s of the LSTM's per-step product alone, `[batch, in + hidden] @ [in + hidden, 4 * hidden]`,
    chained through `lax.scan` for `time_steps` steps (each step needs the last): what an LSTM on
    this device could reach if it did nothing but its matmuls, forward only."""
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    w = jax.random.normal(k1, (inputs + hidden, 4 * hidden)) / 32  # [in + hidden, 4 * hidden]
    z0 = jax.random.normal(k2, (batch, 4 * hidden))  # [batch, 4 * hidden]

    @jax.jit
    def chain(z):
        def step(z, _):
            return jnp.tanh(z[:, : inputs + hidden] @ w), None  # [batch, 4 * hidden]

        return jax.lax.scan(step, z, None, length=time_steps)[0]

    _timed(chain, z0)
    median = statistics.median(_timed(chain, z0)[0] for _ in range(repeats))
    return time_steps * 2 * batch * (inputs + hidden) * 4 * hidden / median / 1e9
