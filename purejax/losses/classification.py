"""Classification losses: sigmoid and softmax cross-entropy, focal loss, KL divergences, hinge.

All are per example: `[batch, num_classes]` logits give `[batch]` losses (softmax, KL) or
`[batch, num_classes]` losses (sigmoid, hinge); the caller reduces. Everything that takes a log of
a probability goes through `purejax.nn.log_sigmoid` or `purejax.nn.log_softmax`, so
logits of +-1e4 or +-1e30 give finite losses and gradients.

Counterpart: `optax.losses` (optax/losses/_classification.py). Same formulas in the same order.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from purejax.losses._checks import (
    canonical_axes,
    check_array_like,
    check_broadcast,
    check_float,
    check_integer,
    check_scalar,
    check_where,
    shape_of,
)
from purejax.nn.activations import log_sigmoid
from purejax.nn.softmax import log_softmax, logsumexp, softmax


def sigmoid_binary_cross_entropy(logits, labels) -> jax.Array:
    """Elementwise binary cross-entropy of `sigmoid(logits)` against `labels`.

        loss = -labels * log(sigmoid(x)) - (1 - labels) * log(1 - sigmoid(x))

    with `log(1 - sigmoid(x)) = log(sigmoid(-x))`: both terms through the stable log-sigmoid.
    Each entry is an independent yes/no question (multi-label classification).

    Args:
      logits: `[...]`, floating, log-odds of class 1.
      labels: `[...]`, broadcastable with `logits`: 0/1 labels or probabilities in [0, 1];
        cast to the dtype of `logits`.

    Returns:
      `[...]`, the shape of `logits` (broadcast with `labels`).

    Counterpart: `optax.losses.sigmoid_binary_cross_entropy` (optax/losses/_classification.py).

    References:
      Goodfellow et al., *Deep Learning*, 2016, section 3.10,
      http://www.deeplearningbook.org/contents/prob.html

    Differences:
      The same as PyTorch's `BCEWithLogitsLoss(reduction="none")`.
    """
    check_float("sigmoid_binary_cross_entropy", "logits", logits)
    check_broadcast("sigmoid_binary_cross_entropy", "logits", logits, "labels", labels)
    logits = jnp.asarray(logits)
    labels = jnp.astype(labels, logits.dtype)
    log_p = log_sigmoid(logits)  # log P(class 1)
    log_not_p = log_sigmoid(-logits)  # log P(class 0) = log(1 - sigmoid(x))
    return -labels * log_p - (1.0 - labels) * log_not_p


def sigmoid_focal_loss(logits, labels, *, alpha=None, gamma=2.0) -> jax.Array:
    """Elementwise focal loss: binary cross-entropy scaled down where the prediction is already right.

        p_t = sigmoid(x) where y = 1, 1 - sigmoid(x) where y = 0
        FL  = -alpha_t * (1 - p_t)**gamma * log(p_t),   alpha_t = alpha * y + (1 - alpha) * (1 - y)

    with `log(1 - p_t) = logsumexp([log sigmoid(x), log sigmoid(-x)], b=[1 - y, y])` in log space,
    so that small `gamma` and extreme logits stay finite. Soft labels in [0, 1] are allowed.

    Args:
      logits: `[...]`, floating, log-odds of class 1.
      labels: `[...]`, broadcastable with `logits`: 0/1 labels or probabilities in [0, 1];
        cast to the dtype of `logits`.
      alpha: `None` (no class weighting), or the weight of class 1 in [0, 1] (a number or an array
        broadcastable with `logits`).
      gamma: the focusing exponent, >= 0 (0 gives the cross-entropy).

    Returns:
      `[...]`, the broadcast shape of `logits` and `labels`.

    Counterpart: `optax.losses.sigmoid_focal_loss` (optax/losses/_classification.py).

    References:
      Lin et al., *Focal Loss for Dense Object Detection*, 2017. https://arxiv.org/abs/1708.02002

    Differences:
      `labels` of another (broadcastable) shape than `logits` are broadcast first; Optax's
      `jnp.stack` fails on them.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import losses
      >>> [round(v, 4) for v in losses.sigmoid_focal_loss(jnp.array([2.0, -2.0]), jnp.array([1.0, 1.0])).tolist()]
      [0.0018, 1.6501]
    """
    check_float("sigmoid_focal_loss", "logits", logits)
    check_broadcast("sigmoid_focal_loss", "logits", logits, "labels", labels)
    if alpha is not None:
        _check_weight("sigmoid_focal_loss", "alpha", alpha, probability=True)
    _check_weight("sigmoid_focal_loss", "gamma", gamma)
    shape = np.broadcast_shapes(shape_of(logits), shape_of(labels))
    logits = jnp.broadcast_to(jnp.asarray(logits), shape)
    labels = jnp.broadcast_to(jnp.astype(labels, logits.dtype), shape)
    ce_loss = sigmoid_binary_cross_entropy(logits, labels)  # [...]
    log_p = log_sigmoid(logits)  # log P(class 1)
    log_q = log_sigmoid(-logits)  # log P(class 0)
    log_one_minus_p_t = logsumexp(
        jnp.stack([log_p, log_q], axis=-1), axis=-1, b=jnp.stack([1 - labels, labels], axis=-1)
    )  # [...], log(1 - p_t)
    focal_weight = jnp.exp(gamma * log_one_minus_p_t)  # (1 - p_t)**gamma
    loss = ce_loss * focal_weight
    if alpha is None:
        return loss
    return (alpha * labels + (1.0 - alpha) * (1.0 - labels)) * loss  # class weighting


def _check_weight(loss: str, name: str, value, *, probability: bool = False) -> None:
    """A number (>= 0; in [0, 1] for a probability) or a floating array, for `alpha` and `gamma`."""
    if hasattr(value, "dtype") and np.ndim(value) > 0:
        check_float(loss, name, value)
        return
    check_scalar(loss, name, value, minimum=0.0)
    if probability and not hasattr(value, "dtype") and value > 1:
        raise ValueError(f"purejax.losses.{loss}: {name} must be a number in [0, 1], got {value}")


def hinge_loss(predictor_outputs, targets) -> jax.Array:
    """Elementwise binary hinge loss `max(0, 1 - y * f(x))`, targets `y` in {-1, +1}.

    Zero once the output has the right sign with a margin of at least 1.

    Args:
      predictor_outputs: `[...]`, the decision function's outputs `f(x)`.
      targets: `[...]`, broadcastable with `predictor_outputs`, values in {-1, 1}.

    Returns:
      `[...]`, the broadcast shape.

    Counterpart: `optax.losses.hinge_loss` (optax/losses/_classification.py).

    References:
      Cortes and Vapnik, *Support-Vector Networks*, 1995, https://doi.org/10.1007/BF00994018
    """
    check_broadcast("hinge_loss", "predictor_outputs", predictor_outputs, "targets", targets)
    return jnp.maximum(0, 1 - predictor_outputs * targets)


def softmax_cross_entropy(logits, labels, axis=-1, where=None) -> jax.Array:
    """Cross-entropy between `softmax(logits)` and label distributions along `axis`.

        loss_b = -sum_c labels[b, c] * log_softmax(logits)[b, c]

    Args:
      logits: `[batch, num_classes]` (any leading shape), floating.
      labels: `[batch, num_classes]`, broadcastable with `logits`: one-hot rows or probability
        distributions (non-negative, summing to 1; not checked).
      axis: the class axis or axes.
      where: booleans, `[batch, num_classes]` (classes to include) or `[batch]` (expanded
        along `axis`); excluded entries count 0.

    Returns:
      `[batch]`, `axis` removed.

    Counterpart: `optax.losses.softmax_cross_entropy` (optax/losses/_classification.py).

    References:
      https://en.wikipedia.org/wiki/Cross-entropy

    Differences:
      A label of 0 on a logit of `-inf` gives `nan` (`0 * -inf`), as in Optax; Optax's
      `safe_softmax_cross_entropy` treats it as 0 and is not reimplemented here.
    """
    check_float("softmax_cross_entropy", "logits", logits)
    check_broadcast("softmax_cross_entropy", "logits", logits, "labels", labels)
    logits = jnp.asarray(logits)
    canonical_axes("softmax_cross_entropy", axis, logits.ndim)
    if where is not None:
        check_array_like("softmax_cross_entropy", "where", where)
    if where is not None and where.ndim != logits.ndim:
        where = jnp.expand_dims(where, axis)  # [batch] -> [batch, 1]
    if where is not None:
        check_broadcast("softmax_cross_entropy", "logits", logits, "where", where)
        check_where("softmax_cross_entropy", where, logits)
    log_probs = log_softmax(logits, axis, where)  # [batch, num_classes]
    return -(labels * log_probs).sum(axis, where=where)  # [batch]


@jax.custom_jvp
def _weighted_log_softmax(x, weights):
    """`weights * log_softmax(x)` along the last axis, 0 where the weight is 0 (even for x = -inf)."""
    log_softmax_x = log_softmax(x, axis=-1)
    return jnp.where(weights != 0.0, weights * log_softmax_x, jnp.zeros_like(log_softmax_x))


@_weighted_log_softmax.defjvp
def _weighted_log_softmax_jvp(primals, tangents):
    """d(w * log_softmax(x)) = w * (dx - <dx, softmax(x)>) + dw * log_softmax(x): no `0 * inf`."""
    x, weights = primals
    x_dot, weights_dot = tangents
    log_softmax_x = log_softmax(x, axis=-1)
    result = jnp.where(weights != 0.0, weights * log_softmax_x, jnp.zeros_like(log_softmax_x))
    out_tangents = (
        weights * x_dot
        - weights * jnp.sum(x_dot * softmax(x, axis=-1), axis=-1, keepdims=True)
        + weights_dot * log_softmax_x
    )
    return result, out_tangents


def safe_softmax_cross_entropy(logits, labels) -> jax.Array:
    """Softmax cross-entropy along the last axis, with `0 * log 0 = 0`: a `-inf` logit of a 0 label adds 0.

        loss_b = -sum_c labels[b, c] * log_softmax(logits)[b, c],   terms with labels[b, c] = 0 left out

    `softmax_cross_entropy` gives NaN there (`0 * -inf`); here the value and its gradient stay
    finite, so logits masked with `-inf` can be used directly.

    Args:
      logits: `[..., num_classes]`, floating.
      labels: `[..., num_classes]` (broadcastable): one-hot rows or probability distributions.

    Returns:
      `[...]`, the class axis removed.

    Counterpart: `optax.losses.safe_softmax_cross_entropy` (optax/losses/_classification.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import losses
      >>> logits = jnp.array([[0.0, 0.0, -jnp.inf]])
      >>> losses.safe_softmax_cross_entropy(logits, jnp.array([[1.0, 0.0, 0.0]])).tolist()
      [0.6931471824645996]
    """
    check_float("safe_softmax_cross_entropy", "logits", logits)
    check_broadcast("safe_softmax_cross_entropy", "logits", logits, "labels", labels)
    if np.ndim(logits) == 0:
        raise ValueError("purejax.losses.safe_softmax_cross_entropy: logits must have a class axis, got a scalar")
    return -jnp.sum(_weighted_log_softmax(jnp.asarray(logits), labels), axis=-1)  # [...]


def softmax_cross_entropy_with_integer_labels(logits, labels, axis=-1, where=None) -> jax.Array:
    """Softmax cross-entropy against class indices: `logsumexp(logits) - logits[label]`.

        loss_b = -log_softmax(logits)[b, labels[b]] = logsumexp_c(logits[b, c]) - logits[b, labels[b]]

    Only the picked logit is subtracted, so no full log-softmax is formed.

    Args:
      logits: `[batch, num_classes]` (any leading shape), floating.
      labels: `[batch]`, integer class indices in `[0, num_classes)`. They are traced values
        and cannot be checked under `jax.jit`: an index in `[-num_classes, 0)` counts from the
        end (as NumPy indexing does); any other out-of-range index gives `nan`.
      axis: the class axis, or a tuple of axes; then `num_classes` is the product of their
        sizes and a label is a flat (row-major) index into `logits[axis]`.
      where: booleans, `[batch, num_classes]` (classes to include) or `[batch]`; a row with
        nothing included has loss 0.

    Returns:
      `[batch]`, `axis` removed.

    Counterpart: `optax.losses.softmax_cross_entropy_with_integer_labels`
    (optax/losses/_classification.py).

    Differences:
      `labels` must have exactly the batch shape of `logits`; Optax's `take_along_axis` would
      broadcast, e.g., labels `[1]` against logits `[4, 10]`. PyTorch's `CrossEntropyLoss` with
      class indices computes the same per-example value (`reduction="none"`).
    """
    name = "softmax_cross_entropy_with_integer_labels"
    check_float(name, "logits", logits)
    check_integer(name, "labels", labels)
    logits = jnp.asarray(logits)
    if where is not None:
        check_array_like(name, "where", where)
    if where is not None and where.ndim != logits.ndim:
        canonical_axes(name, axis, logits.ndim)
        where = jnp.expand_dims(where, axis)  # [batch] -> [batch, 1]
    if where is not None:
        check_broadcast(name, "logits", logits, "where", where)
        check_where(name, where, logits)
    class_axes = canonical_axes(name, axis, logits.ndim)
    batch_axes = tuple(a for a in range(logits.ndim) if a not in class_axes)
    batch_shape = tuple(logits.shape[a] for a in batch_axes)
    if shape_of(labels) != batch_shape:
        raise ValueError(
            f"purejax.losses.{name}: labels {list(shape_of(labels))} must have the shape of logits "
            f"{list(logits.shape)} without axis {axis}, i.e. {list(batch_shape)}"
        )
    if isinstance(axis, int):
        axis = class_axes[0]
    else:  # move the class axes last, in order, and flatten them into one
        axis = len(batch_axes)
        logits = logits.transpose(batch_axes + class_axes)  # [batch..., *class_dims]
        logits = logits.reshape(logits.shape[:axis] + (-1,))  # [batch..., num_classes]
        if where is not None:
            where = where.transpose(batch_axes + class_axes)
            where = where.reshape(where.shape[:axis] + (-1,))
    label_logits = jnp.take_along_axis(logits, jnp.expand_dims(labels, axis), axis=axis).take(0, axis=axis)  # [batch]
    log_normalizers = logsumexp(logits, axis=axis, where=where)  # [batch]
    out = log_normalizers - label_logits  # [batch]
    if where is not None:
        out = jnp.where(jnp.any(where, axis), out, 0.0)  # a fully masked row costs nothing
    return out


def _check_divergence(loss: str, log_predictions, targets, axis, where) -> None:
    """The arguments of the KL divergences: floating, broadcasting, a valid axis and mask."""
    check_float(loss, "log_predictions", log_predictions)
    check_float(loss, "targets", targets)
    check_broadcast(loss, "log_predictions", log_predictions, "targets", targets)
    shape = np.broadcast_shapes(shape_of(log_predictions), shape_of(targets))
    canonical_axes(loss, axis, len(shape), "log_predictions")
    check_where(loss, where, np.empty(shape, bool), "log_predictions")


def kl_divergence(log_predictions, targets, axis=-1, where=None) -> jax.Array:
    """Kullback-Leibler divergence `KL(targets || predictions)` along `axis`.

        KL(p || q) = sum_i p_i * (log p_i - log q_i),   with 0 * log 0 = 0

    Args:
      log_predictions: `[..., dim]`, floating, the predicted distribution `q` in log space.
      targets: `[..., dim]`, floating, broadcastable with `log_predictions`, the target
        distribution `p` (probabilities, not logs).
      axis: the axis or axes of the distributions.
      where: booleans broadcastable to `[..., dim]`, the entries to include.

    Returns:
      `[...]`, `axis` removed.

    Counterpart: `optax.losses.kl_divergence` (optax/losses/_classification.py).

    References:
      Kullback and Leibler, *On Information and Sufficiency*, 1951,
      https://www.jstor.org/stable/2236703

    Differences:
      The same as PyTorch's `kl_div(log_predictions, targets, reduction="none").sum(-1)`.
    """
    _check_divergence("kl_divergence", log_predictions, targets, axis, where)
    log_targets = jnp.where(targets == 0, 0, jnp.log(targets))  # 0 log 0 = 0
    loss = targets * (log_targets - log_predictions)  # [..., dim]
    return jnp.sum(loss, axis=axis, where=where)  # [...]


def generalized_kl_divergence(log_predictions, targets, axis=-1, where=None) -> jax.Array:
    """The KL divergence of unnormalized distributions: `KL(p || q) + sum(q - p)`.

        D(p || q) = sum_i p_i * (log p_i - log q_i) + q_i - p_i,   with 0 * log 0 = 0

    the Bregman divergence of `f(x) = x log x - x`; equal to `kl_divergence` where both sum to 1.

    Args:
      log_predictions: `[..., dim]`, floating, the predicted (unnormalized) `q` in log space.
      targets: `[..., dim]`, floating, broadcastable, the target `p` (non-negative, not logs).
      axis: the axis or axes of the distributions.
      where: booleans broadcastable to `[..., dim]`, the entries to include.

    Returns:
      `[...]`, `axis` removed.

    Counterpart: `optax.losses.generalized_kl_divergence` (optax/losses/_classification.py).

    References:
      Boyd and Vandenberghe, *Convex Optimization*, 2004, p. 90.
      https://stanford.edu/~boyd/cvxbook/bv_cvxbook.pdf

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import losses
      >>> float(losses.generalized_kl_divergence(jnp.log(jnp.array([2.0, 1.0])), jnp.array([1.0, 1.0])))
      0.3068528175354004
    """
    return _generalized_kl("generalized_kl_divergence", log_predictions, targets, axis, where)


def _generalized_kl(loss: str, log_predictions, targets, axis, where) -> jax.Array:
    _check_divergence(loss, log_predictions, targets, axis, where)
    x = kl_divergence(log_predictions, targets, axis=axis, where=where)  # [...]
    y = jnp.sum(jnp.exp(log_predictions) - targets, axis=axis, where=where)  # [...], sum(q - p)
    return x + y


def convex_kl_divergence(log_predictions, targets, axis=-1, where=None) -> jax.Array:
    """`generalized_kl_divergence` under Optax's older name; it warns, as Optax's does.

    Counterpart: `optax.losses.convex_kl_divergence` (optax/losses/_classification.py), deprecated
    there in favour of `generalized_kl_divergence`.

    Examples:
      >>> import warnings
      >>> import jax.numpy as jnp
      >>> from purejax import losses
      >>> with warnings.catch_warnings():
      ...     warnings.simplefilter('ignore')
      ...     float(losses.convex_kl_divergence(jnp.log(jnp.array([2.0, 1.0])), jnp.array([1.0, 1.0])))
      0.3068528175354004
    """
    warnings.warn(
        "purejax.losses.convex_kl_divergence is deprecated (as optax.losses.convex_kl_divergence is); "
        "use generalized_kl_divergence",
        DeprecationWarning,
        stacklevel=2,
    )
    return _generalized_kl("convex_kl_divergence", log_predictions, targets, axis, where)
