"""Discrete samplers: `bernoulli`, `randint`, `permutation`, `categorical`.

    bernoulli(key, p)     = uniform(key) < p
    randint(key, s, a, b) = a + (random 2n-bit number) mod (b - a)      # n = bits of the dtype
    permutation(key, x)   = x sorted by random 32-bit keys (repeated for long x)
    categorical(key, l)   = argmax(l + gumbel(key))                     # the Gumbel-max trick

Counterpart: `jax.random.bernoulli`, `randint`, `permutation`, `categorical`
(jax/_src/random/core.py).

Differences:
  An axis out of range is refused (`check_axis`), never wrapped around. Where JAX accepts bad input
  silently, purejax refuses it: a probability `p` outside [0, 1] or NaN given as a Python or NumPy
  value (JAX: always True above 1, always False below 0 or at NaN), `permutation` of a negative
  count (JAX: an empty array), `replace` or `independent` that are not bools (JAX takes any truthy
  value), and a `categorical` `mode` other than "low" or "high".
"""

from __future__ import annotations

import math
import operator
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.checks import check_array, check_axis, check_bool, check_choice, check_dtype, describe, is_integer
from purejax.random.continuous import check_broadcast, check_real, gumbel_mode, random_gumbel, random_uniform
from purejax.random.keys import UINT_DTYPES, canonical_shape, check_key, random_bits, split


def bernoulli(key, p=0.5, shape=None, mode="low") -> jax.Array:
    """True with probability `p`: `uniform(key, shape) < p`.

    Args:
      key: `uint32[2]`.
      p: probability in [0, 1], a float or float array broadcastable to `shape` (the range is
        checked for Python and NumPy values).
      shape: output shape; default `p`'s shape.
      mode: "low" (one uniform) or "high" (two, for correct rates at `p` below about 1e-7).

    Returns:
      bool array of `shape`.

    Counterpart: `jax.random.bernoulli`.
    """
    where = "purejax.random.bernoulli"
    key = check_key("bernoulli", key)
    check_choice(where, "mode", mode, ("high", "low"))
    given, host = p, check_real("bernoulli", "p", p)
    p = jnp.asarray(p)
    if not jnp.issubdtype(p.dtype, jnp.floating):
        raise TypeError(f"{where}: p must have a float dtype, got {p.dtype}; write e.g. 1.0 rather than 1")
    if host is not None and not ((host >= 0) & (host <= 1)).all():
        raise ValueError(f"{where}: p must be a probability in [0, 1], got {describe(given)}; clip it first")
    shape = canonical_shape("bernoulli", p.shape if shape is None else shape)
    check_broadcast("bernoulli", shape, p=p.shape)
    return _bernoulli(key, p, shape, mode)


@partial(jax.jit, static_argnums=(2, 3))
def _bernoulli(key, p, shape, mode):
    zero, one = jnp.asarray(0.0, p.dtype), jnp.asarray(1.0, p.dtype)
    if mode == "high":
        u1, u2 = random_uniform(key, zero, one, (2, *shape), p.dtype)
        return u2 * 2.0 ** -jnp.finfo(p.dtype).nmant < p - u1  # u2 refines u1's last bit
    return random_uniform(key, zero, one, shape, p.dtype) < p


def _clip_to(x, dtype):
    """Convert integer `x` to integer `dtype`, clipping to its range instead of wrapping."""
    lo = max(jnp.iinfo(dtype).min, jnp.iinfo(x.dtype).min)
    hi = min(jnp.iinfo(dtype).max, jnp.iinfo(x.dtype).max)
    return jnp.clip(x, x.dtype.type(lo), x.dtype.type(hi)).astype(dtype)


