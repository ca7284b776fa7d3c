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
from tests._asserts import assert_refused

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


# --- bad input: one row per argument, each naming the function and the argument ---------------------

P = "purejax.parallel."
_MESH = purejax.parallel.data_mesh()
_OTHER_MESH = jax.sharding.Mesh(np.asarray(jax.devices()), ("x",))


def _loss(variables, batch, key, train=True):
    return 0.0, {}


BAD_INPUT = [  # (id, call, error, fragments: the function, the argument, what came)
    ("check_divisible/batch_size", lambda: purejax.parallel.check_divisible(8.0, 2, "f"), TypeError, "f: batch_size"),
    ("check_divisible/num_devices", lambda: purejax.parallel.check_divisible(8, 0, "f"), ValueError, "f: num_devices"),
    ("replicate/values", lambda: purejax.parallel.replicate({"a": "text"}), TypeError, P + "replicate", "values"),
    ("replicate/devices []", lambda: purejax.parallel.replicate({}, []), ValueError, P + "replicate", "devices"),
    ("replicate/devices str", lambda: purejax.parallel.replicate({}, "cpu"), TypeError, P + "replicate", "devices"),
    ("replicate/devices ints", lambda: purejax.parallel.replicate({}, [0]), TypeError, P + "replicate", "int 0"),
    ("unreplicate/values", lambda: purejax.parallel.unreplicate({"a": None, "b": "x"}), TypeError, "unreplicate"),
    ("shard/batch empty", lambda: purejax.parallel.shard({}, 1), ValueError, P + "shard", "batch must"),
    ("shard/batch list", lambda: purejax.parallel.shard([np.zeros(4)], 1), TypeError, P + "shard", "batch must"),
    (
        "shard/batch lengths",
        lambda: purejax.parallel.shard({"x": np.zeros(4), "y": np.zeros(6)}, 2),
        ValueError,
        P + "shard",
        "every array of batch needs the same number of examples",
        "{'x': 4, 'y': 6}",
    ),
    ("shard/batch 0-d", lambda: purejax.parallel.shard({"x": np.float32(1)}, 1), ValueError, P + "shard", "0-d"),
    (
        "shard/num_shards 0",
        lambda: purejax.parallel.shard({"x": np.zeros(4)}, 0),
        ValueError,
        P + "shard",
        "num_shards",
    ),
    ("shard/num_shards 2.0", lambda: purejax.parallel.shard({"x": np.zeros(4)}, 2.0), TypeError, "num_shards"),
    ("pmap_train_step/loss_fn", lambda: purejax.parallel.pmap_train_step(3), TypeError, P + "pmap", "loss_fn"),
    (
        "pmap_train_step/axis_name",
        lambda: purejax.parallel.pmap_train_step(_loss, None),
        TypeError,
        P + "pmap_train_step",
        "axis_name",
        "got None",
    ),
    ("vmap_train_step/loss_fn", lambda: purejax.parallel.vmap_train_step(None), TypeError, P + "vmap", "loss_fn"),
    ("vmap_train_step/axis_name", lambda: purejax.parallel.vmap_train_step(_loss, ""), TypeError, "axis_name"),
    ("data_mesh/devices []", lambda: purejax.parallel.data_mesh([]), ValueError, P + "data_mesh", "devices"),
    ("data_mesh/devices str", lambda: purejax.parallel.data_mesh("gpu"), TypeError, P + "data_mesh", "devices"),
    (
        "put_global/values",
        lambda: purejax.parallel.put_global({"a": "x"}, purejax.parallel.replicated(_MESH)),
        TypeError,
        P + "put_global",
        "values",
    ),
    ("put_global/sharding", lambda: purejax.parallel.put_global({}, None), TypeError, P + "put_global", "sharding"),
    ("sharded_train_step/loss_fn", lambda: purejax.parallel.sharded_train_step(1, _MESH), TypeError, "loss_fn"),
    ("sharded_train_step/mesh", lambda: purejax.parallel.sharded_train_step(_loss, None), TypeError, "sharded", "mesh"),
    (
        "sharded_train_step/mesh axis",
        lambda: purejax.parallel.sharded_train_step(_loss, _OTHER_MESH),
        ValueError,
        P + "sharded_train_step",
        "mesh must have an axis named 'data'",
        "['x']",
    ),
    ("replicated/mesh", lambda: purejax.parallel.replicated("mesh"), TypeError, P + "replicated", "mesh"),
    ("batch_sharding/mesh", lambda: purejax.parallel.batch_sharding(_OTHER_MESH), ValueError, P + "batch_sharding"),
    ("local_value/x", lambda: purejax.parallel.local_value(None), TypeError, P + "local_value", "x must", "None"),
]


@pytest.mark.parametrize("call,error,fragments", [r[1:3] + (r[3:],) for r in BAD_INPUT], ids=[r[0] for r in BAD_INPUT])
def test_bad_input_is_refused_naming_the_function_and_the_argument(call, error, fragments):
    assert_refused(call, error, *fragments)


def test_flax_shards_arrays_of_different_lengths_and_we_refuse_them():
    """The counterpart, measured: `common_utils.shard` reshapes each leaf on its own."""
    n = jax.local_device_count()
    theirs = common_utils.shard({"x": np.zeros(4 * n), "y": np.zeros(6 * n)})
    assert (theirs["x"].shape, theirs["y"].shape) == ((n, 4), (n, 6))  # shards of 4 and of 6 examples
    with pytest.raises(ValueError, match="same number of examples"):
        purejax.parallel.shard({"x": np.zeros(4 * n), "y": np.zeros(6 * n)}, n)


def test_unreplicate_passes_0d_leaves_through_as_flax_does():
    tree = {"w": np.arange(6.0).reshape(2, 3), "count": np.int32(3)}
    chex.assert_trees_all_equal(purejax.parallel.unreplicate(tree), jax_utils.unreplicate(tree))
