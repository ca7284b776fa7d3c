"""Bad input to `purejax.losses`: at least one row per argument of every loss.

Each row is `(id, call, exception type, fragments)`: the type, and the loss and the argument in
the message. Shapes and dtypes are static, so the same checks run under `jax.jit` (the last rows).
Values (a label out of range, a probability below 0) are traced and are the caller's job.
"""

import inspect

import jax
import jax.numpy as jnp
import pytest

import purejax.losses as pl
from tests._asserts import assert_refused

X = jnp.ones((4, 10))  # logits, predictions
P = jnp.full((4, 10), 0.1)  # probabilities, targets
LABELS = jnp.zeros(4, jnp.int32)
MASK = jnp.ones((4, 10), bool)
CTC = {  # valid CTC arguments: 2 sequences of 6 frames over 5 classes, 3 labels each
    "logits": jnp.zeros((2, 6, 5)),
    "logit_paddings": jnp.zeros((2, 6)),
    "labels": jnp.ones((2, 3), jnp.int32),
    "label_paddings": jnp.zeros((2, 3)),
}

ARRAYS = [  # (loss, its array arguments in order, valid values)
    ("convex_kl_divergence", ("log_predictions", "targets"), (X, P)),
    ("cosine_distance", ("predictions", "targets"), (X, P)),
    ("cosine_similarity", ("predictions", "targets"), (X, P)),
    ("ctc_loss", tuple(CTC), tuple(CTC.values())),
    ("ctc_loss_with_forward_probs", tuple(CTC), tuple(CTC.values())),
    ("generalized_kl_divergence", ("log_predictions", "targets"), (X, P)),
    ("hinge_loss", ("predictor_outputs", "targets"), (X, P)),
    ("huber_loss", ("predictions", "targets"), (X, P)),
    ("kl_divergence", ("log_predictions", "targets"), (X, P)),
    ("l2_loss", ("predictions", "targets"), (X, P)),
    ("log_cosh", ("predictions", "targets"), (X, P)),
    ("ntxent", ("embeddings", "labels"), (X, LABELS)),
    ("safe_softmax_cross_entropy", ("logits", "labels"), (X, P)),
    ("sigmoid_binary_cross_entropy", ("logits", "labels"), (X, P)),
    ("sigmoid_focal_loss", ("logits", "labels"), (X, P)),
    ("smooth_labels", ("labels",), (P,)),
    ("softmax_cross_entropy", ("logits", "labels"), (X, P)),
    ("softmax_cross_entropy_with_integer_labels", ("logits", "labels"), (X, LABELS)),
    ("squared_error", ("predictions", "targets"), (X, P)),
]
EXTRA = {"smooth_labels": {"alpha": 0.1}}  # required non-array arguments


def with_argument(loss: str, names: tuple, values: tuple, name: str, value):
    args = dict(zip(names, values, strict=True))
    args[name] = value
    return lambda: getattr(pl, loss)(**args, **EXTRA.get(loss, {}))


