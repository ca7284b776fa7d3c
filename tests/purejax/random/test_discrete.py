"""purejax.random's discrete samplers beyond the table: `randint` with an empty range, as jax.random."""

import jax
import jax.numpy as jnp

import purejax.random as pr
from tests._asserts import assert_bitwise


def test_randint_empty_range_gives_minval_like_jax():
    key = jax.random.PRNGKey(0)
    assert_bitwise(pr.randint(key, (4,), 5, 5), jax.random.randint(key, (4,), 5, 5))
    assert_bitwise(pr.randint(key, (4,), 5, 2), jnp.full((4,), 5, jnp.int32))
