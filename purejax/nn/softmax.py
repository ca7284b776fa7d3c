"""Functions along an axis: `softmax`, `log_softmax`, `logsumexp`, `standardize`, `one_hot`, `glu`.

The softmax family is stable because of one identity: for any constant `c`,

    log sum_j exp(x_j) = c + log sum_j exp(x_j - c)

and with `c = max_j x_j` every `exp` is at most 1 (no overflow) and one of them is exactly 1 (the
sum cannot underflow to 0). The shift is wrapped in `stop_gradient`: the result does not depend on
`c`, so its gradient through `c` is zero anyway, and skipping it saves work.

`standardize` centres and scales along the axis, `one_hot` inserts a class axis, and `glu` splits
the axis in halves and gates one half with the `sigmoid` of the other.

Counterpart: `jax.nn.softmax`, `log_softmax`, `logsumexp` (= `jax.scipy.special.logsumexp`,
jax/_src/ops/special.py), `standardize`, `one_hot`, `glu` (jax/_src/nn/functions.py). Same op order.

Each public function checks its arguments before the jitted body: arrays (`None` and strings
refused), axes in `[-ndim, ndim)` (never wrapped around), `num_classes` an integer.

Differences:
  `logsumexp` supports real dtypes only (no complex inputs); an axis outside the array is
  refused (the `% ndim` jax's reductions never do, so no difference there, but `glu` and
  `standardize` fail in jax with an `IndexError`). `one_hot` takes only an integer `axis` (no
  named `vmap`/`shard_map` axis). `softmax` follows `jax_softmax_custom_jvp` as jax does.
  `standardize` refuses a negative `epsilon` (jax returns NaN for a constant row).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal, overload

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.checks import (
    check_axes,
    check_axis,
    check_bool,
    check_choice,
    check_dtype,
    check_int,
    check_number,
)
from purejax.nn.activations import array_argument, sigmoid


def _float(*arrays):
    """Promote to a common inexact dtype (ints -> the default float), as jax's `promote_args_inexact`."""
    dtype = jnp.result_type(*arrays)
    if not jnp.issubdtype(dtype, jnp.inexact):
        dtype = jax.dtypes.canonicalize_dtype(np.float64)
    return [jnp.asarray(a).astype(dtype) for a in arrays]


def _reduction_dims(ndim: int, axis) -> tuple[int, ...]:
    dims = tuple(range(ndim)) if axis is None else check_axes("purejax.nn.logsumexp", "axis", axis, ndim)
    if len(set(dims)) != len(dims):
        raise ValueError(f"purejax.nn.logsumexp: duplicate value in 'axis': {axis}")
    return dims


def axis_argument(function: str, axis, ndim: int) -> Any:
    """`axis` (None, an int, or a tuple or list of ints) checked against `ndim`; a list as a tuple."""
    if axis is None:
        return None
    check_axes(f"purejax.nn.{function}", "axis", axis, ndim)
    return tuple(axis) if isinstance(axis, list) else axis


def optional_array(function: str, name: str, value):
    """None, or an array checked as `array_argument` does."""
    return None if value is None else array_argument(function, name, value)


@overload
def logsumexp(
    a, axis=None, b=None, keepdims: bool = False, return_sign: Literal[False] = False, where=None
) -> jax.Array: ...


@overload
def logsumexp(
    a, axis=None, b=None, keepdims: bool = False, *, return_sign: Literal[True], where=None
) -> tuple[jax.Array, jax.Array]: ...


@overload
def logsumexp(
    a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False, where=None
) -> jax.Array | tuple[jax.Array, jax.Array]: ...


