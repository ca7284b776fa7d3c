"""purejax.nn's functions along an axis beyond the table: softmax's custom JVP mode, and the errors of
glu, one_hot, standardize and logsumexp."""

import jax
import jax.numpy as jnp
import pytest

import purejax.nn as pa
from comparisons.parity.tables.nn_activations import EDGES, weighted_sum
from tests._asserts import assert_within_ulp


@pytest.mark.parametrize("axis,where", [(-1, None), (0, None), (-1, EDGES.reshape(7, 4) > 0)])
def test_softmax_custom_jvp_mode(axis, where):
    """Under `jax_softmax_custom_jvp=True` both switch to the custom JVP, and still agree."""
    x = jnp.linspace(-5.0, 5.0, 28, dtype=jnp.float32).reshape(7, 4)
    with jax.softmax_custom_jvp(True):
        ours, theirs = (lambda x: pa.softmax(x, axis, where)), (lambda x: jax.nn.softmax(x, axis, where))
        assert_within_ulp(jax.grad(weighted_sum(ours))(x), jax.grad(weighted_sum(theirs))(x), 0)
        assert_within_ulp(jax.jvp(ours, (x,), (jnp.cos(x),))[1], jax.jvp(theirs, (x,), (jnp.cos(x),))[1], 0)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: pa.glu(jnp.ones((2, 3))), ValueError, r"glu: the size of axis -1 must be even"),
        (lambda: pa.one_hot(jnp.arange(3), 4, axis="batch"), TypeError, r"one_hot: axis must be an integer axis"),
        (lambda: pa.one_hot(jnp.arange(3), 4, axis=3), ValueError, r"one_hot: axis must be an axis in \[-2, 2\)"),
        (
            lambda: pa.standardize(jnp.ones(3), algorithm="welford"),
            ValueError,
            r"standardize: algorithm must be one of 'fast', 'stable'",
        ),
        (lambda: pa.logsumexp(jnp.ones(3, jnp.complex64)), NotImplementedError, r"complex inputs"),
        (lambda: pa.logsumexp(jnp.ones((2, 3)), axis=(1, -1)), ValueError, r"duplicate value in 'axis'"),
    ],
)
def test_errors_say_what_is_wrong(call, error, match):
    with pytest.raises(error, match=match):
        call()
