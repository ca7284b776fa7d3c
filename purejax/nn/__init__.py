"""Neural-network pieces from scratch: activations, initializers and layers that produce Flax's variables.

Counterparts: `jax.nn` (activations), `jax.nn.initializers` (`purejax.nn.initializers`),
`flax.linen` (layers and pooling). One concept per module, in the order they build on each other:

    keypath                 one seed -> Flax's key for every parameter (KeyPath, fold_in_path); NNX's
                            counter rule (CounterKeyPath, init(..., rng_rule='nnx')); check_key
    module                  layers as forward(scope, ...): Layer, Scope, Variable; merge_param, check_fields
    compact                 Flax linen's Module over the scope: @compact, setup, method=, sow, bind, nn.apply
    transforms              lifted scan, vmap, remat, jit: layers with variables and keys under JAX transforms
    dtypes                  the dtype a layer computes in: result_dtype, promote_dtype, require_float
    activations             elementwise: relu ... tanh, sigmoid, gelu, silu
    softmax                 along an axis: softmax, log_softmax, logsumexp, standardize, one_hot, glu
    initializers            zeros ... orthogonal, variance_scaling and the lecun/glorot/he family
    linear, conv, pooling   Dense, DenseGeneral, Embed; Conv, ConvTranspose; pool, avg/max/min_pool
    normalization           LayerNorm, RMSNorm, GroupNorm and the statistics they share
    batch_norm              BatchNorm, on normalization's statistics, with running averages
    stochastic, prelu       Dropout; PReLU
    attention               dot_product_attention, MultiHeadDotProductAttention (decode cache), masks
    combinators             Sequential
    recurrent_checks        (internal) the carry's shape and the cells' argument checks
    recurrent_lstm          LSTMCell, OptimizedLSTMCell, ConvLSTMCell
    recurrent_gru           SimpleCell, GRUCell, MGUCell: one hidden state h
    recurrent_lstm_fused    RNN's fused LSTM path: the sequence with a hand-written backward pass
    recurrent               RNN (a lifted scan) and Bidirectional; RNNCellBase; flip_sequences
"""

from purejax.nn import initializers
from purejax.nn.activations import (
    celu,
    elu,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    log_sigmoid,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_sign,
    softplus,
    swish,
    tanh,
)
from purejax.nn.attention import (
    MultiHeadAttention,
    MultiHeadDotProductAttention,
    SelfAttention,
    combine_masks,
    dot_product_attention,
    dot_product_attention_weights,
    make_attention_mask,
    make_causal_mask,
)
from purejax.nn.batch_norm import BatchNorm
from purejax.nn.combinators import Sequential
from purejax.nn.compact import Module, apply, compact, init, init_with_output, nowrap
from purejax.nn.conv import Conv, ConvTranspose
from purejax.nn.initializers import ones, ones_init, zeros, zeros_init
from purejax.nn.keypath import CounterKeyPath, KeyPath, fold_in_path
from purejax.nn.linear import Dense, DenseGeneral, Embed
from purejax.nn.module import DenyList, Layer, Scope, Variable, merge_param
from purejax.nn.normalization import GroupNorm, LayerNorm, RMSNorm
from purejax.nn.pooling import avg_pool, max_pool, min_pool, pool
from purejax.nn.prelu import PReLU
from purejax.nn.recurrent import RNN, Bidirectional, RNNCellBase, flip_sequences
from purejax.nn.recurrent_gru import GRUCell, MGUCell, SimpleCell
from purejax.nn.recurrent_lstm import ConvLSTMCell, LSTMCell, OptimizedLSTMCell
from purejax.nn.softmax import glu, log_softmax, logsumexp, one_hot, softmax, standardize
from purejax.nn.stochastic import Dropout
from purejax.nn.transforms import broadcast, checkpoint, jit, remat, scan, vmap

