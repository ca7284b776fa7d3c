"""purejax.random's `erf_inv` against `jax.lax.erf_inv` on a dense grid, float32 and bfloat16."""

import jax
import jax.numpy as jnp

import purejax.random as pr
from tests._asserts import assert_bitwise, assert_within_ulp


def test_erf_inv_grid():
    x = jnp.concatenate([jnp.linspace(-1.0, 1.0, 20_001), jnp.array([1e-30, -0.0, 2.0, jnp.nan])])
    assert_bitwise(jax.jit(pr.erf_inv)(x), jax.jit(jax.lax.erf_inv)(x))
    assert_within_ulp(pr.erf_inv(x.astype(jnp.bfloat16)), jax.lax.erf_inv(x.astype(jnp.bfloat16)), 0)
