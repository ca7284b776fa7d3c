"""Adaptive gradient clipping (AGC): clip each unit's gradient relative to the unit's weight norm.

    ||g||_u, ||p||_u             norms per output unit (see `unitwise_norm`)
    max_u = clipping * max(||p||_u, eps)
    g <- g                       where ||g||_u < max_u
    g <- g * max_u / ||g||_u     otherwise

A unit is a column of a Dense kernel `[in, out]` (norm over axis 0), one output channel of a conv
kernel `[h, w, in, out]` (axes 0, 1, 2), or a whole vector or scalar.

Counterpart: `optax.adaptive_grad_clip`, `optax.AdaptiveGradClipState`,
`optax.transforms.unitwise_norm`, `optax.transforms.unitwise_clip` (optax/transforms/_clipping.py).

References:
  Andrew Brock et al., *High-Performance Large-Scale Image Recognition Without Normalization*,
  ICML 2021. https://arxiv.org/abs/2102.06171
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_axes, check_number
from purejax.optim.base import (
    EmptyState,
    GradientTransformation,
    check_params,
    check_state,
    init_empty_state,
    named,
    where,
)
from purejax.optim.tree_math import abs_sq

AdaptiveGradClipState = EmptyState  # Optax's name for adaptive_grad_clip's (empty) state


def unitwise_norm(x, axis: int | tuple[int, ...] | None = None) -> jax.Array:
    """The L2 norm of each unit of `x`, broadcast back to `x`'s shape.

    Args:
      x: an array; with `axis=None` its rank picks the units: rank <= 1 (after squeezing) one unit,
        rank 2 or 3 (`[in, out]`, multi-head `[in, heads, out]`) axis 0, rank 4 (`HWIO`) axes 0-2,
        rank 5 (`DHWIO`) axes 0-3.
      axis: the axes to reduce, overriding the choice by rank.

    Returns:
      An array of `x`'s shape.

    Counterpart: `optax.transforms.unitwise_norm` (optax/transforms/_clipping.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> optim.transforms.unitwise_norm(jnp.array([[3.0, 0.0], [4.0, 1.0]])).tolist()
      [[5.0, 1.0], [5.0, 1.0]]
    """
    if axis is not None:
        squared_norm = jnp.sum(abs_sq(x), axis=axis, keepdims=True)
    elif jnp.squeeze(x).ndim <= 1:  # scalars and vectors: one unit
        squared_norm = jnp.sum(abs_sq(x), keepdims=True)
    elif x.ndim in (2, 3):  # Dense [in, out] or multi-head [in, heads, out]
        squared_norm = jnp.sum(abs_sq(x), axis=0, keepdims=True)
    elif x.ndim == 4:  # conv HWIO
        squared_norm = jnp.sum(abs_sq(x), axis=(0, 1, 2), keepdims=True)
    elif x.ndim == 5:  # conv 3-D DHWIO
        squared_norm = jnp.sum(abs_sq(x), axis=(0, 1, 2, 3), keepdims=True)
    else:
        raise ValueError(
            f"purejax.optim.unitwise_norm: x must have rank 1 to 5, got shape {tuple(x.shape)}; "
            "pass axis= to name the axes to reduce"
        )
    return jnp.broadcast_to(jnp.sqrt(squared_norm), x.shape)


def unitwise_clip(g_norm, max_norm, grad, div_eps=1e-6) -> jax.Array:
    """`grad` where `g_norm < max_norm`, else `grad * max_norm / max(g_norm, div_eps)`; all one shape.

    Counterpart: `optax.transforms.unitwise_clip` (optax/transforms/_clipping.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> optim.transforms.unitwise_clip(jnp.array([2.0]), jnp.array([1.0]), jnp.array([2.0])).tolist()
      [1.0]
    """
    shapes = (jnp.shape(g_norm), jnp.shape(max_norm), jnp.shape(grad))
    if len(set(shapes)) != 1:
        raise ValueError(f"purejax.optim.unitwise_clip: g_norm, max_norm and grad must have one shape, got {shapes}")
    clipped_grad = grad * (max_norm / jnp.maximum(g_norm, div_eps))
    return jnp.where(g_norm < max_norm, grad, clipped_grad)


@named
def adaptive_grad_clip(clipping, eps=1e-3, axis: int | tuple[int, ...] | None = None) -> GradientTransformation:
    """Clip each unit's gradient to `clipping` times the unit's parameter norm.

    Args:
      clipping: the largest ratio of gradient norm to parameter norm, per unit.
      eps: the smallest parameter norm used (so that zero-initialised units can move).
      axis: the axes to reduce for the unit norms; `None` picks them by rank (`unitwise_norm`).

    Returns:
      A `GradientTransformation` with state `AdaptiveGradClipState()` (empty); `update` needs
      `params`.

    Counterpart: `optax.adaptive_grad_clip` (optax/transforms/_clipping.py).

    References:
      Brock et al., *High-Performance Large-Scale Image Recognition Without Normalization*, 2021.
      https://arxiv.org/abs/2102.06171

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.adaptive_grad_clip(0.1)
      >>> params = jnp.array([3.0, 4.0])
      >>> updates, _ = tx.update(jnp.array([0.0, 1.0]), tx.init(params), params)
      >>> updates.tolist()  # clipped to norm 0.1 * 5
      [0.0, 0.5]
    """
    w = where("adaptive_grad_clip")
    check_number(w, "clipping", clipping, minimum=0.0)
    check_number(w, "eps", eps, minimum=0.0)
    if axis is not None:
        check_axes(w, "axis", axis)

    def update_fn(updates, state, params=None):
        check_state("adaptive_grad_clip", state, EmptyState)
        check_params("adaptive_grad_clip", params, updates)
        g_norm = tree.map(lambda x: unitwise_norm(x, axis=axis), updates)
        p_norm = tree.map(lambda x: unitwise_norm(x, axis=axis), params)
        max_norm = tree.map(lambda x: clipping * jnp.maximum(x, eps), p_norm)
        return tree.map(unitwise_clip, g_norm, max_norm, updates), state

    return GradientTransformation(init_empty_state, update_fn)
