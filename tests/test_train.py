"""`purejax.train`: TrainState against Flax's, and the train and eval steps with both state classes.

`TrainState` is checked against `flax.training.train_state.TrainState` (and `flaxed.train.TrainState`,
Flax's subclassed with `batch_stats`) leaf for leaf: same step, params and optimizer state, bitwise,
when each side runs its own jitted `apply_gradients` with the matching purejax / Optax optimizer.
"""
import dataclasses
import functools

import flax.linen
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax.training import train_state as flax_train_state

import flaxed.train
import purejax.nn
import purejax.optim as optim
import purejax.tree
from purejax.train import TrainState, average_metrics, make_eval_step, make_train_step, model_variables
from tests._asserts import FORWARD_RTOL, assert_bitwise

STEPS = 20

# (name, ours, theirs): the same optimizer with the same hyperparameters on both sides.
OPTIMIZERS = [
    ("sgd_momentum", lambda: optim.sgd(0.1, momentum=0.9), lambda: optax.sgd(0.1, momentum=0.9)),
    ("adam", lambda: optim.adam(1e-2), lambda: optax.adam(1e-2)),
    ("adamw", lambda: optim.adamw(1e-2, weight_decay=0.1), lambda: optax.adamw(1e-2, weight_decay=0.1)),
    ("rmsprop", lambda: optim.rmsprop(1e-2, momentum=0.5), lambda: optax.rmsprop(1e-2, momentum=0.5)),
]
IDS = [row[0] for row in OPTIMIZERS]


def example_params() -> dict:
    """Dense(3 -> 2) parameters in Flax's layout, float32."""
    rng = np.random.default_rng(0)
    return {"Dense_0": {"kernel": jnp.asarray(rng.normal(size=(3, 2)), jnp.float32),
                        "bias": jnp.asarray(rng.normal(size=(2,)), jnp.float32)}}


@jax.jit
def example_grads(params, i):
    """The gradient of a smooth loss at `params` on step `i`'s data: depends on where params went."""
    x = jax.random.normal(jax.random.PRNGKey(i), (4, 3))  # [4, 3]

    def loss(p):
        y = x @ p["Dense_0"]["kernel"] + p["Dense_0"]["bias"][None]  # [4, 2]
        return jnp.sum(jnp.log(jnp.cosh(y - 0.5)))

    return jax.grad(loss)(params)


def leaves(state) -> list:
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(state)]


def assert_same_state(ours, theirs) -> None:
    """Same step, params, opt_state (and batch_stats): the same leaves, bitwise, in the same order,
    and optimizer states of the same NamedTuple classes and fields."""
    assert str(jax.tree_util.tree_structure(ours.opt_state)) == str(jax.tree_util.tree_structure(theirs.opt_state))
    assert_bitwise(leaves(ours), leaves(theirs))


# --- TrainState ---------------------------------------------------------------------------------

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
    expected = [0, *jax.tree_util.tree_leaves(params), *jax.tree_util.tree_leaves(state.opt_state),
                *jax.tree_util.tree_leaves(stats)]  # step, params, opt_state, batch_stats
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


@pytest.mark.parametrize("tx, got", [(optax.adam(1e-2), "GradientTransformationExtraArgs"),
                                     (optax.identity(), "GradientTransformation"),
                                     ((optim.sgd(0.1).init, optim.sgd(0.1).update), "tuple")],
                         ids=["optax_adam", "optax_identity", "tuple"])
def test_create_refuses_a_foreign_tx(tx, got):
    with pytest.raises(TypeError, match=rf"TrainState.create: tx must be a purejax.optim GradientTransformation, "
                                        rf"got {got}$"):
        TrainState.create(apply_fn=None, params=example_params(), tx=tx)


