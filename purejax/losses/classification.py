"""Classification losses: sigmoid and softmax cross-entropy, KL divergence, hinge.

All are per example: `[batch, num_classes]` logits give `[batch]` losses (softmax, KL) or
`[batch, num_classes]` losses (sigmoid, hinge); the caller reduces. Everything that takes a log of
a probability goes through `purejax.nn.log_sigmoid` or `purejax.nn.log_softmax`, so
logits of +-1e4 or +-1e30 give finite losses and gradients.

Counterpart: `optax.losses` (optax/losses/_classification.py). Same formulas in the same order.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from purejax.losses._checks import (
    canonical_axes,
    check_array_like,
    check_broadcast,
    check_float,
    check_integer,
    check_where,
    shape_of,
)
from purejax.nn.activations import log_sigmoid
from purejax.nn.softmax import log_softmax, logsumexp


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
    check_float("kl_divergence", "log_predictions", log_predictions)
    check_float("kl_divergence", "targets", targets)
    check_broadcast("kl_divergence", "log_predictions", log_predictions, "targets", targets)
    shape = np.broadcast_shapes(shape_of(log_predictions), shape_of(targets))
    canonical_axes("kl_divergence", axis, len(shape), "log_predictions")
    check_where("kl_divergence", where, np.empty(shape, bool), "log_predictions")
    log_targets = jnp.where(targets == 0, 0, jnp.log(targets))  # 0 log 0 = 0
    loss = targets * (log_targets - log_predictions)  # [..., dim]
    return jnp.sum(loss, axis=axis, where=where)  # [...]
