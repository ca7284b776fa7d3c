"""Dot-product attention and the multi-head layer, with Flax's variables and its 'cache' for decoding.

Attention lets every position of a sequence read a weighted average of the others. With queries,
keys and values split into `heads` independent heads of `head_dim = qkv_features // num_heads`
features each:

    q: [batch, q_len, heads, head_dim]       k: [batch, kv_len, heads, head_dim]
    v: [batch, kv_len, heads, v_dim]

    logits  = einsum('bqhd,bkhd->bhqk', q / sqrt(head_dim), k)   # [batch, heads, q_len, kv_len]
    logits  = logits + bias                                       # optional, e.g. relative positions
    logits  = where(mask, logits, finfo(dtype).min)               # masked pairs: weight ~0
    weights = softmax(logits, axis=-1)                            # each query's row sums to 1
    weights = dropout(weights)                                    # optional, while training
    out     = einsum('bhqk,bkhd->bqhd', weights, v)               # [batch, q_len, heads, v_dim]

Why `1 / sqrt(head_dim)`: if the entries of `q` and `k` are independent with mean 0 and variance 1,
their dot product over `head_dim` features has variance `head_dim`. Unscaled, the logits grow with
the head size, the softmax saturates on one key and its gradient vanishes; dividing by
`sqrt(head_dim)` keeps the logits' variance at 1 whatever the head size (Vaswani et al., 2017).

Masks are arrays broadcastable to `[batch, heads, q_len, kv_len]`, True (or 1) where a query may
look at a key. `make_attention_mask(q_ids > 0, kv_ids > 0)` hides padding; `make_causal_mask(ids)`
hides the future (query `i` sees keys `j <= i`); `combine_masks` ands them. A masked logit becomes
the lowest finite float rather than `-inf`, so a query that sees nothing gets uniform weights
instead of NaN.

`MultiHeadDotProductAttention` projects its inputs to `q`, `k`, `v` with three `DenseGeneral`
layers named 'query', 'key', 'value' (kernels `[features, heads, head_dim]`), attends, and maps the
heads back with 'out' (kernel `[heads, head_dim, out_features]`): Flax's layout, so variables move
between the two packages unchanged.

Cached decoding (`decode=True`): a language model generates one token at a time, and each new
token's query attends over all keys so far. Rather than recomputing them, the layer keeps them in
the 'cache' collection:

    cached_key, cached_value: [batch, max_len, heads, head_dim]   (zeros at first)
    cache_index: int32 scalar, the next free position

`init` on a full-length input creates the cache (its length is `max_len`). Each `apply(...,
mutable=['cache'])` on one token `[batch, 1, features]` writes its key and value at `cache_index`,
attends over positions `0..cache_index` only (the rest are still zeros), and adds 1 to the index.
Step `t` therefore gives what the full causal pass gives at position `t`.

Counterpart: `flax.linen.attention` (flax/linen/attention.py): `dot_product_attention_weights`,
`dot_product_attention`, `MultiHeadDotProductAttention`, `MultiHeadAttention`, `SelfAttention`,
`make_attention_mask`, `make_causal_mask`, `combine_masks`.

References:
  Vaswani, Shazeer, Parmar, Uszkoreit, Jones, Gomez, Kaiser & Polosukhin, *Attention Is All You
  Need*, NeurIPS 2017, https://arxiv.org/abs/1706.03762
  Dehghani et al., *Scaling Vision Transformers to 22 Billion Parameters* (query/key
  normalization), 2023, https://arxiv.org/abs/2302.05442
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

import purejax.random
from purejax.checks import check_array, check_bool, check_callable, check_optional_int, check_probability
from purejax.nn import initializers
from purejax.nn.dtypes import promote_dtype, require_float
from purejax.nn.keypath import check_key
from purejax.nn.linear import DenseGeneral, default_kernel_init
from purejax.nn.module import Layer, Scope, check_fields, layer_where, merge_attribute
from purejax.nn.normalization import LayerNorm
from purejax.nn.softmax import softmax


def _check_broadcast(where: str, name: str, array, shape: tuple) -> None:
    """`array` (a mask or a bias) must broadcast to the attention weights' `shape`."""
    check_array(where, name, array)
    array_shape = tuple(jnp.shape(array))
    try:
        fits = np.broadcast_shapes(array_shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{where}: {name} has shape {list(array_shape)}, which does not broadcast to the attention weights "
            f"[batch..., heads, q_length, kv_length] = {list(shape)}; make_attention_mask and make_causal_mask "
            "give [batch..., 1, q_length, kv_length]"
        )


