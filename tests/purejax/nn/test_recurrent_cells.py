"""purejax.nn recurrent cells against flax.linen: initialize_carry, variables, one step, gradients.

The table of cell settings is shared with the parity report (comparisons/parity/tables/nn_recurrent_cells.py);
it covers the cells of `recurrent_lstm.py` (LSTMCell, OptimizedLSTMCell, ConvLSTMCell) and of
`recurrent_gru.py` (SimpleCell, GRUCell, MGUCell), so it runs here, with the carries' structure.
The LSTM cells' own checks are in `test_recurrent_lstm.py`; the argument checks every cell shares in
`test_recurrent_checks.py`.
"""

import chex
import jax
import jax.numpy as jnp
import pytest

from comparisons.parity.tables.nn_recurrent_cells import CASES, case_id, compare
from purejax.nn import ConvLSTMCell, GRUCell, LSTMCell, MGUCell, SimpleCell
from tests._asserts import assert_matches_flax

KEY = jax.random.PRNGKey(0)
IMAGE = jax.random.normal(jax.random.PRNGKey(1), (2, 6, 5, 3))  # [batch, height, width, in]


@pytest.mark.parametrize("case", CASES, ids=[case_id(i, c) for i, c in enumerate(CASES)])
def test_same_as_flax(case, variant, platform):
    assert_matches_flax(compare(case, variant))


def test_carry_structure():
    """LSTMs carry `(c, h)`; GRU, MGU and SimpleCell carry `h` alone; all `[*batch, features]`."""
    chex.assert_trees_all_equal_shapes(LSTMCell(4).initialize_carry(KEY, (2, 3, 5)), (jnp.zeros((2, 3, 4)),) * 2)
    for cell in (GRUCell(4), MGUCell(4), SimpleCell(4)):
        chex.assert_shape(cell.initialize_carry(KEY, (5,)), (4,))
    chex.assert_trees_all_equal_shapes(
        ConvLSTMCell(2, (3, 3)).initialize_carry(KEY, IMAGE.shape), (jnp.zeros((2, 6, 5, 2)),) * 2
    )
