"""Keys and raw bits: `PRNGKey`, `split`, `fold_in`, `bits`.

A key is a `uint32[2]` array. It is never updated in place: to draw twice, split it first,

    key = PRNGKey(0)
    key, sub = split(key)            # `sub` for this draw, `key` to split again later
    x = normal(sub, (3,))

because drawing twice from the same key gives the same numbers twice (that is the point: the
result depends only on the key). `split` and `fold_in` make new keys by hashing the old one with
`threefry_2x32`; `bits` hashes the element indices of the output shape:

    split(key, shape)[i] = threefry(key, (hi(i), lo(i)))        # both output words form key i
    bits(key, shape)[i]  = y0 ^ y1  where (y0, y1) = threefry(key, (hi(i), lo(i)))

with `i` the flat (row-major) index as a 64-bit number cut into two 32-bit words. This is JAX's
"partitionable" Threefry scheme (`jax_threefry_partitionable`, on by default): element `i` depends
on `i` alone, so a sharded array can be generated shard by shard.

Counterpart: `jax.random.PRNGKey`, `split`, `fold_in`, `bits` (jax/_src/random/core.py,
threefry2x32.py: `threefry_split`, `threefry_fold_in`, `threefry_random_bits`).

Differences:
  Only raw `uint32[2]` keys; typed keys (`jax.random.key`) are refused with a pointer to
  `jax.random.key_data`. The legacy non-partitionable scheme is not offered. Arrays of 2**32
  elements or more are refused.
"""

from __future__ import annotations

import math
import operator

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.random.threefry import threefry2x32_words, threefry_2x32

UINT_DTYPES = {8: np.dtype("uint8"), 16: np.dtype("uint16"), 32: np.dtype("uint32"), 64: np.dtype("uint64")}


def check_key(name: str, key):
    """Return `key` as a `uint32[2]` array, or raise an error that says what came instead."""
    dtype = getattr(key, "dtype", None)
    # jax.dtypes.issubdtype is public (documented); jax re-exports it without `as`, so the checker
    # takes it for a private import.
    if dtype is not None and jax.dtypes.issubdtype(  # pyright: ignore[reportPrivateImportUsage]
        dtype, jax.dtypes.prng_key
    ):
        raise TypeError(
            f"purejax.random.{name}: expected a raw key, uint32[2] from purejax.random.PRNGKey; got a "
            f"typed key {dtype}. Use jax.random.key_data(key) to get its uint32[2] data."
        )
    key = jnp.asarray(key)
    if key.dtype != np.uint32:
        raise TypeError(
            f"purejax.random.{name}: expected a key of dtype uint32 and shape (2,) "
            f"(from PRNGKey, split or fold_in), got {key.dtype}{list(key.shape)}"
        )
    if key.shape != (2,):
        raise ValueError(
            f"purejax.random.{name}: expected a single key of shape (2,), got shape "
            f"{key.shape}. For a batch of keys use jax.vmap."
        )
    return key


def canonical_shape(name: str, shape) -> tuple[int, ...]:
    """Return `shape` as a tuple of Python ints; refuse traced or malformed shapes."""
    if isinstance(shape, (int, np.integer)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"purejax.random.{name}: shape must be a tuple of ints such as (3,), got {shape!r}")
    try:
        dims = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(
            f"purejax.random.{name}: shape must be static (a tuple of Python ints), got {shape!r}. "
            "Under jit, mark the shape argument static (static_argnums)."
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"purejax.random.{name}: shape must be non-negative, got {dims}")
    return dims


def iota_2x32(shape: tuple[int, ...]):
    """The row-major index of every element of `shape` as two uint32 words `(hi, lo)`."""
    size = math.prod(shape)
    if size >= 2**32:
        raise NotImplementedError(f"purejax.random: arrays of 2**32 elements or more, got shape {shape}")
    lo = lax.iota(np.uint32, size).reshape(shape)  # [*shape]
    return jnp.zeros(shape, np.uint32), lo