def _check_heads(where: str, query, key, value=None) -> None:
    """`[batch..., length, heads, depth]` arrays with the same rank, batch axes and heads."""
    arrays = {"query": query, "key": key} if value is None else {"query": query, "key": key, "value": value}
    for name, array in arrays.items():
        check_array(where, name, array)
        if jnp.ndim(array) < 3:
            raise ValueError(
                f"{where}: {name} must be [batch..., length, heads, head_dim] (rank 3 or more), got "
                f"{list(jnp.shape(array))}; split the features into heads first, e.g. x.reshape(b, l, heads, -1)"
            )
    shapes = {name: tuple(jnp.shape(a)) for name, a in arrays.items()}
    described = ", ".join(f"{name} {list(s)}" for name, s in shapes.items())
    if len({len(s) for s in shapes.values()}) > 1 or len({s[:-3] for s in shapes.values()}) > 1:
        raise ValueError(f"{where}: the batch axes [batch..., :-3] must be the same, got {described}")
    if len({s[-2] for s in shapes.values()}) > 1:
        raise ValueError(f"{where}: the number of heads (axis -2) must be the same, got {described}")
    if shapes["query"][-1] != shapes["key"][-1]:
        raise ValueError(f"{where}: query and key must have the same head_dim (axis -1), got {described}")
    if value is not None and shapes["key"][-3] != shapes["value"][-3]:
        raise ValueError(f"{where}: key and value must have the same length (axis -3), got {described}")


def _check_dropout(where: str, dropout_rate, deterministic, dropout_rng) -> bool:
    """Whether dropout runs; a key is needed then."""
    check_probability(where, "dropout_rate", dropout_rate, hint="the probability of dropping a weight")
    check_bool(where, "deterministic", deterministic)
    if deterministic or dropout_rate == 0.0:
        return False
    if dropout_rng is None:
        raise ValueError(
            f"{where}: dropout_rate={dropout_rate} with deterministic=False needs dropout_rng; pass "
            "dropout_rng=key (purejax.random.PRNGKey), or deterministic=True to turn dropout off"
        )
    check_key(where, "dropout_rng", dropout_rng)
    return True


def _einsum(precision, einsum_dot_general):
    return functools.partial(jnp.einsum, precision=precision, _dot_general=einsum_dot_general or lax.dot_general)


def dot_product_attention_weights(
    query,
    key,
    bias=None,
    mask=None,
    broadcast_dropout: bool = True,
    dropout_rng=None,
    dropout_rate: float = 0.0,
    deterministic: bool = False,
    dtype: Any = None,
    precision: Any = None,
    module: Any = None,
    force_fp32_for_softmax: bool = False,
    einsum_dot_general: Callable | None = None,
    einsum: Callable | None = None,
):
    """The attention weights `softmax(q k^T / sqrt(head_dim) + bias, masked)`, with dropout.

        logits  = einsum('...qhd,...khd->...hqk', q / sqrt(head_dim), k)
        weights = softmax(where(mask, logits + bias, finfo(dtype).min))
        weights = weights * bernoulli(1 - dropout_rate) / (1 - dropout_rate)     # if not deterministic

    Args:
      query: `[batch..., q_length, heads, head_dim]`.
      key: `[batch..., kv_length, heads, head_dim]`.
      bias: added to the logits; broadcastable to `[batch..., heads, q_length, kv_length]`.
      mask: True/nonzero where a query may attend to a key; broadcastable as `bias`.
      broadcast_dropout: one dropout mask `[q_length, kv_length]` shared by the batch and the heads.
      dropout_rng: `uint32[2]` key of the dropout mask (needed when dropout runs).
      dropout_rate: the probability of dropping a weight.
      deterministic: True to skip dropout.
      dtype: the dtype of the computation (default: promoted from query and key).
      precision: `lax.Precision` of the einsum.
      module: a `Scope` (or a Module) that sows the weights into 'intermediates/attention_weights'.
      force_fp32_for_softmax: compute the softmax in float32 (for bfloat16 training).
      einsum_dot_general: the `dot_general` the einsum uses.
      einsum: an einsum to use instead of `jnp.einsum` (excludes `precision`/`einsum_dot_general`).

    Returns:
      `[batch..., heads, q_length, kv_length]`, each row summing to 1 (before dropout).

    Counterpart: `flax.linen.dot_product_attention_weights` (flax/linen/attention.py).

    Differences:
      Shapes that do not fit, a mask or bias that does not broadcast, and dropout without a key are
      refused with a `ValueError` naming the argument (Flax: bare `assert`s, or a failure inside
      `jax.random.bernoulli`); `dropout_rate` must lie in [0, 1].

    Examples:
      >>> import jax.numpy as jnp
      >>> q = k = jnp.ones((1, 3, 2, 4))  # [batch, length, heads, head_dim]
      >>> w = dot_product_attention_weights(q, k, mask=make_causal_mask(jnp.ones((1, 3))))
      >>> w.shape  # [batch, heads, q_length, kv_length]
      (1, 2, 3, 3)
      >>> w[0, 0, 1].tolist()  # query 1 sees keys 0 and 1; equal logits, so half each
      [0.5, 0.5, 0.0]
    """
    where = "purejax.nn.dot_product_attention_weights"
    if (precision or einsum_dot_general) and einsum:
        raise ValueError(f"{where}: precision/einsum_dot_general and einsum are mutually exclusive; pass only one")
    if einsum is None:
        einsum = _einsum(precision, einsum_dot_general)
    else:
        check_callable(where, "einsum", einsum)
    _check_heads(where, query, key)
    check_bool(where, "broadcast_dropout", broadcast_dropout)
    check_bool(where, "force_fp32_for_softmax", force_fp32_for_softmax)
    drop = _check_dropout(where, dropout_rate, deterministic, dropout_rng)
    query, key = promote_dtype(query, key, dtype=dtype)
    dtype = query.dtype
    weights_shape = query.shape[:-3] + (query.shape[-2], query.shape[-3], key.shape[-3])
    for name, array in (("bias", bias), ("mask", mask)):
        if array is not None:
            _check_broadcast(where, name, array, weights_shape)

    depth = query.shape[-1]
    query = query / jnp.sqrt(depth).astype(dtype)  # keeps the logits' variance ~1 whatever head_dim is
    attn_weights = einsum("...qhd,...khd->...hqk", query, key)  # [batch..., heads, q_length, kv_length]
    if bias is not None:
        attn_weights = attn_weights + bias  # positional or padding bias
    if mask is not None:
        big_neg = jnp.finfo(dtype).min  # finite: a fully masked row is uniform, not NaN
        attn_weights = jnp.where(mask, attn_weights, big_neg)
    if force_fp32_for_softmax and dtype != jnp.float32:
        attn_weights = softmax(attn_weights.astype(jnp.float32))
    else:
        attn_weights = softmax(attn_weights).astype(dtype)  # each row sums to 1
    if module is not None:
        module.sow("intermediates", "attention_weights", attn_weights)
    if drop:
        keep_prob = 1.0 - dropout_rate
        if broadcast_dropout:  # one mask [q_length, kv_length] for every batch entry and head
            dropout_shape = (1,) * (key.ndim - 2) + attn_weights.shape[-2:]
        else:
            dropout_shape = attn_weights.shape
        keep = purejax.random.bernoulli(dropout_rng, keep_prob, dropout_shape)
        multiplier = keep.astype(dtype) / jnp.asarray(keep_prob, dtype=dtype)  # inverted dropout: E[w] unchanged
        attn_weights = attn_weights * multiplier
    return attn_weights


