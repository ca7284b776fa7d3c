"""Normalization layers: subtract a mean, divide by a standard deviation, then scale and shift.

Every layer here is one formula with different axes for the statistics:

    y = (x - mean) / sqrt(var + epsilon) * scale + bias

    LayerNorm   mean, var over the features of each example        (reduction_axes=-1)
    RMSNorm     mean = 0, var = mean(x**2) over the features; no bias
    GroupNorm   mean, var over each group of channels (and the spatial axes) of each example
    BatchNorm   mean, var over the batch (see `batch_norm.py`), with running averages

Two functions here do the work for all of them, as in Flax: `compute_stats` (the mean and
variance over some axes, in at least float32, optionally also averaged across devices) and
`normalize` (the formula above, with the `scale` and `bias` parameters of the feature axes), so
that our outputs agree with Flax's op for op. The layers differ only in the axes they hand these
two functions; `batch_norm.py` imports them and adds the running averages.

Shared attributes (Flax's names, order and defaults):
    epsilon: added to the variance before the square root (1e-6; BatchNorm 1e-5).
    dtype: the output dtype (default: promoted from the input and the parameters).
    param_dtype: the dtype of `scale` and `bias` (default float32).
    use_bias, use_scale: whether to learn `bias` (beta) and `scale` (gamma), each `[features]`.
    bias_init, scale_init: their initializers (zeros, ones).
    axis_name: a named axis (pmap, shard_map, vmap) over which the statistics are also averaged.
    axis_index_groups: groups of indices along `axis_name` averaged separately (`lax.pmean`).
    use_fast_variance: var = E[x^2] - E[x]^2 (one pass) rather than E[(x - E[x])^2] (default True).
    force_float32_reductions: compute the statistics in at least float32 (default True).

Counterpart: `flax.linen.LayerNorm`, `RMSNorm`, `GroupNorm`, `_compute_stats`, `_normalize`,
`_canonicalize_axes` (flax/linen/normalization.py).

Differences:
  An axis outside `[-x.ndim, x.ndim)` is refused, naming the layer and the field (Flax adds the
  rank to a negative axis once, so an axis too negative silently names another one, and fails
  with an `IndexError` on a large one). The hyperparameters are checked when the layer is built:
  a negative `epsilon`, flags that are not bools, `num_groups`/`group_size` below 1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
from jax import lax

from purejax.checks import check_array, check_axes, check_number, check_positive_int, fail
from purejax.nn import initializers
from purejax.nn.dtypes import result_dtype
from purejax.nn.module import Layer, Scope, check_fields, layer_where

Axes = Any  # an int or a sequence of ints


def canonicalize_axes(
    rank: int, axes: Axes, where: str = "purejax.nn.normalization", name: str = "axes"
) -> tuple[int, ...]:
    """Axes as a sorted tuple of distinct non-negative ints (`-1` of a rank-3 array is 2).

    An axis outside `[-rank, rank)` is refused, naming `where` and `name` (Flax's
    `_canonicalize_axes` adds `rank` to a negative axis once, so `-4` of a rank-3 array becomes
    `-1`, and fails on a large one with an `IndexError`).
    """
    return tuple(sorted(set(check_axes(where, name, axes, rank))))


def check_norm_fields(layer) -> None:
    """The hyperparameters the normalization layers share, when the layer is built."""
    where = layer_where(layer)
    check_number(where, "epsilon", layer.epsilon, minimum=0)
    fields = ("use_bias", "use_scale", "use_fast_variance", "force_float32_reductions")
    functions = ("bias_init", "scale_init")
    check_fields(
        layer,
        flags=tuple(f for f in fields if hasattr(layer, f)),
        dtypes=("dtype", "param_dtype"),
        functions=tuple(f for f in functions if hasattr(layer, f)),
    )
    for field in ("reduction_axes", "feature_axes"):
        if getattr(layer, field, None) is not None:
            check_axes(where, field, getattr(layer, field))
    axis_name = layer.axis_name
    names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    if axis_name is not None and not all(isinstance(n, str) for n in names):
        raise fail(TypeError, where, "axis_name", "None, an axis name (str) or a tuple of them", axis_name)


def _abs_sq(x):
    """|x|**2, elementwise (real**2 + imag**2 for complex x)."""
    if jnp.iscomplexobj(x):
        return lax.square(lax.real(x)) + lax.square(lax.imag(x))
    return lax.square(x)


def compute_stats(
    x,
    axes,
    dtype,
    axis_name=None,
    axis_index_groups=None,
    use_mean=True,
    use_fast_variance=True,
    mask=None,
    force_float32_reductions=True,
):
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

    def mean(*xs) -> Any:  # the mean of one array, a tuple of means for several
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


def normalize(
    scope: Scope,
    x,
    mean,
    var,
    reduction_axes,
    feature_axes,
    dtype,
    param_dtype,
    epsilon,
    use_bias,
    use_scale,
    bias_init,
    scale_init,
    force_float32_reductions=True,
):
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


@dataclasses.dataclass(frozen=True)
class LayerNorm(Layer):
    """Layer normalization: each example normalized over its own features.

        y = (x - mean(x)) / sqrt(var(x) + epsilon) * scale + bias     (statistics over reduction_axes)

    Attributes:
      (the shared attributes in the module docstring, and)
      reduction_axes: the axes of the statistics (default the last).
      feature_axes: the axes of `scale` and `bias` (default the last): shape `[x.shape[-1]]`.

    Returns (of `apply(variables, x, mask=None)`): `y`, shaped and (by default) typed as `x`.
    `mask`, broadcastable to `x`, keeps only the True positions in the statistics.

    Counterpart: `flax.linen.LayerNorm` (flax/linen/normalization.py).

    References:
      Ba, Kiros & Hinton, *Layer Normalization*, 2016, https://arxiv.org/abs/1607.06450

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> x = jnp.array([1.0, 2.0, 3.0, 4.0])  # [features]
      >>> variables = nn.LayerNorm().init(random.PRNGKey(0), x)
      >>> tree.map(jnp.shape, variables)
      {'params': {'bias': (4,), 'scale': (4,)}}
      >>> [round(y, 3) for y in nn.LayerNorm().apply(variables, x).tolist()]  # mean 0, variance 1
      [-1.342, -0.447, 0.447, 1.342]
    """

    epsilon: float = 1e-6
    dtype: Any = None
    param_dtype: Any = jnp.float32
    use_bias: bool = True
    use_scale: bool = True
    bias_init: Callable = initializers.zeros
    scale_init: Callable = initializers.ones
    reduction_axes: Axes = -1
    feature_axes: Axes = -1
    axis_name: str | None = None
    axis_index_groups: Any = None
    use_fast_variance: bool = True
    force_float32_reductions: bool = True

    def __post_init__(self):
        super().__post_init__()
        check_norm_fields(self)

    def forward(self, scope: Scope, x, *, mask=None):
        check_array(scope.where, "x", x)
        if mask is not None:
            check_array(scope.where, "mask", mask)
        check_axes(scope.where, "reduction_axes", self.reduction_axes, jnp.ndim(x))
        check_axes(scope.where, "feature_axes", self.feature_axes, jnp.ndim(x))
        mean, var = compute_stats(
            x,
            self.reduction_axes,
            self.dtype,
            self.axis_name,
            self.axis_index_groups,
            use_fast_variance=self.use_fast_variance,
            mask=mask,
            force_float32_reductions=self.force_float32_reductions,
        )
        return normalize(
            scope,
            x,
            mean,
            var,
            self.reduction_axes,
            self.feature_axes,
            self.dtype,
            self.param_dtype,
            self.epsilon,
            self.use_bias,
            self.use_scale,
            self.bias_init,
            self.scale_init,
            self.force_float32_reductions,
        )


@dataclasses.dataclass(frozen=True)
class RMSNorm(Layer):
    """Root-mean-square normalization: LayerNorm without re-centring and without bias.

        y = x / sqrt(mean(x**2) + epsilon) * scale                    (mean over reduction_axes)

    Attributes: as LayerNorm's, without `use_bias` and `bias_init`: one parameter, `scale`
    `[x.shape[-1]]`.

    Returns (of `apply(variables, x, mask=None)`): `y`, shaped as `x`.

    Counterpart: `flax.linen.RMSNorm` (flax/linen/normalization.py).

    References:
      Zhang & Sennrich, *Root Mean Square Layer Normalization*, 2019, https://arxiv.org/abs/1910.07467

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> x = jnp.array([3.0, -4.0])  # [features]
      >>> variables = nn.RMSNorm().init(random.PRNGKey(0), x)
      >>> tree.map(jnp.shape, variables)
      {'params': {'scale': (2,)}}
      >>> [round(y, 3) for y in nn.RMSNorm().apply(variables, x).tolist()]  # x / sqrt(mean(x**2)) = x / 3.536
      [0.849, -1.131]
    """

    epsilon: float = 1e-6
    dtype: Any = None
    param_dtype: Any = jnp.float32
    use_scale: bool = True
    scale_init: Callable = initializers.ones
    reduction_axes: Axes = -1
    feature_axes: Axes = -1
    axis_name: str | None = None
    axis_index_groups: Any = None
    use_fast_variance: bool = True
    force_float32_reductions: bool = True

    def __post_init__(self):
        super().__post_init__()
        check_norm_fields(self)

    def forward(self, scope: Scope, x, *, mask=None):
        check_array(scope.where, "x", x)
        if mask is not None:
            check_array(scope.where, "mask", mask)
        check_axes(scope.where, "reduction_axes", self.reduction_axes, jnp.ndim(x))
        check_axes(scope.where, "feature_axes", self.feature_axes, jnp.ndim(x))
        mean, var = compute_stats(
            x,
            self.reduction_axes,
            self.dtype,
            self.axis_name,
            self.axis_index_groups,
            use_mean=False,
            use_fast_variance=self.use_fast_variance,
            mask=mask,
            force_float32_reductions=self.force_float32_reductions,
        )
        return normalize(
            scope,
            x,
            mean,
            var,
            self.reduction_axes,
            self.feature_axes,
            self.dtype,
            self.param_dtype,
            self.epsilon,
            False,
            self.use_scale,
            initializers.zeros,
            self.scale_init,
            self.force_float32_reductions,
        )


@dataclasses.dataclass(frozen=True)
class GroupNorm(Layer):
    """Group normalization: channels split into groups, each normalized per example.

        x: [batch, ..., C] viewed as [batch, ..., num_groups, C // num_groups]
        y = (x - mean) / sqrt(var + epsilon) * scale + bias   (statistics over ... and each group)

    `num_groups=1` is LayerNorm over all non-batch axes; `group_size=1` is InstanceNorm.

    Attributes:
      num_groups: the number of channel groups (default 32, as in the paper); or None, with
      group_size: the number of channels per group. Exactly one of the two is set.
      reduction_axes: the axes of the statistics; must include the last (channel) axis.
        Default: every axis but the first (the batch).
      (the shared attributes in the module docstring; `scale` and `bias` are `[C]`.)

    Returns (of `apply(variables, x, mask=None)`): `y`, shaped as `x`.

    Counterpart: `flax.linen.GroupNorm` (flax/linen/normalization.py).

    References:
      Wu & He, *Group Normalization*, 2018, https://arxiv.org/abs/1803.08494

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.GroupNorm(num_groups=2)
      >>> x = jnp.arange(16.0).reshape(1, 2, 2, 4)  # [batch, height, width, 4 channels in 2 groups]
      >>> variables = layer.init(random.PRNGKey(0), x)
      >>> tree.map(jnp.shape, variables)
      {'params': {'bias': (4,), 'scale': (4,)}}
      >>> layer.apply(variables, x).shape
      (1, 2, 2, 4)
    """

    num_groups: int | None = 32
    group_size: int | None = None
    epsilon: float = 1e-6
    dtype: Any = None
    param_dtype: Any = jnp.float32
    use_bias: bool = True
    use_scale: bool = True
    bias_init: Callable = initializers.zeros
    scale_init: Callable = initializers.ones
    reduction_axes: Axes | None = None
    axis_name: str | None = None
    axis_index_groups: Any = None
    use_fast_variance: bool = True
    force_float32_reductions: bool = True

    def __post_init__(self):
        super().__post_init__()
        check_norm_fields(self)
        where = layer_where(self)
        for field in ("num_groups", "group_size"):
            if getattr(self, field) is not None:
                check_positive_int(where, field, getattr(self, field))
        if (self.num_groups is None) == (self.group_size is None):
            raise ValueError(
                f"{where}: set exactly one of num_groups and group_size (got num_groups="
                f"{self.num_groups}, group_size={self.group_size}); to set group_size, also pass "
                f"num_groups=None to override the default 32"
            )

    def forward(self, scope: Scope, x, *, mask=None):
        check_array(scope.where, "x", x)
        if mask is not None:
            check_array(scope.where, "mask", mask)
        if jnp.ndim(x) == 0:
            raise ValueError(f"{scope.where}: x needs a channel axis [batch, ..., channels], got a scalar")
        axes = list(range(1, x.ndim - 1)) + [-1] if self.reduction_axes is None else self.reduction_axes
        reduction_axes = canonicalize_axes(x.ndim, axes, scope.where, "reduction_axes")
        if reduction_axes[-1] != x.ndim - 1:
            raise ValueError(
                f"{scope.where}: reduction_axes={self.reduction_axes} must include the last axis "
                f"(the channels, which are grouped)"
            )
        channels = x.shape[-1]
        if self.group_size is not None:
            if channels % self.group_size != 0:
                raise ValueError(
                    f"{scope.where}: {channels} channels are not a multiple of group_size={self.group_size}"
                )
            num_groups = channels // self.group_size
        else:
            assert self.num_groups is not None  # exactly one of the two is set: checked when built
            num_groups = self.num_groups
        if channels % num_groups != 0:
            raise ValueError(
                f"{scope.where}: num_groups={num_groups} does not divide the {channels} channels "
                f"of the input (shape {list(x.shape)})"
            )
        group_size = channels // num_groups
        group_shape = x.shape[:-1] + (num_groups, group_size)  # [batch, ..., groups, group_size]
        if mask is not None:
            mask = mask.reshape(mask.shape[:-1] + (num_groups, group_size))
        mean, var = compute_stats(
            x.reshape(group_shape),
            list(reduction_axes[:-1]) + [-1],
            self.dtype,
            self.axis_name,
            self.axis_index_groups,
            use_fast_variance=self.use_fast_variance,
            mask=mask,
            force_float32_reductions=self.force_float32_reductions,
        )
        mean = jnp.repeat(mean, group_size, axis=-1)  # [batch, C]: each group's mean for its channels
        var = jnp.repeat(var, group_size, axis=-1)
        return normalize(
            scope,
            x,
            mean,
            var,
            reduction_axes[:-1],
            (-1,),
            self.dtype,
            self.param_dtype,
            self.epsilon,
            self.use_bias,
            self.use_scale,
            self.bias_init,
            self.scale_init,
            self.force_float32_reductions,
        )
