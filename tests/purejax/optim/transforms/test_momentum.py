"""Momentum (`trace`, `ema`): updates of another tree name the path; the accumulator keeps its dtype."""

import jax.numpy as jnp
import numpy as np
import pytest

import purejax.optim as ours
from comparisons.parity.tables.optim_harness import example_params
from tests._asserts import assert_update_names_the_path


@pytest.mark.parametrize("tx", [ours.trace(0.9), ours.ema(0.9)], ids=["trace", "ema"])
def test_mismatched_grads_name_the_path(tx):
    params = example_params()
    grads = {**params, "Dense_0": {"kernel": params["Dense_0"]["kernel"]}}  # 'bias' missing
    assert_update_names_the_path(tx, grads, params, "['Dense_0']")


def test_trace_accumulator_dtype_is_kept():
    params = {"w": jnp.ones((3,), jnp.float32)}
    tx = ours.trace(0.9, accumulator_dtype=jnp.bfloat16)
    _, state = tx.update(params, tx.init(params))
    assert state.trace["w"].dtype == jnp.bfloat16
    np.testing.assert_array_equal(np.asarray(state.trace["w"], np.float32), np.ones(3))