def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    broadcast_dropout: bool = True,
    dropout_rng=None,
    dropout_rate: float = 0.0,
    deterministic: bool = False,
    dtype: Any = None,
    precision: Any = None,
    module: Any = None,
    force_fp32_for_softmax: bool = False,
    einsum_dot_general: Callable | None = None,
    qk_attn_weights_einsum: Callable | None = None,
    attn_weights_value_einsum: Callable | None = None,
):
    """Attention: each query's weighted average of the values, `softmax(q k^T / sqrt(d)) v`.

        weights = dot_product_attention_weights(q, k, bias, mask, ...)   # [batch..., heads, q, kv]
        out     = einsum('...hqk,...khd->...qhd', weights, v)             # [batch..., q, heads, v_dim]

    Args:
      query: `[batch..., q_length, heads, head_dim]`.
      key: `[batch..., kv_length, heads, head_dim]`.
      value: `[batch..., kv_length, heads, v_dim]`.
      bias, mask, broadcast_dropout, dropout_rng, dropout_rate, deterministic, dtype, precision,
      module, force_fp32_for_softmax, einsum_dot_general: as `dot_product_attention_weights`.
      qk_attn_weights_einsum, attn_weights_value_einsum: einsums replacing `jnp.einsum` for the
        two products (both or neither; they exclude `precision`/`einsum_dot_general`).

    Returns:
      `[batch..., q_length, heads, v_dim]`.

    Counterpart: `flax.linen.dot_product_attention` (flax/linen/attention.py).

    Differences:
      As `dot_product_attention_weights`: bad shapes are `ValueError`s naming the arrays.

    Examples:
      >>> import jax.numpy as jnp
      >>> q = k = jnp.ones((2, 3, 4, 8))  # [batch, length, heads, head_dim]
      >>> v = jnp.arange(3.0).reshape(1, 3, 1, 1) * jnp.ones((2, 3, 4, 8))
      >>> out = dot_product_attention(q, k, v, mask=make_causal_mask(jnp.ones((2, 3))))
      >>> out.shape, out[0, :, 0, 0].tolist()  # position i averages the values 0..i
      ((2, 3, 4, 8), [0.0, 0.5, 1.0])
    """
    where = "purejax.nn.dot_product_attention"
    if (qk_attn_weights_einsum is None) != (attn_weights_value_einsum is None):
        raise ValueError(f"{where}: qk_attn_weights_einsum and attn_weights_value_einsum must be specified together")
    if (precision or einsum_dot_general) and qk_attn_weights_einsum:
        raise ValueError(
            f"{where}: precision/einsum_dot_general and qk_attn_weights_einsum/attn_weights_value_einsum are "
            "mutually exclusive; pass only one of them"
        )
    _check_heads(where, query, key, value)
    query, key, value = promote_dtype(query, key, value, dtype=dtype)
    dtype = query.dtype
    attn_weights = dot_product_attention_weights(
        query,
        key,
        bias,
        mask,
        broadcast_dropout,
        dropout_rng,
        dropout_rate,
        deterministic,
        dtype,
        precision,
        module,
        force_fp32_for_softmax,
        einsum_dot_general=einsum_dot_general,
        einsum=qk_attn_weights_einsum,
    )  # [batch..., heads, q_length, kv_length]
    einsum = attn_weights_value_einsum or _einsum(precision, einsum_dot_general)
    return einsum("...hqk,...khd->...qhd", attn_weights, value)  # [batch..., q_length, heads, v_dim]


