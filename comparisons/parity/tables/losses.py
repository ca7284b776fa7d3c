"""Parity of purejax.losses against optax.losses: same inputs, same call, same bits.

Every case below is a call written once, `lambda m, x, y: m.huber_loss(x, y, delta=0.5)`, and run
with `m = purejax.losses` and `m = optax.losses`. `x` is the first argument (logits or
predictions) taken from a table of inputs that includes zeros and extreme logits (+-1e4, +-1e30);
`y` is the second (labels or targets), made from `x`'s shape by the case's `second`. Both the
values and the gradients of the summed loss (with respect to every float argument) are compared,
eagerly and under `jax.jit`. The measure is the distance in ulp (0 = bitwise): our formulas are
Optax's, in Optax's order, so every case is expected to agree bitwise, on the rows where Optax is
exact (`comparable_rows`):
  - the cosine losses where Optax's squares neither overflow nor underflow (largest entry in
    [2**-60, 2**60], or 0; for gradients [2**-30, 2**30], as they divide by the cubed norm). Ours
    scales each vector by a power of two before squaring, so beyond that range it gives the cosine
    where Optax gives 0, inf or NaN. Under jit XLA fuses the scaled program differently: the
    gradients are then compared in units of their natural scale 1 / |row| (`grad_rel`).
  - `smooth_labels` with `where` on the rows with an included class (a row with none is
    `(1 - alpha) * labels` here, inf in Optax).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purejax.losses
from comparisons.parity.measures import describe_ulp, ulp_distance
from comparisons.parity.rows import Check, Row, by_name, check_tier, count, of, settings


# -- second arguments, made from the first's shape -------------------------------------------------
def _targets(shape, rng):  # regression targets
    return jnp.asarray(rng.normal(size=shape) * 2, jnp.float32)


def _binary(shape, rng):  # {0, 1} labels as floats
    return jnp.asarray(rng.integers(0, 2, shape), jnp.float32)


def _signs(shape, rng):  # {-1, +1} hinge targets
    return jnp.asarray(rng.choice([-1.0, 1.0], shape), jnp.float32)


def _one_hot(shape, rng):  # one-hot rows along the last axis
    return jnp.asarray(np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])], jnp.float32)


def _probs(shape, rng):  # distributions along the last axis, some entries exactly 0
    p = rng.exponential(size=shape) * (rng.random(shape) > 0.3)
    p[..., 0] += 1.0  # no all-zero row
    return jnp.asarray(p / p.sum(-1, keepdims=True), jnp.float32)


def _int_labels(shape, rng):  # class indices along the last axis
    return jnp.asarray(rng.integers(0, shape[-1], shape[:-1]), jnp.int32)


def _flat_labels(shape, rng):  # flat indices into the last two axes
    return jnp.asarray(rng.integers(0, shape[-2] * shape[-1], shape[:-2]), jnp.int32)


def _groups(shape, rng):  # one group id (0..2) per row of the first axis, for NT-Xent's pairs
    return jnp.asarray(rng.integers(0, 3, shape[:1]), jnp.int32)


def _ctc_labels(shape, rng):  # [batch, 3] labels (not the blank 0), the last padded in every other row
    batch = shape[0] if len(shape) == 3 else 1
    return jnp.asarray(rng.integers(1, shape[-1], (batch, 3)), jnp.int32)


def _ctc(x, y):  # CTC's four arguments: x [frames, classes] or [batch, frames, classes], the last frame padded
    logits = x if x.ndim == 3 else x[None]
    logit_paddings = jnp.zeros(logits.shape[:2]).at[:, -1].set(1.0)
    label_paddings = jnp.zeros(y.shape).at[::2, -1].set(1.0)
    return logits, logit_paddings, y, label_paddings


def _rows(x):  # [batch, ...] -> [batch, features], NT-Xent's embeddings, squashed into Optax's cosine range
    return jnp.tanh(x.reshape(x.shape[0], -1))


def mask(shape) -> jax.Array:
    """A fixed boolean mask: every third entry left out, and the whole first row if there are rows."""
    keep = (np.arange(int(np.prod(shape))) % 3 != 1).reshape(shape)
    if len(shape) > 1:
        keep[0] = False
    return jnp.asarray(keep)


def row_mask(shape) -> jax.Array:
    """A fixed `[batch]` mask over the rows of `shape` (the last axis being the classes)."""
    return jnp.asarray(np.arange(int(np.prod(shape[:-1]))).reshape(shape[:-1]) % 2 == 0)


class Case(NamedTuple):
    name: str  # the loss under test
    call: Callable  # (module, x, y) -> array, module = purejax.losses or optax.losses
    second: Callable  # (shape of x, numpy Generator) -> y
    max_ulp: int = 0  # values
    grad_ulp: int = 0  # gradients of the summed loss
    label: str = ""  # what is set besides the defaults
    min_rank: int = 1  # inputs of lower rank are skipped
    grad_rel: float | None = None  # gradients: |ours - theirs| * max(|row|, sqrt(epsilon)) instead of ulp
    epsilon: float = 0.0  # the case's epsilon (cosine), for grad_rel's scale


CASES = (
    Case("squared_error", lambda m, x, y: m.squared_error(x, y), _targets),
    Case("squared_error", lambda m, x, y: m.squared_error(x), _targets, label="targets=None"),
    Case("l2_loss", lambda m, x, y: m.l2_loss(x, y), _targets),
    Case("huber_loss", lambda m, x, y: m.huber_loss(x, y), _targets),
    Case("huber_loss", lambda m, x, y: m.huber_loss(x, y, delta=0.5), _targets, label="delta=0.5"),
    Case("log_cosh", lambda m, x, y: m.log_cosh(x, y), _targets),
    Case("cosine_similarity", lambda m, x, y: m.cosine_similarity(x, y), _targets, grad_rel=1e-6),
    Case(
        "cosine_similarity",
        lambda m, x, y: m.cosine_similarity(x, y, epsilon=1e-6, where=mask(x.shape)),
        _targets,
        label="epsilon=1e-6, where",
        grad_rel=1e-6,
        epsilon=1e-6,
    ),
    Case(
        "cosine_distance",
        lambda m, x, y: m.cosine_distance(x, y, epsilon=1e-6),
        _targets,
        label="epsilon=1e-6",
        grad_rel=1e-6,
        epsilon=1e-6,
    ),
    Case("sigmoid_binary_cross_entropy", lambda m, x, y: m.sigmoid_binary_cross_entropy(x, y), _binary),
    Case(
        "sigmoid_binary_cross_entropy",
        lambda m, x, y: m.sigmoid_binary_cross_entropy(x, y),
        _probs,
        label="soft labels",
    ),
    Case("hinge_loss", lambda m, x, y: m.hinge_loss(x, y), _signs),
    Case("softmax_cross_entropy", lambda m, x, y: m.softmax_cross_entropy(x, y), _one_hot),
    Case("softmax_cross_entropy", lambda m, x, y: m.softmax_cross_entropy(x, y), _probs, label="soft labels"),
    Case(
        "softmax_cross_entropy",
        lambda m, x, y: m.softmax_cross_entropy(x, y, where=mask(x.shape)),
        _probs,
        label="where [batch, classes]",
    ),
    Case(
        "softmax_cross_entropy",
        lambda m, x, y: m.softmax_cross_entropy(x, y, axis=0),
        _probs,
        label="axis=0",
        min_rank=2,
    ),
    Case(
        "softmax_cross_entropy_with_integer_labels",
        lambda m, x, y: m.softmax_cross_entropy_with_integer_labels(x, y),
        _int_labels,
    ),
    Case(
        "softmax_cross_entropy_with_integer_labels",
        lambda m, x, y: m.softmax_cross_entropy_with_integer_labels(x, y, where=row_mask(x.shape)),
        _int_labels,
        label="where [batch]",
        min_rank=2,
    ),
    Case(
        "softmax_cross_entropy_with_integer_labels",
        lambda m, x, y: m.softmax_cross_entropy_with_integer_labels(x, y, where=mask(x.shape)),
        _int_labels,
        label="where [batch, classes]",
    ),
    Case(
        "softmax_cross_entropy_with_integer_labels",
        lambda m, x, y: m.softmax_cross_entropy_with_integer_labels(x, y, axis=(-2, -1)),
        _flat_labels,
        label="axis=(-2, -1)",
        min_rank=2,
    ),
    Case("kl_divergence", lambda m, x, y: m.kl_divergence(x, y), _probs),
    Case("kl_divergence", lambda m, x, y: m.kl_divergence(x, y, where=mask(x.shape)), _probs, label="where"),
    Case("generalized_kl_divergence", lambda m, x, y: m.generalized_kl_divergence(x, y), _probs),
    Case(
        "generalized_kl_divergence",
        lambda m, x, y: m.generalized_kl_divergence(x, y, where=mask(x.shape)),
        _probs,
        label="where",
    ),
    Case("convex_kl_divergence", lambda m, x, y: m.convex_kl_divergence(x, y), _probs),
    Case("sigmoid_focal_loss", lambda m, x, y: m.sigmoid_focal_loss(x, y), _binary),
    Case(
        "sigmoid_focal_loss",
        lambda m, x, y: m.sigmoid_focal_loss(x, y, alpha=0.25, gamma=0.5),
        _probs,
        label="soft labels, alpha=0.25, gamma=0.5",
    ),
    Case("safe_softmax_cross_entropy", lambda m, x, y: m.safe_softmax_cross_entropy(x, y), _one_hot),
    Case(
        "safe_softmax_cross_entropy",
        lambda m, x, y: m.safe_softmax_cross_entropy(jnp.where(y > 0, x, -jnp.inf), y),
        _probs,
        label="soft labels, -inf logits where 0",
    ),
    # NT-Xent's gradient runs through the cosine's power-of-two rescaling, which XLA fuses
    # differently under jit (see the cosine cases): a few ulp there (values 1), bitwise eagerly.
    Case("ntxent", lambda m, x, y: m.ntxent(_rows(x), y), _groups, max_ulp=4, grad_ulp=64, min_rank=2),
    Case(
        "ntxent",
        lambda m, x, y: m.ntxent(_rows(x), y, temperature=0.5),
        _groups,
        max_ulp=4,
        grad_ulp=64,
        label="temperature=0.5",
        min_rank=2,
    ),
    Case("ctc_loss", lambda m, x, y: m.ctc_loss(*_ctc(x, y)), _ctc_labels, min_rank=2),
    Case("ctc_loss", lambda m, x, y: m.ctc_loss(*_ctc(x, y), blank_id=2), _ctc_labels, label="blank_id=2", min_rank=2),
    Case(
        "ctc_loss_with_forward_probs",
        lambda m, x, y: m.ctc_loss_with_forward_probs(*_ctc(x, y))[1],
        _ctc_labels,
        label="logalpha_phi",
        min_rank=2,
    ),
    Case(
        "ctc_loss_with_forward_probs",
        lambda m, x, y: m.ctc_loss_with_forward_probs(*_ctc(x, y))[2],
        _ctc_labels,
        label="logalpha_emit",
        min_rank=2,
    ),
    Case("smooth_labels", lambda m, x, y: m.smooth_labels(y, 0.1), _one_hot),
    Case("smooth_labels", lambda m, x, y: m.smooth_labels(x, 0.2, where=mask(x.shape)), _one_hot, label="where"),
)


def _extremes(scale: float) -> np.ndarray:
    """`[4, 10]` logits at +-scale: one huge logit per row, all huge, mixed signs, huge and small."""
    x = np.zeros((4, 10), np.float32)
    x[0, 3] = scale
    x[1, :] = -scale
    x[2, ::2], x[2, 1::2] = scale, -scale
    x[3, :5] = np.linspace(-2, 2, 5)
    x[3, 5:] = [scale, -scale, scale / 2, 1.0, -1.0]
    return x


def fixed_inputs() -> dict[str, jax.Array]:
    """First arguments every case runs on, one row per situation so that one compile covers them.

    `[18, 10]`: a row of zeros, ordinary rows, rows at +-1e4 and at +-1e30 (`_extremes`) and rows
    uniform on +-50; then a vector and a rank-3 array for the shapes.
    """
    rng = np.random.default_rng(0)
    rows = np.concatenate(
        [
            np.zeros((1, 10)),
            rng.normal(size=(3, 10)) * 3,
            _extremes(1e4),
            _extremes(1e30),
            rng.uniform(-50, 50, size=(2, 10)),
            np.full((1, 10), 1e4),
            np.full((1, 10), -1e30),
            np.linspace(-1e4, 1e4, 10)[None],
        ]
    )
    xs = {
        "zeros, normal, +-1e4, +-1e30, +-50 [17, 10]": rows,
        "normal [7]": rng.normal(size=(7,)),
        "normal [2, 3, 5]": rng.normal(size=(2, 3, 5)),
    }
    return {k: jnp.asarray(v, jnp.float32) for k, v in xs.items()}


def random_inputs(n: int = 2, seed: int = 123) -> list[jax.Array]:
    """`n` heavy-tailed (Cauchy, scale 10) float32 arrays of assorted shapes."""
    rng = np.random.default_rng(seed)
    shapes = [(5, 8), (2, 2, 6), (3,), (1, 1)]
    return [jnp.asarray(rng.standard_cauchy(shapes[i % len(shapes)]) * 10, jnp.float32) for i in range(n)]


def case_id(i: int, case: Case) -> str:
    return f"{case.name}_{i}" + (f"_{case.label}" if case.label else "").replace(" ", "_")


def second_argument(case: Case, x: jax.Array, seed: int = 1):
    """The case's `y` for the first argument `x`: the same `y` for us and for Optax."""
    return case.second(x.shape, np.random.default_rng(seed))


