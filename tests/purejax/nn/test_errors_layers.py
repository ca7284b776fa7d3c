"""Bad input to purejax.nn's layers: each hyperparameter and each call argument, refused by name.

Rows are `(id, call, error, fragments)`: `call()` must raise `error` with every fragment in its
message, the first naming the layer (`purejax.nn.Dense` when it is built, its name in the model
when it is called) and the next the argument. Hyperparameters are refused when the layer is built;
what depends on the inputs (an axis beyond their rank) when it is first called.
"""

import jax.numpy as jnp
import pytest

from purejax import random
from purejax.nn import (
    RNN,
    BatchNorm,
    Bidirectional,
    Conv,
    ConvLSTMCell,
    ConvTranspose,
    Dense,
    DenseGeneral,
    Dropout,
    Embed,
    GroupNorm,
    GRUCell,
    LayerNorm,
    LSTMCell,
    MGUCell,
    OptimizedLSTMCell,
    PReLU,
    RMSNorm,
    Sequential,
    SimpleCell,
    flip_sequences,
)
from tests._asserts import assert_refused

KEY = random.PRNGKey(0)
X = jnp.ones((2, 3))  # [batch, features]
IMAGES = jnp.ones((1, 8, 8, 3))  # [batch, height, width, channels]
SEQ = jnp.ones((2, 5, 3))  # [batch, time, features]
BAD_DTYPE = "float33"


def init(layer_fn, *inputs, **kwargs):
    """A call that builds the layer and initializes it on `inputs`."""
    return lambda: layer_fn().init(KEY, *inputs, **kwargs)


# Fields that several layers share, checked the same way by each: (field, bad value, error, expected words).
SHARED = [
    ("dtype", BAD_DTYPE, TypeError, "a dtype"),
    ("param_dtype", 3, TypeError, "a dtype"),
    ("use_bias", "yes", TypeError, "True or False"),
    ("kernel_init", 3, TypeError, "callable"),
    ("bias_init", None, TypeError, "callable"),
    ("promote_dtype", "x", TypeError, "callable"),
    ("precision", "fast", ValueError, "lax.Precision"),
    ("name", 3, TypeError, "None or a non-empty str"),
]


def shared_rows(cls, *args, skip=()):
    return [
        (f"{cls.__name__}-{field}", (lambda f=field, v=value: cls(*args, **{f: v})), error, words)
        for field, value, error, words in SHARED
        if field not in skip
    ]


