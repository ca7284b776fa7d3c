"""purejax.nn's LSTM cells beyond the table: OptimizedLSTMCell is LSTMCell, the carry is a pair `(c, h)`,
and ConvLSTMCell's errors."""

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

from purejax.nn import ConvLSTMCell, LSTMCell, OptimizedLSTMCell
from tests._asserts import FORWARD_RTOL, assert_bitwise

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (3, 5))  # [batch, in]
IMAGE = jax.random.normal(jax.random.PRNGKey(1), (2, 6, 5, 3))  # [batch, height, width, in]


def test_optimized_lstm_is_lstm():
    """OptimizedLSTMCell stores LSTMCell's parameters (same key, same values) and computes the same step."""
    carry = tuple(jnp.sin(jnp.arange(12.0) + i).reshape(3, 4) for i in range(2))  # (c, h)
    variables = LSTMCell(4).init(KEY, carry, X)
    assert_bitwise(OptimizedLSTMCell(4).init(KEY, carry, X), variables)
    chex.assert_trees_all_close(
        OptimizedLSTMCell(4).apply(variables, carry, X), LSTMCell(4).apply(variables, carry, X), rtol=FORWARD_RTOL
    )


@pytest.mark.parametrize(
    "cell", [LSTMCell(4), OptimizedLSTMCell(4), ConvLSTMCell(4, (3,))], ids=lambda c: type(c).__name__
)
def test_lstm_carry_must_be_a_pair(cell):
    with pytest.raises(ValueError, match=rf"{type(cell).__name__}: the carry must be a tuple \(c, h\), got ArrayImpl"):
        cell.init(KEY, jnp.zeros((3, 4)), X)


def test_conv_lstm_errors():
    cell = ConvLSTMCell(2, (3, 3))
    carry = cell.initialize_carry(KEY, IMAGE.shape)
    variables = cell.init(KEY, carry, IMAGE)
    message = r"ConvLSTMCell: expected inputs with 3 features \(kernel 'ih' is \[3, 3, 3, 8\]\), got \[2, 6, 5, 4\]"
    with pytest.raises(ValueError, match=message):
        cell.apply(variables, carry, jnp.ones((2, 6, 5, 4)))
    with pytest.raises(ValueError, match=r"ConvLSTMCell: carry 'h' must have shape \[2, 6, 5, 2\]"):
        cell.apply(variables, (carry[0], jnp.zeros((2, 6, 4, 2))), IMAGE)
    with pytest.raises(ValueError, match="strides=2 and padding='SAME' change the spatial shape"):
        ConvLSTMCell(2, (3, 3), strides=2).init(KEY, carry, IMAGE)


def test_conv_lstm_carry_has_features_channels():
    """ConvLSTMCell's convolutions output `4 * features` channels, so its carry has `features`: Flax
    takes an `h` of other channels (sizing `hh` from it) and returns a carry of another shape than
    the one given, which no next step can take; we refuse it, naming the shape wanted."""
    carry = (jnp.ones((2, 6, 5, 2)), jnp.ones((2, 6, 5, 7)))  # h has 7 channels, features is 2
    (new_c, new_h), _ = fnn.ConvLSTMCell(2, (3, 3)).init_with_output(KEY, carry, IMAGE)[0]
    assert new_h.shape != carry[1].shape  # Flax: [2, 6, 5, 2] out of [2, 6, 5, 7]
    message = (
        r"ConvLSTMCell: carry 'h' must have shape \[2, 6, 5, 2\] \(the inputs' batch and spatial axes, "
        r"then features\), got \[2, 6, 5, 7\]"
    )
    with pytest.raises(ValueError, match=message):
        ConvLSTMCell(2, (3, 3)).init(KEY, carry, IMAGE)
    with pytest.raises(ValueError, match=r"ConvLSTMCell: carry 'c' must have shape \[2, 6, 5, 2\]"):
        ConvLSTMCell(2, (3, 3)).init(KEY, (jnp.ones((2, 6, 5, 1)), carry[0]), IMAGE)
