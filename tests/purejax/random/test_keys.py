"""purejax.random's keys: `PRNGKey` from any integer seed (and a traced one) gives jax.random's key."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random as pr
from tests._asserts import assert_bitwise


@pytest.mark.parametrize("seed", [0, 1, -1, 42, 2**31 - 1, 2**31, 2**32 + 7, -(2**40), np.int32(-7), np.uint32(7)])
def test_prngkey(seed, platform):
    assert_bitwise(pr.PRNGKey(seed), jax.random.PRNGKey(seed))


def test_prngkey_traced_seed():
    assert_bitwise(jax.jit(pr.PRNGKey)(jnp.int32(5)), jax.random.PRNGKey(5))
