"""Label smoothing: mix one-hot labels with the uniform distribution.

Counterpart: `optax.losses.smooth_labels` (optax/losses/_smoothing.py). Same formula.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from purejax.checks import check_probability
from purejax.losses._checks import canonical_axes, check_float, check_where


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
      mixture inside the loss. A row with no included class has nothing to spread `alpha` over:
      it gets `(1 - alpha) * labels` (Optax divides by 0 and returns inf there). A number `alpha`
      outside [0, 1] (which would give negative targets) is refused; an array `alpha` may be traced
      and is the caller's job.
    """
    check_float("smooth_labels", "labels", labels)
    if np.ndim(alpha) > 0:  # an array of factors, broadcast to labels
        check_float("smooth_labels", "alpha", alpha)
    else:
        check_probability("purejax.losses.smooth_labels", "alpha", alpha)
    canonical_axes("smooth_labels", axis, jnp.ndim(labels), "labels")
    check_where("smooth_labels", where, labels, "labels")
    if where is None:
        return (1.0 - alpha) * labels + alpha / jnp.size(labels, axis)
    num_categories = jnp.sum(where, axis, keepdims=True)  # [batch, 1]
    spread = jnp.where(num_categories > 0, alpha / jnp.maximum(num_categories, 1), 0.0)  # nothing to spread over: 0
    return (1.0 - alpha) * labels + spread