def _rows():
    rows = [
        # Dense
        ("Dense-features-0", (lambda: Dense(0)), ValueError, "a positive integer, got int 0"),
        ("Dense-features-negative", (lambda: Dense(-1)), ValueError, "a positive integer"),
        ("Dense-features-str", (lambda: Dense("3")), TypeError, "got str '3'"),
        ("Dense-features-float", (lambda: Dense(3.0)), TypeError, "got float 3.0"),
        ("Dense-features-bool", (lambda: Dense(True)), TypeError, "got bool True"),
        ("Dense-name-slash", (lambda: Dense(3, name="a/b")), ValueError, "without '/'"),
        ("Dense-precision-int", (lambda: Dense(3, precision=3)), TypeError, "lax.Precision"),
        *shared_rows(Dense, 3),
        # DenseGeneral
        ("DenseGeneral-features-0", (lambda: DenseGeneral(0)), ValueError, "features"),
        ("DenseGeneral-features-entry", (lambda: DenseGeneral((2, 0))), ValueError, "features[1]"),
        ("DenseGeneral-features-empty", (lambda: DenseGeneral(())), ValueError, "non-empty tuple"),
        ("DenseGeneral-axis-float", (lambda: DenseGeneral(2, axis=1.5)), TypeError, "integer axis"),
        ("DenseGeneral-axis-empty", (lambda: DenseGeneral(2, axis=())), ValueError, "non-empty tuple of axes"),
        ("DenseGeneral-batch_dims-str", (lambda: DenseGeneral(2, batch_dims="0")), TypeError, "integer axis"),
        *shared_rows(DenseGeneral, 2),
        # Embed
        ("Embed-num_embeddings-0", (lambda: Embed(0, 3)), ValueError, "a positive integer"),
        ("Embed-num_embeddings-float", (lambda: Embed(5.0, 3)), TypeError, "got float 5.0"),
        ("Embed-features-0", (lambda: Embed(5, 0)), ValueError, "a positive integer"),
        ("Embed-dtype", (lambda: Embed(5, 3, dtype=BAD_DTYPE)), TypeError, "a dtype"),
        ("Embed-param_dtype", (lambda: Embed(5, 3, param_dtype=3)), TypeError, "a dtype"),
        ("Embed-embedding_init", (lambda: Embed(5, 3, embedding_init=None)), TypeError, "callable"),
        ("Embed-promote_dtype", (lambda: Embed(5, 3, promote_dtype=1)), TypeError, "callable"),
        # Conv
        ("Conv-features-0", (lambda: Conv(0, (3, 3))), ValueError, "a positive integer"),
        ("Conv-kernel_size-zero", (lambda: Conv(4, (0, 3))), ValueError, "kernel_size[0]"),
        ("Conv-kernel_size-negative", (lambda: Conv(4, (-1, 3))), ValueError, "kernel_size[0]"),
        ("Conv-kernel_size-float", (lambda: Conv(4, (2.0, 2))), TypeError, "kernel_size[0]"),
        ("Conv-kernel_size-str", (lambda: Conv(4, "3")), TypeError, "write e.g. (3, 3)"),
        ("Conv-kernel_size-empty", (lambda: Conv(4, ())), ValueError, "non-empty tuple"),
        ("Conv-strides-negative", (lambda: Conv(4, (3, 3), strides=-1)), ValueError, "strides[0]"),
        ("Conv-strides-zero", (lambda: Conv(4, (3, 3), strides=(2, 0))), ValueError, "strides[1]"),
        ("Conv-strides-length", (lambda: Conv(4, (3, 3), strides=(1, 2, 1))), ValueError, "needs 2 entries"),
        ("Conv-input_dilation", (lambda: Conv(4, (3, 3), input_dilation=-1)), ValueError, "input_dilation[0]"),
        ("Conv-kernel_dilation", (lambda: Conv(4, (3, 3), kernel_dilation=0)), ValueError, "kernel_dilation[0]"),
        ("Conv-padding-name", (lambda: Conv(4, (3, 3), padding="SMAE")), ValueError, "got 'SMAE'"),
        ("Conv-padding-float", (lambda: Conv(4, (3, 3), padding=1.5)), ValueError, "(low, high)"),
        ("Conv-padding-pairs", (lambda: Conv(4, (3, 3), padding=((1, 1),))), ValueError, "2 ints or (low"),
        ("Conv-padding-causal-2d", (lambda: Conv(4, (3, 3), padding="CAUSAL")), ValueError, "1-D convolutions"),
        ("Conv-feature_group_count", (lambda: Conv(4, (3,), feature_group_count=0)), ValueError, "positive"),
        ("Conv-mask-list", (lambda: Conv(4, (3,), mask=[[1.0]])), TypeError, "kernel's shape"),
        ("Conv-mask-str", (lambda: Conv(4, (3,), mask="ones")), TypeError, "an array"),
        *shared_rows(Conv, 4, (3,)),
        # ConvTranspose
        ("ConvTranspose-features", (lambda: ConvTranspose(-4, (3,))), ValueError, "a positive integer"),
        ("ConvTranspose-kernel_size", (lambda: ConvTranspose(4, (3, 0))), ValueError, "kernel_size[1]"),
        ("ConvTranspose-strides", (lambda: ConvTranspose(4, (3, 3), strides=(0, 1))), ValueError, "strides[0]"),
        (
            "ConvTranspose-kernel_dilation",
            (lambda: ConvTranspose(4, (3,), kernel_dilation=(0,))),
            ValueError,
            "kernel_dilation[0]",
        ),
        ("ConvTranspose-padding", (lambda: ConvTranspose(4, (3,), padding="CAUSAL")), ValueError, "'CIRCULAR'"),
        ("ConvTranspose-mask", (lambda: ConvTranspose(4, (3,), mask="x")), TypeError, "an array"),
        (
            "ConvTranspose-transpose_kernel",
            (lambda: ConvTranspose(4, (3,), transpose_kernel=1)),
            TypeError,
            "True or False",
        ),
        (
            "ConvTranspose-preferred_element_type",
            (lambda: ConvTranspose(4, (3,), preferred_element_type="f33")),
            TypeError,
            "a dtype",
        ),
        *shared_rows(ConvTranspose, 4, (3,)),
    ]
    rows = [(i, c, e, (_built_where(i), _field(i), w)) for i, c, e, w in rows]
    return rows


