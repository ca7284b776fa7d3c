"""`smooth_labels` beyond the table: a row with no included class is finite, where Optax divides by 0."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purejax.losses as pl
from tests._asserts import assert_bitwise


def test_a_row_with_no_included_class_keeps_its_labels_scaled():
    labels = jnp.eye(3, dtype=jnp.float32)
    where = jnp.array([[True, True, False], [False, False, False], [True, True, True]])
    for f in (pl.smooth_labels, jax.jit(pl.smooth_labels)):
        ours, theirs = f(labels, 0.1, where=where), optax.losses.smooth_labels(labels, 0.1, where=where)
        assert_bitwise(ours[::2], theirs[::2])  # the rows with included classes: Optax's bits
        assert_bitwise(ours[1], 0.9 * labels[1])  # nothing to spread alpha over
        assert np.isinf(theirs[1]).all()
    grad = jax.grad(lambda a: pl.smooth_labels(labels, a, where=where).sum())(0.1)
    assert np.isfinite(grad)
