"""Convolutions: `Conv` and `ConvTranspose`, channels-last, kernel `[*window, in, out]` as in Flax.

For one spatial axis, stride `s`, kernel dilation `d` and padding already applied to `x`:

    y[n, i, o] = sum_{k, c} x[n, s * i + d * k, c] * kernel[k, c, o] + bias[o]

(more spatial axes add more `k` sums; `input_dilation` spreads `x` out with zeros first;
`feature_group_count = g` splits the `in` channels into `g` groups, each with its own `out / g`
filters, so the kernel is `[*window, in / g, out]`). `ConvTranspose` is the gradient-shaped
partner: it spreads `x` by the stride and convolves, mapping `[n, L, c]` to `[n, s * L, o]` under
'SAME'. Inputs are `[*batch, *spatial, features]`; several batch axes are flattened into one and
restored, and unbatched inputs get a batch axis for the convolution, as Flax does.

    >>> from purejax import random, tree
    >>> variables = Conv(4, kernel_size=(3, 3)).init(random.PRNGKey(0), jnp.ones((1, 8, 8, 3)))
    >>> tree.map(jnp.shape, variables)
    {'params': {'bias': (4,), 'kernel': (3, 3, 3, 4)}}

Counterpart: `flax.linen.Conv`, `ConvTranspose`, `canonicalize_padding` (flax/linen/linear.py).

References:
  Dumoulin and Visin, *A guide to convolution arithmetic for deep learning*, 2016,
  https://arxiv.org/abs/1603.07285
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
from jax import lax

from purejax.checks import check_array, check_bool, check_dtype, check_int_tuple, fail, is_integer
from purejax.nn import initializers
from purejax.nn.dtypes import promote_dtype, require_float
from purejax.nn.linear import DENSE_FIELDS, default_kernel_init
from purejax.nn.module import Layer, Scope, check_fields, layer_where

CONV_PADDINGS = ("SAME", "SAME_LOWER", "VALID", "CIRCULAR", "REFLECT", "CAUSAL")
TRANSPOSE_PADDINGS = ("SAME", "VALID", "CIRCULAR")


def canonicalize_padding(padding, rank: int, where: str = "padding", allowed: Sequence[str] = CONV_PADDINGS):
    """A padding string from `allowed` (any case: 'same' is 'SAME'), or `[(low, high)] * rank` from an
    int or from one int or `(low, high)` pair of ints per spatial axis (negative values crop)."""
    if isinstance(padding, str):
        if padding.upper() not in allowed:
            raise ValueError(
                f"{where}: padding must be one of {list(allowed)}, an int, or {rank} (low, high) pairs, got {padding!r}"
            )
        return padding.upper()
    if is_integer(padding):
        return [(int(padding), int(padding))] * rank
    if isinstance(padding, Sequence) and len(padding) == rank:
        pairs = [pair for pair in (_low_high(p) for p in padding) if pair is not None]
        if len(pairs) == rank:
            return pairs
    raise ValueError(
        f"{where}: padding must be a string, an int, or a sequence of {rank} ints or (low, high) "
        f"pairs (one per spatial axis), got {padding!r}"
    )


def _low_high(p: Any) -> tuple[int, int] | None:
    """One spatial axis's padding, an int or a `(low, high)` pair of ints, as a pair; None if neither."""
    if is_integer(p):
        return int(p), int(p)
    if isinstance(p, (tuple, list)) and len(p) == 2 and all(is_integer(q) for q in p):
        return int(p[0]), int(p[1])
    return None


def check_per_axis(where: str, name: str, value, rank: int) -> tuple[int, ...]:
    """`value` as one positive int per spatial axis (None is 1; an int is the same on every axis)."""
    value = 1 if value is None else value
    if is_integer(value):
        value = (value,) * rank
    if isinstance(value, (tuple, list)) and len(value) != rank:
        raise ValueError(
            f"{where}: {name} needs {rank} entries (one per spatial axis of kernel_size), got {tuple(value)}"
        )
    return check_int_tuple(where, name, value, rank, minimum=1)