@dataclasses.dataclass(frozen=True)
class MultiHeadDotProductAttention(Layer):
    """Multi-head attention: project to heads, attend in each, project back.

        q = DenseGeneral((heads, head_dim), name='query')(inputs_q)    # [batch..., q_len, heads, head_dim]
        k = DenseGeneral((heads, head_dim), name='key')(inputs_k)      # [batch..., kv_len, heads, head_dim]
        v = DenseGeneral((heads, head_dim), name='value')(inputs_v)    # [batch..., kv_len, heads, head_dim]
        q, k = LayerNorm(name='query_ln')(q), LayerNorm(name='key_ln')(k)   # only with normalize_qk
        x = attention_fn(q, k, v, mask=mask, ...)                      # [batch..., q_len, heads, head_dim]
        y = DenseGeneral(out_features, axis=(-2, -1), name='out')(x)   # [batch..., q_len, out_features]

    with `head_dim = qkv_features // num_heads`. With `decode=True` the keys and values of earlier
    calls are kept in the 'cache' collection (`cached_key`, `cached_value`: `[batch..., max_len,
    heads, head_dim]`; `cache_index`: int32 scalar) and each call takes one token; see the module
    docstring.

    Attributes:
      num_heads: the number of heads; `qkv_features` must be a multiple of it.
      dtype: the dtype of the computation (default: promoted from inputs and params).
      param_dtype: the dtype of the parameters (default float32).
      qkv_features: the width of q, k and v over all heads (default: `inputs_q.shape[-1]`).
      out_features: the output width (default: `inputs_q.shape[-1]`).
      broadcast_dropout: one dropout mask shared along the batch and the heads (default True).
      dropout_rate: the probability of dropping an attention weight (default 0).
      deterministic: True to skip dropout; may instead be given at each call.
      precision: `lax.Precision` of the projections and the einsums.
      kernel_init, bias_init: initializers of the four projections (`lecun_normal()`, zeros).
      out_kernel_init, out_bias_init: those of 'out' alone (default: `kernel_init`, `bias_init`).
      use_bias: whether the projections have biases (default True).
      attention_fn: `dot_product_attention` or a function with its arguments (those it lacks are
        not passed).
      decode: keep a cache of keys and values for decoding one token at a time.
      normalize_qk: LayerNorm (no bias) on q and k, named 'query_ln' and 'key_ln'.
      force_fp32_for_softmax: compute the softmax in float32.
      qk_attn_weights_einsum_cls, attn_weights_value_einsum_cls: factories of einsums replacing
        `jnp.einsum` in `attention_fn`.

    Call: `forward(scope, inputs_q, inputs_k=None, inputs_v=None, *, inputs_kv=None, mask=None,
    deterministic=None, dropout_rng=None, sow_weights=False)`. `inputs_q`: `[batch..., q_len,
    features]`; `inputs_k` and `inputs_v`: `[batch..., kv_len, features]` (default `inputs_q`, and
    `inputs_v` defaults to `inputs_k`); `mask` broadcastable to `[batch..., heads, q_len, kv_len]`;
    `dropout_rng` overrides the 'dropout' stream; `sow_weights` sows the weights into
    'intermediates/attention_weights'. Returns `[batch..., q_len, out_features]`.

    Under `init(..., rng_rule='nnx')` with `dropout_rate > 0` the layer does what
    `nnx.MultiHeadAttention(..., dropout_rate=r, rngs=rngs)` does when built: after `out`'s
    parameters it forks the 'dropout' stream (`Scope.fork_rng`), and a mask drawn during that
    `init` comes from the forked stream, as the NNX layer's first call draws it.

    Counterpart: `flax.linen.MultiHeadDotProductAttention` (flax/linen/attention.py); for the NNX
    rule `flax.nnx.MultiHeadAttention` (flax/nnx/nn/attention.py).

    Differences:
      Flax's deprecated `qkv_dot_general`, `out_dot_general` and their `_cls` fields are absent, and
      so is its warning when `inputs_v` is square (a guess that a mask was passed positionally).
      Hyperparameters are checked when the layer is built; `qkv_features` not a multiple of
      `num_heads`, inputs whose batch axes or lengths do not fit, and a decoding call with more
      than one token are `ValueError`s naming the layer and the shapes (Flax: `assert`s, or
      "Autoregressive cache shape error"). A decoding call once the cache is full is refused:
      Flax silently overwrites the last position (`dynamic_update_slice` clamps the index) and
      attends over everything. Eagerly it is a `ValueError`; inside `jax.jit`, where the index is
      not known while tracing, that step's output is NaN.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.MultiHeadDotProductAttention(num_heads=2, qkv_features=8)
      >>> x = jnp.ones((1, 5, 6))  # [batch, length, features]
      >>> variables = layer.init(random.PRNGKey(0), x)
      >>> tree.map(jnp.shape, variables['params'])['query']  # kernel [features, heads, head_dim]
      {'bias': (2, 4), 'kernel': (6, 2, 4)}
      >>> tree.map(jnp.shape, variables['params'])['out']
      {'bias': (6,), 'kernel': (2, 4, 6)}
      >>> layer.apply(variables, x, mask=nn.make_causal_mask(jnp.ones((1, 5)))).shape
      (1, 5, 6)
    """

    num_heads: int
    dtype: Any = None
    param_dtype: Any = jnp.float32
    qkv_features: int | None = None
    out_features: int | None = None
    broadcast_dropout: bool = True
    dropout_rate: float = 0.0
    deterministic: bool | None = None
    precision: Any = None
    kernel_init: Callable = default_kernel_init
    out_kernel_init: Callable | None = None
    bias_init: Callable = initializers.zeros_init()
    out_bias_init: Callable | None = None
    use_bias: bool = True
    attention_fn: Callable = dot_product_attention
    decode: bool = False
    normalize_qk: bool = False
    force_fp32_for_softmax: bool = False
    qk_attn_weights_einsum_cls: Callable | None = None
    attn_weights_value_einsum_cls: Callable | None = None

    def __post_init__(self):
        super().__post_init__()
        check_fields(
            self,
            positive=("num_heads",),
            flags=("broadcast_dropout", "use_bias", "decode", "normalize_qk", "force_fp32_for_softmax"),
            dtypes=("dtype", "param_dtype"),
            functions=("kernel_init", "bias_init", "attention_fn"),
            precisions=("precision",),
        )
        where = layer_where(self)
        for field in ("qkv_features", "out_features"):
            check_optional_int(where, field, getattr(self, field), minimum=1)
        for field in (
            "out_kernel_init",
            "out_bias_init",
            "qk_attn_weights_einsum_cls",
            "attn_weights_value_einsum_cls",
        ):
            if getattr(self, field) is not None:
                check_callable(where, field, getattr(self, field))
        check_probability(where, "dropout_rate", self.dropout_rate, hint="the probability of dropping a weight")
        check_bool(where, "deterministic", self.deterministic, optional=True)
        if self.qkv_features is not None and self.qkv_features % self.num_heads:
            raise ValueError(
                f"{where}: qkv_features={self.qkv_features} must be a multiple of num_heads={self.num_heads} "
                "(each head gets qkv_features // num_heads features)"
            )

    def forward(
        self,
        scope: Scope,
        inputs_q,
        inputs_k=None,
        inputs_v=None,
        *,
        inputs_kv=None,
        mask=None,
        deterministic: bool | None = None,
        dropout_rng=None,
        sow_weights: bool = False,
    ):
        inputs_k, inputs_v = self._inputs(scope, inputs_q, inputs_k, inputs_v, inputs_kv)
        features = self.out_features or inputs_q.shape[-1]
        qkv_features = self.qkv_features or inputs_q.shape[-1]
        if qkv_features % self.num_heads:
            raise ValueError(
                f"{scope.where}: the memory dimension qkv_features={qkv_features} (default: inputs_q.shape[-1]) "
                f"must be a multiple of num_heads={self.num_heads}; set qkv_features"
            )
        head_dim = qkv_features // self.num_heads

        def dense(name):
            return DenseGeneral(
                features=(self.num_heads, head_dim),
                axis=-1,
                dtype=self.dtype,
                param_dtype=self.param_dtype,
                kernel_init=self.kernel_init,
                bias_init=self.bias_init,
                use_bias=self.use_bias,
                precision=self.precision,
                name=name,
            )

        query = scope.child(dense("query"))(inputs_q)  # [batch..., q_len, heads, head_dim]
        key = scope.child(dense("key"))(inputs_k)  # [batch..., kv_len, heads, head_dim]
        value = scope.child(dense("value"))(inputs_v)  # [batch..., kv_len, heads, head_dim]
        if self.normalize_qk:  # LayerNorm over head_dim keeps the logits bounded at high learning rates
            norm = functools.partial(LayerNorm, use_bias=False, dtype=self.dtype, param_dtype=self.param_dtype)
            query = scope.child(norm(name="query_ln"))(query)
            key = scope.child(norm(name="key_ln"))(key)

        full = None
        if self.decode:
            key, value, mask, full = self._decode_step(scope, query, key, value, mask)

        out = DenseGeneral(
            features=features,
            axis=(-2, -1),
            kernel_init=self.out_kernel_init or self.kernel_init,
            bias_init=self.out_bias_init or self.bias_init,
            use_bias=self.use_bias,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            precision=self.precision,
            name="out",
        )
        fork = None
        if self.dropout_rate > 0.0 and scope.initializing and scope.rng_rule == "nnx":
            # NNX builds `out`, then forks the dropout stream: create out's parameters first
            scope.child(out)(jnp.zeros(query.shape[:-1] + value.shape[-1:], value.dtype))
            fork = scope.fork_rng("dropout")

        if self.dropout_rate > 0.0:  # `deterministic` is needed only with dropout
            check_bool(scope.where, "deterministic", deterministic, optional=True)
            m_deterministic = merge_attribute(
                scope.where, "deterministic", self.deterministic, deterministic, " (True to turn dropout off)"
            )
            if not m_deterministic and dropout_rng is None and fork is not None:
                dropout_rng = fork.child(scope.next_count("fork")).key()  # the NNX layer's own stream
            elif not m_deterministic and dropout_rng is None:
                dropout_rng = scope.make_rng("dropout")
            elif dropout_rng is not None:
                check_key(scope.where, "dropout_rng", dropout_rng)
        else:
            m_deterministic = True

        attn_kwargs: dict[str, Any] = dict(
            mask=mask,
            dropout_rng=dropout_rng,
            dropout_rate=self.dropout_rate,
            broadcast_dropout=self.broadcast_dropout,
            deterministic=m_deterministic,
            dtype=self.dtype,
            precision=self.precision,
            force_fp32_for_softmax=self.force_fp32_for_softmax,
            qk_attn_weights_einsum=self.qk_attn_weights_einsum_cls() if self.qk_attn_weights_einsum_cls else None,
            attn_weights_value_einsum=(
                self.attn_weights_value_einsum_cls() if self.attn_weights_value_einsum_cls else None
            ),
        )
        accepted = inspect.signature(self.attention_fn).parameters  # a custom attention_fn gets what it takes
        attn_kwargs = {k: v for k, v in attn_kwargs.items() if k in accepted}
        if check_bool(scope.where, "sow_weights", sow_weights):
            attn_kwargs["module"] = scope
        x = self.attention_fn(query, key, value, **attn_kwargs)  # [batch..., q_len, heads, head_dim]
        y = scope.child(out)(x)  # [batch..., q_len, out_features]
        if full is not None:  # decoding past the cache's end under jit: NaN rather than a wrong answer
            y = jnp.where(full, jnp.array(jnp.nan, y.dtype), y)
        return y

    def _inputs(self, scope: Scope, inputs_q, inputs_k, inputs_v, inputs_kv):
        """`(inputs_k, inputs_v)` with Flax's defaults, checked against `inputs_q`."""
        if inputs_kv is not None:
            if inputs_k is not None or inputs_v is not None:
                raise ValueError(
                    f"{scope.where}: pass either inputs_kv or inputs_k/inputs_v, not both; inputs_kv is "
                    "deprecated in Flax: pass inputs_k (and inputs_v if it differs)"
                )
            inputs_k = inputs_v = inputs_kv
            warnings.warn(
                "The inputs_kv arg will be deprecated soon. Use inputs_k and inputs_v instead.",
                DeprecationWarning,
                stacklevel=4,
            )
        else:
            if inputs_k is None:
                if inputs_v is not None:
                    raise ValueError(
                        f"{scope.where}: inputs_k cannot be None if inputs_v is given; to use one array for "
                        "both, pass it as inputs_k and leave inputs_v None"
                    )
                inputs_k = inputs_q
            if inputs_v is None:
                inputs_v = inputs_k
        named = {"inputs_q": inputs_q, "inputs_k": inputs_k, "inputs_v": inputs_v}
        for name, x in named.items():
            require_float(scope, x, name)
            if x.ndim < 2:
                raise ValueError(
                    f"{scope.where}: {name} must be [batch..., length, features], got {list(x.shape)}; "
                    "add a length axis, e.g. x[None]"
                )
        shapes = ", ".join(f"{name} {list(x.shape)}" for name, x in named.items())
        if len({x.shape[:-2] for x in named.values()}) > 1:
            raise ValueError(f"{scope.where}: the batch axes [batch..., :-2] of the inputs must agree, got {shapes}")
        if inputs_k.shape[-2] != inputs_v.shape[-2]:
            raise ValueError(f"{scope.where}: inputs_k and inputs_v must have the same length (axis -2), got {shapes}")
        return inputs_k, inputs_v

    def _decode_step(self, scope: Scope, query, key, value, mask):
        """Write this token's key and value into the cache; attend over the positions written so far.

        Returns `(key, value, mask, full)`: the whole cache `[batch..., max_len, heads, head_dim]`,
        the mask with the not-yet-written positions hidden, and (under jit) whether the cache was
        already full, else None.
        """
        is_initialized = scope.has_variable("cache", "cached_key")  # absent: init creates the cache
        cached_key = scope.variable("cache", "cached_key", jnp.zeros, key.shape, key.dtype)
        cached_value = scope.variable("cache", "cached_value", jnp.zeros, value.shape, value.dtype)
        cache_index = scope.variable("cache", "cache_index", lambda: jnp.array(0, dtype=jnp.int32))
        if not is_initialized:
            return key, value, mask, None
        *batch_dims, max_length, num_heads, depth_per_head = cached_key.value.shape
        expected = (*batch_dims, 1, num_heads, depth_per_head)
        if tuple(query.shape) != expected:
            raise ValueError(
                f"{scope.where}: with decode=True each call takes one token: expected a query of shape "
                f"{list(expected)} ([batch..., 1, heads, head_dim], from the cache's {list(cached_key.value.shape)}), "
                f"got {list(query.shape)}; pass inputs [batch..., 1, features], one position at a time "
                "(for a whole sequence use decode=False with make_causal_mask)"
            )
        if not scope.is_mutable("cache"):
            raise ValueError(
                f"{scope.where}: decode=True writes this token into the 'cache' collection; pass "
                "mutable=['cache'] to apply and keep the cache it returns for the next token"
            )
        cur_index = cache_index.value
        full = cur_index >= max_length  # True once every position is written
        try:
            index = int(cur_index)
        except (jax.errors.ConcretizationTypeError, jax.errors.TracerIntegerConversionError):
            index = None  # traced: known only when the program runs
        else:
            full = None
        if index is not None and index >= max_length:
            raise ValueError(
                f"{scope.where}: the decoding cache is full: it holds {max_length} positions (the length "
                f"of the input given to init) and cache_index is {index}; init with a longer input, or "
                "start again from the cache init returned"
            )
        zero = jnp.array(0, dtype=lax.dtype(cur_index.dtype))
        indices = (zero,) * len(batch_dims) + (cur_index, zero, zero)
        key = lax.dynamic_update_slice(cached_key.value, key, indices)  # [batch..., max_len, heads, head_dim]
        value = lax.dynamic_update_slice(cached_value.value, value, indices)
        cached_key.value = key
        cached_value.value = value
        cache_index.value = cache_index.value + 1
        # the one query sees the positions written so far, 0..cur_index, not the zeros after them
        written = jnp.broadcast_to(jnp.arange(max_length) <= cur_index, (*batch_dims, 1, 1, max_length))
        return key, value, combine_masks(mask, written), full