def _built_where(row_id: str) -> str:
    return "purejax.nn." + row_id.split("-")[0]


def _field(row_id: str) -> str:
    return row_id.split("-")[1]


NORMS = [
    (LayerNorm, ()),
    (RMSNorm, ()),
    (GroupNorm, ()),
    (BatchNorm, ()),
]
NORM_FIELDS = [
    ("epsilon", -1.0, ValueError, "a number >= 0"),
    ("epsilon", "a", TypeError, "a real number"),
    ("dtype", BAD_DTYPE, TypeError, "a dtype"),
    ("param_dtype", 3, TypeError, "a dtype"),
    ("use_bias", "no", TypeError, "True or False"),
    ("use_scale", 0, TypeError, "True or False"),
    ("bias_init", 3, TypeError, "callable"),
    ("scale_init", 3, TypeError, "callable"),
    ("use_fast_variance", None, TypeError, "True or False"),
    ("force_float32_reductions", "yes", TypeError, "True or False"),
    ("axis_name", 3, TypeError, "axis name"),
]


def _norm_rows():
    rows = []
    for cls, args in NORMS:
        for field, value, error, words in NORM_FIELDS:
            if cls is RMSNorm and field in ("use_bias", "bias_init"):
                continue
            rows.append(
                (f"{cls.__name__}-{field}", lambda c=cls, a=args, f=field, v=value: c(*a, **{f: v}), error, words)
            )
    return [(i, c, e, (_built_where(i), _field(i), w)) for i, c, e, w in rows]


