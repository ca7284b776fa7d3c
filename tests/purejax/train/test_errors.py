"""Bad input to `purejax.train`: at least one row per argument of every public function.

Each row is `(id, call, exception type, fragments)`: the type, and the function (or method) and the
argument in the message. `model_variables`' `params` takes any tree, as the state's, and has no row.
What `loss_fn` returns is checked while the step is traced, so the rows run eagerly and jitted.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import purejax.optim as optim
from purejax.train import TrainState, average_metrics, make_eval_step, make_train_step, model_variables
from tests._asserts import assert_refused
from tests.purejax.train._examples import example_params

PARAMS = example_params()
BATCH = {"x": jnp.ones((4, 3)), "y": jnp.ones((4, 2))}
KEY = jax.random.PRNGKey(0)


def state():
    return TrainState.create(apply_fn=None, params=PARAMS, tx=optim.sgd(0.1))


def loss_returning(out):
    """A `loss_fn` that returns `out(loss)`, loss a scalar depending on the params."""

    def loss_fn(variables, batch, key, train=True):
        loss = jnp.sum(variables["params"]["Dense_0"]["kernel"] ** 2)
        return out(loss)

    return loss_fn


BAD_OUTPUTS = [  # (id, what loss_fn returns, error, fragment)
    ("bare-loss", lambda loss: loss, TypeError, "loss_fn must return a pair (loss, metrics)"),
    ("vector-loss", lambda loss: (jnp.full(4, loss), {}), ValueError, "reduce it over the batch"),
    ("metrics-first", lambda loss: ({"mae": loss}, loss), TypeError, "(loss, metrics) in that order"),
    ("three-things", lambda loss: (loss, {}, None), TypeError, "a tuple of 3"),
    ("metrics-not-a-dict", lambda loss: (loss, [loss]), TypeError, "the metrics loss_fn returns must be a dict"),
    ("metric-vector", lambda loss: (loss, {"mae": jnp.ones(4)}), ValueError, "metrics['mae']"),
    ("integer-loss", lambda loss: (loss.astype(jnp.int32), {}), TypeError, "must be floating"),
]

ROWS = [
    (
        f"make_train_step-loss_fn-{name}-{'jit' if jit else 'eager'}",
        lambda out=out, jit=jit: make_train_step(loss_returning(out), jit=jit)(state(), BATCH, KEY),
        error,
        ("purejax.train.make_train_step:", fragment),
    )
    for name, out, error, fragment in BAD_OUTPUTS
    for jit in (False, True)
]
ROWS += [
    (
        f"make_eval_step-loss_fn-{name}",
        lambda out=out: make_eval_step(loss_returning(out))(state(), BATCH, KEY),
        error,
        ("purejax.train.make_eval_step:", fragment),
    )
    for name, out, error, fragment in BAD_OUTPUTS
    if name != "integer-loss"  # eval takes no gradient, but the loss must still be a float scalar
]

GOOD_LOSS = loss_returning(lambda loss: (loss, {}))
ROWS += [
    # make_train_step / make_eval_step
    (
        "make_train_step-loss_fn",
        lambda: make_train_step("loss"),
        TypeError,
        ("purejax.train.make_train_step:", "loss_fn"),
    ),
    (
        "make_train_step-jit",
        lambda: make_train_step(GOOD_LOSS, jit="yes"),
        TypeError,
        ("purejax.train.make_train_step:", "jit"),
    ),
    (
        "make_train_step-donate",
        lambda: make_train_step(GOOD_LOSS, donate=1),
        TypeError,
        ("purejax.train.make_train_step:", "donate"),
    ),
    (
        "make_train_step-axis_name",
        lambda: make_train_step(GOOD_LOSS, axis_name=0),
        TypeError,
        ("purejax.train.make_train_step:", "axis_name"),
    ),
    (
        "make_train_step-state",
        lambda: make_train_step(GOOD_LOSS, jit=False)({"params": PARAMS}, BATCH, KEY),
        TypeError,
        ("purejax.train.make_train_step", "state must be a TrainState"),
    ),
    ("make_eval_step-loss_fn", lambda: make_eval_step(None), TypeError, ("purejax.train.make_eval_step:", "loss_fn")),
    (
        "make_eval_step-jit",
        lambda: make_eval_step(GOOD_LOSS, jit=None),
        TypeError,
        ("purejax.train.make_eval_step:", "jit"),
    ),
    # TrainState
    (
        "TrainState.create-apply_fn",
        lambda: TrainState.create(apply_fn="apply", params=PARAMS, tx=optim.sgd(0.1)),
        TypeError,
        ("TrainState.create:", "apply_fn"),
    ),
    (
        "TrainState.create-params-variables",
        lambda: TrainState.create(apply_fn=None, params={"params": PARAMS}, tx=optim.sgd(0.1)),
        ValueError,
        ("TrainState.create:", "params", "variables['params']"),
    ),
    (
        "TrainState.create-params-str-leaf",
        lambda: TrainState.create(apply_fn=None, params={"w": "x"}, tx=optim.sgd(0.1)),
        TypeError,
        ("TrainState.create:", "params['w']"),
    ),
    (
        "TrainState.create-tx-uncalled",
        lambda: TrainState.create(apply_fn=None, params=PARAMS, tx=optim.adam),
        TypeError,
        ("TrainState.create:", "tx", "call it first"),
    ),
    (
        "TrainState.create-tx-tuple",
        lambda: TrainState.create(apply_fn=None, params=PARAMS, tx=(optax.sgd(0.1).init,)),
        TypeError,
        ("TrainState.create:", "tx must be a GradientTransformation"),
    ),
    (
        "TrainState.create-kwargs-unknown",
        lambda: TrainState.create(apply_fn=None, params=PARAMS, tx=optim.sgd(0.1), stats=None),
        TypeError,
        ("TrainState.create:", "'stats'", "batch_stats"),
    ),
    (
        "TrainState.create-kwargs-step",
        lambda: TrainState.create(apply_fn=None, params=PARAMS, tx=optim.sgd(0.1), step=5),
        TypeError,
        ("TrainState.create:", "'step'", "set by TrainState.create itself"),
    ),
    (
        "TrainState.apply_gradients-grads-tree",
        lambda: state().apply_gradients(grads={"Dense_0": {"kernel": jnp.ones((3, 2))}}),
        ValueError,
        ("TrainState.apply_gradients:", "grads differ from params"),
    ),
    (
        "TrainState.apply_gradients-kwargs-unknown",
        lambda: state().apply_gradients(grads=PARAMS, nosuch=1),
        TypeError,
        ("TrainState.apply_gradients:", "'nosuch'"),
    ),
    (
        "TrainState.apply_gradients-kwargs-params",
        lambda: state().apply_gradients(grads=PARAMS, params=PARAMS),
        TypeError,
        ("TrainState.apply_gradients:", "'params'"),
    ),
    (
        "TrainState.replace-changes-unknown",
        lambda: state().replace(nosuch=1),
        TypeError,
        ("TrainState.replace:", "'nosuch'"),
    ),
    # model_variables
    (
        "model_variables-state",
        lambda: model_variables({"params": PARAMS}),
        TypeError,
        ("purejax.train.model_variables:", "state"),
    ),
    # average_metrics: degenerate weights and missing metrics
    (
        "average_metrics-history-dict",
        lambda: average_metrics({"loss": 1.0}),
        TypeError,
        ("purejax.train.average_metrics:", "history"),
    ),
    (
        "average_metrics-history-entry",
        lambda: average_metrics([1.0, 2.0]),
        TypeError,
        ("purejax.train.average_metrics:", "history[0]"),
    ),
    (
        "average_metrics-history-metric-missing",
        lambda: average_metrics([{"loss": 1.0, "acc": 0.5}, {"loss": 2.0}]),
        ValueError,
        ("purejax.train.average_metrics:", "history[1]", "lacks ['acc']"),
    ),
    (
        "average_metrics-history-metric-vector",
        lambda: average_metrics([{"loss": np.ones(3)}]),
        TypeError,
        ("purejax.train.average_metrics:", "history[0]['loss']"),
    ),
    (
        "average_metrics-weights-all-zero",
        lambda: average_metrics([{"loss": 1.0}, {"loss": 2.0}], weights=[0, 0]),
        ValueError,
        ("purejax.train.average_metrics:", "weights", "not all zero"),
    ),
    (
        "average_metrics-weights-negative",
        lambda: average_metrics([{"loss": 1.0}, {"loss": 2.0}], weights=[2, -1]),
        ValueError,
        ("purejax.train.average_metrics:", "weights"),
    ),
    (
        "average_metrics-weights-nan",
        lambda: average_metrics([{"loss": 1.0}], weights=[float("nan")]),
        ValueError,
        ("purejax.train.average_metrics:", "weights"),
    ),
    (
        "average_metrics-weights-length",
        lambda: average_metrics([{"loss": 1.0}, {"loss": 2.0}], weights=[1]),
        ValueError,
        ("purejax.train.average_metrics:", "weights must hold one weight per batch (2)"),
    ),
    (
        "average_metrics-weights-str",
        lambda: average_metrics([{"loss": 1.0}], weights="1"),
        TypeError,
        ("purejax.train.average_metrics:", "weights"),
    ),
]


@pytest.mark.parametrize("name, call, error, fragments", ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_is_refused_naming_the_function_and_the_argument(name, call, error, fragments):
    assert_refused(call, error, *fragments)


def test_average_metrics_weighted_mean_is_unchanged():
    """Positive weights, some zero: the weighted mean as before (only an all-zero total is refused)."""
    history = [{"loss": 1.0}, {"loss": 3.0}, {"loss": 5.0}]
    assert average_metrics(history, weights=[1, 0, 3]) == {"loss": 4.0}
    assert average_metrics(history) == {"loss": 3.0}
