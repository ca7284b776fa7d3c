"""The argument checks every recurrent cell shares: input features against the kernel, the carry's shape,
float inputs with a feature axis; each error names the cell."""

import jax
import jax.numpy as jnp
import pytest

from purejax.nn import GRUCell, LSTMCell, MGUCell, OptimizedLSTMCell, SimpleCell

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (3, 5))  # [batch, in]


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
    assert (
        f"{type(cell).__name__}: expected inputs with 5 features (kernel '{sublayer}' is [5, 4]), got [3, 6]"
    ) in str(info.value)


def _with_shape(carry, shape):
    return jax.tree.map(lambda a: jnp.ones(shape), carry)


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_carry_must_keep_its_shape(cell, carry, sublayer):
    """Batch axes other than the inputs' (which Flax broadcasts, returning a carry of another shape)
    are refused; the width is free at init (it sizes the cell), and is the params' in apply."""
    name = type(cell).__name__
    which = "c" if isinstance(carry, tuple) else "h"
    for wrong, got in ((_with_shape(carry, (1, 5)), "[1, 5]"), (_with_shape(carry, (5,)), "[5]")):
        with pytest.raises(ValueError) as info:
            cell.init(KEY, wrong, X)
        assert (
            f"{name}: carry '{which}' must have shape [3, 5] (the inputs' batch axes, then h's width 5), "
            f"got {got}; make it with cell.initialize_carry(key, inputs.shape)"
        ) in str(info.value)
    with pytest.raises(ValueError) as info:
        cell.apply(cell.init(KEY, carry, X), _with_shape(carry, (3, 5)), X)
    assert (
        f"{name}: carry 'h' has 5 features, but the params were made for 4 (kernel '{sublayer}' is [5, 4]); "
        "pass a carry [*batch, 4]"
    ) in str(info.value)
    with pytest.raises(ValueError, match=rf"{name}: carry 'h' must have a feature axis \[\*batch, hidden\]"):
        cell.init(KEY, _with_shape(carry, (3, 0)), X)


@pytest.mark.parametrize("cell", [LSTMCell(4), OptimizedLSTMCell(4)], ids=["LSTMCell", "OptimizedLSTMCell"])
def test_lstm_c_must_have_the_shape_of_h(cell):
    """Flax broadcasts a `c` of width 1 against `h` and returns a `c` of h's width; we refuse it."""
    with pytest.raises(ValueError) as info:
        cell.init(KEY, (jnp.ones((3, 1)), jnp.ones((3, 6))), X)
    assert (
        f"{type(cell).__name__}: carry 'c' must have shape [3, 6] (the inputs' batch axes, then h's width 6), "
        "got [3, 1]"
    ) in str(info.value)


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_inputs_must_be_float_arrays_with_features(cell, carry, sublayer):
    with pytest.raises(TypeError, match=f"{type(cell).__name__}: inputs must be float"):
        cell.init(KEY, carry, jnp.ones((3, 5), jnp.int32))
    with pytest.raises(ValueError, match=f"{type(cell).__name__}: inputs need a feature axis"):
        cell.init(KEY, carry, jnp.float32(1.0))
