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

Every function checks its arguments first (`check_key`, `canonical_shape`): a key must be a
`uint32[2]` array, a shape a tuple of static non-negative integers. Python and NumPy values (a
seed, `fold_in`'s data) are checked for range as well; traced values only for dtype and shape, so
the checks cost nothing under `jit`.

Differences:
  Only raw `uint32[2]` keys; typed keys (`jax.random.key`) are refused with a pointer to
  `jax.random.key_data`. The legacy non-partitionable scheme is not offered. Arrays of 2**32
  elements or more are refused. Where JAX lets bad input through, purejax refuses it: a bool seed
  or `num` (JAX: `PRNGKey(True)` is `PRNGKey(1)`, `split(key, True)` one key), `fold_in` data
  that is a float (JAX truncates it), a bool, or a NumPy integer outside [0, 2**32) (JAX wraps it).
"""

from __future__ import annotations

import math
import operator

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.checks import check_array, check_dtype, check_int, describe, is_integer
from purejax.random.threefry import threefry2x32_words, threefry_2x32

UINT_DTYPES = {8: np.dtype("uint8"), 16: np.dtype("uint16"), 32: np.dtype("uint32"), 64: np.dtype("uint64")}


def check_key(name: str, key):
    """Return `key` as a `uint32[2]` array, or raise an error that says what came instead."""
    where = f"purejax.random.{name}"
    if key is None or isinstance(key, (str, bytes)):
        raise TypeError(f"{where}: key must be a uint32[2] key, got {describe(key)}; write purejax.random.PRNGKey(0)")
    check_array(where, "key", key)
    dtype = getattr(key, "dtype", None)
    # jax.dtypes.issubdtype is public (documented); jax re-exports it without `as`, so the checker
    # takes it for a private import.
    if dtype is not None and jax.dtypes.issubdtype(  # pyright: ignore[reportPrivateImportUsage]
        dtype, jax.dtypes.prng_key
    ):
        raise TypeError(
            f"{where}: key must be a raw key, uint32[2] from purejax.random.PRNGKey, got a typed key "
            f"{dtype}; use jax.random.key_data(key) to get its uint32[2] data"
        )
    key = jnp.asarray(key)
    if key.dtype != np.uint32:
        raise TypeError(
            f"{where}: key must be a key of dtype uint32 and shape (2,) (from PRNGKey, split or fold_in), "
            f"got {key.dtype}{list(key.shape)}; write purejax.random.PRNGKey(0)"
        )
    if key.shape != (2,):
        raise ValueError(
            f"{where}: key must be a single key of shape (2,), got shape {key.shape}; for a batch of keys use jax.vmap"
        )
    return key


def canonical_shape(name: str, shape, argname: str = "shape") -> tuple[int, ...]:
    """Return `shape` as a tuple of Python ints; refuse traced, non-integer or negative dimensions."""
    where = f"purejax.random.{name}"
    expected = f"{argname} must be a tuple of non-negative integers"
    if is_integer(shape) or isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        hint = f"; write ({shape},)" if is_integer(shape) else "; write e.g. (3,)"
        raise TypeError(f"{where}: {argname} must be a tuple of ints such as (3,), got {describe(shape)}{hint}")
    dims = []
    for d in shape:
        integer_array = hasattr(d, "dtype") and np.ndim(d) == 0 and jnp.issubdtype(d.dtype, jnp.integer)
        if not (is_integer(d) or integer_array):
            raise TypeError(f"{where}: {expected}, got {describe(shape)}; write e.g. (3, 4)")
        try:
            dims.append(operator.index(d))
        except TypeError:  # a traced integer: its value is unknown while tracing
            raise TypeError(
                f"{where}: {argname} must be static (a tuple of Python ints), got {shape!r}. Under jit, "
                "mark the shape argument static (static_argnums)."
            ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{where}: {expected}, got {tuple(dims)}")
    return tuple(dims)


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
      seed: a scalar integer (Python int in [-2**63, 2**63), NumPy or JAX integer, possibly traced).

    Returns:
      `uint32[2]`: `[seed >> 32, seed & 0xFFFFFFFF]`. Without `jax_enable_x64` the seed is first
      cut to 32 bits, as in JAX, so the high word is 0 and seeds that differ by a multiple of
      2**32 give the same key (`PRNGKey(2**32) == PRNGKey(0)`).

    Counterpart: `jax.random.PRNGKey`.

    Differences:
      A bool, float, string or None seed is a `TypeError` and a Python int outside 64 bits a
      `ValueError` naming the range (JAX: `PRNGKey(True)` is `PRNGKey(1)`, and `OverflowError:
      Python int too large to convert to C long`).
    """
    where = "purejax.random.PRNGKey"
    if isinstance(seed, (bool, np.bool_)) or seed is None or isinstance(seed, (str, bytes)):
        raise TypeError(f"{where}: seed must be an integer seed, got {describe(seed)}; write e.g. PRNGKey(0)")
    if isinstance(seed, int):  # as JAX: go through int64 so that Python hashes are accepted
        if not -(2**63) <= seed < 2**63:
            raise ValueError(
                f"{where}: seed must be an integer in [-2**63, 2**63), got {seed}; reduce it, e.g. seed % 2**63"
            )
        seed = np.int64(seed)
    given = seed
    check_array(where, "seed", seed)
    seed = jnp.asarray(seed)
    if seed.shape:
        raise TypeError(
            f"{where}: seed must be a scalar seed, got shape {seed.shape}; for a batch of keys use jax.vmap(PRNGKey)"
        )
    if not jnp.issubdtype(seed.dtype, jnp.integer):
        raise TypeError(f"{where}: seed must be an integer seed, got {describe(given)}; write e.g. PRNGKey(int(seed))")
    hi = lax.shift_right_logical(seed, jnp.asarray(32, seed.dtype))  # 0 for 32-bit seeds
    return jnp.stack([hi.astype(np.uint32), seed.astype(np.uint32)])  # [2]


def split(key, num: int | tuple[int, ...] = 2) -> jax.Array:
    """Make `num` new independent keys from `key`.

    Args:
      key: `uint32[2]`.
      num: the number of keys (a static non-negative integer), or a shape for an array of keys.

    Returns:
      `uint32[num, 2]` (or `uint32[*num, 2]`).

    Counterpart: `jax.random.split`.
    """
    key = check_key("split", key)
    if isinstance(num, (tuple, list)) or hasattr(num, "dtype"):  # a shape, or an integer array
        shape = canonical_shape("split", tuple(num) if isinstance(num, (tuple, list)) else (num,), "num")
    else:
        hint = "write split(key, 2), or split(key, (2, 3)) for an array of keys"
        shape = (check_int("purejax.random.split", "num", num, minimum=0, hint=hint),)
    hi, lo = iota_2x32(shape)
    y0, y1 = threefry2x32_words(key[0], key[1], hi, lo)  # [*shape] each
    return jnp.stack([y0, y1], axis=-1)  # [*shape, 2]


def fold_in(key, data) -> jax.Array:
    """Mix a 32-bit integer into a key, e.g. a step number or a device index.

    Args:
      key: `uint32[2]`.
      data: a scalar integer: a Python or NumPy int in [0, 2**32), or an integer array of shape
        `()` (possibly traced: its value is converted to uint32 as in JAX, negatives wrapping).

    Returns:
      `uint32[2]`: `threefry_2x32(key, [0, data])`.

    Counterpart: `jax.random.fold_in`.
    """
    where = "purejax.random.fold_in"
    key = check_key("fold_in", key)
    value = data.item() if isinstance(data, np.ndarray) and data.ndim == 0 else data  # a host value
    if is_integer(value):
        if not 0 <= value < 2**32:
            raise ValueError(
                f"{where}: data must be an integer in [0, 2**32), got {describe(data)}; wrap it: data % 2**32"
            )
    else:
        check_array(where, "data", data)
        if np.ndim(data):
            raise TypeError(f"{where}: data must be a scalar data, got shape {np.shape(data)}; use jax.vmap")
        dtype = data.dtype if hasattr(data, "dtype") else np.asarray(data).dtype
        if not jnp.issubdtype(dtype, jnp.integer):
            raise TypeError(
                f"{where}: data must be an integer, got {describe(data)}; write e.g. fold_in(key, int(step))"
            )
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
    dtype = np.uint64 if dtype is None else dtype
    where = "purejax.random.bits"
    dtype = check_dtype(
        where, "dtype", dtype, jnp.unsignedinteger, "an unsigned integer dtype", hint="write jnp.uint32"
    )
    dtype = jax.dtypes.canonicalize_dtype(dtype)
    return random_bits(key, dtype.itemsize * 8, canonical_shape("bits", shape))
