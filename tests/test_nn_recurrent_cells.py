"""purejax.nn recurrent cells against flax.linen: initialize_carry, variables, one step, gradients.

The table of cell settings is shared with the parity report (comparisons/parity/nn_recurrent_cells.py).
"""
import chex
import jax
import jax.numpy as jnp
import pytest
from absl.testing import parameterized

from comparisons.parity.tables.nn_recurrent_cells import CASES, case_id, compare
from purejax.nn import ConvLSTMCell, GRUCell, LSTMCell, MGUCell, OptimizedLSTMCell, SimpleCell
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL, assert_bitwise
from tests.conftest import PLATFORMS

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (3, 5))  # [batch, in]
IMAGE = jax.random.normal(jax.random.PRNGKey(1), (2, 6, 5, 3))  # [batch, height, width, in]


def assert_matches_flax(case, variant):
    """Same carry and variables (bitwise), step (rtol 1e-5) and gradients (rtol 1e-4) on every platform."""
    for platform in PLATFORMS:
        with jax.default_device(jax.devices(platform)[0]):
            got = compare(case, variant)
            assert_bitwise(*got["carry"])
            assert_bitwise(*got["variables"])
            chex.assert_trees_all_close(*got["output"], rtol=FORWARD_RTOL, atol=1e-7)
            chex.assert_trees_all_close(*got["gradients"], rtol=GRADIENT_RTOL, atol=1e-6)


class RecurrentCellParityTest(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    @parameterized.named_parameters((case_id(i, c), c) for i, c in enumerate(CASES))
    def test_same_as_flax(self, case):
        assert_matches_flax(case, self.variant)


def test_optimized_lstm_is_lstm():
    """OptimizedLSTMCell stores LSTMCell's parameters (same key, same values) and computes the same step."""
    carry = tuple(jnp.sin(jnp.arange(12.0) + i).reshape(3, 4) for i in range(2))  # (c, h)
    variables = LSTMCell(4).init(KEY, carry, X)
    assert_bitwise(OptimizedLSTMCell(4).init(KEY, carry, X), variables)
    chex.assert_trees_all_close(OptimizedLSTMCell(4).apply(variables, carry, X), LSTMCell(4).apply(variables, carry, X),
                                rtol=FORWARD_RTOL)


def test_carry_structure():
    """LSTMs carry `(c, h)`; GRU, MGU and SimpleCell carry `h` alone; all `[*batch, features]`."""
    chex.assert_trees_all_equal_shapes(LSTMCell(4).initialize_carry(KEY, (2, 3, 5)), (jnp.zeros((2, 3, 4)),) * 2)
    for cell in (GRUCell(4), MGUCell(4), SimpleCell(4)):
        chex.assert_shape(cell.initialize_carry(KEY, (5,)), (4,))
    chex.assert_trees_all_equal_shapes(ConvLSTMCell(2, (3, 3)).initialize_carry(KEY, IMAGE.shape),
                                       (jnp.zeros((2, 6, 5, 2)),) * 2)


def _lstm_carry(shape):
    return jnp.zeros(shape), jnp.zeros(shape)


_WRONG_IN = jnp.ones((3, 6))  # 6 features where the kernels expect 5
_CELLS = [  # (cell, a good carry for X, the input kernel's sublayer)
    (LSTMCell(4), _lstm_carry((3, 4)), "ii"),
    (OptimizedLSTMCell(4), _lstm_carry((3, 4)), "ii"),
    (GRUCell(4), jnp.zeros((3, 4)), "ir"),
    (MGUCell(4), jnp.zeros((3, 4)), "if"),
    (SimpleCell(4), jnp.zeros((3, 4)), "i"),
]
_IDS = [type(c).__name__ for c, _, _ in _CELLS]


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_input_features_must_match_the_kernel(cell, carry, sublayer):
    variables = cell.init(KEY, carry, X)
    with pytest.raises(ValueError) as info:
        cell.apply(variables, carry, _WRONG_IN)
    assert (f"{type(cell).__name__}: expected inputs with 5 features (kernel '{sublayer}' is [5, 4]), got "
            "[3, 6]") in str(
        info.value)


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_carry_shape_must_match(cell, carry, sublayer):
    wrong = jax.tree.map(lambda a: jnp.zeros((3, 5)), carry)  # 5 features, the cell has 4
    which = "c" if isinstance(carry, tuple) else "h"
    for call in (lambda: cell.init(KEY, wrong, X), lambda: cell.apply(cell.init(KEY, carry, X), wrong, X)):
        with pytest.raises(ValueError) as info:
            call()
        assert (f"{type(cell).__name__}: carry '{which}' must have shape [3, 4] ([*batch, features] for these "
                "inputs), got [3, 5]; make it with cell.initialize_carry") in str(info.value)


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_inputs_must_be_float_arrays_with_features(cell, carry, sublayer):
    with pytest.raises(TypeError, match=f"{type(cell).__name__}: inputs must be float"):
        cell.init(KEY, carry, jnp.ones((3, 5), jnp.int32))
    with pytest.raises(ValueError, match=f"{type(cell).__name__}: inputs need a feature axis"):
        cell.init(KEY, carry, jnp.float32(1.0))


@pytest.mark.parametrize("cell", [LSTMCell(4), OptimizedLSTMCell(4), ConvLSTMCell(4, (3,))],
                         ids=lambda c: type(c).__name__)
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