# (id, call, error, fragments): errors found when the layer is called (they depend on the inputs).
CALL_ROWS = [
    ("Dense-inputs-None", init(lambda: Dense(3), None), TypeError, ("Dense", "inputs", "got None")),
    ("Dense-inputs-int", init(lambda: Dense(3), jnp.ones((2, 3), jnp.int32)), TypeError, ("Dense", "inputs")),
    (
        "DenseGeneral-axis-range",
        init(lambda: DenseGeneral(2, axis=5), X),
        ValueError,
        ("DenseGeneral", "axis", "[-2, 2)"),
    ),
    (
        "DenseGeneral-batch_dims-range",
        init(lambda: DenseGeneral(2, batch_dims=(-3,)), X),
        ValueError,
        ("DenseGeneral", "batch_dims", "got int -3"),
    ),
    (
        "DenseGeneral-axis-overlap",
        init(lambda: DenseGeneral(2, axis=0, batch_dims=(0,)), X),
        ValueError,
        ("DenseGeneral", "axis=0 and batch_dims=(0,)", "distinct"),
    ),
    ("Embed-ids-None", init(lambda: Embed(5, 3), None), TypeError, ("Embed", "ids", "got None")),
    ("Embed-ids-float", init(lambda: Embed(5, 3), X), TypeError, ("Embed", "ids must be integers")),
    (
        "Embed-attend-query",
        lambda: Embed(5, 3).apply(
            Embed(5, 3).init(KEY, jnp.zeros(2, jnp.int32)), jnp.ones((2, 3), jnp.int32), attend=True
        ),
        TypeError,
        ("Embed", "query"),
    ),
    ("Embed-attend", init(lambda: Embed(5, 3), X, attend="yes"), TypeError, ("Embed", "attend", "True or False")),
    ("LayerNorm-mask", init(lambda: LayerNorm(), X, mask="all"), TypeError, ("LayerNorm", "mask")),
    ("RMSNorm-mask", init(lambda: RMSNorm(), X, mask="all"), TypeError, ("RMSNorm", "mask")),
    ("GroupNorm-mask", init(lambda: GroupNorm(num_groups=1), X, mask="all"), TypeError, ("GroupNorm", "mask")),
    ("BatchNorm-mask", init(lambda: BatchNorm(False), X, mask="all"), TypeError, ("BatchNorm", "mask")),
    ("Conv-inputs-None", init(lambda: Conv(4, (3, 3)), None), TypeError, ("Conv", "inputs", "got None")),
    ("ConvTranspose-inputs-str", init(lambda: ConvTranspose(4, (3,)), "x"), TypeError, ("ConvTranspose", "inputs")),
    ("LayerNorm-x-None", init(lambda: LayerNorm(), None), TypeError, ("LayerNorm", "x", "got None")),
    (
        "LayerNorm-reduction_axes-range",
        init(lambda: LayerNorm(reduction_axes=2), X),
        ValueError,
        ("LayerNorm", "reduction_axes", "[-2, 2)", "got int 2"),
    ),
    (
        "LayerNorm-feature_axes-wraps",
        init(lambda: LayerNorm(feature_axes=-3), X),
        ValueError,
        ("LayerNorm", "feature_axes", "got int -3"),
    ),
    ("RMSNorm-x-str", init(lambda: RMSNorm(), "x"), TypeError, ("RMSNorm", "x")),
    (
        "RMSNorm-reduction_axes-range",
        init(lambda: RMSNorm(reduction_axes=(0, 3)), X),
        ValueError,
        ("RMSNorm", "reduction_axes", "got int 3"),
    ),
    ("GroupNorm-x-None", init(lambda: GroupNorm(num_groups=1), None), TypeError, ("GroupNorm", "x")),
    ("GroupNorm-x-scalar", init(lambda: GroupNorm(num_groups=1), jnp.float32(1.0)), ValueError, ("GroupNorm", "x")),
    (
        "GroupNorm-reduction_axes-range",
        init(lambda: GroupNorm(num_groups=1, reduction_axes=5), X),
        ValueError,
        ("GroupNorm", "reduction_axes", "got int 5"),
    ),
    ("BatchNorm-x-None", init(lambda: BatchNorm(True), None), TypeError, ("BatchNorm", "x", "got None")),
    (
        "BatchNorm-axis-range",
        init(lambda: BatchNorm(use_running_average=False, axis=2), X),
        ValueError,
        ("BatchNorm", "axis", "[-2, 2)", "got int 2"),
    ),
    (
        "BatchNorm-axis-wraps",
        init(lambda: BatchNorm(use_running_average=False, axis=-3), X),
        ValueError,
        ("BatchNorm", "axis", "got int -3"),
    ),
    (
        "BatchNorm-use_running_average-call",
        init(lambda: BatchNorm(), X, use_running_average=1),
        TypeError,
        ("BatchNorm", "use_running_average", "True or False"),
    ),
    (
        "Dropout-inputs-None",
        lambda: Dropout(0.5).apply({}, None, deterministic=True),
        TypeError,
        ("Dropout", "inputs", "got None"),
    ),
    (
        "Dropout-broadcast_dims-range",
        lambda: Dropout(0.5, broadcast_dims=(5,)).apply({}, X, deterministic=False, rngs={"dropout": KEY}),
        ValueError,
        ("Dropout", "broadcast_dims", "got int 5"),
    ),
    (
        "Dropout-deterministic-call",
        lambda: Dropout(0.5).apply({}, X, deterministic="no"),
        TypeError,
        ("Dropout", "deterministic", "True or False"),
    ),
    (
        "Dropout-rng-call",
        lambda: Dropout(0.5).apply({}, X, deterministic=False, rng=0),
        TypeError,
        ("Dropout", "rng", "uint32[2] key"),
    ),
    ("PReLU-inputs-None", init(lambda: PReLU(), None), TypeError, ("PReLU", "inputs", "got None")),
]

