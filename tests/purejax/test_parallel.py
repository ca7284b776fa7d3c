"""Data-parallel training (`purejax/parallel.py`, `flaxed/parallel.py`, run by `comparisons/training/parallel.py`).

The multi-device runs need their own `XLA_FLAGS` (8 simulated CPU devices, set before JAX
starts), so each model runs in a subprocess: both packages, `pmap` and `jit` with shardings, a
few steps against one device (rtol 1e-5). The report's 'parallel' section runs every model for 50 steps.
"""

import json
import os
import subprocess
import sys

import chex
import jax
import numpy as np
import pytest
from flax import jax_utils
from flax.training import common_utils

import flaxed.parallel
import purejax.parallel
from comparisons.parity.measures import DEVICES_RTOL as RTOL
from purejax.models import MODELS

STEPS = 3


# Those with what data parallelism can get wrong: BatchNorm statistics (cnn, resnet), per-device
# randomness (cnn's Dropout, vae's noise), a scanned LSTM (lstm_lm). The report's 'parallel'
# section runs all of `MODELS` for 50 steps, in one process and in two.
CASES = ("cnn", "resnet", "lstm_lm", "vae")


def test_cases_are_models():
    assert set(CASES) <= set(MODELS)


@pytest.mark.parametrize("name", CASES)
def test_eight_devices_match_one(name, tmp_path):
    out = tmp_path / "result.json"
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu")
    done = subprocess.run(
        [sys.executable, "-m", "comparisons.training.parallel", name, "--steps", str(STEPS), "--json", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    (result,) = json.loads(out.read_text())
    assert result["devices"] == 8 and result["steps"] == STEPS
    assert set(result["max_rel_diff"]) == {"purejax/pmap", "purejax/sharding", "flaxed/pmap", "flaxed/sharding"}
    assert all(v <= RTOL for v in result["max_rel_diff"].values()), result["max_rel_diff"]
    losses = result["losses"]
    assert all(len(v) == STEPS and np.isfinite(v).all() for v in losses.values())
    # the two packages agree too, way by way
    for way in ("pmap", "vmap", "sharding", "single"):
        np.testing.assert_allclose(losses[f"purejax/{way}"], losses[f"flaxed/{way}"], rtol=1e-4)


def test_replicate_and_unreplicate_match_flax():
    tree = {"w": np.arange(6.0).reshape(2, 3), "step": np.int32(3)}
    ours, theirs = purejax.parallel.replicate(tree), jax_utils.replicate(tree)
    chex.assert_trees_all_equal(ours, theirs)
    chex.assert_trees_all_equal(purejax.parallel.unreplicate(ours), tree)
    assert ours["w"].shape == (jax.local_device_count(), 2, 3)


def test_shard_matches_flax_and_refuses_uneven_batches():
    batch = {"image": np.zeros((8, 4, 4, 1)), "label": np.arange(8)}
    n = jax.local_device_count()
    chex.assert_trees_all_equal(purejax.parallel.shard(batch, n), common_utils.shard(batch))
    assert purejax.parallel.shard(batch, 4)["label"].shape == (4, 2)
    for shard in (purejax.parallel.shard, flaxed.parallel.shard):
        with pytest.raises(ValueError, match="the batch of 8 examples does not split evenly over 3 devices"):
            shard(batch, 3)


def test_uneven_batch_is_refused_with_both_numbers():
    with pytest.raises(
        ValueError,
        match="mlp on 8 devices: the batch of 60 examples does not split evenly over 8 "
        r"devices; choose a batch size divisible by 8 \(e.g. 56\)",
    ):
        purejax.parallel.check_divisible(60, 8, "mlp on 8 devices")
    assert purejax.parallel.check_divisible(64, 8) == 8


@pytest.mark.parametrize("name", ["cnn", "lstm_lm"])
def test_two_processes_of_four_devices_match_one(name, tmp_path):
    """`jax.distributed` with 2 local processes (gloo): both packages, both ways, against one device."""
    from comparisons.cluster.launch import launch

    out, log = tmp_path / "result.json", tmp_path / "log.txt"
    with open(log, "w") as stream:
        code = launch(
            ["compare", name, "--steps", str(STEPS), "--json", str(out)],
            processes=2,
            devices_per_process=4,
            timeout=600,
            stdout=stream,
            stderr=stream,
        )
    assert code == 0, log.read_text()[-3000:]
    (result,) = json.loads(out.read_text())
    assert (result["processes"], result["devices"]) == (2, 8)
    assert all(v <= RTOL for v in result["max_rel_diff"].values()), result["max_rel_diff"]