ROWS = [
    (
        f"{loss}-{name}-{kind}",
        with_argument(loss, names, values, name, bad),
        TypeError,
        (f"purejax.losses.{loss}:", name),
    )
    for loss, names, values in ARRAYS
    for name in names
    for kind, bad in (("None", None), ("str", "abc"), ("list", [[1.0] * 10] * 4))
    if not (bad is None and inspect.signature(getattr(pl, loss)).parameters[name].default is None)  # None: zeros
]
ROWS += [  # the second array's shape against the first's
    (
        f"{loss}-{names[1]}-shape",
        with_argument(loss, names, values, names[1], jnp.ones((4, 9), values[1].dtype)),
        ValueError,
        (f"purejax.losses.{loss}:", names[1]),
    )
    for loss, names, values in ARRAYS
    if len(names) == 2
]
ROWS += [  # the axis: out of range, not an int, repeated
    (
        f"{loss}-axis-{kind}",
        lambda loss=loss, args=args, axis=axis: getattr(pl, loss)(*args, axis=axis),
        error,
        (f"purejax.losses.{loss}:", "axis"),
    )
    for loss, args in (
        ("convex_kl_divergence", (X, P)),
        ("cosine_distance", (X, P)),
        ("cosine_similarity", (X, P)),
        ("generalized_kl_divergence", (X, P)),
        ("kl_divergence", (X, P)),
        ("smooth_labels", (P, 0.1)),
        ("softmax_cross_entropy", (X, P)),
        ("softmax_cross_entropy_with_integer_labels", (X, LABELS)),
    )
    for kind, axis, error in (("3", 3, ValueError), ("str", "last", TypeError), ("repeated", (1, -1), ValueError))
]
ROWS += [  # where: not boolean, not broadcasting to the input, not an array
    (
        f"{loss}-where-{kind}",
        lambda loss=loss, args=args, where=where: getattr(pl, loss)(*args, where=where),
        error,
        (f"purejax.losses.{loss}:", "where"),
    )
    for loss, args in (
        ("convex_kl_divergence", (X, P)),
        ("cosine_distance", (X, P)),
        ("cosine_similarity", (X, P)),
        ("generalized_kl_divergence", (X, P)),
        ("kl_divergence", (X, P)),
        ("smooth_labels", (P, 0.1)),
        ("softmax_cross_entropy", (X, P)),
        ("softmax_cross_entropy_with_integer_labels", (X, LABELS)),
    )
    for kind, where, error in (
        ("float", jnp.ones((4, 10)), TypeError),
        ("shape", jnp.ones((3, 10), bool), ValueError),
        ("list", [[True] * 10] * 4, TypeError),
    )
]
ROWS += [
    # dtypes
    (
        "squared_error-predictions-int",
        lambda: pl.squared_error(jnp.arange(3)),
        TypeError,
        ("purejax.losses.squared_error:", "predictions must have a floating dtype"),
    ),
    (
        "l2_loss-predictions-int",
        lambda: pl.l2_loss(jnp.arange(3)),
        TypeError,
        ("purejax.losses.l2_loss:", "predictions"),
    ),
    (
        "softmax_cross_entropy_with_integer_labels-labels-float",
        lambda: pl.softmax_cross_entropy_with_integer_labels(X, LABELS.astype(float)),
        TypeError,
        ("purejax.losses.softmax_cross_entropy_with_integer_labels:", "labels must have an integer dtype"),
    ),
    (
        "kl_divergence-targets-int",
        lambda: pl.kl_divergence(X, jnp.ones((4, 10), jnp.int32)),
        TypeError,
        ("purejax.losses.kl_divergence:", "targets"),
    ),
    (
        "smooth_labels-labels-int",
        lambda: pl.smooth_labels(jnp.eye(3, dtype=jnp.int32), 0.1),
        TypeError,
        ("purejax.losses.smooth_labels:", "labels"),
    ),
    (
        "safe_softmax_cross_entropy-logits-int",
        lambda: pl.safe_softmax_cross_entropy(jnp.zeros((4, 10), jnp.int32), P),
        TypeError,
        ("purejax.losses.safe_softmax_cross_entropy:", "logits must have a floating dtype"),
    ),
    (
        "safe_softmax_cross_entropy-logits-scalar",
        lambda: pl.safe_softmax_cross_entropy(1.0, 1.0),
        ValueError,
        ("purejax.losses.safe_softmax_cross_entropy:", "logits must have a class axis"),
    ),
    (
        "sigmoid_focal_loss-logits-int",
        lambda: pl.sigmoid_focal_loss(jnp.zeros((4, 10), jnp.int32), P),
        TypeError,
        ("purejax.losses.sigmoid_focal_loss:", "logits must have a floating dtype"),
    ),
    (
        "generalized_kl_divergence-targets-int",
        lambda: pl.generalized_kl_divergence(X, jnp.ones((4, 10), jnp.int32)),
        TypeError,
        ("purejax.losses.generalized_kl_divergence:", "targets"),
    ),
    (
        "ntxent-embeddings-int",
        lambda: pl.ntxent(jnp.ones((4, 10), jnp.int32), LABELS),
        TypeError,
        ("purejax.losses.ntxent:", "embeddings must have a floating dtype"),
    ),
    (
        "ntxent-embeddings-rank-3",
        lambda: pl.ntxent(jnp.ones((4, 2, 5)), LABELS),
        ValueError,
        ("purejax.losses.ntxent:", "embeddings must be [batch, features]"),
    ),
    (
        "ntxent-labels-batch",
        lambda: pl.ntxent(X, jnp.zeros(3, jnp.int32)),
        ValueError,
        ("purejax.losses.ntxent:", "labels [3]", "same leading dimension"),
    ),
    *[
        (
            f"{loss}-{name}-{kind}",
            lambda loss=loss, name=name, value=value: getattr(pl, loss)(**{**CTC, name: value}),
            error,
            (f"purejax.losses.{loss}:", *fragments),
        )
        for loss in ("ctc_loss", "ctc_loss_with_forward_probs")
        for name, kind, value, error, fragments in (
            ("logits", "rank-2", jnp.zeros((2, 5)), ValueError, ("logits must be [batch, frames, classes]",)),
            ("logits", "int", jnp.zeros((2, 6, 5), jnp.int32), TypeError, ("logits must have a floating dtype",)),
            ("labels", "float", jnp.ones((2, 3)), TypeError, ("labels must have an integer dtype",)),
            ("labels", "batch", jnp.ones((3, 3), jnp.int32), ValueError, ("label_paddings", "same shape")),
            (
                "logit_paddings",
                "shape",
                jnp.zeros((2, 5)),
                ValueError,
                ("logit_paddings [2, 5] must be [batch, frames]",),
            ),
            ("label_paddings", "shape", jnp.zeros((2, 4)), ValueError, ("label_paddings [2, 4]", "same shape")),
            ("blank_id", "out-of-range", 5, ValueError, ("blank_id must be a class of logits (< 5)",)),
            ("blank_id", "float", 0.0, TypeError, ("blank_id must be",)),
            ("log_epsilon", "str", "-1e5", TypeError, ("log_epsilon",)),
        )
    ],
    (
        "ctc_loss-labels-batch-of-logits",
        lambda: pl.ctc_loss(**{**CTC, "labels": jnp.ones((3, 3), jnp.int32), "label_paddings": jnp.zeros((3, 3))}),
        ValueError,
        ("purejax.losses.ctc_loss:", "labels [3, ...] and logits [2, ...] must have the same batch size"),
    ),
    # scalars
    (
        "sigmoid_focal_loss-alpha-str",
        lambda: pl.sigmoid_focal_loss(X, P, alpha="0.25"),
        TypeError,
        ("purejax.losses.sigmoid_focal_loss:", "alpha"),
    ),
    (
        "sigmoid_focal_loss-alpha-above-1",
        lambda: pl.sigmoid_focal_loss(X, P, alpha=1.5),
        ValueError,
        ("purejax.losses.sigmoid_focal_loss:", "alpha must be a number in [0, 1]"),
    ),
    (
        "sigmoid_focal_loss-alpha-int-array",
        lambda: pl.sigmoid_focal_loss(X, P, alpha=jnp.zeros((4, 10), jnp.int32)),
        TypeError,
        ("purejax.losses.sigmoid_focal_loss:", "alpha must have a floating dtype"),
    ),
    (
        "sigmoid_focal_loss-gamma-None",
        lambda: pl.sigmoid_focal_loss(X, P, gamma=None),
        TypeError,
        ("purejax.losses.sigmoid_focal_loss:", "gamma"),
    ),
    (
        "sigmoid_focal_loss-gamma-negative",
        lambda: pl.sigmoid_focal_loss(X, P, gamma=-1.0),
        ValueError,
        ("purejax.losses.sigmoid_focal_loss:", "gamma must be a number >= 0"),
    ),
    (
        "ntxent-temperature-str",
        lambda: pl.ntxent(X, LABELS, temperature="0.1"),
        TypeError,
        ("purejax.losses.ntxent:", "temperature"),
    ),
    (
        "ntxent-temperature-0",
        lambda: pl.ntxent(X, LABELS, temperature=0.0),
        ValueError,
        ("purejax.losses.ntxent:", "temperature must be a positive number"),
    ),
    (
        "cosine_similarity-epsilon-str",
        lambda: pl.cosine_similarity(X, P, epsilon="0"),
        TypeError,
        ("purejax.losses.cosine_similarity:", "epsilon"),
    ),
    (
        "cosine_distance-epsilon-nan",
        lambda: pl.cosine_distance(X, P, epsilon=float("nan")),
        ValueError,
        ("purejax.losses.cosine_distance:", "epsilon"),
    ),
    (
        "huber_loss-delta-str",
        lambda: pl.huber_loss(X, P, delta="1"),
        TypeError,
        ("purejax.losses.huber_loss:", "delta"),
    ),
    (
        "huber_loss-delta-negative",
        lambda: pl.huber_loss(X, P, delta=-1.0),
        ValueError,
        ("purejax.losses.huber_loss:", "delta must be a number >= 0"),
    ),
    (
        "smooth_labels-alpha-str",
        lambda: pl.smooth_labels(P, "0.1"),
        TypeError,
        ("purejax.losses.smooth_labels:", "alpha"),
    ),
    (
        "smooth_labels-alpha-None",
        lambda: pl.smooth_labels(P, None),
        TypeError,
        ("purejax.losses.smooth_labels:", "alpha"),
    ),
    (
        "smooth_labels-alpha-above-1",
        lambda: pl.smooth_labels(P, 1.5),
        ValueError,
        ("purejax.losses.smooth_labels:", "alpha must be a number in [0, 1]"),
    ),
    (
        "smooth_labels-alpha-int-array",
        lambda: pl.smooth_labels(P, jnp.zeros((4, 10), jnp.int32)),
        TypeError,
        ("purejax.losses.smooth_labels:", "alpha"),
    ),
    # the same checks under jit: static shapes and dtypes
    (
        "jit-cosine_similarity-where-shape",
        lambda: jax.jit(lambda x, w: pl.cosine_similarity(x, x, where=w))(X, jnp.ones((3, 10), bool)),
        ValueError,
        ("purejax.losses.cosine_similarity:", "where"),
    ),
    (
        "jit-smooth_labels-axis",
        lambda: jax.jit(lambda y: pl.smooth_labels(y, 0.1, axis=2))(P),
        ValueError,
        ("purejax.losses.smooth_labels:", "axis"),
    ),
    (
        "jit-ntxent-labels-batch",
        lambda: jax.jit(pl.ntxent)(X, jnp.zeros(5, jnp.int32)),
        ValueError,
        ("purejax.losses.ntxent:", "labels"),
    ),
    (
        "jit-huber_loss-targets-shape",
        lambda: jax.jit(pl.huber_loss)(X, jnp.ones((4, 9))),
        ValueError,
        ("purejax.losses.huber_loss:", "targets"),
    ),
]


@pytest.mark.parametrize("name, call, error, fragments", ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_is_refused_naming_the_loss_and_the_argument(name, call, error, fragments):
    assert_refused(call, error, *fragments)


def test_every_loss_has_rows_for_every_argument():
    """Each argument of each loss appears in some row's id, so that a new argument needs a row."""
    ids = [row[0] for row in ROWS]
    for loss in pl.__all__:
        for argument in inspect.signature(getattr(pl, loss)).parameters:
            assert any(i.startswith(f"{loss}-{argument}-") for i in ids), (loss, argument)
