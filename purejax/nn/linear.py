"""Linear layers and embeddings: `Dense`, `DenseGeneral`, `Embed`, with Flax's variables layout.

A dense layer is one matrix product plus a bias; its kernel is stored `[in, out]`:

    y = x @ kernel + bias                      # x: [..., in], kernel: [in, out], bias: [out]

    >>> from purejax import random, tree
    >>> variables = Dense(4).init(random.PRNGKey(0), jnp.ones((1, 3)))
    >>> tree.map(jnp.shape, variables)
    {'params': {'bias': (4,), 'kernel': (3, 4)}}

`DenseGeneral` contracts several axes at once (and may keep leading batch axes with a kernel per
batch entry); `Embed` is a lookup table `embedding[ids]` whose transpose (`attend=True`) scores a
query against every row, which is how a language model ties its input and output weights.

Counterpart: `flax.linen.Dense`, `DenseGeneral`, `Embed` (flax/linen/linear.py).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
from jax import lax

from purejax.checks import check_array, check_axes, check_bool, check_positive_int, fail
from purejax.nn import initializers
from purejax.nn.dtypes import promote_dtype, require_float
from purejax.nn.module import Layer, Scope, check_fields, layer_where

default_kernel_init = initializers.lecun_normal()
default_embed_init = initializers.variance_scaling(1.0, "fan_in", "normal", out_axis=0)


def dense_params(scope: Scope, layer, inputs) -> tuple:
    """`(kernel [in, features], bias [features] or None)` of a Dense-like `layer`, checked against `inputs`.

    `layer` has Dense's `features`, `use_bias`, `param_dtype`, `kernel_init` and `bias_init`.
    """
    stored = scope.get_param("kernel")
    if stored is not None and stored.shape[0] != inputs.shape[-1]:
        raise ValueError(
            f"{scope.where}: expected inputs with {stored.shape[0]} features (kernel is "
            f"{list(stored.shape)}), got {list(inputs.shape)}"
        )
    kernel = scope.param("kernel", layer.kernel_init, (inputs.shape[-1], layer.features), layer.param_dtype)
    bias = scope.param("bias", layer.bias_init, (layer.features,), layer.param_dtype) if layer.use_bias else None
    return kernel, bias


def as_tuple(x: int | Sequence[int]) -> tuple[int, ...]:
    return tuple(x) if isinstance(x, Sequence) else (x,)


DENSE_FIELDS = dict(
    flags=("use_bias",),
    dtypes=("dtype", "param_dtype"),
    functions=("kernel_init", "bias_init", "promote_dtype"),
    precisions=("precision",),
)


@dataclasses.dataclass(frozen=True)
class Dense(Layer):
    """A linear map over the last axis: `y = x @ kernel + bias`.

    Attributes:
      features: `out`, the number of output features.
      use_bias: add `bias: [out]` (default True).
      dtype: the dtype of the computation (default: promoted from inputs and params).
      param_dtype: the dtype of `kernel: [in, out]` and `bias` (default float32).
      precision: `lax.Precision` of the matrix product.
      kernel_init, bias_init: initializers, `lecun_normal()` and `zeros` by default.
      promote_dtype: `(inputs, kernel, bias, dtype=) -> [inputs, kernel, bias]`.

    Call: `forward(scope, inputs)` with `inputs: [..., in]` float; returns `[..., out]`.

    Counterpart: `flax.linen.Dense` (flax/linen/linear.py).

    Differences:
      Integer inputs are refused (Flax casts them to float32); no deprecated `dot_general`. The
      hyperparameters are checked when the layer is built: `Dense(0)` is refused by name (Flax
      divides by zero in the initializer), `Dense(True)` too (Flax reads it as 1 feature).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.Dense(features=4)
      >>> variables = layer.init(random.PRNGKey(0), jnp.ones((2, 3)))  # x: [batch, in]
      >>> tree.map(jnp.shape, variables)
      {'params': {'bias': (4,), 'kernel': (3, 4)}}
      >>> layer.apply(variables, jnp.ones((2, 3))).shape
      (2, 4)
    """

    features: int
    use_bias: bool = True
    dtype: Any = None
    param_dtype: Any = jnp.float32
    precision: Any = None
    kernel_init: Callable = default_kernel_init
    bias_init: Callable = initializers.zeros
    promote_dtype: Callable = promote_dtype

    def __post_init__(self):
        super().__post_init__()
        check_fields(self, positive=("features",), **DENSE_FIELDS)

    def forward(self, scope: Scope, inputs):
        require_float(scope, inputs)
        if inputs.ndim == 0:
            raise ValueError(f"{scope.where}: inputs need a feature axis, got a scalar")
        kernel, bias = dense_params(scope, self, inputs)
        inputs, kernel, bias = self.promote_dtype(inputs, kernel, bias, dtype=self.dtype)
        y = lax.dot_general(
            inputs, kernel, (((inputs.ndim - 1,), (0,)), ((), ())), precision=self.precision
        )  # [..., out]
        if bias is not None:
            y += jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))  # [1, ..., out]
        return y


@dataclasses.dataclass(frozen=True)
class DenseGeneral(Layer):
    """A linear map contracting the axes `axis`, with a separate kernel per `batch_dims` entry.

        y[b, r, f] = sum_a x[b, r, a] * kernel[b, a, f] + bias[b, f]

    where `b` runs over `batch_dims` (leading axes of `x`), `a` over the contracted `axis`, `r`
    over the remaining axes of `x` and `f` over `features` (a tuple of output axes). The
    initializers see the kernel flattened to `[prod(b) * prod(a), prod(f)]`, as in Flax.

    Attributes:
      features: int or tuple, the output axes' sizes.
      axis: int or tuple, the input axes to contract (default -1).
      batch_dims: tuple of leading axes `0..n-1` that keep one kernel per entry (default ()).
      use_bias, dtype, param_dtype, kernel_init, bias_init, precision, promote_dtype: as `Dense`.

    Call: `forward(scope, inputs)`; returns `[*x.shape[b], *x.shape[r], *features]`
    (`kernel: [*b, *a, *features]`, `bias: [*b, *features]`).

    Counterpart: `flax.linen.DenseGeneral` (flax/linen/linear.py).

    Differences:
      Integer inputs are refused; no deprecated `dot_general`/`dot_general_cls`. `features` are
      checked when the layer is built; `axis` or `batch_dims` outside the inputs' axes, or naming
      one axis twice, when it is called (Flax: an `IndexError`, or a failing `dot_general`).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.DenseGeneral(features=(2, 5), axis=(-2, -1))
      >>> variables = layer.init(random.PRNGKey(0), jnp.ones((4, 3, 6)))  # contracts the [3, 6] axes
      >>> tree.map(jnp.shape, variables)
      {'params': {'bias': (2, 5), 'kernel': (3, 6, 2, 5)}}
      >>> layer.apply(variables, jnp.ones((4, 3, 6))).shape
      (4, 2, 5)
    """

    features: int | Sequence[int]
    axis: int | Sequence[int] = -1
    batch_dims: Sequence[int] = ()
    use_bias: bool = True
    dtype: Any = None
    param_dtype: Any = jnp.float32
    kernel_init: Callable = default_kernel_init
    bias_init: Callable = initializers.zeros
    precision: Any = None
    promote_dtype: Callable = promote_dtype

    def __post_init__(self):
        super().__post_init__()
        check_fields(self, **DENSE_FIELDS)
        where = layer_where(self)
        features = (self.features,) if not isinstance(self.features, (tuple, list)) else self.features
        if not features:
            raise fail(ValueError, where, "features", "a positive integer or a non-empty tuple of them", self.features)
        for i, size in enumerate(features):
            check_positive_int(where, "features" if features is not self.features else f"features[{i}]", size)
        if not check_axes(where, "axis", self.axis):
            raise fail(ValueError, where, "axis", "an axis or a non-empty tuple of axes", self.axis)
        check_axes(where, "batch_dims", self.batch_dims)

    def forward(self, scope: Scope, inputs):
        require_float(scope, inputs)
        features, ndim = as_tuple(self.features), inputs.ndim
        batch_dims = tuple(sorted(check_axes(scope.where, "batch_dims", self.batch_dims, ndim)))
        if batch_dims and batch_dims != tuple(range(len(batch_dims))):
            raise ValueError(
                f"{scope.where}: batch_dims must be consecutive leading axes 0..n-1, got {self.batch_dims}"
            )
        axis = tuple(sorted(check_axes(scope.where, "axis", self.axis, ndim)))
        if len(set(axis + batch_dims)) != len(axis) + len(batch_dims):
            raise ValueError(
                f"{scope.where}: axis={self.axis} and batch_dims={self.batch_dims} must name distinct axes of "
                f"inputs {list(inputs.shape)}, got one twice"
            )
        n_batch, n_axis = len(batch_dims), len(axis)
        kernel_shape = tuple(inputs.shape[d] for d in batch_dims + axis) + features  # [*b, *a, *f]
        stored = scope.get_param("kernel")
        if stored is not None and stored.shape[: n_batch + n_axis] != kernel_shape[: n_batch + n_axis]:
            raise ValueError(
                f"{scope.where}: expected inputs with sizes {list(stored.shape[n_batch : n_batch + n_axis])}"
                f" on axes {list(axis)} (kernel is {list(stored.shape)}), got {list(inputs.shape)}"
            )

        def flat_init(init_fn, n_in):  # the initializer sees [prod(b) * prod(a), prod(f)] (bias: [prod(b) * prod(f)])
            def init(key, shape, dtype):
                flat = (math.prod(shape),) if n_in is None else (math.prod(shape[:n_in]), math.prod(shape[n_in:]))
                return jnp.reshape(init_fn(key, flat, dtype), shape)

            return initializers.shape_is_argument(init) if getattr(init_fn, "shape_is_argument", False) else init

        kernel = scope.param("kernel", flat_init(self.kernel_init, n_batch + n_axis), kernel_shape, self.param_dtype)
        bias = None
        if self.use_bias:
            bias_shape = kernel_shape[:n_batch] + features  # [*b, *f]
            bias = scope.param("bias", flat_init(self.bias_init, None), bias_shape, self.param_dtype)
        inputs, kernel, bias = self.promote_dtype(inputs, kernel, bias, dtype=self.dtype)
        contract = tuple(range(n_batch, n_batch + n_axis))
        y = lax.dot_general(
            inputs, kernel, ((axis, contract), (batch_dims, tuple(range(n_batch)))), precision=self.precision
        )  # [*b, *r, *f]
        if bias is not None:
            rest = tuple(inputs.shape[d] if d in batch_dims else 1 for d in range(ndim) if d not in axis)
            y += jnp.reshape(bias, rest + features)  # [*b, 1..., *f]
        return y


@dataclasses.dataclass(frozen=True)
class Embed(Layer):
    """A lookup table: `y = embedding[ids]`, and with `attend=True`, `y = query @ embedding.T`.

    Attributes:
      num_embeddings: `vocab`, the number of rows.
      features: the size of each embedding vector.
      dtype: the dtype of the output (default: the embedding's).
      param_dtype: the dtype of `embedding: [vocab, features]` (default float32).
      embedding_init: default `variance_scaling(1.0, 'fan_in', 'normal', out_axis=0)`.
      promote_dtype: as `Dense`.

    Call: `forward(scope, ids)` with integer `ids: [...]` returns `[..., features]`; an id outside
    `[0, vocab)`, negative ones included, gives a row of NaN (what `jnp.take` fills: the lowest
    integer for an integer dtype) and no gradient, in eager and jitted code alike (the ids' values
    are not read in Python, so no error is raised for them); `forward(scope, query, attend=True)`
    with `query: [..., features]` returns the logits `[..., vocab]`.

    Counterpart: `flax.linen.Embed` and `Embed.attend` (flax/linen/linear.py).

    Differences:
      `attend` is a keyword of the one `forward` (Flax: `apply(..., method='attend')`). Float ids
      are refused with a `TypeError` naming the layer (Flax: a `ValueError`); a query whose last
      axis is not `features` is refused before the product. Flax's `jnp.take` counts an id in
      `[-vocab, 0)` from the end (`-1` is the last row), and with `num_embeddings=1` gives row 0
      for every id: here both are NaN rows, as for any id outside `[0, vocab)`. Rows of valid ids
      are Flax's, bit for bit.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.Embed(num_embeddings=10, features=4)
      >>> variables = layer.init(random.PRNGKey(0), jnp.array([[1, 2, 3]]))  # ids: int[batch, time]
      >>> tree.map(jnp.shape, variables)
      {'params': {'embedding': (10, 4)}}
      >>> layer.apply(variables, jnp.array([[1, 2, 3]])).shape
      (1, 3, 4)
      >>> layer.apply(variables, jnp.ones((1, 4)), attend=True).shape  # a score for each of the 10 rows
      (1, 10)
    """

    num_embeddings: int
    features: int
    dtype: Any = None
    param_dtype: Any = jnp.float32
    embedding_init: Callable = default_embed_init
    promote_dtype: Callable = promote_dtype

    def __post_init__(self):
        super().__post_init__()
        check_fields(
            self,
            positive=("num_embeddings", "features"),
            dtypes=("dtype", "param_dtype"),
            functions=("embedding_init", "promote_dtype"),
        )

    def forward(self, scope: Scope, inputs, *, attend: bool = False):
        if check_bool(scope.where, "attend", attend):
            return self.attend(scope, inputs)
        check_array(scope.where, "ids", inputs)
        if not jnp.issubdtype(inputs.dtype, jnp.integer):
            raise TypeError(
                f"{scope.where}: ids must be integers, got {inputs.dtype}{list(inputs.shape)}; "
                f"for logits over the vocabulary call with attend=True"
            )
        (embedding,) = self.promote_dtype(self._embedding(scope), dtype=self.dtype, inexact=False)
        if jnp.dtype(inputs.dtype).itemsize < 4:  # room for the id num_embeddings below (int8 holds 127)
            inputs = inputs.astype(jnp.int32)
        valid = (inputs >= 0) & (inputs < self.num_embeddings)  # [...]
        if self.num_embeddings == 1:
            rows = jnp.broadcast_to(embedding, inputs.shape + (self.features,))  # [..., features]
            return jnp.where(valid[..., None], rows, _missing(rows.dtype))
        # jnp.take fills ids >= vocab (and < -vocab) with NaN but counts ids in [-vocab, 0) from the end
        ids = jnp.where(valid, inputs, self.num_embeddings)  # [...]: every invalid id past the end
        return jnp.take(embedding, ids, axis=0)  # [..., features]

    def attend(self, scope: Scope, query):
        """Scores `query: [..., features]` against every embedding: `[..., vocab]`."""
        require_float(scope, query, "query")
        if query.ndim == 0 or query.shape[-1] != self.features:
            raise ValueError(
                f"{scope.where}: attend expected a query with {self.features} features "
                f"(embedding is [{self.num_embeddings}, {self.features}]), got {list(query.shape)}"
            )
        query, embedding = self.promote_dtype(query, self._embedding(scope), dtype=self.dtype)
        return jnp.dot(query, embedding.T)  # [..., vocab]

    def _embedding(self, scope: Scope):
        return scope.param(
            "embedding", self.embedding_init, (self.num_embeddings, self.features), self.param_dtype
        )  # [vocab, features]


def _missing(dtype):
    """What `jnp.take` fills an out-of-range row with: NaN, the lowest signed or highest unsigned integer."""
    if jnp.issubdtype(dtype, jnp.inexact):
        return jnp.array(jnp.nan, dtype)
    if jnp.issubdtype(dtype, jnp.bool_):
        return jnp.array(True)
    info = jnp.iinfo(dtype)
    return jnp.array(info.min if jnp.issubdtype(dtype, jnp.signedinteger) else info.max, dtype)
