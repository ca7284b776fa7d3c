"""Label smoothing: mix one-hot labels with the uniform distribution.

Counterpart: `optax.losses.smooth_labels` (optax/losses/_smoothing.py). Same formula.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from purejax.losses._checks import check_float


def smooth_labels(labels, alpha, *, axis=-1, where=None) -> jax.Array:
    """Smoothed labels `(1 - alpha) * labels + alpha / num_classes`.

    The target of the correct class drops to `1 - alpha + alpha / K` and every other class gets
    `alpha / K`, so the cross-entropy no longer rewards pushing one logit to infinity.

    Args:
      labels: `[batch, num_classes]`, floating, one-hot (or any distributions).
      alpha: the smoothing factor in [0, 1], a scalar or an array broadcastable to `labels`.
      axis: the class axis (keyword-only).
      where: booleans `[batch, num_classes]`, the classes that count (keyword-only); then
        `num_classes` is the number of included classes in each row.

    Returns:
      `[batch, num_classes]`, the shape of `labels`.

    Counterpart: `optax.losses.smooth_labels` (optax/losses/_smoothing.py).

    References:
      Szegedy et al., *Rethinking the Inception Architecture for Computer Vision*, 2016,
      https://arxiv.org/abs/1512.00567;
      Muller et al., *When Does Label Smoothing Help?*, 2019, https://arxiv.org/abs/1906.02629

    Differences:
      PyTorch has no separate function: `CrossEntropyLoss(label_smoothing=alpha)` applies the same
      mixture inside the loss.
    """
    check_float("smooth_labels", "labels", labels)
    if where is None:
        num_categories = jnp.size(labels, axis)
    else:
        num_categories = jnp.sum(where, axis, keepdims=True)  # [batch, 1]
    return (1.0 - alpha) * labels + alpha / num_categories