@dataclasses.dataclass(frozen=True)
class MultiHeadAttention(MultiHeadDotProductAttention):
    """`MultiHeadDotProductAttention` under Flax's other name; auto-named `MultiHeadAttention_<n>`.

    The name matters: a layer's name is part of its variables' path and of its keys' derivation.

    Counterpart: `flax.linen.MultiHeadAttention` (flax/linen/attention.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> layer = nn.MultiHeadAttention(num_heads=2)
      >>> layer.apply(layer.init(random.PRNGKey(0), jnp.ones((1, 3, 4))), jnp.ones((1, 3, 4))).shape
      (1, 3, 4)
    """


@dataclasses.dataclass(frozen=True)
class SelfAttention(MultiHeadDotProductAttention):
    """Self-attention, `MultiHeadDotProductAttention` with `inputs_k = inputs_v = inputs_q` (deprecated).

    Call: `forward(scope, inputs_q, mask=None, deterministic=None, dropout_rng=None, sow_weights=False)`.

    Counterpart: `flax.linen.SelfAttention` (flax/linen/attention.py), which warns that it is
    deprecated in favour of `MultiHeadDotProductAttention(...)(inputs_q)`; so does this one.

    Examples:
      >>> import warnings
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> with warnings.catch_warnings():
      ...     warnings.simplefilter('ignore', DeprecationWarning)
      ...     variables = nn.SelfAttention(num_heads=2).init(random.PRNGKey(0), jnp.ones((1, 3, 4)))
      >>> sorted(variables['params'])
      ['key', 'out', 'query', 'value']
    """

    def forward(  # pyright: ignore[reportIncompatibleMethodOverride]
        self,
        scope: Scope,
        inputs_q,
        mask=None,
        deterministic: bool | None = None,
        dropout_rng=None,
        sow_weights: bool = False,
    ):
        warnings.warn(
            "SelfAttention will be deprecated soon. Use `MultiHeadDotProductAttention.__call__(inputs_q)` instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        return super().forward(
            scope, inputs_q, mask=mask, deterministic=deterministic, dropout_rng=dropout_rng, sow_weights=sow_weights
        )


