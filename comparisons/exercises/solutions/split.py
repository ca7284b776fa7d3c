"""Exercise `split` (tour: docs/tour/02_randomness.md): new keys from a key, as `jax.random.split` makes them.

Write `split(key, num=2)` on top of the Threefry hash (given: `purejax.random.threefry_2x32`,
which is `jax.extend.random.threefry_2x32` rebuilt; or paste in your own from the
`threefry_2x32` exercise). A key is a plain `uint32[2]` array.

Use jax.numpy and jax.lax; the grader refuses a file that imports jax.random or the rest of
purejax.random. Check your file with:

    python -m comparisons exercise split --check exercises/split.py
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from purejax.random import threefry_2x32


def split(key, num=2):
    """`num` new keys, each the hash of the old key with its index.

    JAX's "partitionable" scheme (`jax_threefry_partitionable`, on by default) hashes the flat
    index `i` of each new key as two counter words, its high and low 32 bits `(hi(i), lo(i))`
    (`hi` is 0 for fewer than 2**32 keys), and both output words form key `i`:

        (y0[i], y1[i]) = threefry(key, x0 = hi(i), x1 = lo(i))
        split(key, num)[i] = [y0[i], y1[i]]

    With `threefry_2x32(key, count)`, whose first half of counters are the `x0` words and second
    half the `x1` words, that is one call on `concatenate([hi, lo])`.

    Args:
      key: `uint32[2]`.
      num: how many keys (an int), or a shape (a tuple of ints) for an array of keys.

    Returns:
      `uint32[num, 2]` (or `uint32[*num, 2]`).
    """
    shape = (num,) if isinstance(num, int) else tuple(num)
    n = math.prod(shape)
    hi = jnp.zeros((n,), jnp.uint32)  # high words of the indices
    lo = jnp.arange(n, dtype=jnp.uint32)  # low words
    words = threefry_2x32(key, jnp.concatenate([hi, lo]))  # [2 * n]: y0 then y1
    return words.reshape(2, n).T.reshape(*shape, 2)  # [*shape, 2]
