"""The MDN beyond the generic contract (`test_contract.py`): `predict` on both sides, the
mixture NLL against a float64 reference and at extremes, the baseline expressed as an MDN, and
why the learning goal needs a mixture: a K=1 MDN trained the same way misses it, while the
trained K=5 MDN puts a mode on each of the three branches of y(x) at x = 0.5."""

from __future__ import annotations

import functools
import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random
from comparisons.training.pair import evaluate
from flaxed.models import mdn as flaxed_mdn
from purejax.models import mdn
from purejax.train import TrainState, make_eval_step, make_train_step
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL

KEY = purejax.random.PRNGKey(0)
SIDES = {"purejax": mdn, "flaxed": flaxed_mdn}


@pytest.fixture(scope="module")
def variables():
    return mdn.init(KEY, mdn.example_batch(KEY))


def test_variables_layout(variables):
    assert jax.tree_util.tree_map(np.shape, variables) == {
        "params": {
            "Dense_0": {"kernel": (1, 32), "bias": (32,)},
            "Dense_1": {"kernel": (32, 32), "bias": (32,)},  # trunk
            "logits": {"kernel": (32, 5), "bias": (5,)},
            "means": {"kernel": (32, 5), "bias": (5,)},  # heads
            "log_stds": {"kernel": (32, 5), "bias": (5,)},
        }
    }


def test_predict_agrees_on_both_sides_and_is_a_mixture(variables):
    x = jnp.linspace(-0.2, 1.2, 7)[:, None]  # [7, 1]
    ours = mdn.predict(variables, x)
    chex.assert_trees_all_close(ours, flaxed_mdn.predict(variables, x), rtol=FORWARD_RTOL, atol=1e-6)
    chex.assert_trees_all_close(jax.jit(mdn.predict)(variables, x), ours, rtol=FORWARD_RTOL, atol=1e-6)
    weights, means, stds = ours
    chex.assert_shape([weights, means, stds], (7, 5))
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-6)
    assert (weights > 0).all() and (stds > 0).all()
    logits, raw_means, log_stds = mdn.build().apply(variables, x)
    chex.assert_trees_all_close(ours, (jax.nn.softmax(logits), raw_means, jnp.exp(log_stds)), rtol=FORWARD_RTOL)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("shape", [(4,), (4, 1, 1), (4, 2)])
def test_predict_refuses_x_of_the_wrong_shape(side, shape, variables):
    with pytest.raises(ValueError) as error:
        SIDES[side].predict(variables, jnp.zeros(shape))
    assert str(error.value) == f"mdn: predict expects x of shape [n, 1], got {list(shape)}"


def _reference_nll(logits, means, log_stds, y):
    """-log sum_k softmax(logits)_k N(y; m_k, s_k), in float64 numpy, term by term."""
    logits, means, log_stds, y = (np.asarray(a, np.float64) for a in (logits, means, log_stds, y))
    weights = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    stds = np.exp(log_stds)
    density = np.exp(-0.5 * ((y - means) / stds) ** 2) / (stds * math.sqrt(2 * math.pi))
    return -np.log((weights * density).sum(-1))


@pytest.mark.parametrize("side", SIDES)
def test_mixture_nll_matches_a_float64_reference(side):
    keys = purejax.random.split(purejax.random.PRNGKey(2), 4)
    logits, means, log_stds = (purejax.random.normal(k, (16, 3)) for k in keys[:3])
    y = purejax.random.uniform(keys[3], (16, 1))
    np.testing.assert_allclose(
        SIDES[side].mixture_nll(logits, means, log_stds, y),
        _reference_nll(logits, means, log_stds, y),
        rtol=1e-5,
        atol=1e-6,
    )
    m, log_s = means[:, :1], log_stds[:, :1]  # [16, 1] each
    gaussian = 0.5 * ((y - m) / jnp.exp(log_s)) ** 2 + log_s + 0.5 * math.log(2 * math.pi)  # [16, 1]
    np.testing.assert_allclose(
        SIDES[side].mixture_nll(logits[:, :1], means[:, :1], log_stds[:, :1], y), gaussian[:, 0], rtol=1e-5, atol=1e-6
    )  # K = 1: one Gaussian's NLL


