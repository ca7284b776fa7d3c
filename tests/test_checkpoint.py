"""purejax.checkpoint: bitwise round trips, the manager, atomic writes, clear errors, and Orbax beside it.

- Fixed and hypothesis-generated trees (dicts, lists, tuples, namedtuples, None, Python and NumPy
  scalars, jax and numpy arrays of every dtype, bfloat16, float8 and int4 included) come back bit for
  bit, with and without a target.
- A TrainState with Adam's state (ours, and Optax's restored into ours) restores into a fresh state.
- CheckpointManager: max_to_keep, latest_step, all_steps, step checks; the same saves through
  flaxed's Orbax manager keep the same steps.
- A save that fails midway (write, fsync, rename) leaves no new file and every old checkpoint intact.
- Truncated or damaged files and target mismatches raise errors naming the file or the first path.
- A checkpoint of either package's variables feeds the other package's `apply` with the same outputs.
- Resuming from a checkpoint continues the exact trajectory of never stopping.
"""
from __future__ import annotations

import collections
import json
import os
import re
import zipfile

import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flaxed.checkpoint
import purejax.checkpoint as ckpt
import purejax.nn as pnn
import purejax.random
from purejax import tree
from purejax.checkpoint import CheckpointManager
from purejax.optim import adam
from purejax.train import TrainState, make_train_step

Point = collections.namedtuple("Point", ["x", "y"])
NUMPY_ONLY = ("float64", "int64", "uint32", "complex64", "float8_e4m3fn", "int4")  # jax arrays of these need x64 or are rare
JAX_TOO = ("float32", "float16", "bfloat16", "int8", "int32", "uint8", "bool")


