"""A `TrainState` subclass with its own fields, Flax's documented way to carry a dropout key.

Flax's `train_state.TrainState` is a `flax.struct.PyTreeNode`: `class State(TrainState): key: jax.Array`
adds a field without a decorator, and the subclass stays a pytree for `jit`. purejax's must do the
same: the program below (a Dense-Dropout-Dense model whose dropout key lives in the state, split at
every step) runs with Flax, Optax and `jax.random` on one side and purejax on the other, and the
states after 3 jitted steps are bitwise equal; the key paths of their leaves are Flax's.
"""

from typing import Any

import flax.linen as fnn
import flax.struct
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax.training import train_state as flax_train_state

import purejax.checkpoint
import purejax.nn as nn
import purejax.optim as optim
import purejax.random
import purejax.tree
from purejax import struct
from purejax.train import TrainState
from tests._asserts import assert_bitwise

STEPS = 3
X = jnp.asarray(np.random.default_rng(0).normal(size=(8, 3)), jnp.float32)  # [batch, 3]
Y = jnp.asarray(np.random.default_rng(1).normal(size=(8, 2)), jnp.float32)  # [batch, 2]


class FlaxNet(fnn.Module):
    @fnn.compact
    def __call__(self, x, train: bool = True):
        x = fnn.relu(fnn.Dense(16)(x))  # [batch, 16]
        x = fnn.Dropout(0.5, deterministic=not train)(x)  # [batch, 16]
        return fnn.Dense(2)(x)  # [batch, 2]


class Net(nn.Layer):
    def forward(self, scope: nn.Scope, x, train: bool = True):
        x = nn.relu(scope.child(nn.Dense(16))(x))  # [batch, 16]
        x = scope.child(nn.Dropout(0.5, deterministic=not train))(x)  # [batch, 16]
        return scope.child(nn.Dense(2))(x)  # [batch, 2]


class FlaxKeyState(flax_train_state.TrainState):
    key: jax.Array


class KeyState(TrainState):  # no decorator, as in Flax's documentation
    key: jax.Array


class Counter(struct.PyTreeNode):
    calls: Any


class FlaxCounter(flax.struct.PyTreeNode):
    calls: Any


class FlaxKeyCounterState(flax_train_state.TrainState):  # two extra fields, one a pytree node
    key: jax.Array
    counter: FlaxCounter


class KeyCounterState(TrainState):
    key: jax.Array
    counter: Counter


def flax_step(state, x, y):
    """One step with Flax, Optax and jax.random: the dropout key is split off the state's key."""
    key, dropout_key = jax.random.split(state.key)

    def loss_fn(params):
        out = state.apply_fn({"params": params}, x, rngs={"dropout": dropout_key})  # [batch, 2]
        return jnp.mean((out - y) ** 2)

    grads = jax.grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads, key=key)


def purejax_step(state, x, y):
    """The same step with purejax."""
    key, dropout_key = purejax.random.split(state.key)

    def loss_fn(params):
        out = state.apply_fn({"params": params}, x, rngs={"dropout": dropout_key})  # [batch, 2]
        return jnp.mean((out - y) ** 2)

    grads = jax.grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads, key=key)


OPTIMIZERS = [
    ("sgd", lambda: optim.sgd(0.1, momentum=0.9), lambda: optax.sgd(0.1, momentum=0.9)),
    ("adam", lambda: optim.adam(1e-2), lambda: optax.adam(1e-2)),
]


def both_states(ours_tx, theirs_tx, with_counter: bool = False):
    variables = FlaxNet().init(jax.random.PRNGKey(0), X, train=False)
    key = jax.random.PRNGKey(1)
    if with_counter:
        flax_state = FlaxKeyCounterState.create(
            apply_fn=FlaxNet().apply, params=variables["params"], tx=theirs_tx, key=key, counter=FlaxCounter(0)
        )
        state = KeyCounterState.create(
            apply_fn=Net().apply, params=variables["params"], tx=ours_tx, key=key, counter=Counter(0)
        )
    else:
        flax_state = FlaxKeyState.create(apply_fn=FlaxNet().apply, params=variables["params"], tx=theirs_tx, key=key)
        state = KeyState.create(apply_fn=Net().apply, params=variables["params"], tx=ours_tx, key=key)
    return state, flax_state


def paths(flat_with_path) -> list[str]:
    return [jax.tree_util.keystr(path) for path, _ in flat_with_path]


@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=[row[0] for row in OPTIMIZERS])
def test_subclass_with_a_dropout_key_matches_flax_under_jit(name, ours, theirs):
    state, flax_state = both_states(ours(), theirs())
    step, flax_step_jit = jax.jit(purejax_step), jax.jit(flax_step)
    for _ in range(STEPS):
        state, flax_state = step(state, X, Y), flax_step_jit(flax_state, X, Y)
    assert type(state) is KeyState and int(state.step) == STEPS
    assert str(jax.tree_util.tree_structure(state.opt_state)) == str(jax.tree_util.tree_structure(flax_state.opt_state))
    ours_flat, theirs_flat = (
        jax.tree_util.tree_flatten_with_path(state)[0],
        jax.tree_util.tree_flatten_with_path(flax_state)[0],
    )
    assert paths(ours_flat) == paths(theirs_flat)  # .step, .params[...], .opt_state[...], .key
    assert_bitwise([np.asarray(x) for _, x in ours_flat], [np.asarray(x) for _, x in theirs_flat])
    assert not np.array_equal(state.key, jax.random.PRNGKey(1))  # the key moved on


