"""Discrete samplers: `bernoulli`, `randint`, `permutation`, `categorical`.

    bernoulli(key, p)     = uniform(key) < p
    randint(key, s, a, b) = a + (random 2n-bit number) mod (b - a)      # n = bits of the dtype
    permutation(key, x)   = x sorted by random 32-bit keys (repeated for long x)
    categorical(key, l)   = argmax(l + gumbel(key))                     # the Gumbel-max trick

Counterpart: `jax.random.bernoulli`, `randint`, `permutation`, `categorical`
(jax/_src/random/core.py).
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.random.continuous import check_broadcast, default_gumbel_mode, float_dtype, random_gumbel, random_uniform
from purejax.random.keys import UINT_DTYPES, canonical_shape, check_key, random_bits, split


def bernoulli(key, p=0.5, shape=None, mode="low") -> jax.Array:
    """True with probability `p`: `uniform(key, shape) < p`.

    Args:
      key: `uint32[2]`.
      p: probability, a float or float array broadcastable to `shape`.
      shape: output shape; default `p`'s shape.
      mode: "low" (one uniform) or "high" (two, for correct rates at `p` below about 1e-7).

    Returns:
      bool array of `shape`.

    Counterpart: `jax.random.bernoulli`.
    """
    key = check_key("bernoulli", key)
    if mode not in ("low", "high"):
        raise ValueError(f"purejax.random.bernoulli: mode must be 'high' or 'low', got {mode!r}")
    p = jnp.asarray(p)
    if not jnp.issubdtype(p.dtype, jnp.floating):
        raise TypeError(f"purejax.random.bernoulli: p must have a float dtype, got {p.dtype}")
    shape = canonical_shape("bernoulli", p.shape if shape is None else shape)
    check_broadcast("bernoulli", shape, p.shape)
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
      minval, maxval: integer bounds, scalars or arrays broadcastable to `shape`. Where
        `maxval <= minval` the result is `minval`, as in JAX (jax-ml/jax#222).
      dtype: an integer dtype (default int32). 8- and 16-bit dtypes are drawn as int32.

    Returns:
      Array of `shape` and `dtype`.

    Counterpart: `jax.random.randint`. The modulus leaves a bias of order
    `span * (2**(2n) mod span) / 2**(2n)`, as JAX documents.
    """
    key = check_key("randint", key)
    shape = canonical_shape("randint", shape)
    dtype = jax.dtypes.canonicalize_dtype(np.int64 if dtype is None else dtype)
    if not jnp.issubdtype(dtype, jnp.integer):
        raise TypeError(f"purejax.random.randint: dtype must be an integer dtype, got {dtype}")
    check_broadcast("randint", shape, np.shape(minval), np.shape(maxval))
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
      x: an int n, or an array.
      axis: the axis to shuffle along.
      independent: if True, every 1-D slice along `axis` is shuffled on its own.

    Returns:
      The shuffled array.

    Counterpart: `jax.random.permutation`.
    """
    key = check_key("permutation", key)
    if not np.ndim(x):
        if not jnp.issubdtype(jnp.asarray(x).dtype, jnp.integer):
            raise TypeError("purejax.random.permutation: x must be an integer or an array of rank >= 1")
        return _shuffle(key, jnp.arange(int(x)), 0)
    x = jnp.asarray(x)
    axis = axis % x.ndim
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
      logits: unnormalised log probabilities; `axis` indexes the categories.
      axis: the category axis.
      shape: output shape; must end with the batch shape (`logits.shape` without `axis`).
      replace: sample with replacement (default) or without.
      mode: the `gumbel` mode.

    Returns:
      int array of `shape`.

    Counterpart: `jax.random.categorical`.

    References:
      Kool, van Hoof, Welling, *Stochastic Beams and Where to Find Them: The Gumbel-Top-k Trick
      for Sampling Sequences Without Replacement*, ICML 2019.
    """
    key = check_key("categorical", key)
    logits = jnp.asarray(logits)
    axis = axis % logits.ndim
    batch_shape = tuple(np.delete(logits.shape, axis))
    shape = batch_shape if shape is None else canonical_shape("categorical", shape)
    check_broadcast("categorical", shape, batch_shape)
    float_dtype("categorical", logits.dtype)
    mode = mode or default_gumbel_mode()
    prefix = shape[: len(shape) - len(batch_shape)]  # extra leading sample dimensions
    if replace:
        trailing = shape[len(prefix) :]  # the batch shape, broadcast
        noise_shape = (*prefix, *trailing[:axis], logits.shape[axis], *trailing[axis:])
        noisy = random_gumbel(key, noise_shape, logits.dtype, mode) + lax.expand_dims(logits, tuple(range(len(prefix))))
        return jnp.argmax(noisy, axis=axis - logits.ndim)  # [*shape]
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise ValueError(
            f"purejax.random.categorical: {k} samples without replacement, but only {logits.shape[axis]} categories"
        )
    noisy = logits + random_gumbel(key, logits.shape, logits.dtype, mode)
    _, indices = lax.top_k(jnp.moveaxis(noisy, axis, -1), k)  # [*batch_shape, k]
    return lax.reshape(indices, shape, (indices.ndim - 1, *range(indices.ndim - 1)))
