"""The optimizers' tree arithmetic: `safe_increment` saturates its counter as Optax's does, eager and jitted."""

import jax
import numpy as np
import optax
import pytest

import purejax.optim as po
from tests._asserts import assert_bitwise


@pytest.mark.parametrize(
    "count",
    [np.int32(0), np.int32(7), np.int32(np.iinfo(np.int32).max), np.float32(3.0), np.float32(np.finfo(np.float32).max)],
)
def test_safe_increment_saturates_like_optax(count):
    assert_bitwise(po.safe_increment(count), optax.safe_increment(count))
    assert_bitwise(jax.jit(po.safe_increment)(count), jax.jit(optax.safe_increment)(count))