def check_kernel_size(where: str, kernel_size) -> tuple[int, ...]:
    """The window as a non-empty tuple of positive ints (an int `k` is one spatial axis, `(k,)`)."""
    size = (kernel_size,) if is_integer(kernel_size) else kernel_size
    if not isinstance(size, (tuple, list)) or not size:
        raise fail(
            TypeError if not isinstance(size, (tuple, list)) else ValueError,
            where,
            "kernel_size",
            "an int or a non-empty tuple of positive ints, one per spatial axis",
            kernel_size,
            "write e.g. (3, 3)",
        )
    return check_int_tuple(where, "kernel_size", size, len(size), minimum=1)


def check_conv_fields(layer, per_axis: tuple[str, ...], paddings: Sequence[str]) -> None:
    """A convolution's window fields when it is built: `kernel_size`, the per-axis ints named in
    `per_axis`, `padding` (from `paddings`; 'CAUSAL' only in 1-D) and `mask`."""
    where = layer_where(layer)
    rank = len(check_kernel_size(where, layer.kernel_size))
    for name in per_axis:
        check_per_axis(where, name, getattr(layer, name), rank)
    padding = canonicalize_padding(layer.padding, rank, where, paddings)
    if padding == "CAUSAL" and rank != 1:
        raise ValueError(f"{where}: padding='CAUSAL' is for 1-D convolutions, got kernel_size {layer.kernel_size}")
    if getattr(layer, "mask", None) is not None:
        check_array(where, "mask", layer.mask)
        if not hasattr(layer.mask, "shape"):
            raise fail(
                TypeError, where, "mask", "an array of the kernel's shape", layer.mask, "e.g. jnp.ones(kernel shape)"
            )


def _flatten_batch(scope: Scope, inputs, kernel_size: tuple):
    """`inputs` as `[batch, *spatial, features]`, and the batch shape to restore afterwards."""
    check_array(scope.where, "inputs", inputs)
    inputs = jnp.asarray(inputs)
    n_batch = inputs.ndim - (len(kernel_size) + 1)
    if n_batch < 0:
        raise ValueError(
            f"{scope.where}: kernel_size {kernel_size} needs inputs [*batch, {len(kernel_size)} "
            f"spatial axes, features] of rank >= {len(kernel_size) + 1}, got {list(inputs.shape)}"
        )
    require_float(scope, inputs)
    return jnp.reshape(inputs, (-1,) + inputs.shape[n_batch:]), inputs.shape[:n_batch]  # [batch, *spatial, in]


def _check_in_features(scope: Scope, inputs, in_axis: int, groups: int = 1, note: str = "") -> None:
    """Before the kernel is read: its `in` axis (times the groups) must be the inputs' features."""
    stored = scope.get_param("kernel")
    if stored is not None and stored.shape[in_axis] * groups != inputs.shape[-1]:
        raise ValueError(
            f"{scope.where}: expected inputs with {stored.shape[in_axis] * groups} features (kernel is "
            f"{list(stored.shape)}{note}), got {list(inputs.shape)}"
        )


def _dimension_numbers(ndim: int) -> lax.ConvDimensionNumbers:
    """Channels-last: inputs `[N, *S, C]`, kernel `[*S, I, O]`, output `[N, *S, O]`."""
    lhs = (0, ndim - 1) + tuple(range(1, ndim - 1))
    return lax.ConvDimensionNumbers(lhs, (ndim - 1, ndim - 2) + tuple(range(ndim - 2)), lhs)


