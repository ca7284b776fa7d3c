"""`purejax.train`'s train and eval steps with both state classes (purejax's and flaxed's), jitted and
eager, with and without `batch_stats`; `average_metrics` and `model_variables`."""

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
from purejax.train import TrainState, average_metrics, make_eval_step, make_train_step, model_variables
from tests._asserts import FORWARD_RTOL, assert_bitwise
from tests.purejax.train._examples import example_params, leaves


@functools.cache
def make_loss_fn(apply, with_stats: bool = False):
    """A Dense(2) regression `loss_fn(variables, batch, key, train)`; with_stats: a running input mean."""

    def loss_fn(variables, batch, key, train=True):
        y = apply({"params": variables["params"]}, batch["x"])  # [B, 2]
        loss = jnp.mean((y - batch["y"]) ** 2)
        metrics = {
            "mae": jnp.mean(jnp.abs(y - batch["y"])),
            "train": jnp.float32(train),
            "noise": jax.random.uniform(key),
        }  # shows which key the step passed on
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


@functools.cache
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
    theirs, flax_history = train(
        train_step(flax_apply, with_stats), new_state(flax_cls, flax_tx, flax_apply, with_stats)
    )
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