def logsumexp(
    a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False, where=None
) -> jax.Array | tuple[jax.Array, jax.Array]:
    """`log(sum(b * exp(a)))` over `axis`, computed without overflow.

        m   = stop_gradient(max(a))  (0 if that max is not finite)
        out = m + log|sum(b * exp(a - m))|

    Args:
      a: any shape.
      axis: int, tuple of ints, or None (all axes).
      b: optional weights broadcastable to `a`; where `b == 0` the term is dropped, even for
        `a = inf`.
      keepdims: keep the reduced axes with size 1.
      return_sign: also return the sign of the sum (weights may be negative).
      where: optional boolean mask of the elements to include.

    Returns:
      The reduced array, NaN where the weighted sum is negative; or `(log|sum|, sign)` when
      `return_sign`.

    Counterpart: `jax.nn.logsumexp` (= `jax.scipy.special.logsumexp`, jax/_src/ops/special.py).

    Differences:
      Real dtypes only (jax also reduces complex arrays).
    """
    a = array_argument("logsumexp", "a", a)
    b, where = optional_array("logsumexp", "b", b), optional_array("logsumexp", "where", where)
    check_bool("purejax.nn.logsumexp", "keepdims", keepdims)
    check_bool("purejax.nn.logsumexp", "return_sign", return_sign)
    if where is not None:
        a = jnp.where(where, a, 0)
    if b is not None:
        a, b = _float(a, b)
        a = jnp.where(b != 0, a, -np.inf)  # a zero weight removes the term
    else:
        (a,) = _float(a)
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        raise NotImplementedError("purejax.nn.logsumexp: complex inputs are not supported")
    dims = _reduction_dims(a.ndim, axis)
    amax = jnp.max(a, axis=dims, keepdims=keepdims, where=where, initial=-np.inf)
    amax = lax.stop_gradient(lax.select(jnp.isfinite(amax), amax, lax.full_like(amax, 0)))  # the shift
    amax_with_dims = amax if keepdims else lax.expand_dims(amax, sorted(dims))
    exp_a = lax.exp(lax.sub(a, amax_with_dims))  # each <= 1
    if b is not None:
        exp_a = lax.mul(exp_a, b)
    sumexp = exp_a.sum(axis=dims, keepdims=keepdims, where=where)
    sign = lax.sign(sumexp)
    out = lax.add(lax.log(abs(sumexp)), amax)
    if return_sign:
        return out, sign
    if b is not None:
        out = jnp.where(sign < 0, jnp.array(np.nan, dtype=out.dtype), out)  # log of a negative sum
    return out


def log_softmax(x, axis=-1, where=None):
    """`x - logsumexp(x)` along `axis`: log-probabilities, each <= 0.

    Args:
      x: any shape.
      axis: int, tuple of ints, or None (all axes).
      where: optional boolean mask; masked-out outputs are `-inf`.

    Returns:
      Same shape as `x`. If any input is `+inf` the result is NaN along that axis, as in jax.

    Counterpart: `jax.nn.log_softmax`.
    """
    x = array_argument("log_softmax", "x", x)
    axis = axis_argument("log_softmax", axis, jnp.ndim(x))
    return _log_softmax(x, axis, optional_array("log_softmax", "where", where))


@partial(jax.jit, static_argnames=("axis",))
def _log_softmax(x, axis=-1, where=None):
    x = jnp.asarray(x)
    x_max = jnp.max(x, axis, where=where, initial=-np.inf, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    shifted = x_safe - lax.stop_gradient(x_max)  # each <= 0
    shifted_logsumexp = jnp.log(jnp.sum(jnp.exp(shifted), axis, where=where, keepdims=True))
    result = shifted - shifted_logsumexp
    if where is not None:
        return jnp.where(where, result, -np.inf)
    return result


def softmax(x, axis=-1, where=None):
    """`exp(x - max(x)) / sum(exp(x - max(x)))` along `axis`: probabilities that sum to 1.

    Args:
      x: any shape.
      axis: int, tuple of ints, or None (all axes).
      where: optional boolean mask; masked-out outputs are 0.

    Returns:
      Same shape as `x`. If any input is `+inf` the result is NaN along that axis, as in jax.

    Counterpart: `jax.nn.softmax`. Like jax, autodiff through the formula (with a `stop_gradient`
    shift) by default, and a `custom_jvp`, `dy = y * (dx - sum(y * dx))`, under
    `jax_softmax_custom_jvp=True`.
    """
    x = array_argument("softmax", "x", x)
    axis = axis_argument("softmax", axis, jnp.ndim(x))
    where = optional_array("softmax", "where", where)
    # jax.config defines its flags as attributes at run time, so the checker cannot see them.
    if jax.config.jax_softmax_custom_jvp:  # pyright: ignore[reportAttributeAccessIssue]
        return _softmax(x, axis, where)
    return _softmax_autodiff(x, axis, where)


def _softmax_autodiff(x, axis=-1, where=None, initial=-np.inf):
    x_max = jnp.max(x, axis, where=where, initial=initial, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, initial)
    unnormalized = jnp.exp(x_safe - lax.stop_gradient(x_max))  # each <= 1
    result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
    if where is not None:
        result = jnp.where(where, result, 0)
    return result


@partial(jax.custom_jvp, nondiff_argnums=(1,))
def _softmax(x, axis=-1, where=None, initial=-np.inf):
    x_max = jnp.max(x, axis, where=where, initial=initial, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, initial)
    unnormalized = jnp.exp(x_safe - x_max)
    result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
    if where is not None:
        result = jnp.where(where, result, 0)
    return result


@_softmax.defjvp
def _softmax_jvp(axis, primals, tangents):
    (x, where, initial), (x_dot, _, _) = primals, tangents
    y = _softmax(x, axis, where, initial)
    return y, y * (x_dot - (y * x_dot).sum(axis, where=where, keepdims=True))  # Jacobian diag(y) - y y^T


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *, algorithm: str = "fast"):
    """`(x - mean) / sqrt(variance + epsilon)` along `axis`.

    With `algorithm="fast"` (jax's default) `variance = mean(x**2) - mean(x)**2`, clipped at 0
    (rounding can make it negative); `"stable"` uses the two-pass `mean((x - mean(x))**2)`.

    Args:
      x: any shape.
      axis: int, tuple of ints, or None (all axes).
      mean, variance: optional precomputed statistics, broadcastable to `x` with `axis` kept.
      epsilon: added to the variance.
      where: optional boolean mask of the elements the statistics use.

    Returns:
      Same shape as `x`.

    Counterpart: `jax.nn.standardize`.
    """
    fn = "purejax.nn.standardize"
    x = array_argument("standardize", "x", x)
    axis = axis_argument("standardize", axis, jnp.ndim(x))
    mean, variance = optional_array("standardize", "mean", mean), optional_array("standardize", "variance", variance)
    check_number(fn, "epsilon", epsilon, minimum=0)
    check_choice(fn, "algorithm", algorithm, ("fast", "stable"))
    where = optional_array("standardize", "where", where)
    return _standardize(x, axis, mean, variance, epsilon, where, algorithm=algorithm)


