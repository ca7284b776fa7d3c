"""Regression losses: squared error, Huber, log-cosh, and the cosine similarity and distance.

Every loss here is per example: it returns one value per element (or, for the cosine losses, per
vector) and leaves the reduction (`.mean()`, `.sum()`) to the caller, as Optax does.

Counterpart: `optax.losses` (optax/losses/_regression.py). Same formulas in the same order, so
results and gradients agree bitwise.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from purejax.losses._checks import check_broadcast, check_float, check_same_shape


def squared_error(predictions, targets=None) -> jax.Array:
    """Elementwise squared error `(predictions - targets) ** 2`.

    The mean squared error is `squared_error(predictions, targets).mean()`.

    Args:
      predictions: `[...]`, floating.
      targets: `[...]`, the same shape as `predictions`; default: zeros.

    Returns:
      `[...]`, the shape of `predictions`.

    Counterpart: `optax.losses.squared_error` (optax/losses/_regression.py).
    """
    check_float("squared_error", "predictions", predictions)
    if targets is not None:
        check_same_shape("squared_error", "predictions", predictions, "targets", targets)
    errors = predictions - targets if targets is not None else predictions
    return errors**2


def l2_loss(predictions, targets=None) -> jax.Array:
    """Elementwise L2 loss `0.5 * (predictions - targets) ** 2`: half the squared error.

    The 0.5 makes the gradient `predictions - targets`; it is Bishop's convention (*Pattern
    Recognition and Machine Learning*), not that of Hastie, Tibshirani and Friedman.

    Args:
      predictions: `[...]`, floating.
      targets: `[...]`, the same shape as `predictions`; default: zeros.

    Returns:
      `[...]`, the shape of `predictions`.

    Counterpart: `optax.losses.l2_loss` (optax/losses/_regression.py).

    Differences:
      PyTorch's `MSELoss` has no 0.5 and averages by default; this is `0.5 * MSELoss(reduction="none")`.
    """
    predictions = jnp.asarray(predictions)
    return 0.5 * squared_error(predictions, targets)


def huber_loss(predictions, targets=None, *, delta=1.0) -> jax.Array:
    """Huber loss: quadratic for small errors, linear for large ones.

        huber(e) = 0.5 * e**2                    if |e| <= delta
                   0.5 * delta**2 + delta * (|e| - delta)   otherwise

    computed as `0.5 * q**2 + delta * (|e| - q)` with `q = min(|e|, delta)`. Its gradient is the
    L2 gradient `e` clipped to `[-delta, delta]`.

    Args:
      predictions: `[...]`, floating.
      targets: `[...]`, broadcastable with `predictions`; default: zeros.
      delta: where the loss turns from quadratic to linear (keyword-only).

    Returns:
      `[...]`, the shape of `predictions` (broadcast with `targets`).

    Counterpart: `optax.losses.huber_loss` (optax/losses/_regression.py).

    References:
      Huber, *Robust Estimation of a Location Parameter*, 1964,
      https://doi.org/10.1214/aoms/1177703732

    Differences:
      PyTorch's `HuberLoss` agrees; its `SmoothL1Loss` divides by `beta` (= `huber_loss / delta`).
    """
    check_float("huber_loss", "predictions", predictions)
    if targets is not None:
        check_broadcast("huber_loss", "predictions", predictions, "targets", targets)
    errors = (predictions - targets) if targets is not None else predictions
    abs_errors = jnp.abs(errors)
    quadratic = jnp.minimum(abs_errors, delta)  # the part of |e| inside [0, delta]
    linear = abs_errors - quadratic  # max(|e| - delta, 0), without a second gradient path
    return 0.5 * quadratic**2 + delta * linear


def log_cosh(predictions, targets=None) -> jax.Array:
    """Elementwise `log(cosh(predictions - targets))`: about `e**2 / 2` near 0, `|e| - log 2` far out.

    `cosh(e)` overflows for `|e| > 89` in float32, so the loss is computed as
    `log((exp(e) + exp(-e)) / 2) = logaddexp(e, -e) - log(2)`, finite for every finite `e`.
    A twice differentiable alternative to the Huber loss.

    Args:
      predictions: `[...]`, floating.
      targets: `[...]`, broadcastable with `predictions`; default: zeros.

    Returns:
      `[...]`, the shape of `predictions` (broadcast with `targets`).

    Counterpart: `optax.losses.log_cosh` (optax/losses/_regression.py).

    References:
      Chen et al., *Log Hyperbolic Cosine Loss Improves Variational Auto-Encoder*, 2019,
      https://openreview.net/pdf?id=rkglvsC9Ym
    """
    check_float("log_cosh", "predictions", predictions)
    if targets is not None:
        check_broadcast("log_cosh", "predictions", predictions, "targets", targets)
    errors = (predictions - targets) if targets is not None else predictions
    return jnp.logaddexp(errors, -errors) - jnp.log(2.0).astype(errors.dtype)


def cosine_similarity(predictions, targets, *, epsilon=0.0, axis=-1, where=None) -> jax.Array:
    """Cosine of the angle between `predictions` and `targets` along `axis`.

        cos(a, b) = sum_i (a_i / |a|) * (b_i / |b|),   |a| = sqrt(max(sum_i a_i**2, epsilon))

    Each vector is normalised first, then the unit vectors are multiplied: this order keeps
    `a_i * b_i` from overflowing where `sum(a * b) / (|a| |b|)` would.

    Args:
      predictions: `[..., dim]`, floating.
      targets: `[..., dim]`, floating, broadcastable with `predictions`.
      epsilon: lower bound on the *squared* norms (keyword-only); with the default 0 a zero
        vector gives `nan`.
      axis: axis or axes of the vectors (keyword-only).
      where: `[..., dim]` booleans, the entries to include (keyword-only).

    Returns:
      `[...]`, `axis` removed.

    Counterpart: `optax.losses.cosine_similarity` (optax/losses/_regression.py).

    References:
      https://en.wikipedia.org/wiki/Cosine_similarity

    Differences:
      PyTorch's `cosine_similarity` clamps each *norm* by `eps = 1e-8`; here `epsilon` clamps the
      squared norm and defaults to 0.
    """
    check_float("cosine_similarity", "predictions", predictions)
    check_float("cosine_similarity", "targets", targets)
    check_broadcast("cosine_similarity", "predictions", predictions, "targets", targets)
    a, b = predictions, targets
    a_norm2 = jnp.square(a).sum(axis=axis, where=where, keepdims=True)  # [..., 1]
    b_norm2 = jnp.square(b).sum(axis=axis, where=where, keepdims=True)  # [..., 1]
    a_norm = jnp.sqrt(a_norm2.clip(epsilon))  # [..., 1]
    b_norm = jnp.sqrt(b_norm2.clip(epsilon))  # [..., 1]
    a_unit = a / a_norm  # [..., dim]
    b_unit = b / b_norm  # [..., dim]
    return (a_unit * b_unit).sum(axis=axis, where=where)  # [...]


def cosine_distance(predictions, targets, *, epsilon=0.0, axis=-1, where=None) -> jax.Array:
    """`1 - cosine_similarity(predictions, targets)`: 0 for parallel vectors, 2 for opposite ones.

    Args:
      predictions: `[..., dim]`, floating.
      targets: `[..., dim]`, floating, broadcastable with `predictions`.
      epsilon, axis, where: as for `cosine_similarity` (keyword-only).

    Returns:
      `[...]`, `axis` removed.

    Counterpart: `optax.losses.cosine_distance` (optax/losses/_regression.py).

    References:
      https://en.wikipedia.org/wiki/Cosine_similarity#Cosine_distance
    """
    check_float("cosine_distance", "predictions", predictions)
    check_float("cosine_distance", "targets", targets)
    check_broadcast("cosine_distance", "predictions", predictions, "targets", targets)
    return 1.0 - cosine_similarity(predictions, targets, epsilon=epsilon, axis=axis, where=where)
