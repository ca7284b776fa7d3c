"""purejax.checkpoint's `.npz` files: bitwise round trips, atomic writes, and clear errors for damaged files.

- Fixed and hypothesis-generated trees (dicts, lists, tuples, namedtuples, None, Python and NumPy
  scalars, jax and numpy arrays of every dtype, bfloat16, float8 and int4 included) come back bit for
  bit, with and without a target.
- A TrainState with Adam's state (ours, and Optax's restored into ours) restores into a fresh state.
- A save that fails midway (write, fsync, rename) leaves no new file and every old checkpoint intact.
- Truncated or damaged files raise errors naming the file.
- A checkpoint of Flax's variables feeds both packages' `apply` with the same outputs.
"""

from __future__ import annotations

import json
import os
import zipfile

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import purejax.checkpoint as ckpt
import purejax.random
from purejax.checkpoint import CheckpointManager
from purejax.optim import adam
from purejax.train import TrainState
from tests._asserts import assert_same_tree
from tests.purejax.checkpoint._trees import (
    BASE,
    FIXED_TREES,
    FLAX_MODEL,
    JAX_TOO,
    KEY,
    NUMPY_ONLY,
    PARAMS,
    PURE_MODEL,
    Point,
    X,
    numbered_trees,
    random_array,
)


def plain(x):
    """What `restore` without a target gives: namedtuples and registered classes as dicts."""
    if isinstance(x, TrainState):
        return {k: plain(getattr(x, k)) for k in ("step", "params", "opt_state", "batch_stats")}
    if hasattr(type(x), "_fields"):
        return {f: plain(v) for f, v in zip(x._fields, x, strict=True)}
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    return x


@pytest.mark.parametrize("name", list(FIXED_TREES))
def test_fixed_trees_round_trip_bitwise(tmp_path, name):
    original = FIXED_TREES[name]
    path = ckpt.save(tmp_path / "ckpt.npz", original)
    assert_same_tree(ckpt.restore(path, target=original), original)
    assert_same_tree(ckpt.restore(path), plain(original))


_keys = st.sampled_from(["a", "b", "kernel", "bias", "Dense_0", "params"])
_leaves = st.one_of(
    st.builds(
        random_array,
        st.sampled_from(NUMPY_ONLY),
        st.lists(st.integers(0, 3), max_size=3).map(tuple),
        st.integers(0, 2**32 - 1),
        st.just(False),
    ),
    st.builds(
        random_array,
        st.sampled_from(JAX_TOO),
        st.lists(st.integers(0, 3), max_size=3).map(tuple),
        st.integers(0, 2**32 - 1),
        st.booleans(),
    ),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)


trees = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(_keys, children, max_size=3),
        st.dictionaries(st.integers(0, 9), children, max_size=3),
        st.builds(Point, children, children),
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(original=trees)
def test_generated_trees_round_trip_bitwise(tmp_path_factory, original):
    path = tmp_path_factory.mktemp("ckpt") / "ckpt.npz"
    ckpt.save(path, original)
    assert_same_tree(ckpt.restore(path, target=original), original)
    assert_same_tree(ckpt.restore(path), plain(original))


def test_train_state_restores_into_a_fresh_state(tmp_path):
    state = FIXED_TREES["train state"]
    grads = jax.tree_util.tree_map(jnp.ones_like, state.params)
    state = jax.jit(lambda s: s.apply_gradients(grads=grads).apply_gradients(grads=grads))(state)
    fresh = TrainState.create(
        apply_fn=PURE_MODEL.apply, params=PURE_MODEL.init(purejax.random.PRNGKey(9), X)["params"], tx=adam(1e-3)
    )
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
    assert_same_tree(
        ckpt.restore(ckpt.save(tmp_path / "v.npz", {"params": PARAMS}), target=abstract), {"params": PARAMS}
    )


# --- damaged and missing files -------------------------------------------------------------------


def _truncate(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def _flip_a_data_byte(blob: bytes) -> bytes:
    start = blob.find(BASE["params"]["Dense_0"]["kernel"].tobytes())  # 48 zero bytes: the kernel's data
    return blob[: start + 5] + b"\xff" + blob[start + 6 :]


def _break_json(blob: bytes) -> bytes:
    return blob.replace(b'"format"', b'"f\x00rmat"')


@pytest.mark.parametrize(
    "damage",
    [_truncate, lambda blob: b"", _flip_a_data_byte, _break_json],
    ids=["truncated", "empty", "flipped byte", "broken json"],
)
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


# --- crashes ------------------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    "crash", [_fail_on_second_member, _fail("fsync"), _fail("replace")], ids=["mid-write", "fsync", "rename"]
)
def test_a_failed_save_leaves_no_partial_file_and_deletes_nothing(tmp_path, monkeypatch, crash):
    manager = CheckpointManager(tmp_path, max_to_keep=2)
    manager.save(1, numbered_trees(2)[0])
    manager.save(2, numbered_trees(2)[1])
    single = ckpt.save(tmp_path / "single.npz", numbered_trees(2)[1])
    before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    crash(monkeypatch)
    with pytest.raises((RuntimeError, OSError), match="simulated crash"):
        manager.save(3, numbered_trees(4)[3])
    with pytest.raises((RuntimeError, OSError), match="simulated crash"):
        ckpt.save(single, numbered_trees(4)[3])  # overwriting: the old file must survive
    monkeypatch.undo()
    assert {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)} == before
    assert manager.all_steps() == [1, 2]
    assert_same_tree(manager.restore(), numbered_trees(2)[1])
    assert_same_tree(ckpt.restore(single), numbered_trees(2)[1])


def test_a_hard_crash_leaves_only_a_temporary_file_that_nothing_reads(tmp_path, monkeypatch):
    manager = CheckpointManager(tmp_path, max_to_keep=1)
    manager.save(1, numbered_trees(2)[1])
    _fail("replace")(monkeypatch)
    monkeypatch.setattr(os, "unlink", lambda path: None)  # the process dies: no clean-up
    with pytest.raises(OSError):
        manager.save(2, numbered_trees(3)[2])
    monkeypatch.undo()
    leftovers = [name for name in os.listdir(tmp_path) if name != "1.npz"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".2.npz.") and leftovers[0].endswith(".tmp")
    assert (manager.all_steps(), manager.latest_step()) == ([1], 1)
    assert_same_tree(manager.restore(), numbered_trees(2)[1])
    manager.save(2, numbered_trees(3)[2])
    assert manager.all_steps() == [2]


# --- across packages ----------------------------------------------------------------------------


def test_a_purejax_checkpoint_of_flax_variables_feeds_both_applies(tmp_path):
    theirs = FLAX_MODEL.init(KEY, X)
    expected = FLAX_MODEL.apply(theirs, X)
    path = ckpt.save(tmp_path / "ckpt.npz", theirs)
    other = PURE_MODEL.init(purejax.random.PRNGKey(7), X)  # same structure, other values
    for restored in (ckpt.restore(path), ckpt.restore(path, target=other)):
        assert_same_tree(restored, theirs)
        assert_same_tree(FLAX_MODEL.apply(restored, X), expected)
        assert_same_tree(PURE_MODEL.apply(restored, X), expected)
