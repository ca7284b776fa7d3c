"""Train a model data-parallel on every device, `pmap` or `jit` with shardings, against one device.

    train_parallel(name, side, way, steps)     # side: purejax | flaxed
        way "single":   one device, the plain jitted step (the reference for "sharding")
        way "sharding": jax.jit over a Mesh, batch split on 'data', state replicated
        way "pmap":     replicated state, lax.pmean over the 'batch' axis
        way "vmap":     the pmap program on one device (the reference for "pmap")

The sharded program is the one-device program, so it must give the one-device losses. pmap
draws each device's randomness from `fold_in(key, device index)`, as Flax's examples do, so its
reference is the same per-device program run with `vmap` on one device; for models without
randomness that equals the one-device run too. Every process of a multi-process run calls this
the same way (SPMD) and gets the same losses.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import time

import jax
import numpy as np

import purejax.random
from comparisons.parity.measures import DEVICES_RTOL, loss_rel
from comparisons.training.pair import create_states, modules, setup
from purejax.models import MODELS
from purejax.train import make_train_step

WAYS = ("single", "sharding", "pmap", "vmap")
REFERENCE = {"sharding": "single", "pmap": "vmap"}


def train_parallel(
    name: str,
    side: str,
    way: str,
    steps: int,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    seed: int = 0,
    on_step=None,
    should_stop=None,
) -> dict:
    """Train one side of model `name` for `steps` steps the `way` given; returns its losses.

    Returns `{"loss": [...], "seconds", "devices", "processes", "way", "side"}`. Raises a
    ValueError before any work when the batch does not split evenly over the devices.
    """
    if way not in WAYS or side not in ("purejax", "flaxed"):
        raise ValueError(f"train_parallel: way must be one of {WAYS} and side purejax or flaxed, got {way!r}, {side!r}")
    ours, _ = modules(name)
    parallel = importlib.import_module("purejax.parallel" if side == "purejax" else "flaxed.parallel")
    batch_size = ours.DEFAULTS["batch_size"] if batch_size is None else batch_size
    devices, processes = jax.device_count(), jax.process_count()
    if way != "single":  # before any work
        parallel.check_divisible(batch_size, devices, f"{name} on {devices} devices")

    run = setup(name, batch_size, learning_rate, seed)
    module, train, variables = (run.ours if side == "purejax" else run.theirs), run.train, run.variables
    state = create_states(name, variables, run.learning_rate)[0 if side == "purejax" else 1]
    loss_fn = module.loss_fn
    if way in ("pmap", "vmap") and "batch_stats" in variables:  # BatchNorm averages over the devices
        loss_fn = functools.partial(loss_fn, axis_name=parallel.AXIS)

    if way == "single":
        step, feed, read = make_train_step(loss_fn), (lambda b, k: (b, k)), float
    elif way == "vmap":
        step, read = parallel.vmap_train_step(loss_fn), float

        def feed(b, k):
            return (parallel.shard(b, devices), k)
    elif way == "pmap":
        step, state = parallel.pmap_train_step(loss_fn), parallel.replicate(state)
        local = batch_size // processes  # this process's examples, then one shard per local device

        def feed(b, k):
            return (
                parallel.shard(
                    {n: x[jax.process_index() * local :][:local] for n, x in b.items()},
                    jax.local_device_count(),
                ),
                k,
            )

        def read(loss):
            return float(np.asarray(loss)[0])
    else:  # sharding
        mesh = parallel.data_mesh()
        step = parallel.sharded_train_step(loss_fn, mesh)
        state = parallel.put_global(state, parallel.replicated(mesh))

        def feed(b, k):
            return (
                parallel.put_global(b, parallel.batch_sharding(mesh)),
                parallel.put_global(k, parallel.replicated(mesh)),
            )

        def read(loss):
            return float(parallel.local_value(loss))

    losses, seconds = [], 0.0
    for i in range(steps):
        if should_stop is not None and should_stop():
            break
        batch, key = feed(next(train), np.asarray(purejax.random.fold_in(run.k_step, i)))
        start = time.perf_counter()
        state, metrics = step(state, batch, key)
        losses.append(read(metrics["loss"]))
        seconds += time.perf_counter() - start
        if on_step is not None:
            on_step(i, losses[-1])
    return {
        "loss": losses,
        "seconds": seconds,
        "devices": 1 if way in ("single", "vmap") else devices,
        "processes": processes,
        "way": way,
        "side": side,
    }


def compare(name: str, steps: int, ways=("pmap", "sharding"), sides=("purejax", "flaxed"), **kwargs) -> dict:
    """Each side, each way, against its one-device reference: per-step losses within `DEVICES_RTOL`."""
    runs, diffs = {}, {}
    for side in sides:
        for way in ways:
            for w in (way, REFERENCE[way]):
                if (side, w) not in runs:
                    runs[side, w] = train_parallel(name, side, w, steps, **kwargs)["loss"]
            diff = loss_rel(runs[side, way], runs[side, REFERENCE[way]])
            diffs[side, way] = float(diff.max()) if diff.size else 0.0
    return {
        "model": name,
        "steps": steps,
        "devices": jax.device_count(),
        "processes": jax.process_count(),
        "losses": {f"{s}/{w}": v for (s, w), v in runs.items()},
        "max_rel_diff": {f"{s}/{w}": v for (s, w), v in diffs.items()},
        "ok": all(v <= DEVICES_RTOL for v in diffs.values()),
    }


def main(argv=None) -> int:
    """`python -m comparisons.training.parallel [MODEL ...] --steps N [--json FILE]`: `compare` each model.

    Start it with the devices already there (`XLA_FLAGS=--xla_force_host_platform_device_count=8`
    on a CPU); the report's 'parallel' section does that in a subprocess.
    """
    parser = argparse.ArgumentParser(prog="python -m comparisons.training.parallel")
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    results = []
    with jax.default_matmul_precision("highest"):
        for name in args.models:
            results.append(compare(name, args.steps))
            print(f"{name}: {results[-1]['max_rel_diff']} ok={results[-1]['ok']}", flush=True)
    if args.json and jax.process_index() == 0:
        with open(args.json, "w") as file:
            json.dump(results, file)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
