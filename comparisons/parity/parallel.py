"""Parity of data-parallel training: every model on 8 devices, `pmap` and `jit` with shardings.

Twice: 8 devices in one process, and 2 processes x 4 devices joined by `jax.distributed` (the
launcher of `comparisons/distributed.py`, CPU collectives over gloo). A subprocess simulates 8 CPU devices (`XLA_FLAGS=--xla_force_host_platform_device_count=8`,
which must be set before JAX starts) and runs `comparisons.parallel_training.compare` for every
model, in both packages, both ways, 50 steps: per-step losses within `rtol` 1e-5 of one device
(for pmap: of the same per-device program run with `vmap` on one device, since each device
draws its own dropout masks). On a machine with 8 or more GPUs the same code runs on them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from comparisons.parallel_training import RTOL
from comparisons.parity.common import Row
from purejax.models import MODELS

DEVICES = 8
STEPS = 50


def _rows(results: dict, setting: str) -> list[Row]:
    rows = []
    for name in MODELS:
        r = results[name]
        worst = max(r["max_rel_diff"].values())
        text = ", ".join(f"{k} {v:.1e}" for k, v in r["max_rel_diff"].items())
        rows.append(Row(f"data-parallel {name}", "one device", f"{setting} x {STEPS} steps: pmap and sharding, "
                        "purejax and flaxed", f"max rel {worst:.1e} (rtol {RTOL:g}): {text}", r["ok"]))
    return rows


def _failed(setting: str, output: str) -> list[Row]:
    return [Row("purejax.parallel", "flax.jax_utils / jax.sharding", setting, f"the run failed: {output[-500:]}",
                False)]


def checks() -> list[Row]:
    from comparisons.distributed import launch

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "one_process.json")
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={DEVICES}", JAX_PLATFORMS="cpu")
        done = subprocess.run([sys.executable, "-m", "comparisons.parallel_training", "--steps", str(STEPS),
                               "--json", out], env=env, capture_output=True, text=True, timeout=3600)
        setting = f"{DEVICES} devices in 1 process"
        rows += _rows(_load(out), setting) if os.path.exists(out) else _failed(setting, done.stderr)

        out = os.path.join(folder, "two_processes.json")
        setting = f"2 processes x {DEVICES // 2} devices"
        with open(os.path.join(folder, "log.txt"), "w") as log:  # the workers' output stays out of the table
            code = launch(["compare", "--steps", str(STEPS), "--json", out], processes=2,
                          devices_per_process=DEVICES // 2, timeout=3600, stdout=log, stderr=log)
        rows += _rows(_load(out), setting) if code == 0 or os.path.exists(out) else _failed(setting, f"exit {code}")
    return rows


def _load(path: str) -> dict:
    with open(path) as file:
        return {r["model"]: r for r in json.load(file)}