def make_attention_mask(
    query_input, key_input, pairwise_fn: Callable = jnp.multiply, extra_batch_dims: int = 0, dtype=jnp.float32
):
    """A mask from per-position values: `mask[..., 0, i, j] = pairwise_fn(query_input[..., i], key_input[..., j])`.

    With `query_input = q_ids > 0` and `key_input = kv_ids > 0` (the default `multiply` is a
    logical and), a pair is kept when neither position is padding.

    Args:
      query_input: `[batch..., q_length]`.
      key_input: `[batch..., kv_length]`.
      pairwise_fn: a broadcasting elementwise function of the two (default `jnp.multiply`).
      extra_batch_dims: how many leading axes of size 1 to add.
      dtype: the mask's dtype (default float32).

    Returns:
      `[1 * extra_batch_dims, batch..., 1, q_length, kv_length]` (the 1 broadcasts over the heads).

    Counterpart: `flax.linen.make_attention_mask` (flax/linen/attention.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> ids = jnp.array([[5, 7, 0]])  # [batch, length]; 0 is padding
      >>> make_attention_mask(ids > 0, ids > 0)[0, 0].tolist()
      [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """
    where = "purejax.nn.make_attention_mask"
    check_array(where, "query_input", query_input)
    check_array(where, "key_input", key_input)
    check_callable(where, "pairwise_fn", pairwise_fn)
    extra_batch_dims = check_optional_int(where, "extra_batch_dims", extra_batch_dims, minimum=0) or 0
    mask = pairwise_fn(jnp.expand_dims(query_input, axis=-1), jnp.expand_dims(key_input, axis=-2))  # [..., q, kv]
    mask = jnp.expand_dims(mask, axis=-3)  # [batch..., 1, q_length, kv_length]
    mask = jnp.expand_dims(mask, axis=tuple(range(extra_batch_dims)))
    return mask.astype(dtype)


