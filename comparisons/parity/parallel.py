"""Parity of data-parallel training: every model on 8 devices, `pmap` and `jit` with shardings.

A subprocess simulates 8 CPU devices (`XLA_FLAGS=--xla_force_host_platform_device_count=8`,
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


def checks() -> list[Row]:
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={DEVICES}")
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "parallel.json")
        done = subprocess.run([sys.executable, "-m", "comparisons.parallel_training", "--steps", str(STEPS),
                               "--json", out], env=env, capture_output=True, text=True, timeout=3600)
        if not os.path.exists(out):
            return [Row("purejax.parallel", "flax.jax_utils / jax.sharding", f"{DEVICES} devices",
                        f"the run failed: {done.stderr[-500:]}", False)]
        with open(out) as file:
            results = {r["model"]: r for r in json.load(file)}
    rows = []
    for name in MODELS:
        r = results[name]
        worst = max(r["max_rel_diff"].values())
        text = ", ".join(f"{k} {v:.1e}" for k, v in r["max_rel_diff"].items())
        rows.append(Row(f"data-parallel {name}", "one device", f"{DEVICES} devices x {STEPS} steps: pmap and "
                        "sharding, purejax and flaxed", f"max rel {worst:.1e} (rtol {RTOL:g}): {text}", r["ok"]))
    return rows