def test_mixture_nll_is_stable_at_extremes():
    """Huge logits, tiny widths, far targets: finite losses and gradients, equal on both sides."""
    logits = jnp.array([[1e4, -1e4, 0.0], [0.0, 0.0, 0.0], [50.0, 60.0, -70.0]])
    means = jnp.array([[0.0, 1.0, 2.0], [0.0, 0.5, 1.0], [0.0, 0.0, 0.0]])
    log_stds = jnp.array([[-20.0, 5.0, 0.0], [-10.0, -10.0, -10.0], [3.0, -3.0, 0.0]])
    y = jnp.array([[1.0], [100.0], [0.3]])  # far from every component in row 1

    def total(module, *args):
        return module.mixture_nll(*args, y).sum()

    ours = jax.value_and_grad(functools.partial(total, mdn), argnums=(0, 1, 2))(logits, means, log_stds)
    theirs = jax.value_and_grad(functools.partial(total, flaxed_mdn), argnums=(0, 1, 2))(logits, means, log_stds)
    assert all(bool(jnp.isfinite(leaf).all()) for leaf in jax.tree_util.tree_leaves(ours))
    chex.assert_trees_all_close(ours, theirs, rtol=GRADIENT_RTOL)


def test_the_baseline_is_a_constant_one_gaussian_mdn():
    """The goal's baseline is in the loss's own units: a K=1 MDN that ignores x scores it."""
    train_y = mdn.load_data()["train"]["y"].astype(np.float64)
    params = jax.tree_util.tree_map(jnp.zeros_like, mdn.init(KEY, mdn.example_batch(KEY), components=1)["params"])
    params["means"]["bias"] = jnp.full((1,), train_y.mean(), jnp.float32)
    params["log_stds"]["bias"] = jnp.full((1,), np.log(train_y.std()), jnp.float32)
    state = TrainState.create(apply_fn=None, params=params, tx=mdn.optimizer(0.0))
    evals = evaluate(make_eval_step(functools.partial(mdn.loss_fn, components=1)), state, mdn, 64, KEY)
    np.testing.assert_allclose(evals["loss"], mdn.gaussian_baseline(), rtol=1e-5)


def _train(components: int):
    """Train the purejax MDN with `components` exactly as the generic test trains the default one."""
    loss_fn = functools.partial(mdn.loss_fn, components=components)
    k_init, k_data, k_step, k_eval = purejax.random.split(purejax.random.PRNGKey(0), 4)
    batches = mdn.train_batches(k_data, mdn.DEFAULTS["batch_size"])
    variables = mdn.init(k_init, next(mdn.train_batches(k_data, mdn.DEFAULTS["batch_size"])), components=components)
    tx = mdn.optimizer(mdn.DEFAULTS["learning_rate"])
    state = TrainState.create(apply_fn=None, params=variables["params"], tx=tx)
    step = make_train_step(loss_fn)
    for i in range(mdn.DEFAULTS["steps"]):
        state, _ = step(state, next(batches), purejax.random.fold_in(k_step, i))
    return {"params": state.params}, evaluate(make_eval_step(loss_fn), state, mdn, mdn.DEFAULTS["batch_size"], k_eval)


def test_one_gaussian_beats_the_baseline_but_misses_the_goal():
    _, evals = _train(components=1)
    ok, text = mdn.learning_goal(evals)
    assert evals["loss"] < mdn.gaussian_baseline(), "a Gaussian that depends on x should beat one that does not"
    assert not ok, f"K=1 reached the goal, so it does not show the mixture is needed: {text}"


def test_the_trained_mixture_has_a_mode_on_each_branch():
    """At x = 0.5, y + 0.3 sin(2 pi y) = x has three solutions; p(y | x) peaks at each one."""
    variables, evals = _train(components=5)
    assert mdn.learning_goal(evals)[0]
    grid = np.linspace(0.0, 1.0, 100_001)
    crossings = grid[np.nonzero(np.diff(np.sign(grid + 0.3 * np.sin(2 * np.pi * grid) - 0.5)))[0]]
    branches = np.unique(np.round(crossings, 2))  # about [0.21, 0.5, 0.79]
    assert len(branches) == 3
    gaps = (branches[1:] + branches[:-1]) / 2  # between the branches

    weights, means, stds = flaxed_mdn.predict(variables, jnp.array([[0.5]]))  # [1, K] each

    def density(y):
        y = jnp.asarray(y, jnp.float32)[:, None]  # [m, 1]
        normal = jnp.exp(-0.5 * ((y - means) / stds) ** 2) / (stds * math.sqrt(2 * math.pi))  # [m, K]
        return np.asarray((weights * normal).sum(-1))  # [m]

    assert density(branches).min() > 1.5 * density(gaps).max(), (density(branches), density(gaps))
