"""purejax.nn.Sequential names its children as flax.linen.Sequential does, whatever names they carry."""

import flax.linen as fnn
import jax
import jax.numpy as jnp

from purejax.nn import LayerNorm, PReLU, Sequential
from tests._asserts import assert_bitwise

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (4, 6))  # [batch, features]


def test_sequential_names_children_like_flax_and_ignores_their_own_names():
    ours = Sequential([PReLU(), jnp.tanh, PReLU(name="ignored"), LayerNorm()])
    theirs = fnn.Sequential([fnn.PReLU(), jnp.tanh, fnn.PReLU(name="ignored"), fnn.LayerNorm()])
    ours_v, theirs_v = ours.init(KEY, X), theirs.init(KEY, X)
    assert sorted(ours_v["params"]) == ["layers_0", "layers_2", "layers_3"]
    assert_bitwise(ours_v, theirs_v)
    assert_bitwise(ours.apply(ours_v, X), theirs.apply(theirs_v, X))