@partial(jax.jit, static_argnames=("axis", "algorithm"))
def _standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *, algorithm: str = "fast"):
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "stable":
            variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True, where=where)
        else:  # "fast", checked by `standardize`
            variance = jnp.mean(jnp.square(x), axis, keepdims=True, where=where) - jnp.square(mean)
            variance = jnp.clip(variance, 0)  # E[x^2] - E[x]^2 may round below 0
    return jnp.subtract(x, mean) * lax.rsqrt(variance + epsilon)


@partial(jax.jit, static_argnames=("num_classes", "dtype", "axis"))
def _one_hot(x, num_classes, *, dtype, axis):
    out_axis = axis % (x.ndim + 1)  # where the class axis goes in the output
    lhs = lax.expand_dims(x, (axis,))  # [..., 1, ...]
    rhs_shape = [1] * x.ndim
    rhs_shape.insert(out_axis, num_classes)
    rhs = lax.broadcasted_iota(x.dtype, rhs_shape, out_axis)  # [1, ..., num_classes, ..., 1]
    return (lhs == rhs).astype(dtype)


def one_hot(x, num_classes: int, *, dtype=None, axis: int = -1):
    """`out[..., c, ...] = 1` where `x[...] == c`, else 0; out-of-range indices give all zeros.

    Args:
      x: integer indices, any shape `[*s]`.
      num_classes: the length of the new axis (static).
      dtype: output dtype (default float32, float64 under x64).
      axis: where the new axis goes in the output.

    Returns:
      `dtype[*s]` with a `num_classes` axis inserted at `axis`.

    Counterpart: `jax.nn.one_hot`.

    Differences:
      `axis` must be an int (jax also takes a named mapped axis). Float indices are accepted
      silently (jax warns that they are deprecated).
    """
    fn = "purejax.nn.one_hot"
    x = jnp.asarray(array_argument("one_hot", "x", x))
    num_classes = check_int(fn, "num_classes", num_classes, minimum=0)
    check_dtype(fn, "dtype", dtype, optional=True)
    check_axis(fn, "axis", axis, x.ndim + 1)  # where the class axis goes in the output
    dtype = jax.dtypes.canonicalize_dtype(np.float64 if dtype is None else dtype)
    return _one_hot(x, num_classes, dtype=dtype, axis=int(axis))


def glu(x, axis: int = -1):
    """Gated linear unit: split `x` in halves `a, b` along `axis`; return `a * sigmoid(b)`.

    Args:
      x: `[..., 2 * n, ...]`, the size along `axis` even.
      axis: the axis to split.

    Returns:
      `[..., n, ...]`.

    Counterpart: `jax.nn.glu`.

    References:
      Dauphin, Fan, Auli, Grangier, *Language Modeling with Gated Convolutional Networks*, 2017,
      https://arxiv.org/abs/1612.08083
    """
    x = jnp.asarray(array_argument("glu", "x", x))
    check_axis("purejax.nn.glu", "axis", axis, x.ndim)
    return _glu(x, axis)


@partial(jax.jit, static_argnames=("axis",))
def _glu(x, axis: int = -1):
    x = jnp.asarray(x)
    if x.shape[axis] % 2:
        raise ValueError(f"purejax.nn.glu: the size of axis {axis} must be even, got shape {x.shape}")
    a, b = jnp.split(x, 2, axis)  # value half, gate half
    return a * sigmoid(b)
