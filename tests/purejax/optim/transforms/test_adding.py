"""Gradient noise (`add_noise`, noisy SGD's core): drawn as Optax draws it, and only from a key given as raw data."""

import jax
import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
from comparisons.parity.tables.optim_harness import example_params
from tests._asserts import assert_bitwise


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