def _array(dtype: str, shape: tuple, seed: int, as_jax: bool):
    """Random bits of `dtype` (NaNs and infs included for floats): a bitwise test, not a numeric one."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.name in ("bool", "int4"):
        array = rng.integers(0 if dtype.name == "bool" else -8, 2 if dtype.name == "bool" else 8, shape).astype(dtype)
    else:
        array = np.frombuffer(rng.bytes(int(np.prod(shape)) * dtype.itemsize), dtype).reshape(shape)
    return jnp.asarray(array) if as_jax else array.copy()


def assert_same_tree(restored, original) -> None:
    """Same structure, and leaf for leaf the same type, dtype, shape and bits."""
    leaves_r, treedef_r = tree.flatten(restored)
    leaves_o, treedef_o = tree.flatten(original)
    assert treedef_r == treedef_o, f"{treedef_r!r} vs {treedef_o!r}"
    for r, o in zip(leaves_r, leaves_o):
        assert type(r) is type(o), (type(r), type(o))
        r, o = np.asarray(r), np.asarray(o)
        assert (r.dtype, r.shape) == (o.dtype, o.shape)
        assert r.tobytes() == o.tobytes()


def plain(x):
    """What `restore` without a target gives: namedtuples and registered classes as dicts."""
    if isinstance(x, TrainState):
        return {k: plain(getattr(x, k)) for k in ("step", "params", "opt_state", "batch_stats")}
    if hasattr(type(x), "_fields"):
        return {f: plain(v) for f, v in zip(x._fields, x)}
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return x


KEY = purejax.random.PRNGKey(0)
X = jnp.linspace(-1.0, 1.0, 8, dtype=jnp.float32).reshape(2, 4)
PURE_MODEL = pnn.Sequential([pnn.Dense(5), pnn.relu, pnn.Dense(3)])
FLAX_MODEL = fnn.Sequential([fnn.Dense(5), fnn.relu, fnn.Dense(3)])
PARAMS = PURE_MODEL.init(KEY, X)["params"]

FIXED_TREES = {
    "variables": {"params": PARAMS},
    "every dtype": {d: _array(d, (2, 3), i, d in JAX_TOO) for i, d in enumerate(NUMPY_ONLY + JAX_TOO)},
    "scalars": {"int": 3, "big int": -2 ** 62, "float": float("nan"), "bool": True, "complex": 1 - 2j,
                "np": np.float32(1.5), "np int": np.int16(-7), "0-d": jnp.float32(2.0)},
    "nesting": [(), [], {}, None, (None, [jnp.zeros((0, 3))]), {"a": [1, (2.0, {"b": None})]}],
    "int keys": {0: np.ones(2), 7: {1: np.zeros(1)}},
    "namedtuples": {"p": Point(np.ones(2), Point(None, 3)), "adam": adam(1e-3).init(PARAMS)},
    "ordered dict": collections.OrderedDict([("z", np.ones(1)), ("a", np.zeros(1))]),
    "root leaf": jnp.arange(6.0).reshape(2, 3),
    "root None": None,
    "train state": TrainState.create(apply_fn=PURE_MODEL.apply, params=PARAMS, tx=adam(1e-3)),
}


@pytest.mark.parametrize("name", list(FIXED_TREES))
def test_fixed_trees_round_trip_bitwise(tmp_path, name):
    original = FIXED_TREES[name]
    path = ckpt.save(tmp_path / "ckpt.npz", original)
    assert_same_tree(ckpt.restore(path, target=original), original)
    assert_same_tree(ckpt.restore(path), plain(original))


_keys = st.sampled_from(["a", "b", "kernel", "bias", "Dense_0", "params"])
_leaves = st.one_of(
    st.builds(_array, st.sampled_from(NUMPY_ONLY), st.lists(st.integers(0, 3), max_size=3).map(tuple),
              st.integers(0, 2 ** 32 - 1), st.just(False)),
    st.builds(_array, st.sampled_from(JAX_TOO), st.lists(st.integers(0, 3), max_size=3).map(tuple),
              st.integers(0, 2 ** 32 - 1), st.booleans()),
    st.integers(-2 ** 63, 2 ** 63 - 1), st.floats(allow_nan=True), st.booleans(), st.none(),
)
trees = st.recursive(_leaves, lambda children: st.one_of(
    st.lists(children, max_size=3), st.lists(children, max_size=3).map(tuple),
    st.dictionaries(_keys, children, max_size=3), st.dictionaries(st.integers(0, 9), children, max_size=3),
    st.builds(Point, children, children)), max_leaves=10)


@settings(max_examples=60, deadline=None)
@given(original=trees)
def test_generated_trees_round_trip_bitwise(tmp_path_factory, original):
    path = tmp_path_factory.mktemp("ckpt") / "ckpt.npz"
    ckpt.save(path, original)
    assert_same_tree(ckpt.restore(path, target=original), original)
    assert_same_tree(ckpt.restore(path), plain(original))


def test_file_reads_with_numpy_and_json_alone(tmp_path):
    state = FIXED_TREES["train state"].replace(batch_stats={"mean": jnp.ones(3, jnp.bfloat16)})
    path = ckpt.save(tmp_path / "ckpt.npz", state)
    with np.load(path) as z:
        meta = json.loads(z["tree.json"])
        assert meta["format"] == "purejax.checkpoint" and meta["version"] == 1
        assert meta["tree"]["class"] == "TrainState"
        assert meta["tree"]["keys"] == ["step", "params", "opt_state", "batch_stats"]
        assert set(z.files) == {"tree.json", "step", "params/layers_0/bias", "params/layers_0/kernel",
                                "params/layers_2/bias", "params/layers_2/kernel", "batch_stats/mean",
                                "opt_state/0/count"} | {f"opt_state/0/{m}/layers_{i}/{p}" for m in ("mu", "nu")
                                                        for i in (0, 2) for p in ("bias", "kernel")}
        np.testing.assert_array_equal(z["params/layers_0/kernel"], PARAMS["layers_0"]["kernel"])
        mean = meta["tree"]["children"][3]["children"][0]
        assert (mean["dtype"], mean["stored_as"], z["batch_stats/mean"].dtype) == ("bfloat16", "uint16", np.uint16)


def test_train_state_restores_into_a_fresh_state(tmp_path):
    state = FIXED_TREES["train state"]
    grads = jax.tree_util.tree_map(jnp.ones_like, state.params)
    state = jax.jit(lambda s: s.apply_gradients(grads=grads).apply_gradients(grads=grads))(state)
    fresh = TrainState.create(apply_fn=PURE_MODEL.apply, params=PURE_MODEL.init(purejax.random.PRNGKey(9), X)["params"],
                              tx=adam(1e-3))
    restored = ckpt.restore(ckpt.save(tmp_path / "ckpt.npz", state), target=fresh)
    assert isinstance(restored, TrainState) and restored.tx is fresh.tx and restored.apply_fn is fresh.apply_fn
    assert_same_tree((restored.step, restored.params, restored.opt_state), (state.step, state.params, state.opt_state))


def test_optax_state_restores_into_purejax_state_and_abstract_targets(tmp_path):
    theirs = optax.adam(1e-3).init(PARAMS)  # (ScaleByAdamState, EmptyState): the same names as ours
    ours = adam(1e-3).init(PARAMS)
    restored = ckpt.restore(ckpt.save(tmp_path / "ckpt.npz", theirs), target=ours)
    assert type(restored[0]) is type(ours[0])
    assert_same_tree(restored, ours)  # both are zeros with count 0
    abstract = jax.eval_shape(lambda: {"params": PARAMS})
    assert_same_tree(ckpt.restore(ckpt.save(tmp_path / "v.npz", {"params": PARAMS}), target=abstract),
                     {"params": PARAMS})


# --- errors -------------------------------------------------------------------------------------

BASE = {"params": {"Dense_0": {"bias": np.zeros(3, np.float32), "kernel": np.zeros((4, 3), np.float32)}},
        "stats": [np.ones(2, np.float32), None], "count": 3, "opt": adam(1e-3).init({"w": np.zeros(2, np.float32)})}
Other = collections.namedtuple("Other", ["count", "mu", "nu"])


def _changed(path: str, value):
    """BASE with the node at `path` (a/b/c) replaced by `value` (or deleted if value is ...)."""
    def walk(node, keys):
        node = list(node) if isinstance(node, list) else dict(node) if isinstance(node, dict) else node
        key = int(keys[0]) if isinstance(node, list) else keys[0]
        if len(keys) > 1:
            node[key] = walk(node[key], keys[1:])
        elif value is ...:
            del node[key]
        else:
            node[key] = value
        return node
    return walk(BASE, path.split("/"))


MISMATCHES = [  # (case, target, the path the error names)
    ("missing key", _changed("params/Dense_0/bias", ...), "params/Dense_0"),
    ("extra key", _changed("params/Dense_1", {"bias": np.zeros(3)}), "params"),
    ("shorter list", _changed("stats", [np.ones(2, np.float32)]), "stats"),
    ("tuple for list", _changed("stats", (np.ones(2, np.float32), None)), "stats"),
    ("node for leaf", _changed("params/Dense_0/kernel", {"w": np.zeros((4, 3), np.float32)}), "params/Dense_0/kernel"),
    ("leaf for None", _changed("stats/1", np.ones(1)), "stats/1"),
    ("shape", _changed("params/Dense_0/kernel", np.zeros((3, 4), np.float32)), "params/Dense_0/kernel"),
    ("dtype", _changed("params/Dense_0/bias", np.zeros(3, np.float16)), "params/Dense_0/bias"),
    ("number kind", _changed("count", True), "count"),
    ("namedtuple class", _changed("opt", (Other(*BASE["opt"][0]), BASE["opt"][1])), "opt/0"),
    ("first of two", _changed("stats", []) | {"params": {}}, "params"),
]


@pytest.mark.parametrize("case,target,path", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_target_mismatch_names_the_first_differing_path(tmp_path, case, target, path):
    file = ckpt.save(tmp_path / "ckpt.npz", BASE)
    with pytest.raises(ValueError) as info:
        ckpt.restore(file, target=target)
    message = str(info.value)
    assert f"purejax.checkpoint.restore({file!r})" in message, message
    assert re.search(rf"\bat {re.escape(path)}[: ]", message), message


@pytest.mark.parametrize("bad,error,words", [
    ({"a": "text"}, TypeError, "the leaf at a is a str"),
    ({"a": np.array(["x"])}, TypeError, "the leaf at a has dtype <U1"),
    ({"a": np.array([object()])}, TypeError, "has dtype object"),
    ({(1, 2): np.ones(1)}, TypeError, "dict keys must be str or int"),
    ({"a/b": np.ones(1), "a": {"b": np.ones(1)}}, ValueError, "stored as 'a/b'"),
    ({"tree.json": 1}, ValueError, "stored as 'tree.json'"),
])
def test_save_refuses_what_it_cannot_store(tmp_path, bad, error, words):
    with pytest.raises(error, match=f"purejax.checkpoint.save: .*{words}"):
        ckpt.save(tmp_path / "ckpt.npz", bad)
    assert os.listdir(tmp_path) == []


def _truncate(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def _flip_a_data_byte(blob: bytes) -> bytes:
    start = blob.find(BASE["params"]["Dense_0"]["kernel"].tobytes())  # 48 zero bytes: the kernel's data
    return blob[:start + 5] + b"\xff" + blob[start + 6:]


def _break_json(blob: bytes) -> bytes:
    return blob.replace(b'"format"', b'"f\x00rmat"')


@pytest.mark.parametrize("damage", [_truncate, lambda blob: b"", _flip_a_data_byte, _break_json],
                         ids=["truncated", "empty", "flipped byte", "broken json"])
def test_damaged_checkpoint_is_a_clear_error_and_older_ones_still_restore(tmp_path, damage):
    manager = CheckpointManager(tmp_path)
    manager.save(1, BASE)
    path = manager.save(2, BASE)
    with open(path, "rb") as f:
        blob = f.read()
    with open(path, "wb") as f:
        f.write(damage(blob))
    with pytest.raises(ValueError, match=f"purejax.checkpoint.restore: {path!r} is not a readable checkpoint"):
        manager.restore()
    assert_same_tree(manager.restore(1, target=BASE), BASE)
    assert manager.all_steps() == [1, 2]


def test_missing_files_and_foreign_npz(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint file .*nowhere.npz"):
        ckpt.restore(tmp_path / "nowhere.npz")
    np.savez(tmp_path / "plain.npz", w=np.ones(2))
    with pytest.raises(ValueError, match="plain.npz' is not a readable checkpoint .*tree.json"):
        ckpt.restore(tmp_path / "plain.npz")
    with zipfile.ZipFile(tmp_path / "other.npz", "w") as z:
        z.writestr("tree.json", json.dumps({"format": "something else", "version": 3}))
    with pytest.raises(ValueError, match="expected format 'purejax.checkpoint' version 1"):
        ckpt.restore(tmp_path / "other.npz")
    manager = CheckpointManager(tmp_path / "empty")
    assert (manager.all_steps(), manager.latest_step()) == ([], None)
    with pytest.raises(FileNotFoundError, match="no checkpoints in .*empty"):
        manager.restore()
    manager.save(3, BASE)
    with pytest.raises(FileNotFoundError, match=r"for step 4; saved steps: \[3\]"):
        manager.restore(4)


# --- the manager, and crashes ---------------------------------------------------------------------

def _trees(n):
    return [{"w": np.full(3, float(i), np.float32), "step": i} for i in range(n)]


@pytest.mark.parametrize("max_to_keep,kept", [(None, [0, 10, 20, 30, 40]), (1, [40]), (2, [30, 40]), (9, [0, 10, 20, 30, 40])])
def test_manager_keeps_the_latest_steps(tmp_path, max_to_keep, kept):
    manager = CheckpointManager(tmp_path, max_to_keep=max_to_keep)
    for i, t in enumerate(_trees(5)):
        assert manager.save(10 * i, t) == os.path.join(tmp_path, f"{10 * i}.npz")
    assert (manager.all_steps(), manager.latest_step()) == (kept, 40)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "40.npz").st_mode & 0o777 == 0o666 & ~umask  # as np.savez would leave it
    assert sorted(os.listdir(tmp_path)) == sorted(f"{s}.npz" for s in kept)
    assert_same_tree(manager.restore(), _trees(5)[4])
    assert_same_tree(manager.restore(kept[0], target=_trees(5)[0]), _trees(5)[kept[0] // 10])


@pytest.mark.parametrize("step,error", [(40, ValueError), (39, ValueError), (-1, ValueError), (1.5, TypeError),
                                        (True, TypeError), (np.ones(2, int), TypeError)])
def test_manager_refuses_steps_that_do_not_follow(tmp_path, step, error):
    manager = CheckpointManager(tmp_path)
    manager.save(np.int32(40), _trees(1)[0])
    with pytest.raises(error, match="CheckpointManager.save: step"):
        manager.save(step, _trees(1)[0])
    assert manager.all_steps() == [40]
    with pytest.raises(ValueError, match="max_to_keep must be a positive int"):
        CheckpointManager(tmp_path, max_to_keep=0)


def _fail_on_second_member(monkeypatch):
    write, calls = np.lib.format.write_array, []

    def crashing_write(*args, **kwargs):
        calls.append(1)
        if len(calls) >= 2:
            raise RuntimeError("simulated crash while writing")
        return write(*args, **kwargs)
    monkeypatch.setattr(np.lib.format, "write_array", crashing_write)


def _fail(name):
    def patch(monkeypatch):
        def boom(*args, **kwargs):
            raise OSError(f"simulated crash in os.{name}")
        monkeypatch.setattr(os, name, boom)
    return patch


@pytest.mark.parametrize("crash", [_fail_on_second_member, _fail("fsync"), _fail("replace")],
                         ids=["mid-write", "fsync", "rename"])
def test_a_failed_save_leaves_no_partial_file_and_deletes_nothing(tmp_path, monkeypatch, crash):
    manager = CheckpointManager(tmp_path, max_to_keep=2)
    manager.save(1, _trees(2)[0])
    manager.save(2, _trees(2)[1])
    single = ckpt.save(tmp_path / "single.npz", _trees(2)[1])
    before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    crash(monkeypatch)
    with pytest.raises((RuntimeError, OSError), match="simulated crash"):
        manager.save(3, _trees(4)[3])
    with pytest.raises((RuntimeError, OSError), match="simulated crash"):
        ckpt.save(single, _trees(4)[3])  # overwriting: the old file must survive
    monkeypatch.undo()
    assert {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)} == before
    assert manager.all_steps() == [1, 2]
    assert_same_tree(manager.restore(), _trees(2)[1])
    assert_same_tree(ckpt.restore(single), _trees(2)[1])


def test_a_hard_crash_leaves_only_a_temporary_file_that_nothing_reads(tmp_path, monkeypatch):
    manager = CheckpointManager(tmp_path, max_to_keep=1)
    manager.save(1, _trees(2)[1])
    _fail("replace")(monkeypatch)
    monkeypatch.setattr(os, "unlink", lambda path: None)  # the process dies: no clean-up
    with pytest.raises(OSError):
        manager.save(2, _trees(3)[2])
    monkeypatch.undo()
    leftovers = [name for name in os.listdir(tmp_path) if name != "1.npz"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".2.npz.") and leftovers[0].endswith(".tmp")
    assert (manager.all_steps(), manager.latest_step()) == ([1], 1)
    assert_same_tree(manager.restore(), _trees(2)[1])
    manager.save(2, _trees(3)[2])
    assert manager.all_steps() == [2]


def test_orbax_manager_keeps_the_same_steps(tmp_path):
    ours = CheckpointManager(tmp_path / "purejax", max_to_keep=2)
    theirs = flaxed.checkpoint.CheckpointManager(tmp_path / "orbax", max_to_keep=2)
    trees = [{"w": np.full(3, float(i), np.float32)} for i in range(3)]
    for step, t in zip((1, 5, 7), trees):
        ours.save(step, t)
        theirs.save(step, t)
    assert ours.all_steps() == theirs.all_steps() == [5, 7] and ours.latest_step() == theirs.latest_step() == 7
    for step in (None, 5):
        np.testing.assert_array_equal(ours.restore(step)["w"], theirs.restore(step, target=trees[0])["w"])
    theirs.close()


# --- across packages, and across a restart -----------------------------------------------------------

def test_a_purejax_checkpoint_of_flax_variables_feeds_both_applies(tmp_path):
    theirs = FLAX_MODEL.init(KEY, X)
    expected = FLAX_MODEL.apply(theirs, X)
    path = ckpt.save(tmp_path / "ckpt.npz", theirs)
    other = PURE_MODEL.init(purejax.random.PRNGKey(7), X)  # same structure, other values
    for restored in (ckpt.restore(path), ckpt.restore(path, target=other)):
        assert_same_tree(restored, theirs)
        assert_same_tree(FLAX_MODEL.apply(restored, X), expected)
        assert_same_tree(PURE_MODEL.apply(restored, X), expected)


def test_an_orbax_checkpoint_of_purejax_variables_feeds_both_applies(tmp_path):
    ours = PURE_MODEL.init(KEY, X)
    expected = PURE_MODEL.apply(ours, X)
    path = flaxed.checkpoint.save(tmp_path / "orbax", ours)
    other = FLAX_MODEL.init(purejax.random.PRNGKey(7), X)
    for restored in (flaxed.checkpoint.restore(path), flaxed.checkpoint.restore(path, target=other)):
        assert_same_tree(restored, ours)
        assert_same_tree(PURE_MODEL.apply(restored, X), expected)
        assert_same_tree(FLAX_MODEL.apply(restored, X), expected)


def test_resuming_from_a_checkpoint_continues_the_same_trajectory(tmp_path):
    model = pnn.Dense(1)
    xs = purejax.random.normal(purejax.random.PRNGKey(1), (10, 8, 3))  # [step, batch, features]
    ys = xs.sum(-1, keepdims=True)

    def loss_fn(variables, batch, key, train=True):
        return jnp.mean((model.apply(variables, batch["x"]) - batch["y"]) ** 2), {}

    def fresh(seed):
        params = model.init(purejax.random.PRNGKey(seed), xs[0])["params"]
        return TrainState.create(apply_fn=model.apply, params=params, tx=adam(0.05))

    train_step = make_train_step(loss_fn)

    def run(state, steps):
        for i in steps:
            state, _ = train_step(state, {"x": xs[i], "y": ys[i]}, purejax.random.fold_in(KEY, i))
        return state

    straight = run(fresh(0), range(10))
    manager = CheckpointManager(tmp_path, max_to_keep=1)
    manager.save(5, run(fresh(0), range(5)))
    resumed = run(manager.restore(target=fresh(1)), range(5, 10))
    assert int(resumed.step) == int(straight.step) == 10
    assert_same_tree((resumed.params, resumed.opt_state), (straight.params, straight.opt_state))
