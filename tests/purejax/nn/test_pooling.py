"""purejax.nn's pooling beyond the table (whose rows run in `test_conv.py`): errors, and explicit padding
with two batch axes, which Flax's pool cannot do."""

import jax
import jax.numpy as jnp
import pytest

from purejax.nn import avg_pool, max_pool, pool


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda x: max_pool(x, (2, 2, 2, 2)),
            r"^purejax.nn.max_pool: window_shape \(2, 2, 2, 2\) needs inputs .*got \[2, 6, 6, 3\]",
        ),
        (
            lambda x: avg_pool(x, (2, 2), strides=(2,)),
            r"^purejax.nn.avg_pool: strides \(2,\) must have one entry per window axis",
        ),
        (lambda x: max_pool(x, (2, 2), padding="FULL"), r"^purejax.nn.max_pool: padding must be 'SAME', 'VALID' or 2"),
        (
            lambda x: pool(x, 0.0, jax.lax.add, (2, 2), None, ((1, 1),)),
            r"^purejax.nn.pool: padding must be 'SAME', 'VALID' or 2 \(low, high\) pairs",
        ),
    ],
)
def test_pool_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call(jnp.ones((2, 6, 6, 3)))


def test_pool_explicit_padding_with_two_batch_axes():
    x = jnp.arange(2 * 3 * 5 * 1, dtype=jnp.float32).reshape(2, 3, 5, 1)
    y = max_pool(x, (2,), padding=((1, 0),))  # [2, 3, 5, 1]; Flax's pool cannot pad here
    assert y.shape == (2, 3, 5, 1) and float(y[0, 0, 0, 0]) == 0.0 and float(y[1, 2, 4, 0]) == float(x[1, 2, 4, 0])