OTHER_BUILT_ROWS = [
    ("BatchNorm-use_running_average", lambda: BatchNorm(use_running_average="yes"), TypeError, "True or False"),
    ("BatchNorm-axis", lambda: BatchNorm(axis=1.5), TypeError, "integer axis"),
    ("BatchNorm-momentum", lambda: BatchNorm(momentum=1.5), ValueError, "in [0, 1]"),
    ("BatchNorm-momentum", lambda: BatchNorm(momentum="0.9"), TypeError, "a real number"),
    ("LayerNorm-reduction_axes", lambda: LayerNorm(reduction_axes=1.5), TypeError, "integer axis"),
    ("LayerNorm-feature_axes", lambda: LayerNorm(feature_axes="-1"), TypeError, "integer axis"),
    ("GroupNorm-num_groups", lambda: GroupNorm(num_groups=0), ValueError, "a positive integer"),
    ("GroupNorm-num_groups", lambda: GroupNorm(num_groups=2.0), TypeError, "got float 2.0"),
    ("GroupNorm-group_size", lambda: GroupNorm(num_groups=None, group_size=0), ValueError, "a positive integer"),
    ("GroupNorm-group_size", lambda: GroupNorm(group_size=2), ValueError, "num_groups=None"),
    ("GroupNorm-reduction_axes", lambda: GroupNorm(reduction_axes="all"), TypeError, "integer axis"),
    ("Dropout-rate", lambda: Dropout(1.5), ValueError, "in [0, 1]"),
    ("Dropout-rate", lambda: Dropout(-0.1), ValueError, "in [0, 1]"),
    ("Dropout-rate", lambda: Dropout("0.1"), TypeError, "a real number"),
    ("Dropout-broadcast_dims", lambda: Dropout(0.5, broadcast_dims=1.5), TypeError, "integer axis"),
    ("Dropout-deterministic", lambda: Dropout(0.5, deterministic="no"), TypeError, "True or False"),
    ("Dropout-rng_collection", lambda: Dropout(0.5, rng_collection=3), TypeError, "rng stream"),
    ("PReLU-param_dtype", lambda: PReLU(param_dtype="f33"), TypeError, "a dtype"),
    ("PReLU-negative_slope_init", lambda: PReLU(negative_slope_init="0.01"), TypeError, "a real number"),
    ("Sequential-layers", lambda: Sequential(PReLU()), TypeError, "a list (or tuple)"),
    ("Sequential-layers", lambda: Sequential("abc"), TypeError, "a list (or tuple)"),
    ("Sequential-layers", lambda: Sequential([]), ValueError, "non-empty"),
    ("Sequential-layers[1]", lambda: Sequential([Dense(3), 3]), TypeError, "a layer or a function"),
]

CELLS = [LSTMCell, OptimizedLSTMCell, GRUCell, MGUCell, SimpleCell]
CELL_FIELDS = [
    ("features", 0, ValueError, "a positive integer"),
    ("features", -1, ValueError, "a positive integer"),
    ("features", 2.0, TypeError, "got float 2.0"),
    ("features", "a", TypeError, "got str 'a'"),
    ("activation_fn", "tanh", TypeError, "callable"),
    ("kernel_init", 3, TypeError, "callable"),
    ("recurrent_kernel_init", 3, TypeError, "callable"),
    ("carry_init", None, TypeError, "callable"),
    ("dtype", BAD_DTYPE, TypeError, "a dtype"),
    ("param_dtype", 3, TypeError, "a dtype"),
]
CELL_EXTRA = {
    "gate_fn": ([LSTMCell, OptimizedLSTMCell, GRUCell, MGUCell], 3),
    "bias_init": ([LSTMCell, OptimizedLSTMCell, GRUCell, SimpleCell], 3),
    "forget_bias_init": ([MGUCell], 3),
    "activation_bias_init": ([MGUCell], 3),
}


