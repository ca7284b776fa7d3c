"""Norms and counters that stay finite: no NaN gradient at zero, no integer overflow.

    safe_norm(x, min_norm)             = max-like: ||x|| if ||x|| > min_norm, else min_norm,
                                         with a gradient that is finite at x = 0
    safe_root_mean_squares(x, min_rms) = the same for sqrt(mean(|x|**2))
    safe_int32_increment(count)        = count + 1, stopping at the dtype's maximum

The trick in both norms: where the norm is small, the norm is computed of ones instead of `x`, so
the derivative of `sqrt` is never taken at 0 (which would be inf, and 0 * inf = NaN).

Counterpart: `optax.safe_norm`, `optax.safe_root_mean_squares`, `optax.safe_int32_increment`
(optax/_src/numerics.py).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from purejax.checks import check_array, check_bool, check_number
from purejax.optim.base import named, where
from purejax.optim.tree_math import abs_sq, safe_increment


@named
def safe_int32_increment(count) -> jax.Array:
    """`count + 1`, stopping at the dtype's largest value instead of wrapping (Optax's older name).

    Counterpart: `optax.safe_int32_increment` (optax/_src/numerics.py), now `optax.safe_increment`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> int(optim.safe_int32_increment(jnp.array(2**31 - 1, jnp.int32)))
      2147483647
    """
    return safe_increment(count)


@named
def safe_norm(x, min_norm, ord: int | float | str | None = None, axis=None, keepdims: bool = False) -> jax.Array:
    """`jnp.linalg.norm(x, ord, axis)`, but `min_norm` where the norm is `<= min_norm`, with finite gradients.

    Args:
      x: an array.
      min_norm: the smallest value returned.
      ord, axis, keepdims: as `jnp.linalg.norm`.

    Returns:
      The norm, shaped as `jnp.linalg.norm`'s.

    Counterpart: `optax.safe_norm` (optax/_src/numerics.py).

    Examples:
      >>> import jax, jax.numpy as jnp
      >>> from purejax import optim
      >>> float(optim.safe_norm(jnp.zeros(2), 1e-6))
      9.999999974752427e-07
      >>> jax.grad(lambda x: optim.safe_norm(x, 1e-6))(jnp.zeros(2)).tolist()  # jnp.linalg.norm's: NaN
      [0.0, 0.0]
    """
    check_array(where("safe_norm"), "x", x)
    check_number(where("safe_norm"), "min_norm", min_norm)
    check_bool(where("safe_norm"), "keepdims", keepdims)
    norm = jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=True)
    x = jnp.where(norm <= min_norm, jnp.ones_like(x), x)  # a harmless stand-in where the norm is small
    norm = norm if keepdims else jnp.squeeze(norm, axis=axis)
    masked_norm = jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    return jnp.where(norm <= min_norm, min_norm, masked_norm)


@named
def safe_root_mean_squares(x, min_rms) -> jax.Array:
    """`sqrt(mean(|x|**2))`, but `min_rms` where that is `<= min_rms`, with finite gradients.

    Counterpart: `optax.safe_root_mean_squares` (optax/_src/numerics.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> round(float(optim.safe_root_mean_squares(jnp.array([3.0, 4.0]), 1e-6)) ** 2, 4)
      12.5
    """
    check_array(where("safe_root_mean_squares"), "x", x)
    check_number(where("safe_root_mean_squares"), "min_rms", min_rms)
    rms = jnp.sqrt(jnp.mean(abs_sq(x)))
    x = jnp.where(rms <= min_rms, jnp.ones_like(x), x)
    return jnp.where(rms <= min_rms, min_rms, jnp.sqrt(jnp.mean(abs_sq(x))))
