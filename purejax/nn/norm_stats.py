"""What every normalization layer computes: statistics, then `(x - mean) / std * scale + bias`.

`compute_stats` gives the mean and variance over some axes, in at least float32, optionally also
averaged across devices; `normalize` applies them and the learned `scale` and `bias`. LayerNorm,
RMSNorm, GroupNorm (`normalization.py`) and BatchNorm (`batch_norm.py`) differ only in the axes
they hand these two functions, and in BatchNorm's running averages.

Counterpart: `flax.linen.normalization._compute_stats`, `_normalize`, `_canonicalize_axes`
(flax/linen/normalization.py).
"""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp
from jax import lax

from purejax.nn.dtypes import result_dtype
from purejax.nn.module import Scope

Axes = Any  # an int or a sequence of ints


def canonicalize_axes(rank: int, axes: Axes) -> tuple[int, ...]:
    """Axes as a sorted tuple of distinct non-negative ints (`-1` of a rank-3 array is 2)."""
    axes = axes if isinstance(axes, (list, tuple)) else (axes,)
    return tuple(sorted({rank + a if a < 0 else a for a in axes}))


def _abs_sq(x):
    """|x|**2, elementwise (real**2 + imag**2 for complex x)."""
    if jnp.iscomplexobj(x):
        return lax.square(lax.real(x)) + lax.square(lax.imag(x))
    return lax.square(x)


def compute_stats(x, axes, dtype, axis_name=None, axis_index_groups=None, use_mean=True,
                   use_fast_variance=True, mask=None, force_float32_reductions=True):
    """`(mean, var)` of `x` over `axes`, in at least float32.

    fast:  var = max(0, E[|x|^2] - |E[x]|^2)     (one pass; clipped, as round-off can make it < 0)
    slow:  var = E[|x - E[x]|^2]                 (two passes, more accurate)
    With `axis_name`, the means are also averaged over that named axis (`lax.pmean`), the two
    means stacked into one collective. With `use_mean=False` (RMSNorm): mean = 0, var = E[|x|^2].
    """
    dtype = jnp.result_type(x) if dtype is None else dtype
    if force_float32_reductions:
        dtype = jnp.promote_types(dtype, jnp.float32)  # no half-precision statistics
    x = jnp.asarray(x, dtype)
    axes = canonicalize_axes(x.ndim, axes)
    mask = None if mask is None else jnp.asarray(mask, dtype=bool)

    def mean(*xs):
        mus = tuple(v.mean(axes, where=mask) for v in xs)  # each [kept axes]
        if axis_name is None:
            return mus if len(xs) > 1 else mus[0]
        if len(xs) > 1:  # one collective for both means
            reduced = lax.pmean(jnp.stack(mus, axis=0), axis_name, axis_index_groups=axis_index_groups)
            return tuple(reduced[i] for i in range(len(xs)))
        return lax.pmean(mus[0], axis_name, axis_index_groups=axis_index_groups)

    if not use_mean:
        var = mean(_abs_sq(x))  # mean square
        return jnp.zeros_like(var), var
    if use_fast_variance:
        mu, mu2 = mean(x, _abs_sq(x))
        return mu, jnp.maximum(0.0, mu2 - _abs_sq(mu))
    mu = mean(x)
    return mu, mean(_abs_sq(x - jnp.expand_dims(mu, axes)))  # [kept axes]


def normalize(scope: Scope, x, mean, var, reduction_axes, feature_axes, dtype, param_dtype, epsilon,
               use_bias, use_scale, bias_init, scale_init, force_float32_reductions=True):
    """`(x - mean) * (rsqrt(var + epsilon) * scale) + bias`, in Flax's order of operations.

    `mean` and `var` lack the `reduction_axes`; `scale` and `bias` are parameters of shape
    `[x.shape[a] for a in feature_axes]`, created here in this order (scale, then bias).
    """
    reduction_axes = canonicalize_axes(x.ndim, reduction_axes)
    feature_axes = canonicalize_axes(x.ndim, feature_axes)
    feature_shape = tuple(x.shape[a] if a in feature_axes else 1 for a in range(x.ndim))  # [1, ..., features]
    param_shape = tuple(x.shape[a] for a in feature_axes)  # [features]

    mean = jnp.expand_dims(mean, reduction_axes)  # [x's rank, 1 on reduced axes]
    var = jnp.expand_dims(var, reduction_axes)
    y = x - mean  # centre
    mul = lax.rsqrt(var + epsilon)  # 1 / standard deviation
    args = [x]
    if use_scale:
        scale = scope.param("scale", scale_init, param_shape, param_dtype).reshape(feature_shape)
        if not force_float32_reductions:
            scale = jnp.asarray(scale, param_dtype)
        mul = mul * scale  # gain
        args.append(scale)
    y = y * mul
    if use_bias:
        bias = scope.param("bias", bias_init, param_shape, param_dtype).reshape(feature_shape)
        if not force_float32_reductions:
            bias = jnp.asarray(bias, param_dtype)
        y = y + bias  # shift
        args.append(bias)
    return jnp.asarray(y, result_dtype(*args, dtype=dtype))
