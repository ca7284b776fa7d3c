"""`purejax.train.TrainState` against Flax's, leaf for leaf.

`TrainState` is checked against `flax.training.train_state.TrainState` (and `flaxed.train.TrainState`,
Flax's subclassed with `batch_stats`) leaf for leaf: same step, params and optimizer state, bitwise,
when each side runs its own jitted `apply_gradients` with the matching purejax / Optax optimizer.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax.training import train_state as flax_train_state

import flaxed.train
import purejax.optim as optim
import purejax.tree
from purejax.train import TrainState
from tests._asserts import assert_bitwise
from tests.purejax.train._examples import example_params, leaves

STEPS = 20


# (name, ours, theirs): the same optimizer with the same hyperparameters on both sides.
OPTIMIZERS = [
    ("sgd_momentum", lambda: optim.sgd(0.1, momentum=0.9), lambda: optax.sgd(0.1, momentum=0.9)),
    ("adam", lambda: optim.adam(1e-2), lambda: optax.adam(1e-2)),
    ("adamw", lambda: optim.adamw(1e-2, weight_decay=0.1), lambda: optax.adamw(1e-2, weight_decay=0.1)),
    ("rmsprop", lambda: optim.rmsprop(1e-2, momentum=0.5), lambda: optax.rmsprop(1e-2, momentum=0.5)),
]
IDS = [row[0] for row in OPTIMIZERS]


@jax.jit
def example_grads(params, i):
    """The gradient of a smooth loss at `params` on step `i`'s data: depends on where params went."""
    x = jax.random.normal(jax.random.PRNGKey(i), (4, 3))  # [4, 3]

    def loss(p):
        y = x @ p["Dense_0"]["kernel"] + p["Dense_0"]["bias"][None]  # [4, 2]
        return jnp.sum(jnp.log(jnp.cosh(y - 0.5)))

    return jax.grad(loss)(params)


def assert_same_state(ours, theirs) -> None:
    """Same step, params, opt_state (and batch_stats): the same leaves, bitwise, in the same order,
    and optimizer states of the same NamedTuple classes and fields."""
    assert str(jax.tree_util.tree_structure(ours.opt_state)) == str(jax.tree_util.tree_structure(theirs.opt_state))
    assert_bitwise(leaves(ours), leaves(theirs))


@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=IDS)
def test_create_matches_flax(name, ours, theirs):
    params = example_params()
    tx = ours()
    state = TrainState.create(apply_fn=None, params=params, tx=tx)
    flax_state = flax_train_state.TrainState.create(apply_fn=None, params=params, tx=theirs())
    assert state.step == 0 and state.params is params and state.tx is tx and state.batch_stats is None
    assert_bitwise(state.opt_state, tx.init(params))
    assert_same_state(state, flax_state)


@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=IDS)
def test_apply_gradients_matches_flax(name, ours, theirs):
    """20 jitted steps on the same gradients: step, params and opt_state bitwise equal."""
    params = example_params()
    state = TrainState.create(apply_fn=None, params=params, tx=ours())
    flax_state = flax_train_state.TrainState.create(apply_fn=None, params=params, tx=theirs())
    step = jax.jit(lambda s, g: s.apply_gradients(grads=g))  # retraced per class: each side compiles its own
    for i in range(STEPS):
        grads = example_grads(state.params, i)
        state, flax_state = step(state, grads), step(flax_state, grads)
    assert int(state.step) == STEPS
    assert_same_state(state, flax_state)


@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=IDS)
def test_apply_gradients_is_update_then_apply_updates(name, ours, theirs):
    """Eagerly, the state adds nothing to `tx.update` and `apply_updates`; `step` stays a Python int."""
    tx = ours()
    params = example_params()
    state = TrainState.create(apply_fn=None, params=params, tx=tx)
    opt_state = tx.init(params)
    for i in range(3):
        grads = example_grads(params, i)
        updates, opt_state = tx.update(grads, opt_state, params)
        params = optim.apply_updates(params, updates)
        state = state.apply_gradients(grads=grads)
    assert state.step == 3 and isinstance(state.step, int)
    assert_bitwise((state.params, state.opt_state), (params, opt_state))


def test_apply_gradients_replaces_other_fields():
    state = TrainState.create(apply_fn=None, params=example_params(), tx=optim.sgd(0.1))
    new = state.apply_gradients(grads=example_grads(state.params, 0), batch_stats={"mean": jnp.ones(2)})
    assert new.step == 1 and new.batch_stats["mean"].tolist() == [1.0, 1.0] and state.batch_stats is None


