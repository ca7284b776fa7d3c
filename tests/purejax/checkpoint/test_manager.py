"""purejax.checkpoint.CheckpointManager: max_to_keep, latest_step, all_steps, step checks; the same saves
through flaxed's Orbax manager keep the same steps; resuming from a checkpoint continues the exact
trajectory of never stopping."""

from __future__ import annotations

import os

import jax.numpy as jnp
import numpy as np
import pytest

import flaxed.checkpoint
import purejax.nn as pnn
import purejax.random
from purejax.checkpoint import CheckpointManager
from purejax.optim import adam
from purejax.train import TrainState, make_train_step
from tests._asserts import assert_same_tree
from tests.purejax.checkpoint._trees import KEY, numbered_trees


@pytest.mark.parametrize(
    "max_to_keep,kept", [(None, [0, 10, 20, 30, 40]), (1, [40]), (2, [30, 40]), (9, [0, 10, 20, 30, 40])]
)
def test_manager_keeps_the_latest_steps(tmp_path, max_to_keep, kept):
    manager = CheckpointManager(tmp_path, max_to_keep=max_to_keep)
    for i, t in enumerate(numbered_trees(5)):
        assert manager.save(10 * i, t) == os.path.join(tmp_path, f"{10 * i}.npz")
    assert (manager.all_steps(), manager.latest_step()) == (kept, 40)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "40.npz").st_mode & 0o777 == 0o666 & ~umask  # as np.savez would leave it
    assert sorted(os.listdir(tmp_path)) == sorted(f"{s}.npz" for s in kept)
    assert_same_tree(manager.restore(), numbered_trees(5)[4])
    assert_same_tree(manager.restore(kept[0], target=numbered_trees(5)[0]), numbered_trees(5)[kept[0] // 10])


@pytest.mark.parametrize(
    "step,error",
    [
        (40, ValueError),
        (39, ValueError),
        (-1, ValueError),
        (1.5, TypeError),
        (True, TypeError),
        (np.ones(2, int), TypeError),
    ],
)
def test_manager_refuses_steps_that_do_not_follow(tmp_path, step, error):
    manager = CheckpointManager(tmp_path)
    manager.save(np.int32(40), numbered_trees(1)[0])
    with pytest.raises(error, match="CheckpointManager.save: step"):
        manager.save(step, numbered_trees(1)[0])
    assert manager.all_steps() == [40]
    with pytest.raises(ValueError, match="max_to_keep must be a positive int"):
        CheckpointManager(tmp_path, max_to_keep=0)


def test_orbax_manager_keeps_the_same_steps(tmp_path):
    ours = CheckpointManager(tmp_path / "purejax", max_to_keep=2)
    theirs = flaxed.checkpoint.CheckpointManager(tmp_path / "orbax", max_to_keep=2)
    trees = [{"w": np.full(3, float(i), np.float32)} for i in range(3)]
    for step, t in zip((1, 5, 7), trees, strict=True):
        ours.save(step, t)
        theirs.save(step, t)
    assert ours.all_steps() == theirs.all_steps() == [5, 7] and ours.latest_step() == theirs.latest_step() == 7
    for step in (None, 5):
        np.testing.assert_array_equal(ours.restore(step)["w"], theirs.restore(step, target=trees[0])["w"])
    theirs.close()


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
