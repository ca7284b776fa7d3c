"""The regression losses beyond the table: Huber's `delta` is keyword-only, as in Optax."""

import jax.numpy as jnp
import pytest

import purejax.losses as pl

X, Y = jnp.zeros((4, 10)), jnp.zeros((4, 9))


def test_huber_delta_is_keyword_only_like_optax():
    with pytest.raises(TypeError):
        pl.huber_loss(X, X, 0.5)