def test_a_subclass_of_a_subclass_with_a_pytree_field_matches_flax():
    state, flax_state = both_states(optim.adam(1e-2), optax.adam(1e-2), with_counter=True)

    def count(step):
        return jax.jit(lambda s: step(s, X, Y).replace(counter=s.counter.replace(calls=s.counter.calls + 1)))

    for _ in range(STEPS):
        state, flax_state = count(purejax_step)(state), count(flax_step)(flax_state)
    assert int(state.counter.calls) == STEPS and isinstance(state.counter, Counter)
    ours_flat, theirs_flat = (
        jax.tree_util.tree_flatten_with_path(state)[0],
        jax.tree_util.tree_flatten_with_path(flax_state)[0],
    )
    assert paths(ours_flat) == paths(theirs_flat)
    assert paths(ours_flat)[-2:] == [".key", ".counter.calls"]
    assert_bitwise([np.asarray(x) for _, x in ours_flat], [np.asarray(x) for _, x in theirs_flat])


def test_key_paths_in_purejax_tree_are_jaxs():
    """`purejax.tree.flatten_with_path` names the same paths as JAX, the same leaves in the same order."""
    state, _ = both_states(optim.adam(1e-2), optax.adam(1e-2), with_counter=True)
    ours = purejax.tree.flatten_with_path(state)[0]
    theirs = jax.tree_util.tree_flatten_with_path(state)[0]
    assert [purejax.tree.keystr(p) for p, _ in ours] == paths(theirs)
    assert [id(x) for _, x in ours] == [id(x) for _, x in theirs]


def test_subclass_works_with_replace_map_and_unflatten():
    state, _ = both_states(optim.sgd(0.1), optax.sgd(0.1))
    new_key = jnp.zeros(2, jnp.uint32)
    replaced = state.replace(key=new_key)
    assert type(replaced) is KeyState and replaced.key is new_key and replaced.tx is state.tx
    zeroed = purejax.tree.map(jnp.zeros_like, state)
    assert type(zeroed) is KeyState and zeroed.apply_fn is state.apply_fn and int(zeroed.key.sum()) == 0
    leaves, treedef = purejax.tree.flatten(state)
    assert type(purejax.tree.unflatten(treedef, leaves)) is KeyState
    with pytest.raises(TypeError, match="KeyState.replace: 'nosuch'"):
        state.replace(nosuch=1)
    with pytest.raises(TypeError, match="KeyState.create: 'step' is not a field it takes"):
        KeyState.create(apply_fn=None, params=state.params, tx=optim.sgd(0.1), key=new_key, step=3)


def test_flax_style_batch_stats_subclass():
    """Flax's examples add `batch_stats: Any` in a subclass; here it is a field already, and redeclaring it works."""

    class BatchStatsState(TrainState):
        batch_stats: Any

    stats = {"mean": jnp.ones(2)}
    state = BatchStatsState.create(apply_fn=None, params={"w": jnp.ones(2)}, tx=optim.sgd(0.1), batch_stats=stats)
    state = jax.jit(
        lambda s: s.apply_gradients(grads={"w": jnp.ones(2)}, batch_stats={"mean": s.batch_stats["mean"] * 2})
    )(state)
    assert type(state) is BatchStatsState and state.batch_stats["mean"].tolist() == [2.0, 2.0]
    assert paths(jax.tree_util.tree_flatten_with_path(state)[0])[-1] == ".batch_stats['mean']"


def test_subclass_checkpoints_by_field_names(tmp_path):
    """`purejax.checkpoint` names a subclass's leaves by its fields and restores it into a fresh state."""
    state, _ = both_states(optim.adam(1e-2), optax.adam(1e-2))
    state = jax.jit(purejax_step)(state, X, Y)
    path = purejax.checkpoint.save(tmp_path / "state.npz", state)
    with np.load(path) as saved:
        names = sorted(saved.files)
    assert {"key", "step", "params/Dense_0/kernel", "opt_state/0/mu/Dense_0/kernel"} <= set(names)
    fresh, _ = both_states(optim.adam(1e-2), optax.adam(1e-2))
    restored = purejax.checkpoint.restore(path, target=fresh)
    assert type(restored) is KeyState and restored.tx is fresh.tx
    assert_bitwise(jax.tree_util.tree_leaves(restored), jax.tree_util.tree_leaves(state))


def test_base_state_has_flaxs_key_paths():
    """Without batch_stats, `TrainState`'s leaves and their paths are Flax's, in both libraries' flatten."""
    params = FlaxNet().init(jax.random.PRNGKey(0), X, train=False)["params"]
    state = TrainState.create(apply_fn=None, params=params, tx=optim.adam(1e-2))
    flax_state = flax_train_state.TrainState.create(apply_fn=None, params=params, tx=optax.adam(1e-2))
    theirs = paths(jax.tree_util.tree_flatten_with_path(flax_state)[0])
    assert paths(jax.tree_util.tree_flatten_with_path(state)[0]) == theirs
    assert [purejax.tree.keystr(p) for p, _ in purejax.tree.flatten_with_path(state)[0]] == theirs
    assert theirs[0] == ".step" and theirs[1].startswith(".params['Dense_0']")
