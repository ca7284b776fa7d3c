"""The classification losses beyond the table: the docstring's example, and labels out of range (which no
check can catch under jit) give what Optax gives."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purejax.losses as pl
from tests._asserts import assert_within_ulp


def test_docstring_example():
    logits = jnp.array([[1.2, -0.8, -0.5], [0.9, -1.2, 1.1]])
    np.testing.assert_allclose(
        pl.softmax_cross_entropy(logits, jnp.array([[1.0, 0, 0], [0, 1.0, 0]])), [0.2761, 2.9518], atol=1e-4
    )
    np.testing.assert_allclose(
        pl.softmax_cross_entropy_with_integer_labels(logits, jnp.array([0, 1])), [0.2761, 2.9518], atol=1e-4
    )


def test_out_of_range_labels_as_optax():
    """Labels are traced values, so they cannot be checked under jit: -1 counts from the end, 10 gives nan."""
    logits = jnp.arange(40.0).reshape(4, 10) / 7
    labels = jnp.array([0, -1, 10, -11])
    for f in (
        lambda m, *a: m.softmax_cross_entropy_with_integer_labels(*a),
        jax.jit(lambda m, *a: m.softmax_cross_entropy_with_integer_labels(*a), static_argnums=0),
    ):
        ours, theirs = f(pl, logits, labels), f(optax.losses, logits, labels)
        assert_within_ulp(ours, theirs, 0)
        assert np.isnan(ours[2:]).all() and ours[1] == pl.softmax_cross_entropy_with_integer_labels(logits[1], 9)