def test_replace():
    def apply_fn(variables, x):
        return x

    tx = optim.sgd(0.1)
    state = TrainState.create(apply_fn=apply_fn, params=example_params(), tx=tx)
    new = state.replace(step=5, params={"w": jnp.zeros(1)})
    assert new.step == 5 and set(new.params) == {"w"} and new.apply_fn is apply_fn and new.tx is tx
    assert new.opt_state is state.opt_state
    assert state.step == 0 and set(state.params) == {"Dense_0"}  # the original is unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.step = 1
    with pytest.raises(TypeError, match="nosuch"):
        state.replace(nosuch=1)


def test_is_a_pytree():
    params, stats = example_params(), {"mean": jnp.arange(2.0)}
    tx = optim.adam(1e-2)
    state = TrainState.create(apply_fn=None, params=params, tx=tx, batch_stats=stats)
    expected = [
        0,
        *jax.tree_util.tree_leaves(params),
        *jax.tree_util.tree_leaves(state.opt_state),
        *jax.tree_util.tree_leaves(stats),
    ]  # step, params, opt_state, batch_stats
    assert_bitwise(leaves(state), [np.asarray(x) for x in expected])
    assert [id(x) for x in purejax.tree.leaves(state)] == [id(x) for x in jax.tree_util.tree_leaves(state)]

    leaves_, treedef = jax.tree_util.tree_flatten(state)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves_)
    assert isinstance(rebuilt, TrainState) and rebuilt.tx is tx
    assert_bitwise(rebuilt.params, params)

    zeroed = jax.tree_util.tree_map(jnp.zeros_like, state)
    assert isinstance(zeroed, TrainState) and zeroed.tx is tx and float(zeroed.batch_stats["mean"].sum()) == 0.0

    jitted = jax.jit(lambda s: s.replace(step=s.step + 1))(state)
    assert isinstance(jitted, TrainState) and int(jitted.step) == 1 and jitted.tx is tx
    assert_bitwise(jitted.params, params)


def test_apply_fn_and_tx_are_static():
    params = example_params()
    tx, other_tx = optim.sgd(0.1), optim.sgd(0.1)
    state = TrainState.create(apply_fn=None, params=params, tx=tx)
    structure = jax.tree_util.tree_structure
    assert structure(state) == structure(state.replace(params=jax.tree_util.tree_map(jnp.ones_like, params)))
    assert structure(state) != structure(state.replace(tx=other_tx))  # tx is metadata, not a leaf
    assert structure(state) != structure(state.replace(apply_fn=print))
    assert len(jax.tree_util.tree_leaves(state)) == 1 + 2  # step, kernel, bias; sgd keeps no arrays


def test_leaves_match_flaxed_train_state_with_batch_stats():
    params, stats = example_params(), {"mean": jnp.arange(2.0), "var": jnp.ones(2)}
    state = TrainState.create(apply_fn=None, params=params, tx=optim.adam(1e-2), batch_stats=stats)
    flax_state = flaxed.train.TrainState.create(apply_fn=None, params=params, tx=optax.adam(1e-2), batch_stats=stats)
    step = jax.jit(lambda s, g: s.apply_gradients(grads=g))
    for i in range(3):
        grads = example_grads(state.params, i)
        state, flax_state = step(state, grads), step(flax_state, grads)
    assert_same_state(state, flax_state)  # batch_stats carried through, last among the leaves on both sides
    assert_bitwise(state.batch_stats, stats)


@pytest.mark.parametrize("tx", [optax.adam(1e-2), optax.identity()], ids=["optax_adam", "optax_identity"])
def test_create_takes_any_transformation_with_init_and_update(tx):
    """As Flax's TrainState: an Optax transformation (a NamedTuple of init and update) trains the same way."""
    params = example_params()
    state = TrainState.create(apply_fn=None, params=params, tx=tx)
    new = state.apply_gradients(grads=example_grads(params, 0))
    updates, _ = tx.update(example_grads(params, 0), tx.init(params), params)
    assert_bitwise(new.params, optax.apply_updates(params, updates))


def test_create_refuses_what_has_no_init_and_update():
    tx = optim.sgd(0.1)
    with pytest.raises(TypeError, match=r"^TrainState.create: tx must be a GradientTransformation \(with init and upd"):
        TrainState.create(apply_fn=None, params=example_params(), tx=(tx.init, tx.update))