def grad_argnums(y) -> tuple[int, ...]:
    """Differentiate with respect to `x`, and `y` where it is a float."""
    return (0, 1) if jnp.issubdtype(jnp.result_type(y), jnp.floating) else (0,)


def functions(case: Case, y, jit: bool):
    """Ours and Optax's `(x, y) -> (loss, grads of loss.sum())`, optionally jitted (one compile each)."""
    out = []
    for m in (purejax.losses, optax.losses):

        def both(x, y, m=m):
            grads = jax.grad(lambda x, y: case.call(m, x, y).sum(), argnums=grad_argnums(y))(x, y)
            return case.call(m, x, y), grads

        out.append(jax.jit(both) if jit else both)
    return out


def in_optax_range(x, bits: int = 60) -> np.ndarray:
    """`[...]`: the rows (last axis) whose largest entry is in [2**-bits, 2**bits], or 0."""
    largest = np.abs(np.asarray(x, np.float64)).max(axis=-1)
    return ((largest >= 2.0**-bits) & (largest <= 2.0**bits)) | (largest == 0)


def comparable_rows(case: Case, x, y) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The rows (of values, of gradients) where Optax's result is exact; None: all of them."""
    if case.name in ("cosine_similarity", "cosine_distance"):
        return in_optax_range(x) & in_optax_range(y), in_optax_range(x, 30) & in_optax_range(y, 30)
    if case.name == "smooth_labels" and "where" in case.label:
        return np.asarray(mask(x.shape)).any(axis=-1), None
    return None, None


