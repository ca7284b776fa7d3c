"""purejax.losses against optax.losses: the same values and gradients, bit for bit, eager and jitted.

The cases (`comparisons.parity.tables.losses.CASES`) are shared with the parity report and span the
package's modules (classification, regression, smoothing); each is run here on fixed inputs (zeros,
+-1e4, +-1e30, several shapes), on hypothesis-generated float32 arrays, and for its gradient. Then
the errors of every loss. A module's own checks are in `test_<module>.py` beside this file.

Two losses are compared on the rows where Optax is exact, and checked on their own elsewhere:
  - the cosine losses, where Optax's squared norms neither overflow nor underflow (largest entry
    in [2**-60, 2**60], or 0): values bit for bit; gradients bit for bit eagerly, and within
    1e-6 of the row's largest gradient under jit (measured 3.7e-7: XLA fuses the power-of-two
    scaling differently; Optax's own eager and jitted gradients differ far more). Beyond that
    range Optax returns 0, inf or NaN; ours matches a float64 reference (`test_cosine_*`).
  - `smooth_labels` with `where`, on rows with at least one included class; a row with none is
    `(1 - alpha) * labels` here, inf in Optax (a mean over no classes).
"""

import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from absl.testing import parameterized
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import purejax.losses as pl
from comparisons.parity.tables.losses import CASES, case_id, fixed_inputs, functions, mask, second_argument
from tests._asserts import assert_within_ulp

EXTREMES = fixed_inputs()["zeros, normal, +-1e4, +-1e30, +-50 [17, 10]"]  # other shapes: hypothesis


COSINE = ("cosine_similarity", "cosine_distance")
COSINE_GRAD_JIT = 1e-6  # cosine gradients: |ours - Optax's| <= this / max(|row|, sqrt(epsilon)) (measured 2e-7)


def in_optax_range(x, bits: int = 60) -> np.ndarray:
    """`[...]`: the rows (last axis) whose largest entry is in [2**-bits, 2**bits], or 0.

    With bits=60 Optax's squares neither overflow nor underflow; its gradients also divide by the
    squared and cubed norms, which need bits=30 to stay clear of float32's limits.
    """
    largest = np.abs(np.asarray(x, np.float64)).max(axis=-1)
    return ((largest >= 2.0**-bits) & (largest <= 2.0**bits)) | (largest == 0)


def assert_rows_within(g, their_g, x, case) -> None:
    """Cosine gradients, row by row, within `COSINE_GRAD_JIT` of their natural scale 1 / |row|.

    `x`: the rows' included entries (the others 0).
    """
    eps = 1e-6 if "epsilon=1e-6" in case.label else 0.0
    scale = np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), np.sqrt(eps))  # [..., 1]
    close = (np.abs(g - their_g) * scale <= COSINE_GRAD_JIT) | (np.isnan(g) & np.isnan(their_g))
    assert close.all(), (np.abs(g - their_g) * scale)[~close]


def assert_same_loss(ours, theirs, case, x, y) -> None:
    """Values and gradients within the case's ulp, and finite wherever Optax's are finite.

    The cosine losses on the rows in Optax's range (gradients: within `COSINE_GRAD_JIT`),
    `smooth_labels` with `where` on the rows with an included class (see the module's docstring).
    """
    (value, grads), (their_value, their_grads) = ours, theirs
    assert np.isfinite(value)[np.isfinite(their_value)].all()
    for g, their_g in zip(grads, their_grads, strict=True):
        assert np.isfinite(g)[np.isfinite(their_g)].all()
    if case.name in COSINE:
        rows, grad_rows = in_optax_range(x) & in_optax_range(y), in_optax_range(x, 30) & in_optax_range(y, 30)
        assert_within_ulp(np.asarray(value)[rows], np.asarray(their_value)[rows], case.max_ulp)
        for g, their_g, arg in zip(grads, their_grads, (x, y), strict=False):
            g, their_g = np.asarray(g), np.asarray(their_g)
            included = np.asarray(arg, np.float64) * (np.asarray(mask(x.shape)) if "where" in case.label else 1.0)
            assert_rows_within(g[grad_rows], their_g[grad_rows], included[grad_rows], case)
        return
    if case.name == "smooth_labels" and "where" in case.label:
        rows = np.asarray(mask(x.shape)).any(axis=-1)  # a row with no included class: not Optax's inf
        value, their_value = np.asarray(value)[rows], np.asarray(their_value)[rows]
    assert_within_ulp(value, their_value, case.max_ulp)
    for g, their_g in zip(grads, their_grads, strict=True):
        assert_within_ulp(g, their_g, case.grad_ulp)


class LossParityTest(chex.TestCase):
    """Every case of the parity table on zeros, ordinary and extreme logits, eager and jitted."""

    @chex.variants(with_jit=True, without_jit=True)
    @parameterized.named_parameters((case_id(i, c), c) for i, c in enumerate(CASES))
    def test_same_as_optax(self, case):
        y = second_argument(case, EXTREMES)
        ours, theirs = (self.variant(f) for f in functions(case, y, jit=False))
        assert_same_loss(ours(EXTREMES, y), theirs(EXTREMES, y), case, EXTREMES, y)


SHAPES = st.sampled_from([(7,), (2, 3, 4)])  # two more shapes: each costs a compile per case
FLOATS = st.floats(width=32, allow_nan=False, allow_infinity=False)  # the whole float32 range