def _cell_rows():
    rows = []
    for cls in CELLS:
        for field, value, error, words in CELL_FIELDS:
            features = {"features": 4} if field != "features" else {}
            rows.append(
                (f"{cls.__name__}-{field}", lambda c=cls, f=field, v=value, k=features: c(**k, **{f: v}), error, words)
            )
    for field, (classes, value) in CELL_EXTRA.items():
        for cls in classes:
            rows.append(
                (f"{cls.__name__}-{field}", lambda c=cls, f=field, v=value: c(4, **{f: v}), TypeError, "callable")
            )
    rows += [
        ("SimpleCell-residual", lambda: SimpleCell(4, residual="yes"), TypeError, "True or False"),
        ("MGUCell-reset_gate", lambda: MGUCell(4, reset_gate=0), TypeError, "True or False"),
        ("ConvLSTMCell-features", lambda: ConvLSTMCell(0, (3, 3)), ValueError, "a positive integer"),
        ("ConvLSTMCell-kernel_size", lambda: ConvLSTMCell(4, (3, 0)), ValueError, "kernel_size[1]"),
        ("ConvLSTMCell-strides", lambda: ConvLSTMCell(4, (3, 3), strides=0), ValueError, "strides[0]"),
        ("ConvLSTMCell-padding", lambda: ConvLSTMCell(4, (3, 3), padding="FULL"), ValueError, "got 'FULL'"),
        ("ConvLSTMCell-use_bias", lambda: ConvLSTMCell(4, (3, 3), use_bias="no"), TypeError, "True or False"),
        ("ConvLSTMCell-dtype", lambda: ConvLSTMCell(4, (3, 3), dtype=BAD_DTYPE), TypeError, "a dtype"),
        ("ConvLSTMCell-param_dtype", lambda: ConvLSTMCell(4, (3, 3), param_dtype=1), TypeError, "a dtype"),
        ("ConvLSTMCell-carry_init", lambda: ConvLSTMCell(4, (3, 3), carry_init=0), TypeError, "callable"),
        ("RNN-cell", lambda: RNN(3), TypeError, "a cell layer"),
        ("RNN-time_major", lambda: RNN(LSTMCell(4), time_major="no"), TypeError, "True or False"),
        ("RNN-return_carry", lambda: RNN(LSTMCell(4), return_carry=1), TypeError, "True or False"),
        ("RNN-reverse", lambda: RNN(LSTMCell(4), reverse=None), TypeError, "True or False"),
        ("RNN-keep_order", lambda: RNN(LSTMCell(4), keep_order="yes"), TypeError, "True or False"),
        ("RNN-unroll", lambda: RNN(LSTMCell(4), unroll=0), ValueError, "a positive integer"),
        ("RNN-unroll", lambda: RNN(LSTMCell(4), unroll=2.0), TypeError, "got float 2.0"),
        ("RNN-fused", lambda: RNN(LSTMCell(4), fused="auto"), TypeError, "True or False (or None)"),
        ("Bidirectional-forward_rnn", lambda: Bidirectional(3, RNN(LSTMCell(4))), TypeError, "an RNN layer"),
        ("Bidirectional-backward_rnn", lambda: Bidirectional(RNN(LSTMCell(4)), "rnn"), TypeError, "an RNN layer"),
        (
            "Bidirectional-merge_fn",
            lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4)), merge_fn="cat"),
            TypeError,
            "callable",
        ),
        (
            "Bidirectional-time_major",
            lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4)), time_major=1),
            TypeError,
            "True or False",
        ),
        (
            "Bidirectional-return_carry",
            lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4)), return_carry="no"),
            TypeError,
            "True or False",
        ),
    ]
    return [(i, c, e, (_built_where(i), _field(i), w)) for i, c, e, w in rows]