# --- train and eval steps -----------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def make_loss_fn(apply, with_stats: bool = False):
    """A Dense(2) regression `loss_fn(variables, batch, key, train)`; with_stats: a running input mean."""

    def loss_fn(variables, batch, key, train=True):
        y = apply({"params": variables["params"]}, batch["x"])  # [B, 2]
        loss = jnp.mean((y - batch["y"]) ** 2)
        metrics = {"mae": jnp.mean(jnp.abs(y - batch["y"])), "train": jnp.float32(train),
                   "noise": jax.random.uniform(key)}  # shows which key the step passed on
        if with_stats:
            old = variables["batch_stats"]["mean"]  # [3]
            metrics["batch_stats"] = {"mean": 0.9 * old + 0.1 * jnp.mean(batch["x"], axis=0)}  # running mean
        return loss, metrics

    return loss_fn


# (name, state class, optimizer, model apply): the two packages' ways to train the same Dense model.
SIDES = [
    ("purejax", TrainState, lambda: optim.adam(1e-2), purejax.nn.Dense(2).apply),
    ("flaxed", flaxed.train.TrainState, lambda: optax.adam(1e-2), flax.linen.Dense(2).apply),
]
SIDE_IDS = [row[0] for row in SIDES]


@functools.lru_cache(maxsize=None)
def train_step(apply, with_stats: bool, **options):
    """`make_train_step` for this model, made once per test session, so each variant compiles once."""
    return make_train_step(make_loss_fn(apply, with_stats), **options)


def example_batch(i: int) -> dict:
    x = jax.random.normal(jax.random.PRNGKey(100 + i), (8, 3))  # [8, 3]
    return {"x": x, "y": jnp.concatenate([x[:, :1] - x[:, 1:2], 2 * x[:, 2:]], axis=1)}  # [8, 2]


def new_state(cls, tx, apply, with_stats: bool):
    params = jax.tree_util.tree_map(jnp.array, example_params()["Dense_0"])  # fresh buffers: donation deletes them
    stats = {"mean": jnp.zeros(3)} if with_stats else None
    return cls.create(apply_fn=apply, params=params, tx=tx(), batch_stats=stats)


def train(step, state, steps: int = 3):
    history = []
    for i in range(steps):
        state, metrics = step(state, example_batch(i), jax.random.PRNGKey(i))
        history.append(metrics)
    return state, history


