"""The step size: `scale_by_learning_rate(None)` passes the updates through unchanged, as Optax's."""

import purejax.optim as po
from comparisons.parity.tables.optim_harness import example_params
from tests._asserts import assert_bitwise


def test_learning_rate_none_is_identity():
    params = example_params()
    updates, _ = po.scale_by_learning_rate(None).update(params, po.scale_by_learning_rate(None).init(params))
    assert_bitwise(updates, params)