@dataclasses.dataclass(frozen=True)
class Conv(Layer):
    """A convolution over the spatial axes of channels-last inputs (see the module doc for the math).

    Attributes:
      features: `out`, the number of filters.
      kernel_size: the window, an int (1 spatial axis) or one int per spatial axis.
      strides, input_dilation, kernel_dilation: an int or one int per spatial axis (default 1).
      padding: 'SAME', 'SAME_LOWER', 'VALID', 'CIRCULAR' (wrap around), 'REFLECT', 'CAUSAL' (1-D:
        left-pad by `kernel_dilation * (k - 1)`), an int, or per-axis ints/(low, high) pairs.
      feature_group_count: `g`, which must divide the input features (default 1).
      use_bias: add `bias: [out]` (default True).
      mask: optional array of the kernel's shape multiplied into it.
      dtype, param_dtype, precision, kernel_init, bias_init, promote_dtype: as `Dense`.

    Call: `forward(scope, inputs)` with `inputs: [*batch, *spatial, in]` float (no batch axis is
    fine); returns `[*batch, *spatial_out, out]`; `kernel: [*kernel_size, in / g, out]`.

    Counterpart: `flax.linen.Conv` (flax/linen/linear.py).

    Differences:
      Integer inputs are refused (Flax casts them); padding strings are checked here (Flax leaves
      that to lax) and read in any case (`'same'` is `'SAME'`, as lax reads it; Flax hands
      `'circular'` to lax, which refuses it); padding pairs may be lists; no deprecated
      `conv_general_dilated(_cls)`. The hyperparameters are checked when the layer is built:
      sizes, strides and dilations below 1, a `feature_group_count` below 1 or a 'CAUSAL'
      padding in more than one dimension are refused by name (Flax fails inside lax, or divides
      by zero, when called).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.Conv(features=4, kernel_size=(3, 3), strides=2)
      >>> variables = layer.init(random.PRNGKey(0), jnp.ones((1, 8, 8, 3)))  # [batch, height, width, in]
      >>> tree.map(jnp.shape, variables)
      {'params': {'bias': (4,), 'kernel': (3, 3, 3, 4)}}
      >>> layer.apply(variables, jnp.ones((1, 8, 8, 3))).shape  # 'SAME' padding, stride 2
      (1, 4, 4, 4)
    """

    features: int
    kernel_size: int | Sequence[int]
    strides: None | int | Sequence[int] = 1
    padding: Any = "SAME"
    input_dilation: None | int | Sequence[int] = 1
    kernel_dilation: None | int | Sequence[int] = 1
    feature_group_count: int = 1
    use_bias: bool = True
    mask: Any = None
    dtype: Any = None
    param_dtype: Any = jnp.float32
    precision: Any = None
    kernel_init: Callable = default_kernel_init
    bias_init: Callable = initializers.zeros
    promote_dtype: Callable = promote_dtype

    def __post_init__(self):
        super().__post_init__()
        check_fields(self, positive=("features", "feature_group_count"), **DENSE_FIELDS)
        check_conv_fields(self, ("strides", "input_dilation", "kernel_dilation"), CONV_PADDINGS)

    def forward(self, scope: Scope, inputs):
        kernel_size = check_kernel_size(scope.where, self.kernel_size)
        rank, groups = len(kernel_size), self.feature_group_count
        strides = check_per_axis(scope.where, "strides", self.strides, rank)
        input_dilation = check_per_axis(scope.where, "input_dilation", self.input_dilation, rank)
        kernel_dilation = check_per_axis(scope.where, "kernel_dilation", self.kernel_dilation, rank)
        padding = canonicalize_padding(self.padding, rank, scope.where)
        inputs, batch_shape = _flatten_batch(scope, inputs, kernel_size)
        _check_in_features(scope, inputs, -2, groups, f", feature_group_count={groups}" if groups > 1 else "")
        if inputs.shape[-1] % groups or self.features % groups:
            raise ValueError(
                f"{scope.where}: feature_group_count={groups} must divide the input features and "
                f"features={self.features}, got inputs {list(inputs.shape)}"
            )
        if padding in ("CIRCULAR", "REFLECT"):  # pad here, then convolve with no padding
            dilated = [(k - 1) * d + 1 for k, d in zip(kernel_size, kernel_dilation, strict=True)]
            pads = [(0, 0)] + [((k - 1) // 2, k // 2) for k in dilated] + [(0, 0)]
            inputs = jnp.pad(inputs, pads, mode={"CIRCULAR": "wrap", "REFLECT": "reflect"}[padding])
            padding = "VALID"
        elif padding == "CAUSAL":
            if rank != 1:
                raise ValueError(
                    f"{scope.where}: padding='CAUSAL' is for 1-D convolutions, got kernel_size {kernel_size}"
                )
            left = kernel_dilation[0] * (kernel_size[0] - 1)  # each output sees only the past
            inputs = jnp.pad(inputs, [(0, 0), (left, 0), (0, 0)])  # [batch, left + length, in]
            padding = "VALID"
        kernel_shape = kernel_size + (inputs.shape[-1] // groups, self.features)  # [*window, in / g, out]
        if self.mask is not None and self.mask.shape != kernel_shape:
            raise ValueError(
                f"{scope.where}: mask must have the kernel's shape {list(kernel_shape)}, got {list(self.mask.shape)}"
            )
        kernel = scope.param("kernel", self.kernel_init, kernel_shape, self.param_dtype)
        if self.mask is not None:
            kernel *= self.mask
        bias = scope.param("bias", self.bias_init, (self.features,), self.param_dtype) if self.use_bias else None
        inputs, kernel, bias = self.promote_dtype(inputs, kernel, bias, dtype=self.dtype)
        y = lax.conv_general_dilated(
            inputs,
            kernel,
            strides,
            padding,
            lhs_dilation=input_dilation,
            rhs_dilation=kernel_dilation,
            dimension_numbers=_dimension_numbers(inputs.ndim),
            feature_group_count=groups,
            precision=self.precision,
        )  # [batch, *spatial_out, out]
        if bias is not None:
            y += jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))  # [1, ..., out]
        return jnp.reshape(y, batch_shape + y.shape[1:])  # [*batch, *spatial_out, out]


@dataclasses.dataclass(frozen=True)
class ConvTranspose(Layer):
    """A transposed convolution: `lax.conv_transpose` over channels-last inputs.

    With stride `s` the input is spread out (`s - 1` zeros between entries) and convolved with the
    kernel, so 'SAME' maps a length `L` to `s * L`; 'CIRCULAR' then wraps the overhang around a
    period of `s * L`. With `transpose_kernel=True` the kernel is stored `[*window, out, in]` and
    flipped, which makes this the exact gradient (adjoint) of a `Conv` with the same kernel.

    Attributes:
      features: `out`, the number of filters.
      kernel_size: an int (1 spatial axis) or one int per spatial axis.
      strides, kernel_dilation: None (1), an int or one int per spatial axis.
      padding: 'SAME', 'VALID', 'CIRCULAR', an int, or per-axis ints/(low, high) pairs.
      use_bias, mask, dtype, param_dtype, precision, kernel_init, bias_init, promote_dtype: as `Conv`.
      transpose_kernel: store the kernel `[*window, out, in]` and flip it (default False).
      preferred_element_type: accumulation dtype passed to `lax.conv_transpose`.

    Call: `forward(scope, inputs)` with `inputs: [*batch, *spatial, in]`; returns
    `[*batch, *spatial_out, out]`.

    Counterpart: `flax.linen.ConvTranspose` (flax/linen/linear.py).

    Differences:
      Integer inputs are refused; padding strings other than the three above (in any case) are
      refused here; the hyperparameters are checked when the layer is built, as `Conv`'s.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.ConvTranspose(features=4, kernel_size=(3, 3), strides=(2, 2))
      >>> variables = layer.init(random.PRNGKey(0), jnp.ones((1, 4, 4, 3)))
      >>> tree.map(jnp.shape, variables)
      {'params': {'bias': (4,), 'kernel': (3, 3, 3, 4)}}
      >>> layer.apply(variables, jnp.ones((1, 4, 4, 3))).shape  # 'SAME' padding: stride times larger
      (1, 8, 8, 4)
    """

    features: int
    kernel_size: int | Sequence[int]
    strides: Sequence[int] | None = None
    padding: Any = "SAME"
    kernel_dilation: Sequence[int] | None = None
    use_bias: bool = True
    mask: Any = None
    dtype: Any = None
    param_dtype: Any = jnp.float32
    precision: Any = None
    kernel_init: Callable = default_kernel_init
    bias_init: Callable = initializers.zeros
    transpose_kernel: bool = False
    promote_dtype: Callable = promote_dtype
    preferred_element_type: Any = None

    def __post_init__(self):
        super().__post_init__()
        check_fields(self, positive=("features",), **DENSE_FIELDS)
        check_bool(layer_where(self), "transpose_kernel", self.transpose_kernel)
        check_dtype(layer_where(self), "preferred_element_type", self.preferred_element_type, optional=True)
        check_conv_fields(self, ("strides", "kernel_dilation"), TRANSPOSE_PADDINGS)

    def forward(self, scope: Scope, inputs):
        kernel_size = check_kernel_size(scope.where, self.kernel_size)
        rank = len(kernel_size)
        strides = check_per_axis(scope.where, "strides", self.strides, rank)
        kernel_dilation = check_per_axis(scope.where, "kernel_dilation", self.kernel_dilation, rank)
        padding = canonicalize_padding(self.padding, rank, scope.where, TRANSPOSE_PADDINGS)
        inputs, batch_shape = _flatten_batch(scope, inputs, kernel_size)
        _check_in_features(
            scope,
            inputs,
            -1 if self.transpose_kernel else -2,
            note=", transpose_kernel=True" if self.transpose_kernel else "",
        )
        in_features = inputs.shape[-1]
        kernel_shape = kernel_size + (
            (self.features, in_features) if self.transpose_kernel else (in_features, self.features)
        )  # [*window, in, out] or [*window, out, in]
        if self.mask is not None and self.mask.shape != kernel_shape:
            raise ValueError(
                f"{scope.where}: mask must have the kernel's shape {list(kernel_shape)}, got {list(self.mask.shape)}"
            )
        kernel = scope.param("kernel", self.kernel_init, kernel_shape, self.param_dtype)
        if self.mask is not None:
            kernel *= self.mask
        bias = scope.param("bias", self.bias_init, (self.features,), self.param_dtype) if self.use_bias else None
        inputs, kernel, bias = self.promote_dtype(inputs, kernel, bias, dtype=self.dtype)
        y = lax.conv_transpose(
            inputs,
            kernel,
            strides,
            "VALID" if padding == "CIRCULAR" else padding,
            rhs_dilation=kernel_dilation,
            transpose_kernel=self.transpose_kernel,
            precision=self.precision,
            preferred_element_type=self.preferred_element_type,
        )  # [batch, *spatial_out, out]
        if padding == "CIRCULAR":
            y = self._wrap(y, [n * s for n, s in zip(inputs.shape[1:-1], strides, strict=True)])
        if bias is not None:
            y += jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))  # [1, ..., out]
        return jnp.reshape(y, batch_shape + y.shape[1:])  # [*batch, *spatial_out, out]

    def _wrap(self, y, periods: list[int]):
        """Fold `y` onto one period per spatial axis: pad to two periods' multiple, then sum the periods."""
        diffs = [-(n - p) % (2 * p) for n, p in zip(y.shape[1:-1], periods, strict=True)]
        if self.transpose_kernel:  # the extra entry goes right, mirroring Conv
            pads = [(d // 2, (d + 1) // 2) for d in diffs]
        else:  # the extra entry goes left (Flax's convention for even kernels)
            pads = [((d + 1) // 2, d // 2) for d in diffs]
        y = jnp.pad(y, [(0, 0)] + pads + [(0, 0)])
        for i, period in enumerate(periods, start=1):
            y = jnp.reshape(y, y.shape[:i] + (-1, period) + y.shape[i + 1 :]).sum(axis=i)  # [..., period, ...]
        return y
