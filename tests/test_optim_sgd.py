"""SGD-family optimizers and their building blocks against Optax, 50 jitted steps side by side.

Rows `(name, ours, theirs)`; each runs through `optim_harness.compare` (plain) or
`optim_sgd.compare_keyed` (noise: also bitwise, and per-example gradients for dpsgd).
"""
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import optax.contrib
import pytest

import purejax.random
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import example_params
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_sgd import compare_keyed, linear_schedule
import purejax.optim as ours
from purejax.optim import chain, scale_by_learning_rate
from tests._asserts import assert_bitwise

SCHEDULE = linear_schedule(0.1, 0.01, 30)

PLAIN = [
    ("sgd", lambda: ours.sgd(0.1), lambda: optax.sgd(0.1)),
    ("sgd schedule nesterov bf16", lambda: ours.sgd(SCHEDULE, 0.9, True, jnp.bfloat16),
     lambda: optax.sgd(SCHEDULE, 0.9, True, jnp.bfloat16)),
    ("optimistic_gradient_descent", lambda: ours.optimistic_gradient_descent(0.1),
     lambda: optax.optimistic_gradient_descent(0.1)),
    ("optimistic_gradient_descent alpha beta", lambda: ours.optimistic_gradient_descent(0.05, alpha=0.5, beta=2.0),
     lambda: optax.optimistic_gradient_descent(0.05, alpha=0.5, beta=2.0)),
    ("fromage", lambda: ours.fromage(0.1), lambda: optax.fromage(0.1)),
    ("fromage schedule min_norm", lambda: ours.fromage(SCHEDULE, min_norm=1e-2),
     lambda: optax.fromage(SCHEDULE, min_norm=1e-2)),
    ("clip_by_global_norm, clip, ema", lambda: chain(ours.clip_by_global_norm(2.0), ours.clip(0.3),
                                                     ours.ema(0.9), scale_by_learning_rate(0.1)),
     lambda: optax.chain(optax.clip_by_global_norm(2.0), optax.clip(0.3), optax.ema(0.9),
                         optax.scale_by_learning_rate(0.1))),
]

KEYED = [  # (name, ours, theirs, per_example): the noise must be the same bits; add_noise is noisy_sgd's core
    ("noisy_sgd", lambda: ours.noisy_sgd(0.1, key=0), lambda: optax.noisy_sgd(0.1, key=0), False),
    ("noisy_sgd schedule raw key", lambda: ours.noisy_sgd(SCHEDULE, 0.1, 0.3, purejax.random.PRNGKey(7)),
     lambda: optax.noisy_sgd(SCHEDULE, 0.1, 0.3, jax.random.key(7)), False),
    ("dpsgd", lambda: ours.dpsgd(0.1, 1.0, 1.1, 0), lambda: optax.contrib.dpsgd(0.1, 1.0, 1.1, 0), True),
    ("dpsgd schedule momentum nesterov", lambda: ours.dpsgd(SCHEDULE, 0.5, 0.3, 5, momentum=0.9, nesterov=True),
     lambda: optax.contrib.dpsgd(SCHEDULE, 0.5, 0.3, 5, momentum=0.9, nesterov=True), True),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx", PLAIN, ids=[r[0] for r in PLAIN])
def test_matches_optax(name, ours_tx, theirs_tx):
    assert compare_plain(ours_tx(), theirs_tx()) <= OPTIMIZER_RTOL


@pytest.mark.parametrize("name, ours_tx, theirs_tx, per_example", KEYED, ids=[r[0] for r in KEYED])
def test_noise_matches_optax_bitwise(name, ours_tx, theirs_tx, per_example):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # optax.contrib.dpsgd passes the deprecated seed=
        result = compare_keyed(ours_tx(), theirs_tx(), per_example=per_example)
    assert result.ulp == 0, f"{name}: updates {result.ulp} ulp from Optax's"
    assert result.rel == 0.0


def test_global_norm_and_per_example_clip_match_optax():
    params = example_params()
    assert_bitwise(ours.global_norm(params), optax.tree.norm(params))
    grads = [jnp.array([[0, 0, 0], [0, 3, 4], [4, 0, 3], [3, 4, 0]], jnp.float32), jnp.ones((4, 2), jnp.float32)]
    for clip in (jnp.inf, 0.0, 1.25):
        assert_bitwise(ours.per_example_global_norm_clip(grads, clip),
                       optax.per_example_global_norm_clip(grads, clip))


def test_noise_is_drawn_as_optax_draws_it():
    """One update of add_noise on zeros is sigma_1 * z: z must equal Optax's bit for bit."""
    zeros = jax.tree_util.tree_map(jnp.zeros_like, example_params())
    tx, theirs = ours.add_noise(1.0, 0.55, key=9), optax.add_noise(1.0, 0.55, key=9)
    (a, sa), (b, sb) = tx.update(zeros, tx.init(zeros)), theirs.update(zeros, theirs.init(zeros))
    assert_bitwise(a, b)
    assert_bitwise(sa.rng_key, jax.random.key_data(sb.rng_key))


@pytest.mark.parametrize("make", [lambda: ours.add_noise(0.1, 0.5), lambda: ours.noisy_sgd(0.1)])
def test_noise_needs_a_key(make):
    with pytest.raises(ValueError, match="key="):
        make()


def test_typed_key_is_refused_with_a_pointer():
    with pytest.raises(TypeError, match="key_data"):
        ours.add_noise(0.1, 0.5, key=jax.random.key(0))


def test_per_example_clip_needs_a_batch_axis():
    with pytest.raises(ValueError, match="batch axis"):
        ours.per_example_global_norm_clip([jnp.ones((4, 2)), jnp.ones((3,))], 1.0)


@pytest.mark.parametrize("tx", [ours.trace(0.9), ours.ema(0.9), ours.scale_by_optimistic_gradient()],
                         ids=["trace", "ema", "scale_by_optimistic_gradient"])
def test_mismatched_grads_name_the_path(tx):
    params = example_params()
    state = tx.init(params)
    grads = {**params, "Dense_0": {"kernel": params["Dense_0"]["kernel"]}}  # 'bias' missing
    with pytest.raises(ValueError, match=r"\['Dense_0'\]"):
        tx.update(grads, state, params)


def test_trace_accumulator_dtype_is_kept():
    params = {"w": jnp.ones((3,), jnp.float32)}
    tx = ours.trace(0.9, accumulator_dtype=jnp.bfloat16)
    _, state = tx.update(params, tx.init(params))
    assert state.trace["w"].dtype == jnp.bfloat16
    np.testing.assert_array_equal(np.asarray(state.trace["w"], np.float32), np.ones(3))
