"""Continuous samplers: `uniform`, `normal`, `truncated_normal`, `gumbel`.

All of them start from `uniform`, which builds floats straight from random bits: keep the top
`nmant` bits (the mantissa width), give them the exponent of 1.0, and the float lies in [1, 2):

    bits     = bits(key, shape)                    # uint32
    mantissa = bits >> (32 - 23)                   # float32 has 23 mantissa bits
    u        = bitcast(mantissa | bits(1.0)) - 1   # uniform on [0, 1), steps of 2**-23
    uniform  = max(minval, u * (maxval - minval) + minval)

`normal` is then `sqrt(2) * erf_inv(u)` for `u` uniform on (-1, 1) (inverse transform sampling);
`truncated_normal` restricts `u` to `(erf(lower / sqrt(2)), erf(upper / sqrt(2)))`; `gumbel` is
`-log(-log(u))`.

Counterpart: `jax.random.uniform`, `normal`, `truncated_normal`, `gumbel`
(jax/_src/random/core.py). Same operations in the same order, run as one jitted program as JAX
runs them.

Bounds (`minval`, `maxval`, `lower`, `upper`) must be real numbers or arrays of them. Given as
Python or NumPy values they are also checked against each other; as JAX arrays (possibly traced)
only their dtype and shape are, and ordering them is the caller's job.

Differences:
  `erf_inv` is ours (see `purejax.random.special`); `erf` for the truncation bounds is
  `jax.lax.erf`. No complex dtypes for `normal`, no `out_sharding`. Where JAX returns something
  silently wrong, purejax refuses Python and NumPy bounds: `uniform` with `minval > maxval` (JAX
  returns `minval` everywhere) or a NaN bound, `truncated_normal` with `lower >= upper` (JAX returns
  values outside the interval it promises), complex bounds (JAX drops the imaginary part).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.checks import check_array, check_choice, check_dtype, describe
from purejax.random.keys import UINT_DTYPES, canonical_shape, check_key, random_bits
from purejax.random.special import erf_inv


def float_dtype(name: str, dtype) -> np.dtype:
    """`dtype` (default float32, float64 under x64) checked to be a float dtype."""
    dtype = np.float64 if dtype is None else dtype
    dtype = check_dtype(
        f"purejax.random.{name}", "dtype", dtype, jnp.floating, "a float dtype", hint="write jnp.float32"
    )
    return jax.dtypes.canonicalize_dtype(dtype)


def check_broadcast(name: str, shape: tuple, **param_shapes) -> None:
    """Refuse parameters (minval, p, ...) whose shapes do not broadcast to exactly `shape`."""
    for param, param_shape in param_shapes.items():
        try:
            result = np.broadcast_shapes(shape, param_shape)
        except ValueError:
            result = None
        if result != shape:
            raise ValueError(
                f"purejax.random.{name}: {param} of shape {list(param_shape)} must broadcast to the requested "
                f"shape {list(shape)}; give shape= a shape that {param}'s shape broadcasts to"
            )


def check_real(name: str, argname: str, value) -> np.ndarray | None:
    """`value` must be a real number or array (integer or float dtype; not bool, complex, None or str).

    Returns its values as a NumPy array when they are known on the host (a Python or NumPy value),
    None for a JAX array (possibly traced: its values are not read).
    """
    where = f"purejax.random.{name}"
    check_array(where, argname, value)
    dtype = value.dtype if hasattr(value, "dtype") else np.asarray(value).dtype
    if not (jnp.issubdtype(dtype, jnp.integer) or jnp.issubdtype(dtype, jnp.floating)):
        raise TypeError(f"{where}: {argname} must be a real number or array, got {describe(value)}")
    if isinstance(value, jax.Array):
        return None
    host = np.asarray(value)
    if jnp.issubdtype(dtype, jnp.floating) and np.isnan(host).any():
        raise ValueError(f"{where}: {argname} must be a number, got NaN in {describe(value)}")
    return host


@partial(jax.jit, static_argnums=(3, 4))
def random_uniform(key, minval, maxval, shape, dtype):
    """`uniform`'s draw without its checks: `minval`, `maxval` arrays, `shape` a tuple, `dtype` a float dtype.

    The one jitted program every float sampler runs inside its own (`normal`, `gumbel`, `bernoulli`).
    """
    finfo = jnp.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = 8 if nmant < 8 else nbits  # bfloat16 (7 mantissa bits) draws 8 bits
    uint = UINT_DTYPES[nbits]
    draws = random_bits(key, rng_bits, shape).astype(uint)  # [*shape]
    mantissa = lax.shift_right_logical(draws, uint.type(rng_bits - nmant))  # top nmant bits
    one_bits = np.array(1.0, dtype).view(uint)  # exponent of 1.0, zero mantissa
    floats = lax.bitcast_convert_type(mantissa | one_bits, dtype) - dtype.type(1)  # [0, 1)
    minval = jnp.broadcast_to(minval.astype(dtype), shape)  # [*shape]
    maxval = jnp.broadcast_to(maxval.astype(dtype), shape)  # [*shape]
    return jnp.maximum(minval, floats * (maxval - minval) + minval)  # [*shape]


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0) -> jax.Array:
    """Uniform samples on [minval, maxval).

    Args:
      key: `uint32[2]`.
      shape: output shape.
      dtype: a float dtype (default float32).
      minval, maxval: bounds, real scalars or arrays broadcastable to `shape`; `minval <= maxval`
        (checked for Python and NumPy values).

    Returns:
      Array of `shape` and `dtype`.

    Counterpart: `jax.random.uniform`.
    """
    key = check_key("uniform", key)
    shape = canonical_shape("uniform", shape)
    dtype = float_dtype("uniform", dtype)
    low, high = check_real("uniform", "minval", minval), check_real("uniform", "maxval", maxval)
    check_broadcast("uniform", shape, minval=np.shape(minval), maxval=np.shape(maxval))
    if low is not None and high is not None and (low > high).any():
        raise ValueError(
            f"purejax.random.uniform: minval must be at most maxval, got minval {describe(minval)} and maxval "
            f"{describe(maxval)}; swap them"
        )
    return random_uniform(key, jnp.asarray(minval), jnp.asarray(maxval), shape, dtype)


@partial(jax.jit, static_argnums=(1, 2))
def _normal(key, shape, dtype):
    lo = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype), dtype=dtype)  # just above -1
    u = random_uniform(key, jnp.asarray(lo), jnp.asarray(1.0, dtype), shape, dtype)  # (-1, 1)
    return np.array(np.sqrt(2), dtype) * erf_inv(u)


def normal(key, shape=(), dtype=None) -> jax.Array:
    """Standard normal samples: density `exp(-x**2 / 2) / sqrt(2 * pi)`.

    Returns:
      Array of `shape` and `dtype` (default float32).

    Counterpart: `jax.random.normal`.
    """
    key = check_key("normal", key)
    return _normal(key, canonical_shape("normal", shape), float_dtype("normal", dtype))


@partial(jax.jit, static_argnums=(3, 4))
def _truncated_normal(key, lower, upper, shape, dtype):
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower, upper = lower.astype(dtype), upper.astype(dtype)
    a, b = lax.erf(lower / sqrt2), lax.erf(upper / sqrt2)  # the bounds in erf space, unbroadcast
    u = random_uniform(key, a, b, shape, dtype)  # [*shape]
    out = sqrt2 * erf_inv(u)
    # Rounding may land exactly on a bound: clamp into the open interval (lower, upper).
    lo = lax.nextafter(lax.stop_gradient(lower), jnp.full_like(lower, np.inf))
    hi = lax.nextafter(lax.stop_gradient(upper), jnp.full_like(upper, -np.inf))
    lo, hi = jnp.broadcast_to(lo, shape), jnp.broadcast_to(hi, shape)  # [*shape]
    return jnp.clip(out, lo, hi)


def truncated_normal(key, lower, upper, shape=None, dtype=None) -> jax.Array:
    """Standard normal samples restricted to the open interval (lower, upper).

    Args:
      key: `uint32[2]`.
      lower, upper: bounds, real scalars or arrays (infinite allowed); `lower < upper`, checked
        for Python and NumPy values (with JAX arrays that is the caller's job).
      shape: output shape; default: `lower` and `upper` broadcast together.
      dtype: a float dtype (default float32).

    Returns:
      Array of `shape` and `dtype`, every value strictly between the bounds where `lower < upper`.

    Counterpart: `jax.random.truncated_normal`.
    """
    key = check_key("truncated_normal", key)
    dtype = float_dtype("truncated_normal", dtype)
    low, high = check_real("truncated_normal", "lower", lower), check_real("truncated_normal", "upper", upper)
    if shape is None:
        try:
            shape = np.broadcast_shapes(np.shape(lower), np.shape(upper))
        except ValueError:
            raise ValueError(
                f"purejax.random.truncated_normal: lower of shape {list(np.shape(lower))} and upper of shape "
                f"{list(np.shape(upper))} must broadcast together"
            ) from None
    shape = canonical_shape("truncated_normal", shape)
    check_broadcast("truncated_normal", shape, lower=np.shape(lower), upper=np.shape(upper))
    if low is not None and high is not None and not (low < high).all():
        raise ValueError(
            f"purejax.random.truncated_normal: lower must be below upper, got lower {describe(lower)} and upper "
            f"{describe(upper)}; the interval (lower, upper) must not be empty"
        )
    return _truncated_normal(key, jnp.asarray(lower), jnp.asarray(upper), shape, dtype)


def gumbel_mode(name: str, mode) -> str:
    """`mode` checked to be "low" or "high"; None is JAX's default: "high" if
    `jax_high_dynamic_range_gumbel` is set, else "low"."""
    if mode is None:
        return "high" if getattr(jax.config, "jax_high_dynamic_range_gumbel", False) else "low"
    check_choice(f"purejax.random.{name}", "mode", mode, ("low", "high"))
    return mode


@partial(jax.jit, static_argnums=(1, 2, 3))
def random_gumbel(key, shape, dtype, mode):
    """`gumbel`'s draw without its checks: `shape` a tuple, `dtype` a float dtype, `mode` "low" or "high"."""
    finfo = jnp.finfo(dtype)
    if mode == "low":
        u = random_uniform(key, jnp.asarray(finfo.tiny, dtype), jnp.asarray(1.0, dtype), shape, dtype)
        return -jnp.log(-jnp.log(u))
    # "high": two uniforms make one with 2 * nmant bits of resolution near 0
    high, low = random_uniform(key, jnp.asarray(0.0, dtype), jnp.asarray(1.0, dtype), (2, *shape), dtype)
    x = jnp.where(high >= 0.5, high, high + 2**-finfo.nmant * low + finfo.tiny)
    return -jnp.log(-jnp.log1p(-x))


def gumbel(key, shape=(), dtype=None, mode=None) -> jax.Array:
    """Gumbel samples: density `exp(-(x + exp(-x)))`, i.e. `-log(-log(u))`.

    Args:
      key: `uint32[2]`.
      shape: output shape.
      dtype: a float dtype (default float32).
      mode: "low" (one uniform per sample, largest value about 16 in float32) or "high" (two
        uniforms, about 32); default from `jax_high_dynamic_range_gumbel`, i.e. "low".

    Returns:
      Array of `shape` and `dtype`.

    Counterpart: `jax.random.gumbel`.

    Differences:
      JAX's float32-only mode "highest" is not offered.
    """
    key = check_key("gumbel", key)
    dtype = float_dtype("gumbel", dtype)
    mode = gumbel_mode("gumbel", mode)
    return random_gumbel(key, canonical_shape("gumbel", shape), dtype, mode)