def PRNGKey(seed) -> jax.Array:
    """Make a key from an integer seed: the seed's high and low 32-bit words.

    Args:
      seed: a scalar integer (Python int, NumPy or JAX integer, possibly traced).

    Returns:
      `uint32[2]`: `[seed >> 32, seed & 0xFFFFFFFF]` (the high word is 0 for 32-bit seeds).

    Counterpart: `jax.random.PRNGKey`.
    """
    if isinstance(seed, int):  # as JAX: go through int64 so that Python hashes are accepted
        seed = np.int64(seed)
    seed = jnp.asarray(seed)
    if seed.shape:
        raise TypeError(f"purejax.random.PRNGKey: expected a scalar seed, got shape {seed.shape}")
    if not jnp.issubdtype(seed.dtype, jnp.integer):
        raise TypeError(f"purejax.random.PRNGKey: expected an integer seed, got {seed.dtype}")
    hi = lax.shift_right_logical(seed, jnp.asarray(32, seed.dtype))  # 0 for 32-bit seeds
    return jnp.stack([hi.astype(np.uint32), seed.astype(np.uint32)])  # [2]


def split(key, num: int | tuple[int, ...] = 2) -> jax.Array:
    """Make `num` new independent keys from `key`.

    Args:
      key: `uint32[2]`.
      num: the number of keys, or a shape for an array of keys.

    Returns:
      `uint32[num, 2]` (or `uint32[*num, 2]`).

    Counterpart: `jax.random.split`.
    """
    key = check_key("split", key)
    shape = canonical_shape("split", tuple(num) if isinstance(num, (tuple, list)) else (num,))
    hi, lo = iota_2x32(shape)
    y0, y1 = threefry2x32_words(key[0], key[1], hi, lo)  # [*shape] each
    return jnp.stack([y0, y1], axis=-1)  # [*shape, 2]


def fold_in(key, data) -> jax.Array:
    """Mix a 32-bit integer into a key, e.g. a step number or a device index.

    Returns:
      `uint32[2]`: `threefry_2x32(key, [0, data])`.

    Counterpart: `jax.random.fold_in`.
    """
    key = check_key("fold_in", key)
    if np.ndim(data):
        raise TypeError(f"purejax.random.fold_in: expected a scalar data, got shape {np.shape(data)}; use jax.vmap")
    data = jnp.asarray(data, dtype=np.uint32)
    return threefry_2x32(key, jnp.stack([jnp.zeros((), np.uint32), data]))


def random_bits(key, bit_width: int, shape: tuple[int, ...]) -> jax.Array:
    """Unsigned integers of `bit_width` bits, one per element of `shape` (no checks)."""
    hi, lo = iota_2x32(shape)
    y0, y1 = threefry2x32_words(key[0], key[1], hi, lo)  # [*shape] each
    dtype = UINT_DTYPES[bit_width]
    if bit_width == 64:
        return (y0.astype(dtype) << dtype.type(32)) | y1.astype(dtype)
    return (y0 ^ y1).astype(dtype)  # narrower widths keep the low bits


def bits(key, shape=(), dtype=None) -> jax.Array:
    """Uniformly random unsigned integers.

    Args:
      key: `uint32[2]`.
      shape: output shape.
      dtype: an unsigned integer dtype (default uint32, uint64 under `jax_enable_x64`).

    Returns:
      An array of `shape` and `dtype`.

    Counterpart: `jax.random.bits`.
    """
    key = check_key("bits", key)
    dtype = jax.dtypes.canonicalize_dtype(np.uint64 if dtype is None else dtype)
    if not jnp.issubdtype(dtype, jnp.unsignedinteger):
        raise ValueError(f"purejax.random.bits: dtype must be an unsigned integer dtype, got {dtype}")
    return random_bits(key, dtype.itemsize * 8, canonical_shape("bits", shape))
