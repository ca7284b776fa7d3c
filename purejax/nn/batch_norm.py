"""Batch normalization: normalize each feature over the batch, and keep running averages for eval.

Training (`use_running_average=False`) normalizes with the statistics of the batch and folds them
into the running averages in the 'batch_stats' collection; evaluation (`use_running_average=True`)
normalizes with those running averages instead:

    variables = BatchNorm().init(key, x, use_running_average=False)
    # {'batch_stats': {'mean': [C], 'var': [C]}, 'params': {'bias': [C], 'scale': [C]}}
    y, updates = BatchNorm().apply(variables, x, use_running_average=False)  # updates: {'batch_stats': ...}
    variables = {**variables, **updates}
    y = BatchNorm().apply(variables, x, use_running_average=True)

Counterpart: `flax.linen.BatchNorm` (flax/linen/normalization.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from purejax.checks import check_array, check_axes, check_bool, check_probability
from purejax.nn import initializers
from purejax.nn.module import Layer, Scope, layer_where, merge_attribute
from purejax.nn.normalization import canonicalize_axes, check_norm_fields, compute_stats, normalize

_HINT = " (False to train on batch statistics, True to evaluate with the running averages)"


@dataclasses.dataclass(frozen=True)
class BatchNorm(Layer):
    """Batch normalization, with running averages of the batch statistics.

        training:  mean, var = batch statistics over every axis but `axis`   # each [C]
                   ra_mean = momentum * ra_mean + (1 - momentum) * mean
                   ra_var  = momentum * ra_var  + (1 - momentum) * var
        eval:      mean, var = ra_mean, ra_var
        y = (x - mean) / sqrt(var + epsilon) * scale + bias

    `var` is the biased (population) variance of the batch. In `init` the running averages keep
    their initial values (0 and 1), as in Flax, so the inputs given to `init` need not be real data.

    Attributes:
      use_running_average: True to use the running averages, False the batch statistics; may
        instead be given at each call (exactly one of the two).
      axis: the feature axis (default -1): `scale`, `bias`, `mean`, `var` are `[x.shape[axis]]`.
      momentum: the running averages' decay (default 0.99).
      epsilon: added to the variance (default 1e-5).
      dtype, param_dtype, use_bias, use_scale, bias_init, scale_init, axis_name,
      axis_index_groups, use_fast_variance, force_float32_reductions: as in `normalization.py`.
        With `axis_name` (e.g. under `jax.pmap` or `jax.vmap(..., axis_name='batch')`) the batch
        statistics are averaged across that axis, so every device normalizes with the global batch.

    Variables: 'params' `scale`, `bias` `[C]`; 'batch_stats' `mean` (zeros), `var` (ones) `[C]`,
      float32.

    Returns (of `apply(variables, x, use_running_average=None, *, mask=None)`):
      training: `(y, {'batch_stats': {'mean', 'var'}})`, what Flax returns with
        `mutable=['batch_stats']` (that is the default here, see `default_mutable`);
      eval: `y`, shaped as `x`.

    Counterpart: `flax.linen.BatchNorm` (flax/linen/normalization.py).

    References:
      Ioffe & Szegedy, *Batch Normalization: Accelerating Deep Network Training by Reducing
      Internal Covariate Shift*, 2015, https://arxiv.org/abs/1502.03167

    Differences:
      An `axis` outside `[-x.ndim, x.ndim)` is refused (Flax fails on a large one and wraps a
      negative one around once: `axis=-3` of a rank-2 input normalizes axis 1); a `momentum`
      outside [0, 1] or a negative `epsilon` is refused when the layer is built (Flax computes
      with them).
      `apply` makes 'batch_stats' mutable by default when training (Flax needs
      `mutable=['batch_stats']`); pass `mutable=...` to override.
      PyTorch's `BatchNorm` `momentum=0.1` is the weight of the *new* batch, i.e. Flax's
      `1 - momentum` (0.9 here); PyTorch also keeps the *unbiased* variance (`n / (n - 1)` times
      the batch variance) in its running average, while Flax and purejax keep the biased one.
      PyTorch's default `eps` is 1e-5, as here.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.BatchNorm(use_running_average=False, momentum=0.9)
      >>> x = jnp.array([[1.0, 10.0], [3.0, 30.0]])  # [batch, features]
      >>> variables = layer.init(random.PRNGKey(0), x)
      >>> tree.map(jnp.shape, variables)
      {'batch_stats': {'mean': (2,), 'var': (2,)}, 'params': {'bias': (2,), 'scale': (2,)}}
      >>> y, updates = layer.apply(variables, x, mutable=['batch_stats'])
      >>> [round(m, 3) for m in updates['batch_stats']['mean'].tolist()]  # 0.9 * 0 + 0.1 * the batch mean
      [0.2, 2.0]
    """

    use_running_average: bool | None = None
    axis: int = -1
    momentum: float = 0.99
    epsilon: float = 1e-5
    dtype: Any = None
    param_dtype: Any = jnp.float32
    use_bias: bool = True
    use_scale: bool = True
    bias_init: Callable = initializers.zeros
    scale_init: Callable = initializers.ones
    axis_name: str | None = None
    axis_index_groups: Any = None
    use_fast_variance: bool = True
    force_float32_reductions: bool = True

    def __post_init__(self):
        super().__post_init__()
        where = layer_where(self)
        check_norm_fields(self)
        check_bool(where, "use_running_average", self.use_running_average, optional=True, hint=_HINT.strip(" ()"))
        check_axes(where, "axis", self.axis)
        check_probability(where, "momentum", self.momentum)

    def default_mutable(self, use_running_average=None, **kwargs):
        """'batch_stats' when training (the running averages change), nothing when evaluating."""
        flag = self.use_running_average if use_running_average is None else use_running_average
        return ["batch_stats"] if flag is not None and not flag else False

    def forward(self, scope: Scope, x, use_running_average: bool | None = None, *, mask=None):
        check_array(scope.where, "x", x)
        if mask is not None:
            check_array(scope.where, "mask", mask)
        check_bool(scope.where, "use_running_average", use_running_average, optional=True, hint=_HINT.strip(" ()"))
        use_running_average = merge_attribute(
            scope.where, "use_running_average", self.use_running_average, use_running_average, _HINT
        )
        feature_axes = canonicalize_axes(jnp.ndim(x), self.axis, scope.where, "axis")
        reduction_axes = tuple(i for i in range(x.ndim) if i not in feature_axes)  # e.g. (0, 1, 2) for NHWC
        feature_shape = tuple(x.shape[a] for a in feature_axes)  # [C]
        stats_dtype = jnp.float32 if self.force_float32_reductions else self.param_dtype
        ra_mean = scope.variable("batch_stats", "mean", lambda: jnp.zeros(feature_shape, stats_dtype))
        ra_var = scope.variable("batch_stats", "var", lambda: jnp.ones(feature_shape, stats_dtype))

        if use_running_average:
            mean, var = ra_mean.value, ra_var.value  # [C]
            if not self.force_float32_reductions:
                mean, var = jnp.asarray(mean, self.param_dtype), jnp.asarray(var, self.param_dtype)
        else:
            mean, var = compute_stats(  # [C] each; across devices too, except in init
                x,
                reduction_axes,
                dtype=self.dtype,
                axis_name=None if scope.initializing else self.axis_name,
                axis_index_groups=self.axis_index_groups,
                use_fast_variance=self.use_fast_variance,
                mask=mask,
                force_float32_reductions=self.force_float32_reductions,
            )
            if not scope.initializing:  # running averages (exponential moving averages)
                ra_mean.value = self.momentum * ra_mean.value + (1 - self.momentum) * mean
                ra_var.value = self.momentum * ra_var.value + (1 - self.momentum) * var

        return normalize(
            scope,
            x,
            mean,
            var,
            reduction_axes,
            feature_axes,
            self.dtype,
            self.param_dtype,
            self.epsilon,
            self.use_bias,
            self.use_scale,
            self.bias_init,
            self.scale_init,
            self.force_float32_reductions,
        )