__all__ = [
    "FLAX_ONLY",
    "BatchNorm",
    "Bidirectional",
    "Conv",
    "CounterKeyPath",
    "ConvLSTMCell",
    "ConvTranspose",
    "Dense",
    "DenseGeneral",
    "DenyList",
    "Dropout",
    "Embed",
    "GroupNorm",
    "GRUCell",
    "KeyPath",
    "Layer",
    "LayerNorm",
    "LSTMCell",
    "MGUCell",
    "Module",
    "MultiHeadAttention",
    "MultiHeadDotProductAttention",
    "OptimizedLSTMCell",
    "PReLU",
    "RMSNorm",
    "RNN",
    "RNNCellBase",
    "Scope",
    "SelfAttention",
    "Sequential",
    "SimpleCell",
    "Variable",
    "apply",
    "avg_pool",
    "broadcast",
    "celu",
    "checkpoint",
    "combine_masks",
    "compact",
    "dot_product_attention",
    "dot_product_attention_weights",
    "elu",
    "flip_sequences",
    "fold_in_path",
    "gelu",
    "glu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "init",
    "init_with_output",
    "initializers",
    "jit",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "make_attention_mask",
    "make_causal_mask",
    "max_pool",
    "merge_param",
    "min_pool",
    "nowrap",
    "one_hot",
    "ones",
    "ones_init",
    "pool",
    "relu",
    "relu6",
    "remat",
    "scan",
    "selu",
    "sigmoid",
    "silu",
    "soft_sign",
    "softmax",
    "softplus",
    "standardize",
    "swish",
    "tanh",
    "zeros",
    "zeros_init",
    "vmap",
]

# flax.linen names that purejax.nn does not have, with why: asking for one says so (rather than
# "has no attribute"), and tests/purejax/nn/test_surface.py keeps this table equal to what is missing.
_LAYER = "is not written yet"
_SHARDING = "(partitioning metadata) is not in purejax: shard arrays with jax.sharding, as purejax.parallel does"
_LIFTED = "(a lifted transform) is not in purejax: use nn.scan, nn.vmap, nn.remat, nn.jit, or jax.grad around apply"
_INTROSPECTION = "(module introspection) is not in purejax"
_FP8 = "(fp8 matmuls) is not in purejax"
FLAX_ONLY = {
    **dict.fromkeys(
        ("BatchApply", "ConvLocal", "Einsum", "InstanceNorm", "SpectralNorm", "WeightNorm", "batch_apply", "normalize"),
        _LAYER,
    ),
    **dict.fromkeys(
        (
            "LogicallyPartitioned",
            "PARTITION_NAME",
            "Partitioned",
            "add_metadata_axis",
            "get_logical_axis_rules",
            "get_partition_spec",
            "get_sharding",
            "logical_axis_rules",
            "logical_to_mesh",
            "logical_to_mesh_axes",
            "logical_to_mesh_sharding",
            "meta",
            "set_logical_axis_rules",
            "spmd",
            "unbox",
            "with_logical_constraint",
            "with_logical_partitioning",
            "with_partitioning",
        ),
        _SHARDING,
    ),
    **dict.fromkeys(
        (
            "cond",
            "custom_vjp",
            "fold_rngs",
            "grad",
            "jvp",
            "map_variables",
            "remat_scan",
            "switch",
            "value_and_grad",
            "vjp",
            "while_loop",
        ),
        _LIFTED,
    ),
    **dict.fromkeys(
        (
            "compact_name_scope",
            "disable_named_call",
            "enable_named_call",
            "intercept_methods",
            "kw_only_dataclasses",
            "named_call",
            "override_named_call",
            "share_scope",
            "summary",
            "tabulate",
        ),
        _INTROSPECTION,
    ),
    **dict.fromkeys(
        ("Fp8DirectDotGeneralOp", "Fp8DotGeneral", "Fp8DotGeneralOp", "Fp8Einsum", "NANOOFp8DotGeneralOp", "fp8_ops"),
        _FP8,
    ),
    "FrozenDict": "(Flax's immutable dict) is not in purejax: variables are plain dicts, as in Flax since 0.8",
    "activation": "(Flax's module of activations) is not in purejax: the activations are purejax.nn's own names",
}


def __getattr__(name: str):
    if name in FLAX_ONLY:
        raise AttributeError(
            f"module 'purejax.nn' has no attribute {name!r}: flax.linen.{name} {FLAX_ONLY[name]} "
            "(docs/migration.md lists what differs)"
        )
    raise AttributeError(f"module 'purejax.nn' has no attribute {name!r}")