def make_causal_mask(x, extra_batch_dims: int = 0, dtype=jnp.float32):
    """The mask that lets position `i` attend to positions `j <= i` only: no peeking at the future.

    Args:
      x: `[batch..., length]` (only its shape is used).
      extra_batch_dims: how many leading axes of size 1 to add.
      dtype: the mask's dtype (default float32).

    Returns:
      `[batch..., 1, length, length]`, lower triangular in the last two axes.

    Counterpart: `flax.linen.make_causal_mask` (flax/linen/attention.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> make_causal_mask(jnp.ones((1, 3)))[0, 0].tolist()
      [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    """
    check_array("purejax.nn.make_causal_mask", "x", x)
    if jnp.ndim(x) < 1:
        raise ValueError("purejax.nn.make_causal_mask: x must be [batch..., length], got a scalar; pass the token ids")
    idxs = jnp.broadcast_to(jnp.arange(x.shape[-1], dtype=jnp.int32), x.shape)  # [batch..., length]
    return make_attention_mask(idxs, idxs, jnp.greater_equal, extra_batch_dims=extra_batch_dims, dtype=dtype)


def combine_masks(*masks, dtype=jnp.float32):
    """The logical and of several masks (None skipped); None if none is given.

    Args:
      *masks: masks of one rank, broadcastable to each other, or None.
      dtype: the result's dtype (default float32).

    Returns:
      The combined mask, or None.

    Counterpart: `flax.linen.combine_masks` (flax/linen/attention.py).

    Differences:
      Masks of different ranks are a `ValueError` naming the ranks (Flax: an `assert`).

    Examples:
      >>> import jax.numpy as jnp
      >>> ids = jnp.array([[5, 7, 0]])
      >>> mask = combine_masks(make_causal_mask(ids), make_attention_mask(ids > 0, ids > 0))
      >>> mask[0, 0].tolist()
      [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """
    masks_list = [m for m in masks if m is not None]
    if not masks_list:
        return None
    for i, m in enumerate(masks_list):
        check_array("purejax.nn.combine_masks", f"masks[{i}]", m)
    ranks = tuple(jnp.ndim(m) for m in masks_list)
    if len(set(ranks)) > 1:
        raise ValueError(
            f"purejax.nn.combine_masks: masks must have the same rank, got ranks {ranks}; "
            "make each [batch..., heads or 1, q_length, kv_length]"
        )
    mask, *others = masks_list
    for other in others:
        mask = jnp.logical_and(mask, other)
    return mask.astype(dtype)
