"""Threefry-2x32: the counter-based hash under every purejax.random function.

Why a hash and not a generator with hidden state? A JAX function must be pure: same inputs, same
outputs, so that `jit`, `vmap` and `grad` may trace, batch, reorder or re-run it. A classic RNG
(`numpy.random`, `torch.manual_seed`) mutates a global state on every draw, which a traced
function cannot see. A counter-based generator has no state at all: random bits are a *hash* of
(key, counter), so

    bits[i] = threefry_2x32(key, i)          # any i, any order, in parallel

and "a new random stream" is just a new key, made by hashing the old one (`split`, `fold_in`).
The key is an ordinary `uint32[2]` array that you pass in and get back, like any other value.

The hash: two 32-bit words `(x0, x1)` go through 20 rounds of add, rotate, xor (the "MIX"
function), with the key words (plus a parity word) injected after every 4 rounds:

    ks = (k0, k1, k0 ^ k1 ^ 0x1BD11BDA)              # key schedule; the constant is Threefish's
    x0 += ks[0];  x1 += ks[1]
    for i in 0..4:                                    # 5 groups of 4 rounds
        for r in ROTATIONS[i % 2]:
            x0 += x1;  x1 = rotl(x1, r);  x1 ^= x0   # MIX
        x0 += ks[(i + 1) % 3];  x1 += ks[(i + 2) % 3] + (i + 1)   # key injection

All arithmetic wraps modulo 2**32 (uint32), so the whole thing is integer work and bitwise
reproducible on every backend.

Two spellings of the same rounds, chosen per platform as JAX chooses (`lax.platform_dependent`):
on a GPU or TPU the 20 rounds are written out (one straight-line kernel); on the CPU the five
groups run as a `lax.fori_loop`. The loop matters on the CPU because XLA fuses an elementwise
producer into each of its consumers: unrolled, the hash of a dropout mask shared by the batch and
the heads (`[1, 1, q, kv]`, broadcast to `[batch, heads, q, kv]`) is recomputed for every element
of every consumer, in the forward pass and again in the backward pass, while a loop is computed
once and its result stored. The bits are the same either way.

Counterpart: `jax._src.random.threefry2x32` (`threefry_2x32`, `threefry2x32_p` and its lowering).

References:
  John K. Salmon, Mark A. Moraes, Ron O. Dror, David E. Shaw, *Parallel random numbers: as easy as
  1, 2, 3*, SC 2011. https://doi.org/10.1145/2063384.2063405
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.checks import check_array

ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))  # rotation distances, alternating groups
KEY_PARITY = np.uint32(0x1BD11BDA)  # Threefish's key-schedule constant


def _rotate_left(x, d):
    """Rotate each uint32 in `x` left by `d` bits (an int, or a uint32 scalar inside the loop)."""
    d = jnp.asarray(d, np.uint32)
    return lax.shift_left(x, d) | lax.shift_right_logical(x, np.uint32(32) - d)


@jax.jit  # traced once per shape: eagerly, the loop and the platform switch are not rebuilt per call
def threefry2x32_words(k0, k1, x0, x1):
    """Hash counter words `(x0, x1)` under key words `(k0, k1)`: the 20-round Threefry-2x32.

    Args:
      k0, k1: uint32 scalars, the two key words.
      x0, x1: uint32 arrays of one shape, the two counter words of each element.

    Returns:
      `(y0, y1)`: uint32 arrays of that shape.
    """
    ks = (k0, k1, k0 ^ k1 ^ KEY_PARITY)  # key schedule
    x0, x1 = x0 + ks[0], x1 + ks[1]
    return tuple(lax.platform_dependent(ks, x0, x1, cpu=_groups_looped, default=_groups_unrolled))


def _mix(x0, x1, r):
    """One round: add, rotate by `r`, xor."""
    x0 = x0 + x1  # MIX: add,
    x1 = _rotate_left(x1, r)  # rotate,
    return x0, x0 ^ x1  # xor


def _groups_unrolled(ks, x0, x1):
    """The five groups of four rounds, written out (GPU, TPU: one straight-line kernel)."""
    for i in range(5):
        for r in ROTATIONS[i % 2]:
            x0, x1 = _mix(x0, x1, r)
        x0 = x0 + ks[(i + 1) % 3]  # key injection
        x1 = x1 + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1


def _groups_looped(ks, x0, x1):
    """The same five groups as a `fori_loop` (CPU: computed once, not fused into every consumer)."""
    rotations = jnp.asarray(ROTATIONS, np.uint32)  # [2, 4]
    schedule = jnp.stack(ks)  # [3]

    def group(i, words):
        x0, x1 = words
        for j in range(4):
            x0, x1 = _mix(x0, x1, rotations[i % 2, j])
        x0 = x0 + schedule[(i + 1) % 3]  # key injection
        x1 = x1 + schedule[(i + 2) % 3] + (i + 1).astype(np.uint32)
        return x0, x1

    return lax.fori_loop(0, 5, group, (x0, x1))


def threefry_2x32(key, count):
    """Apply the Threefry-2x32 hash to an array of counters.

    The counters are flattened, padded with one zero if their number is odd, and split in two
    halves that serve as the words `x0` and `x1`; the two output halves are joined back:

        [c0, c1, c2, c3] -> x0 = [c0, c1], x1 = [c2, c3] -> [y0[0], y0[1], y1[0], y1[1]]

    Args:
      key: `uint32[2]`, the key words `(k0, k1)`.
      count: uint32 array of any shape.

    Returns:
      uint32 array of `count`'s shape.

    Counterpart: `jax.random.threefry_2x32` (jax/_src/random/threefry2x32.py).
    """
    where = "purejax.random.threefry_2x32"
    key = jnp.asarray(check_array(where, "key", key))
    count = jnp.asarray(check_array(where, "count", count))
    if key.dtype != np.uint32 or key.shape != (2,):
        raise TypeError(
            f"{where}: key must be uint32[2], got {key.dtype}{list(key.shape)}; write purejax.random.PRNGKey(0)"
        )
    if count.dtype != np.uint32:
        raise TypeError(
            f"{where}: count must be an array of dtype uint32, got {count.dtype}{list(count.shape)}; write "
            "jnp.asarray(count, jnp.uint32)"
        )
    flat = count.ravel()  # [n]
    odd = flat.shape[0] % 2
    if odd:
        flat = jnp.concatenate([flat, jnp.zeros((1,), np.uint32)])  # [n + 1]
    x0, x1 = jnp.split(flat, 2)  # [n_pad / 2] each
    y0, y1 = threefry2x32_words(key[0], key[1], x0, x1)
    out = jnp.concatenate([y0, y1])  # [n_pad]
    return (out[:-1] if odd else out).reshape(count.shape)