RNN_VARIABLES = RNN(LSTMCell(4)).init(KEY, SEQ)
CARRY = LSTMCell(4).initialize_carry(KEY, (2, 3))

CELL_CALL_ROWS = [
    *[
        (
            f"{cls.__name__}-initialize_carry-key",
            lambda c=cls: c(4).initialize_carry(None, (2, 3)),
            TypeError,
            (f"{cls.__name__}.initialize_carry", "key", "got None"),
        )
        for cls in CELLS
    ],
    *[
        (
            f"{cls.__name__}-initialize_carry-input_shape",
            lambda c=cls: c(4).initialize_carry(KEY, (2, 2.5)),
            TypeError,
            (f"{cls.__name__}.initialize_carry", "input_shape[1]", "got float 2.5"),
        )
        for cls in CELLS
    ],
    (
        "LSTMCell-initialize_carry-input_shape-empty",
        lambda: LSTMCell(4).initialize_carry(KEY, ()),
        ValueError,
        ("LSTMCell.initialize_carry", "input_shape", "inputs[:, 0].shape"),
    ),
    (
        "ConvLSTMCell-initialize_carry-input_shape",
        lambda: ConvLSTMCell(4, (3, 3)).initialize_carry(KEY, (8, 3)),
        ValueError,
        ("ConvLSTMCell.initialize_carry", "input_shape", "3 feature axis(es)"),
    ),
    (
        "LSTMCell-inputs-None",
        lambda: LSTMCell(4).init(KEY, CARRY, None),
        TypeError,
        ("LSTMCell", "inputs", "got None"),
    ),
    (
        "GRUCell-carry-shape",
        lambda: GRUCell(4).init(KEY, jnp.zeros((1, 5)), X),
        ValueError,
        ("GRUCell", "carry 'h'", "[2, 5]", "got [1, 5]"),
    ),
    (
        "RNN-cell-initialize_carry",
        lambda: RNN(Dense(3)).init(KEY, SEQ),
        TypeError,
        ("RNN", "Dense has no initialize_carry", "pass initial_carry=..., or give the cell an initialize_carry"),
    ),
    ("RNN-inputs-None", lambda: RNN(LSTMCell(4)).init(KEY, None), TypeError, ("RNN", "inputs", "got None")),
    ("RNN-init_key", lambda: RNN(LSTMCell(4)).init(KEY, SEQ, init_key=0), TypeError, ("RNN", "init_key")),
    (
        "RNN-seq_lengths-float",
        lambda: RNN(LSTMCell(4)).apply(RNN_VARIABLES, SEQ, seq_lengths=jnp.array([2.0, 3.0])),
        TypeError,
        ("RNN", "seq_lengths", "integer lengths"),
    ),
    (
        "RNN-seq_lengths-shape",
        lambda: RNN(LSTMCell(4)).apply(RNN_VARIABLES, SEQ, seq_lengths=jnp.array([2, 3, 4])),
        ValueError,
        ("RNN", "seq_lengths has shape [3]"),
    ),
    (
        "RNN-seq_lengths-range",
        lambda: RNN(LSTMCell(4)).apply(RNN_VARIABLES, SEQ, seq_lengths=jnp.array([2, 6])),
        ValueError,
        ("RNN", "seq_lengths must lie in [0, 5]"),
    ),
    (
        "RNN-initial_carry",
        lambda: RNN(LSTMCell(4)).apply(RNN_VARIABLES, SEQ, initial_carry=jnp.zeros((2, 4))),
        ValueError,
        ("RNN", "initial_carry"),
    ),
    *[
        (
            f"RNN-{flag}-call",
            lambda f=flag: RNN(LSTMCell(4)).apply(RNN_VARIABLES, SEQ, **{f: "yes"}),
            TypeError,
            ("RNN", flag, "True or False"),
        )
        for flag in ("return_carry", "time_major", "reverse", "keep_order")
    ],
    (
        "RNN-variables-no-cell-level",
        lambda: RNN(LSTMCell(4)).apply({"params": RNN_VARIABLES["params"]["cell"]}, SEQ),
        ValueError,
        ("RNN", "no parameter 'cell'", "{'params': {'cell': cell_params}}"),
    ),
    (
        "RNN-variables-params-alone",
        lambda: RNN(LSTMCell(4)).apply(RNN_VARIABLES["params"], SEQ),
        ValueError,
        ("RNN", "no 'params' collection", "{'params': params}"),
    ),
    (
        "Bidirectional-initial_carry",
        lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4))).init(KEY, SEQ, initial_carry=CARRY[0]),
        ValueError,
        ("Bidirectional", "initial_carry", "a pair"),
    ),
    (
        "Bidirectional-init_key",
        lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4))).init(KEY, SEQ, init_key="k"),
        TypeError,
        ("Bidirectional", "init_key"),
    ),
    (
        "Bidirectional-time_major-call",
        lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4))).init(KEY, SEQ, time_major=0),
        TypeError,
        ("Bidirectional", "time_major"),
    ),
    (
        "Bidirectional-return_carry-call",
        lambda: Bidirectional(RNN(LSTMCell(4)), RNN(LSTMCell(4))).init(KEY, SEQ, return_carry="x"),
        TypeError,
        ("Bidirectional", "return_carry"),
    ),
    ("flip_sequences-inputs", lambda: flip_sequences(None, None, 1, False), TypeError, ("flip_sequences", "inputs")),
    (
        "flip_sequences-seq_lengths",
        lambda: flip_sequences(SEQ, jnp.array([1.5, 2.0]), 1, False),
        TypeError,
        ("flip_sequences", "seq_lengths"),
    ),
    (
        "flip_sequences-seq_lengths-shape",
        lambda: flip_sequences(SEQ, jnp.array([1, 2, 3]), 1, False),
        ValueError,
        ("flip_sequences", "seq_lengths has shape [3]"),
    ),
    (
        "flip_sequences-num_batch_dims",
        lambda: flip_sequences(SEQ, None, 3, False),
        ValueError,
        ("flip_sequences", "num_batch_dims", "at most 2"),
    ),
    (
        "flip_sequences-num_batch_dims-float",
        lambda: flip_sequences(SEQ, None, 1.0, False),
        TypeError,
        ("flip_sequences", "num_batch_dims"),
    ),
    (
        "flip_sequences-time_major",
        lambda: flip_sequences(SEQ, None, 1, "no"),
        TypeError,
        ("flip_sequences", "time_major"),
    ),
]

OTHER = [(i, c, e, (_built_where(i), _field(i), w)) for i, c, e, w in OTHER_BUILT_ROWS]
ROWS = _rows() + _norm_rows() + OTHER + _cell_rows() + CELL_CALL_ROWS + CALL_ROWS


@pytest.mark.parametrize("row_id,call,error,fragments", ROWS, ids=[r[0] for r in ROWS])
def test_refused_naming_the_layer_and_the_argument(row_id, call, error, fragments):
    assert_refused(call, error, *fragments)


def test_every_layer_and_cell_has_rows():
    """At least one row for each layer of purejax.nn, so that a new layer comes with its table."""
    named = {r[0].split("-")[0] for r in ROWS}
    layers = {
        "BatchNorm", "Bidirectional", "Conv", "ConvLSTMCell", "ConvTranspose", "Dense", "DenseGeneral", "Dropout",
        "Embed", "GroupNorm", "GRUCell", "LayerNorm", "LSTMCell", "MGUCell", "OptimizedLSTMCell", "PReLU",
        "RMSNorm", "RNN", "Sequential", "SimpleCell", "flip_sequences",
    }  # fmt: skip
    assert layers <= named, layers - named