@functools.cache
def jitted(i: int):
    """Case `i`'s jitted pair, built once so that hypothesis's examples reuse the compiled code."""
    case = CASES[i]
    return functions(case, second_argument(case, jnp.zeros((2, 5))), jit=True)


@pytest.mark.parametrize("i", range(len(CASES)), ids=[case_id(i, c) for i, c in enumerate(CASES)])
@settings(max_examples=10, deadline=None)
@given(x=hnp.arrays(np.float32, SHAPES, elements=FLOATS), seed=st.integers(0, 2**16))
def test_generated_inputs(i, x, seed):
    case = CASES[i]
    assume(x.ndim >= case.min_rank)
    x = jnp.asarray(x)
    y = second_argument(case, x, seed)
    ours, theirs = jitted(i)
    assert_same_loss(ours(x, y), theirs(x, y), case, x, y)


@pytest.mark.parametrize(
    "loss",
    [
        lambda m, x: m.sigmoid_binary_cross_entropy(x, (x > 0).astype(x.dtype)),
        lambda m, x: m.sigmoid_binary_cross_entropy(x, (x < 0).astype(x.dtype)),  # confidently wrong
        lambda m, x: m.softmax_cross_entropy(x, jnp.eye(10, dtype=x.dtype)[jnp.arange(len(x)) % 10]),
        lambda m, x: m.softmax_cross_entropy_with_integer_labels(x, jnp.arange(len(x)) % 10),
        lambda m, x: m.log_cosh(x),
        lambda m, x: m.huber_loss(x),
        lambda m, x: m.hinge_loss(x, jnp.ones_like(x)),
    ],
    ids=["bce_right", "bce_wrong", "softmax_ce", "integer_ce", "log_cosh", "huber", "hinge"],
)
def test_finite_at_extreme_logits(loss):
    """Stable formulas: finite values and gradients at +-1e4 and +-1e30, as Optax's are."""
    for m in (pl, optax.losses):
        value, grad = loss(m, EXTREMES), jax.grad(lambda x, m=m: loss(m, x).sum())(EXTREMES)
        assert np.isfinite(value).all() and np.isfinite(grad).all(), m


# -- errors ---------------------------------------------------------------------------------------
X, Y = jnp.zeros((4, 10)), jnp.zeros((4, 9))
LABELS = jnp.zeros((4,), jnp.int32)


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda: pl.softmax_cross_entropy(X, Y),
            ValueError,
            "softmax_cross_entropy: logits [4, 10] and labels [4, 9] must have the same shape",
        ),
        (
            lambda: pl.softmax_cross_entropy(jnp.zeros((4, 10), jnp.int32), X),
            TypeError,
            "logits must have a floating dtype, got int32",
        ),
        (
            lambda: pl.softmax_cross_entropy(X, X, where=jnp.ones((3,), bool)),
            ValueError,
            "logits [4, 10] and where [3, 1]",
        ),
        (
            lambda: pl.softmax_cross_entropy_with_integer_labels(X, LABELS.astype(jnp.float32)),
            TypeError,
            "labels must have an integer dtype (class indices), got float32",
        ),
        (
            lambda: pl.softmax_cross_entropy_with_integer_labels(X, jnp.zeros((1,), jnp.int32)),
            ValueError,
            "labels [1] must have the shape of logits [4, 10] without axis -1, i.e. [4]",
        ),
        (
            lambda: pl.softmax_cross_entropy_with_integer_labels(X, LABELS, axis=2),
            ValueError,
            "axis 2 is out of bounds for logits of rank 2",
        ),
        (
            lambda: pl.softmax_cross_entropy_with_integer_labels(X, LABELS, axis=[1]),
            TypeError,
            "axis must be an int or a tuple of ints, got list",
        ),
        (lambda: pl.sigmoid_binary_cross_entropy(X, Y), ValueError, "logits [4, 10] and labels [4, 9]"),
        (
            lambda: pl.sigmoid_binary_cross_entropy(jnp.zeros(3, jnp.int32), jnp.zeros(3)),
            TypeError,
            "sigmoid_binary_cross_entropy: logits must have a floating dtype",
        ),
        (
            lambda: pl.squared_error(X, jnp.zeros((1, 10))),
            ValueError,
            "squared_error: predictions [4, 10] and targets [1, 10] must have the same shape",
        ),
        (lambda: pl.l2_loss(jnp.arange(3)), TypeError, "l2_loss: predictions must have a floating dtype"),
        (lambda: pl.huber_loss(X, Y), ValueError, "huber_loss: predictions [4, 10] and targets [4, 9]"),
        (lambda: pl.log_cosh(jnp.arange(3)), TypeError, "log_cosh: predictions must have a floating dtype"),
        (lambda: pl.cosine_similarity(X, jnp.ones((4, 10), jnp.int32)), TypeError, "targets must have a floating"),
        (lambda: pl.cosine_distance(X, Y), ValueError, "cosine_distance: predictions [4, 10] and targets [4, 9]"),
        (lambda: pl.kl_divergence(X, Y), ValueError, "kl_divergence: log_predictions [4, 10] and targets [4, 9]"),
        (lambda: pl.hinge_loss(X, Y), ValueError, "hinge_loss: predictor_outputs [4, 10] and targets [4, 9]"),
        (
            lambda: pl.smooth_labels(jnp.eye(3, dtype=jnp.int32), 0.1),
            TypeError,
            "smooth_labels: labels must have a floating dtype, got int32",
        ),
        (lambda: jax.jit(pl.softmax_cross_entropy)(X, Y), ValueError, "must have the same shape"),  # shapes are static
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
