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


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_carry_shape_must_match(cell, carry, sublayer):
    wrong = jax.tree.map(lambda a: jnp.zeros((3, 5)), carry)  # 5 features, the cell has 4
    which = "c" if isinstance(carry, tuple) else "h"
    for call in (lambda: cell.init(KEY, wrong, X), lambda: cell.apply(cell.init(KEY, carry, X), wrong, X)):
        with pytest.raises(ValueError) as info:
            call()
        assert (
            f"{type(cell).__name__}: carry '{which}' must have shape [3, 4] ([*batch, features] for these "
            "inputs), got [3, 5]; make it with cell.initialize_carry"
        ) in str(info.value)


@pytest.mark.parametrize("cell,carry,sublayer", _CELLS, ids=_IDS)
def test_inputs_must_be_float_arrays_with_features(cell, carry, sublayer):
    with pytest.raises(TypeError, match=f"{type(cell).__name__}: inputs must be float"):
        cell.init(KEY, carry, jnp.ones((3, 5), jnp.int32))
    with pytest.raises(ValueError, match=f"{type(cell).__name__}: inputs need a feature axis"):
        cell.init(KEY, carry, jnp.float32(1.0))
