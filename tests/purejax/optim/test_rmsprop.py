"""RMSProp's blocks beyond the adaptive table: `bias_correction=True` adds a step count to the state."""

import jax.numpy as jnp
import pytest

import purejax.optim as ours


@pytest.mark.parametrize("name", ["scale_by_rms", "scale_by_stddev"])
def test_bias_correction_adds_a_count(name):
    params = {"w": jnp.ones(3)}
    plain, counted = getattr(ours, name)().init(params), getattr(ours, name)(bias_correction=True).init(params)
    assert "count" not in plain._fields and counted.count.dtype == jnp.int32
