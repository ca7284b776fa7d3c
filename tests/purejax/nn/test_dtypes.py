"""The dtype a layer computes in: `promote_dtype` as Flax's `flax.linen.dtypes.promote_dtype`."""

import jax.numpy as jnp
import pytest

from purejax.nn import dtypes  # promote_dtype is the layers' helper, not exported: its test reads the module


def test_promote_dtype_like_flax():
    from flax.linen.dtypes import promote_dtype as flax_promote

    args = (jnp.ones(2, jnp.int32), jnp.ones(2, jnp.bfloat16), None)
    for kw in ({}, {"dtype": jnp.float16}, {"inexact": False}):
        ours, theirs = dtypes.promote_dtype(*args, **kw), flax_promote(*args, **kw)
        assert [None if a is None else a.dtype for a in ours] == [None if a is None else a.dtype for a in theirs]
    with pytest.raises(ValueError, match="must be a float or complex dtype"):
        dtypes.promote_dtype(jnp.ones(2), dtype=jnp.int32)