def assert_close(ours, theirs, rtol=FORWARD_RTOL) -> None:
    for a, b in zip(leaves(ours), leaves(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("with_stats", [False, True], ids=["params_only", "batch_stats"])
@pytest.mark.parametrize("name, cls, tx, apply", SIDES, ids=SIDE_IDS)
def test_jitted_and_eager_train_steps_agree(name, cls, tx, apply, with_stats):
    jitted, history = train(train_step(apply, with_stats), new_state(cls, tx, apply, with_stats))
    eager, eager_history = train(train_step(apply, with_stats, jit=False), new_state(cls, tx, apply, with_stats))
    assert int(jitted.step) == eager.step == 3
    assert_close(jitted, eager)
    assert_close(history, eager_history)
    assert set(history[0]) == {"loss", "mae", "train", "noise"}  # batch_stats left the metrics
    assert float(history[0]["train"]) == 1.0
    assert float(history[2]["noise"]) == float(jax.random.uniform(jax.random.PRNGKey(2)))
    state = new_state(cls, tx, apply, with_stats)  # the metrics are those before the step
    loss, _ = make_loss_fn(apply, with_stats)(model_variables(state), example_batch(0), jax.random.PRNGKey(0))
    np.testing.assert_allclose(history[0]["loss"], loss, rtol=FORWARD_RTOL)


@pytest.mark.parametrize("with_stats", [False, True], ids=["params_only", "batch_stats"])
def test_both_state_classes_train_alike(with_stats):
    """The same steps with purejax's state and optimizer and with Flax's: the same trajectory."""
    (_, cls, tx, apply), (_, flax_cls, flax_tx, flax_apply) = SIDES
    ours, history = train(train_step(apply, with_stats), new_state(cls, tx, apply, with_stats))
    theirs, flax_history = train(train_step(flax_apply, with_stats), new_state(flax_cls, flax_tx, flax_apply, with_stats))
    assert_close(ours, theirs)
    assert_close(history, flax_history)


@pytest.mark.parametrize("name, cls, tx, apply", SIDES, ids=SIDE_IDS)
def test_train_step_updates_batch_stats(name, cls, tx, apply):
    state = new_state(cls, tx, apply, True)
    new, _ = train_step(apply, True)(state, example_batch(0), jax.random.PRNGKey(0))
    expected = 0.1 * jnp.mean(example_batch(0)["x"], axis=0)  # 0.9 * zeros + 0.1 * mean
    np.testing.assert_allclose(new.batch_stats["mean"], expected, rtol=FORWARD_RTOL)
    assert float(jnp.abs(state.batch_stats["mean"]).sum()) == 0.0  # the old state is untouched


@pytest.mark.parametrize("with_stats", [False, True], ids=["params_only", "batch_stats"])
@pytest.mark.parametrize("name, cls, tx, apply", SIDES, ids=SIDE_IDS)
def test_eval_step(name, cls, tx, apply, with_stats):
    loss_fn = make_loss_fn(apply, with_stats)
    state = new_state(cls, tx, apply, with_stats)
    batch, key = example_batch(0), jax.random.PRNGKey(3)
    jitted, eager = make_eval_step(loss_fn)(state, batch, key), make_eval_step(loss_fn, jit=False)(state, batch, key)
    assert set(jitted) == set(eager) == {"loss", "mae", "train", "noise"}  # batch_stats dropped
    assert float(jitted["train"]) == 0.0  # the model ran with train=False
    assert_close(jitted, eager)
    loss, _ = loss_fn(model_variables(state), batch, key, train=False)
    np.testing.assert_allclose(jitted["loss"], loss, rtol=FORWARD_RTOL)


@pytest.mark.parametrize("name, cls, tx, apply", SIDES, ids=SIDE_IDS)
def test_donate(name, cls, tx, apply):
    kept, _ = train(train_step(apply, True), new_state(cls, tx, apply, True))
    state = new_state(cls, tx, apply, True)
    donated, _ = train(train_step(apply, True, donate=True), state)
    assert_bitwise(leaves(donated), leaves(kept))
    assert state.params["kernel"].is_deleted()  # XLA took over the first state's buffers


# --- average_metrics and model_variables --------------------------------------------------------

def test_average_metrics():
    history = [{"loss": jnp.float32(1.0), "accuracy": 0.5}, {"loss": jnp.float32(3.0), "accuracy": 1.0}]
    assert average_metrics(history) == {"loss": 2.0, "accuracy": 0.75}
    assert average_metrics(history, weights=[1, 3]) == {"loss": 2.5, "accuracy": 0.875}
    assert average_metrics(history, weights=np.array([2.0, 2.0])) == average_metrics(history)
    assert all(type(v) is float for v in average_metrics(history).values())
    assert average_metrics([]) == {}
    assert average_metrics([], weights=[]) == {}


def test_model_variables():
    params, stats = example_params(), {"mean": jnp.zeros(3)}
    state = TrainState.create(apply_fn=None, params=params, tx=optim.sgd(0.1))
    assert model_variables(state) == {"params": params}
    other = {"w": jnp.ones(1)}
    assert model_variables(state, other) == {"params": other}
    with_stats = state.replace(batch_stats=stats)
    assert model_variables(with_stats) == {"params": params, "batch_stats": stats}
    assert model_variables(with_stats, other) == {"params": other, "batch_stats": stats}
    flax_state = flax_train_state.TrainState.create(apply_fn=None, params=params, tx=optax.sgd(0.1))
    assert model_variables(flax_state) == {"params": params}  # Flax's own class has no batch_stats
    flaxed_state = flaxed.train.TrainState.create(apply_fn=None, params=params, tx=optax.sgd(0.1), batch_stats=stats)
    assert model_variables(flaxed_state) == {"params": params, "batch_stats": stats}