@partial(jax.jit, static_argnums=(3, 4))
def _randint(key, minval, maxval, shape, dtype):
    # maxval may exceed dtype's range (randint(k, s, 0, 256, uint8)): then the span is one larger.
    max_out_of_range = maxval > _clip_to(jnp.asarray(jnp.iinfo(dtype).max, dtype), maxval.dtype)
    minval = jnp.broadcast_to(_clip_to(minval, dtype), shape)  # [*shape]
    maxval = jnp.broadcast_to(_clip_to(maxval, dtype), shape)  # [*shape]
    max_out_of_range = jnp.broadcast_to(max_out_of_range, shape)
    nbits = jnp.iinfo(dtype).bits
    unsigned = UINT_DTYPES[nbits]
    k1, k2 = split(key)
    higher, lower = random_bits(k1, nbits, shape), random_bits(k2, nbits, shape)  # 2n random bits
    span = (maxval - minval).astype(unsigned)
    span = jnp.where(maxval <= minval, unsigned.type(1), span)  # empty range: always minval
    span = jnp.where(max_out_of_range & (maxval > minval), span + unsigned.type(1), span)
    # (higher * 2**n + lower) mod span, without overflow: 2**n mod span = (2**(n/2) mod span)**2
    multiplier = lax.rem(unsigned.type(2 ** (nbits // 2)), span)
    multiplier = lax.rem(multiplier * multiplier, span)
    offset = lax.rem(higher, span) * multiplier + lax.rem(lower, span)
    return minval + lax.rem(offset, span).astype(dtype)  # [*shape]


def randint(key, shape, minval, maxval, dtype=None) -> jax.Array:
    """Uniform integers on [minval, maxval).

    Args:
      key: `uint32[2]`.
      shape: output shape.
      minval, maxval: integer bounds, scalars or arrays broadcastable to `shape` (float bounds
        are truncated toward zero, as in JAX; they must be finite). Where `maxval <= minval` the
        result is `minval`, as in JAX (jax-ml/jax#222).
      dtype: an integer dtype (default int32). 8- and 16-bit dtypes are drawn as int32.

    Returns:
      Array of `shape` and `dtype`.

    Counterpart: `jax.random.randint`. The modulus leaves a bias of order
    `span * (2**(2n) mod span) / 2**(2n)`, as JAX documents.
    """
    where = "purejax.random.randint"
    key = check_key("randint", key)
    shape = canonical_shape("randint", shape)
    dtype = np.int64 if dtype is None else dtype
    dtype = check_dtype(where, "dtype", dtype, jnp.integer, "an integer dtype", error=TypeError, hint="write jnp.int32")
    dtype = jax.dtypes.canonicalize_dtype(dtype)
    for argname, bound in (("minval", minval), ("maxval", maxval)):
        host = check_real("randint", argname, bound)
        if host is not None and not np.isfinite(host).all():
            raise ValueError(f"{where}: {argname} must be finite, got {describe(bound)}")
    check_broadcast("randint", shape, minval=np.shape(minval), maxval=np.shape(maxval))
    minval, maxval = jnp.asarray(minval), jnp.asarray(maxval)
    # As JAX: float bounds are truncated to integers.
    minval = minval if jnp.issubdtype(minval.dtype, jnp.integer) else minval.astype(int)
    maxval = maxval if jnp.issubdtype(maxval.dtype, jnp.integer) else maxval.astype(int)
    if jnp.iinfo(dtype).bits < 32:  # sample in 32 bits to keep the bias small
        info = jnp.iinfo(dtype)
        minval = minval.astype(np.int32).clip(int(info.min), int(info.max))
        maxval = maxval.astype(np.int32).clip(int(info.min), int(info.max) + 1)
        return _randint(key, minval, maxval, shape, np.dtype(np.int32)).astype(dtype)
    return _randint(key, minval, maxval, shape, dtype)


@partial(jax.jit, static_argnums=(2,))
def _shuffle(key, x, axis):
    # Sort by random 32-bit keys. Ties are possible, so repeat with fresh keys: 3 * log(n) / log(2**32)
    # rounds make a tie in every round unlikely (the heuristic XLA's and JAX's shuffles use).
    rounds = int(np.ceil(3 * np.log(max(1, x.size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        key, subkey = split(key)
        sort_keys = random_bits(subkey, 32, x.shape)  # [*x.shape]
        _, x = lax.sort_key_val(sort_keys, x, axis)
    return x


def permutation(key, x, axis=0, independent=False) -> jax.Array:
    """A random permutation of `arange(x)` (int `x`) or of `x`'s entries along `axis`.

    Args:
      key: `uint32[2]`.
      x: a non-negative int n (static: a Python, NumPy or concrete JAX integer), or an array of
        rank >= 1.
      axis: the axis to shuffle along, in `[-rank, rank)` (rank 1 for an int `x`).
      independent: if True, every 1-D slice along `axis` is shuffled on its own.

    Returns:
      The shuffled array.

    Counterpart: `jax.random.permutation`.
    """
    where = "purejax.random.permutation"
    key = check_key("permutation", key)
    check_bool(where, "independent", independent)
    check_array(where, "x", x)
    if not np.ndim(x):
        integer_array = hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.integer)
        if not (is_integer(x) or integer_array):
            raise TypeError(
                f"{where}: x must be an integer or an array of rank >= 1, got {describe(x)}; write "
                "permutation(key, n) for arange(n) shuffled"
            )
        check_axis(where, "axis", axis, 1)
        try:
            n = operator.index(x)
        except TypeError:  # a traced integer: the length of the result must be known while tracing
            raise TypeError(
                f"{where}: x must be a static integer (the result's length), got a traced {describe(x)}; "
                "under jit, mark it static (static_argnums) or pass jnp.arange(n)"
            ) from None
        if n < 0:
            raise ValueError(f"{where}: x must be a non-negative integer or an array, got {describe(x)}")
        return _shuffle(key, jnp.arange(n), 0)
    x = jnp.asarray(x)
    axis = check_axis(where, "axis", axis, x.ndim)
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    order = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, order, axis, unique_indices=True)


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None) -> jax.Array:
    """Draw category indices with probabilities `softmax(logits, axis)`.

    With replacement: `argmax(logits + gumbel)` (Gumbel-max). Without: the top-k of the same sum
    (Gumbel-top-k).

    Args:
      key: `uint32[2]`.
      logits: unnormalised log probabilities, a float array of rank >= 1; `axis` indexes the
        categories.
      axis: the category axis, in `[-rank, rank)`.
      shape: output shape; must end with the batch shape (`logits.shape` without `axis`).
      replace: sample with replacement (default) or without; a bool.
      mode: the `gumbel` mode, "low" or "high" (default: JAX's).

    Returns:
      int array of `shape`.

    Counterpart: `jax.random.categorical`.

    References:
      Kool, van Hoof, Welling, *Stochastic Beams and Where to Find Them: The Gumbel-Top-k Trick
      for Sampling Sequences Without Replacement*, ICML 2019.
    """
    where = "purejax.random.categorical"
    key = check_key("categorical", key)
    check_real("categorical", "logits", logits)
    logits = jnp.asarray(logits)
    if not jnp.issubdtype(logits.dtype, jnp.floating):
        raise TypeError(
            f"{where}: logits must have a float dtype, got {logits.dtype}; write logits.astype(jnp.float32)"
        )
    if logits.ndim == 0:
        raise ValueError(f"{where}: logits must have at least one axis (the categories), got a scalar")
    axis = check_axis(where, "axis", axis, logits.ndim)
    check_bool(where, "replace", replace)
    batch_shape = tuple(int(d) for d in np.delete(logits.shape, axis))
    shape = batch_shape if shape is None else canonical_shape("categorical", shape)
    try:
        fits = np.broadcast_shapes(shape, batch_shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{where}: shape must be a shape that the batch shape {list(batch_shape)} (logits' shape without "
            f"axis {axis}) broadcasts to, got {list(shape)}; write e.g. shape=(num_samples, *batch_shape)"
        )
    mode = gumbel_mode("categorical", mode)
    prefix = shape[: len(shape) - len(batch_shape)]  # extra leading sample dimensions
    if replace:
        trailing = shape[len(prefix) :]  # the batch shape, broadcast
        noise_shape = (*prefix, *trailing[:axis], logits.shape[axis], *trailing[axis:])
        noisy = random_gumbel(key, noise_shape, logits.dtype, mode) + lax.expand_dims(logits, tuple(range(len(prefix))))
        return jnp.argmax(noisy, axis=axis - logits.ndim)  # [*shape]
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise ValueError(
            f"{where}: shape must ask for at most {logits.shape[axis]} samples without replacement, got {k} "
            f"samples, but only {logits.shape[axis]} categories; pass replace=True or a smaller shape"
        )
    noisy = logits + random_gumbel(key, logits.shape, logits.dtype, mode)
    _, indices = lax.top_k(jnp.moveaxis(noisy, axis, -1), k)  # [*batch_shape, k]
    return lax.reshape(indices, shape, (indices.ndim - 1, *range(indices.ndim - 1)))
