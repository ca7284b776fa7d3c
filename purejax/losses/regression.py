"""Regression losses: squared error, Huber, log-cosh, and the cosine similarity and distance.

Every loss here is per example: it returns one value per element (or, for the cosine losses, per
vector) and leaves the reduction (`.mean()`, `.sum()`) to the caller, as Optax does.

Counterpart: `optax.losses` (optax/losses/_regression.py). Same formulas in the same order, so
results and gradients agree bitwise; the cosine losses' values too, wherever Optax's squared
norms neither overflow nor underflow (see `cosine_similarity` for what differs).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.losses._checks import (
    canonical_axes,
    check_broadcast,
    check_float,
    check_same_shape,
    check_scalar,
    check_where,
    shape_of,
)


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
    check_float("l2_loss", "predictions", predictions)
    if targets is not None:
        check_same_shape("l2_loss", "predictions", predictions, "targets", targets)
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
      A negative `delta` is refused (Optax returns negative losses for it).
    """
    check_float("huber_loss", "predictions", predictions)
    check_scalar("huber_loss", "delta", delta, minimum=0)
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


def _power_of_two(k: jax.Array, dtype) -> jax.Array:
    """`2.0**k` in `dtype`, exactly, for integer `k` in the normal range (built from its bits)."""
    info = jnp.finfo(dtype)
    int_type = {16: jnp.int16, 32: jnp.int32, 64: jnp.int64}[info.bits]
    biased = (k.astype(int_type) + (info.maxexp - 1)) << info.nmant  # exponent field, mantissa 0
    return lax.bitcast_convert_type(biased, dtype)


@jax.custom_vjp
def _rescale(x: jax.Array, scale_a: jax.Array, scale_b: jax.Array) -> jax.Array:
    """`x * scale_a * scale_b`, by powers of two (exact), behind a barrier both ways.

    The barrier keeps XLA from fusing the scaling into what follows (or, for the gradient, into
    what precedes it), so the program around it is Optax's and rounds the same way.
    """
    return lax.optimization_barrier(x * scale_a * scale_b)


def _rescale_fwd(x, scale_a, scale_b):
    return _rescale(x, scale_a, scale_b), (scale_a, scale_b)


def _rescale_bwd(scales, cotangent):
    scale_a, scale_b = scales
    cotangent = lax.optimization_barrier(cotangent) * scale_a * scale_b
    return cotangent, jnp.zeros_like(scale_a), jnp.zeros_like(scale_b)


_rescale.defvjp(_rescale_fwd, _rescale_bwd)


def _unit_vectors(x: jax.Array, epsilon, axis, where) -> jax.Array:
    """`x / sqrt(max(sum(x**2), epsilon))` along `axis`, with `x` scaled by a power of two before squaring.

    `x` is divided by `2**e`, `e` the binary exponent of its largest entry (`frexp`), so the
    squares lie in [0, 1]: no overflow for entries up to the float's maximum, no underflow for
    tiny ones; `epsilon` is divided by `2**(2 e)` (with `e` raised where `x` is far below
    `sqrt(epsilon)`, so that this stays finite). Dividing by a power of two is exact, so wherever
    Optax's `sum(x**2)` neither overflows nor underflows the unit vector has its bits; the
    barrier keeps XLA from fusing the scaling into the rest, which is then Optax's program.
    """
    if where is not None:  # only the included entries count (a huge left-out one must not scale them away)
        x = jnp.where(where, x, jnp.zeros_like(x))
    largest = jnp.max(jnp.abs(x), axis=axis, keepdims=True)  # [..., 1]
    exponent = jnp.frexp(largest)[1]  # largest = m * 2**exponent, m in [0.5, 1); 0 for 0
    eps = jnp.maximum(jnp.asarray(epsilon, x.dtype), 0)  # a negative bound bounds nothing, as in clip
    exponent = jnp.where(eps > 0, jnp.maximum(exponent, jnp.frexp(eps)[1] // 2 - 32), exponent)
    exponent = lax.stop_gradient(exponent)
    half = -exponent // 2  # 2**-exponent in two factors, each within the float's range
    scale_a, scale_b = _power_of_two(half, x.dtype), _power_of_two(-exponent - half, x.dtype)
    scaled = _rescale(x, scale_a, scale_b)  # [..., dim], x / 2**exponent, exact
    eps = eps * scale_a * scale_a * scale_b * scale_b  # [..., 1], epsilon / 2**(2 exponent), exact
    norm2 = jnp.square(scaled).sum(axis=axis, where=where, keepdims=True)  # [..., 1]
    return scaled / jnp.sqrt(norm2.clip(eps))  # [..., dim]


def cosine_similarity(predictions, targets, *, epsilon=0.0, axis=-1, where=None) -> jax.Array:
    """Cosine of the angle between `predictions` and `targets` along `axis`.

        cos(a, b) = sum_i (a_i / |a|) * (b_i / |b|),   |a| = sqrt(max(sum_i a_i**2, epsilon))

    Each vector is normalised first, then the unit vectors are multiplied: this order keeps
    `a_i * b_i` from overflowing where `sum(a * b) / (|a| |b|)` would. The norm itself is taken
    of the vector scaled by a power of two (its largest entry brought into [0.5, 1), which is
    exact), so `a_i**2` cannot overflow either: two equal vectors of 1e30, or of 1e-30, have
    cosine 1.

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
      Optax squares the entries as they are, so a vector with an entry beyond about 1.8e19 has
      an infinite norm (cosine 0, or NaN) and one whose squares underflow has norm 0 (cosine
      inf or NaN); here both give the cosine. Everywhere else the values are Optax's bits, and
      so are the gradients computed eagerly; under `jit` XLA fuses the scaled program
      differently and the gradients differ by a few float32 ulps of `1 / |a|`. PyTorch's
      `cosine_similarity` clamps each *norm* by `eps = 1e-8`; here `epsilon` clamps the squared
      norm and defaults to 0.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax.losses import cosine_similarity
      >>> big, tiny = jnp.full(4, 1e30), jnp.full(4, 1e-30)
      >>> float(cosine_similarity(big, big)), float(cosine_similarity(tiny, tiny))
      (1.0, 1.0)
    """
    _check_cosine("cosine_similarity", predictions, targets, epsilon, axis, where)
    a_unit = _unit_vectors(jnp.asarray(predictions), epsilon, axis, where)  # [..., dim]
    b_unit = _unit_vectors(jnp.asarray(targets), epsilon, axis, where)  # [..., dim]
    return (a_unit * b_unit).sum(axis=axis, where=where)  # [...]


def _check_cosine(loss: str, predictions, targets, epsilon, axis, where) -> None:
    check_float(loss, "predictions", predictions)
    check_float(loss, "targets", targets)
    check_broadcast(loss, "predictions", predictions, "targets", targets)
    shape = np.broadcast_shapes(shape_of(predictions), shape_of(targets))
    check_scalar(loss, "epsilon", epsilon)
    canonical_axes(loss, axis, len(shape), "predictions")
    check_where(loss, where, np.empty(shape, bool), "predictions")


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
    _check_cosine("cosine_distance", predictions, targets, epsilon, axis, where)
    return 1.0 - cosine_similarity(predictions, targets, epsilon=epsilon, axis=axis, where=where)
