"""Exercise `uniform` (tour: docs/tour/02_randomness.md): floats on [minval, maxval) from random bits.

Write `uniform(key, shape, dtype, minval, maxval)` as `jax.random.uniform` computes it, from the
random bits `bits(key, shape, dtype)` (given: `purejax.random.bits`, which is `jax.random.bits`
rebuilt) and the layout of a float in memory: sign, exponent, mantissa.

Use jax.numpy and jax.lax (`lax.bitcast_convert_type`, `lax.shift_right_logical`); the grader
refuses a file that imports jax.random or the rest of purejax.random. Check your file with:

    python -m comparisons exercise uniform --check exercises/uniform.py
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.random import bits

UINTS = {8: jnp.uint8, 16: jnp.uint16, 32: jnp.uint32, 64: jnp.uint64}  # unsigned integers by width


def uniform(key, shape=(), dtype=jnp.float32, minval=0.0, maxval=1.0):
    """Uniform floats on `[minval, maxval)`, made from random bits without any division.

    A float with exponent 0 and mantissa `m` is `1.m` in binary: a number in [1, 2). So put
    random bits into the mantissa, keep the exponent of 1.0, and subtract 1:

        nbits, nmant = jnp.finfo(dtype).bits, jnp.finfo(dtype).nmant    # 32, 23 for float32
        rbits = 8 if nmant < 8 else nbits                 # bfloat16 (7 mantissa bits) draws 8 bits
        r = bits(key, shape, uint of rbits bits), widened to the uint of nbits bits
        u = bitcast((r >> (rbits - nmant)) | bits_of(1.0), dtype) - 1    # [0, 1), steps of 2**-nmant
        uniform = max(minval, u * (maxval - minval) + minval)

    where `bits_of(1.0)` is 1.0's bit pattern as that uint (`np.array(1.0, dtype).view(uint)`),
    minval and maxval are cast to `dtype`, and the `max` guards against rounding below minval.
    JAX runs this as one jitted program (XLA may fuse the multiply and add), and so does the grader.

    Args:
      key: `uint32[2]`.
      shape: the output's shape, a tuple of ints.
      dtype: a float dtype: float32, float16 or bfloat16.
      minval, maxval: the bounds, Python floats.

    Returns:
      An array of `shape` and `dtype`.
    """
    finfo = jnp.finfo(dtype)
    uint = UINTS[finfo.bits]
    rbits = 8 if finfo.nmant < 8 else finfo.bits
    r = bits(key, shape, UINTS[rbits]).astype(uint)  # [*shape], random bits
    mantissa = lax.shift_right_logical(r, uint(rbits - finfo.nmant))  # the top nmant bits
    one = np.array(1.0, dtype).view(uint)  # 1.0's exponent, mantissa 0
    floats = lax.bitcast_convert_type(mantissa | one, dtype) - jnp.asarray(1.0, dtype)  # [0, 1)
    low, high = jnp.asarray(minval, dtype), jnp.asarray(maxval, dtype)
    return jnp.maximum(low, floats * (high - low) + low)  # [*shape]
