"""The digits MLP beyond the generic contract (`test_contract.py`): a non-default `hidden` on both sides.
(The digits batch check it binds as `mlp.check_digits` is tested with its task, in
`tests/purejax/data/tasks/test_digits.py`.)"""

from __future__ import annotations

import chex
import pytest

import purejax.random
from flaxed.models import mlp as flaxed_mlp
from purejax.models import mlp
from tests._asserts import FORWARD_RTOL, assert_bitwise


@pytest.mark.parametrize("hidden", [8, 33])
def test_hidden_width_agrees_on_both_sides(hidden, key):
    batch = mlp.example_batch(key)
    variables = mlp.init(key, batch, hidden=hidden)
    assert_bitwise(variables, flaxed_mlp.init(key, batch, hidden=hidden))
    assert variables["params"]["Dense_1"]["kernel"].shape == (hidden, hidden)
    step_key = purejax.random.PRNGKey(1)
    chex.assert_trees_all_close(
        mlp.loss_fn(variables, batch, step_key, hidden=hidden),
        flaxed_mlp.loss_fn(variables, batch, step_key, hidden=hidden),
        rtol=FORWARD_RTOL,
    )