def grad_rel(case: Case, g, their_g, arg) -> float:
    """The largest |ours - theirs| * max(|row|, sqrt(epsilon)), |row| over the included entries (NaN = NaN)."""
    arg = np.asarray(arg, np.float64) * (np.asarray(mask(arg.shape)) if "where" in case.label else 1.0)
    scale = np.maximum(np.linalg.norm(arg, axis=-1, keepdims=True), np.sqrt(case.epsilon))
    diff = np.abs(np.asarray(g, np.float64) - np.asarray(their_g, np.float64)) * scale
    return float(np.nan_to_num(diff, nan=0.0).max()) if diff.size else 0.0


def compare(case: Case, x, jit: bool) -> tuple[int, float]:
    """The ulp distance of the values, and of the gradients (or their `grad_rel`), ours against Optax's."""
    y = second_argument(case, x)
    ours, theirs = functions(case, y, jit)
    (value, grads), (their_value, their_grads) = ours(x, y), theirs(x, y)
    rows, grad_rows = comparable_rows(case, x, y)
    if rows is not None:
        value, their_value = np.asarray(value)[rows], np.asarray(their_value)[rows]
    if grad_rows is not None:
        args = (x, y)[: len(grads)]
        if case.grad_rel is not None:
            return ulp_distance(value, their_value), max(
                grad_rel(case, np.asarray(g)[grad_rows], np.asarray(t)[grad_rows], np.asarray(a)[grad_rows])
                for g, t, a in zip(grads, their_grads, args, strict=True)
            )
        grads = [np.asarray(g)[grad_rows] for g in grads]
        their_grads = [np.asarray(g)[grad_rows] for g in their_grads]
    grad_ulp = max(ulp_distance(a, b) for a, b in zip(grads, their_grads, strict=True))
    return ulp_distance(value, their_value), grad_ulp


