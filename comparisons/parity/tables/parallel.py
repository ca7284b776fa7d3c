"""Parity of data-parallel training: models on 8 devices, `pmap` and `jit` with shardings, against one.

Two settings: 8 devices in one process, and 2 processes x 4 devices joined by `jax.distributed`
(the launcher of `comparisons/distributed.py`, CPU collectives over gloo). Each row is one model in
one setting, run in subprocesses that simulate the CPU devices
(`XLA_FLAGS=--xla_force_host_platform_device_count=N`, which must be set before JAX starts):
`comparisons.training.parallel.compare` trains the model in both packages, both ways, and holds
each run's per-step losses within `rtol` 1e-5 of one device (for pmap: of the same per-device
program run with `vmap` on one device, since each device draws its own dropout masks). On a
machine with 8 or more GPUs the same code runs on them.

The full tier runs every model in both settings for 50 steps. The quick tier runs a representative
subset for 10 steps: a BatchNorm model (`cnn`, whose statistics are averaged over the devices
under pmap) and an LSTM model (`lstm_classifier`, scans) on 8 devices, and `mlp` on 2 processes.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile

from comparisons.cluster.launch import launch
from comparisons.parity.measures import DEVICES_RTOL
from comparisons.parity.rows import Check, Row, check_tier
from purejax.models import MODELS

DEVICES = 8
TIMEOUT = 3600  # seconds for one model's run in one setting
SIZES = {
    "quick": {"steps": 10, "one_process": ("cnn", "lstm_classifier"), "two_processes": ("mlp",)},
    "full": {"steps": 50, "one_process": MODELS, "two_processes": MODELS},
}


def _row(name: str, setting: str, steps: int, result: dict | None, failure: str) -> Row:
    if result is None:
        return Row(f"data-parallel {name}", "one device", setting, f"the run failed: {failure[-500:]}", False)
    worst = max(result["max_rel_diff"].values())
    each = ", ".join(f"{k} {v:.1e}" for k, v in result["max_rel_diff"].items())
    return Row(
        f"data-parallel {name}",
        "one device",
        f"{setting} x {steps} steps, per-step losses: {each}",
        f"max rel {worst:.1e} (rtol {DEVICES_RTOL:g})",
        result["ok"],
        rel=worst,
    )


def _load(path: str) -> dict | None:
    if not os.path.exists(path):
        return None
    with open(path) as file:
        return json.load(file)[0]


def one_process(name: str, steps: int) -> Row:
    """Model `name` on `DEVICES` simulated devices in one subprocess."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "result.json")
        env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={DEVICES}", JAX_PLATFORMS="cpu")
        # A session of its own: Ctrl-C reaches the report only, which stops after this row.
        done = subprocess.run(
            [sys.executable, "-m", "comparisons.training.parallel", name, "--steps", str(steps), "--json", out],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            start_new_session=True,
        )
        return _row(name, f"{DEVICES} devices in 1 process", steps, _load(out), done.stderr)


def two_processes(name: str, steps: int) -> Row:
    """Model `name` on 2 processes x `DEVICES // 2` devices (the launcher gives each its own session)."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "result.json")
        with open(os.path.join(folder, "log.txt"), "w+") as log:  # the workers' output stays out of the report
            code = launch(
                ["compare", name, "--steps", str(steps), "--json", out],
                processes=2,
                devices_per_process=DEVICES // 2,
                timeout=TIMEOUT,
                stdout=log,
                stderr=log,
            )
            log.seek(0)
            failure = f"exit {code}: {log.read()}"
        return _row(name, f"2 processes x {DEVICES // 2} devices", steps, _load(out), failure)


def checks(tier: str = "full") -> list[Check]:
    """One row per model and setting: 8 devices in one process, then 2 processes x 4 devices."""
    size = SIZES[check_tier(tier)]
    return [
        Check(f"data-parallel {name}", functools.partial(one_process, name, size["steps"]))
        for name in size["one_process"]
    ] + [
        Check(f"data-parallel {name}", functools.partial(two_processes, name, size["steps"]))
        for name in size["two_processes"]
    ]