# Per tier: how many of `fixed_inputs` run (the first holds every extreme), how many random inputs
# beside them, and how many of a loss's settings run (None: all).
SIZES = {"quick": {"fixed": 1, "random": 0, "settings": 1}, "full": {"fixed": None, "random": 1, "settings": None}}


def _row(name: str, cases: list, chosen: list, inputs: list) -> Row:
    worst_value = worst_grad = worst_rel = 0
    ok, n = True, 0
    for case in chosen:
        for x in inputs:
            if x.ndim < case.min_rank:
                continue
            for jit in (False, True):
                value_ulp, grad = compare(case, x, jit)
                worst_value = max(worst_value, value_ulp)
                if case.grad_rel is not None:
                    worst_rel = max(worst_rel, grad)
                    ok &= value_ulp <= case.max_ulp and grad <= case.grad_rel
                else:
                    worst_grad = max(worst_grad, grad)
                    ok &= value_ulp <= case.max_ulp and grad <= case.grad_ulp
            n += 1
    labels = ", ".join(c.label or "defaults" for c in chosen)
    check = (
        f"{of(chosen, cases)} ({labels}) on {count(len(inputs), 'inputs')} ({count(n, 'runs')}) incl. +-1e4, "
        "+-1e30, zeros; values and grads, eager and jit"
        + (
            "; on the rows in Optax's range"
            if any(comparable_rows(c, np.zeros((2, 3)), np.zeros((2, 3)))[0] is not None for c in chosen)
            else ""
        )
    )
    difference = describe_ulp(worst_value)
    if worst_grad != worst_value:
        difference += f"; grad {describe_ulp(worst_grad)}"
    if worst_rel:
        difference += f"; grad within {worst_rel:.0e} / |row|"
    return Row(
        f"purejax.losses.{name}", f"optax.losses.{name}", check, difference, ok, ulp=max(worst_value, worst_grad)
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per loss: its settings, on the fixed inputs and random ones."""
    size = SIZES[check_tier(tier)]
    inputs = list(fixed_inputs().values())[: size["fixed"]] + random_inputs(size["random"])
    return [
        Check(f"purejax.losses.{name}", functools.partial(_row, name, cases, settings(cases, size["settings"]), inputs))
        for name, cases in by_name(CASES).items()
    ]
