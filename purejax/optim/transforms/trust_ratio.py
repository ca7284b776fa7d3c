"""Layer-wise step sizes from parameter norms: the trust ratio (LARS, LAMB, Fromage) and block scaling.

    scale_by_trust_ratio:     u <- u * c * ||p|| / (||u|| + eps)      each leaf (layer) on its own
    scale_by_param_block_norm: u <- u * max(||p||, min_scale)
    scale_by_param_block_rms:  u <- u * max(rms(p), min_scale)        Adafactor's relative step

A layer whose weights are large can take a larger step: the update's size is made proportional to
the weights' size, so every layer moves by about the same *relative* amount, whatever its scale.

Counterpart: `optax.scale_by_trust_ratio`, `optax.ScaleByTrustRatioState`,
`optax.scale_by_param_block_norm`, `optax.scale_by_param_block_rms` (optax/_src/transform.py);
`safe_norm`, `safe_root_mean_squares` (optax/_src/numerics.py).

References:
  Yang You, Igor Gitman, Boris Ginsburg, *Large Batch Training of Convolutional Networks*, 2017.
  https://arxiv.org/abs/1708.03888
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
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

ScaleByTrustRatioState = EmptyState  # Optax's name for this stateless transformation's state


def safe_norm(x, min_norm) -> jax.Array:
    """`max(||x||, min_norm)` (Frobenius / L2 over all entries), with a finite gradient at 0.

    The gradient of `||x||` at `x = 0` is NaN (0 / 0); where the norm is below `min_norm` the norm
    is taken of ones instead, and the result replaced by `min_norm`, so no NaN reaches a gradient.
    """
    norm = jnp.linalg.norm(x, keepdims=True)
    x = jnp.where(norm <= min_norm, jnp.ones_like(x), x)
    norm = jnp.squeeze(norm, axis=None)
    return jnp.where(norm <= min_norm, min_norm, jnp.linalg.norm(x))


def safe_root_mean_squares(x, min_rms) -> jax.Array:
    """`max(sqrt(mean(|x|**2)), min_rms)`, with a finite gradient at 0 (as `safe_norm`)."""
    rms = jnp.sqrt(jnp.mean(abs_sq(x)))
    x = jnp.where(rms <= min_rms, jnp.ones_like(x), x)
    return jnp.where(rms <= min_rms, min_rms, jnp.sqrt(jnp.mean(abs_sq(x))))


@named
def scale_by_trust_ratio(min_norm=0.0, trust_coefficient=1.0, eps=0.0) -> GradientTransformation:
    """Scale each leaf's update by its trust ratio `c * ||p|| / (||u|| + eps)`.

        n_p = max(||p||, min_norm),  n_u = max(||u||, min_norm)    # layer norms
        r = trust_coefficient * n_p / (n_u + eps)                  # trust ratio
        u <- u * r,   or u unchanged where n_p = 0 or n_u = 0      # r := 1 if either norm is 0

    Args:
      min_norm: lower bound on both norms (0: no bound).
      trust_coefficient: the multiplier `c` (LARS uses 0.001).
      eps: added to the update norm in the denominator.

    Returns:
      A stateless `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.scale_by_trust_ratio` (optax/_src/transform.py).
    """
    w = where("scale_by_trust_ratio")
    check_number(w, "min_norm", min_norm, minimum=0)
    check_number(w, "trust_coefficient", trust_coefficient)
    check_number(w, "eps", eps)

    def update_fn(updates, state, params=None):
        check_state("scale_by_trust_ratio", state, EmptyState)
        check_params("scale_by_trust_ratio", params, updates)

        def scale_leaf(update, param):
            param_norm = safe_norm(param, min_norm)  # ||p||
            update_norm = safe_norm(update, min_norm)  # ||u||
            trust_ratio = trust_coefficient * param_norm / (update_norm + eps)
            zero_norm = jnp.logical_or(param_norm == 0.0, update_norm == 0.0)
            return update * jnp.where(zero_norm, jnp.array(1.0, dtype=param.dtype), trust_ratio)

        return tree.map(scale_leaf, updates, params), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def scale_by_param_block_norm(min_scale=1e-3) -> GradientTransformation:
    """Multiply each leaf's update by `max(||p||, min_scale)` (`optax.scale_by_param_block_norm`)."""
    check_number(where("scale_by_param_block_norm"), "min_scale", min_scale, minimum=0)

    def update_fn(updates, state, params=None):
        check_state("scale_by_param_block_norm", state, EmptyState)
        check_params("scale_by_param_block_norm", params, updates)
        return tree.map(lambda u, p: u * safe_norm(p, min_scale), updates, params), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def scale_by_param_block_rms(min_scale=1e-3) -> GradientTransformation:
    """Multiply each leaf's update by `max(rms(p), min_scale)`: a step relative to the weights' size.

    Counterpart: `optax.scale_by_param_block_rms`. Used by `adafactor` when
    `multiply_by_parameter_scale=True` (the "relative step size" of Shazeer & Stern 2018).
    """
    check_number(where("scale_by_param_block_rms"), "min_scale", min_scale, minimum=0)

    def update_fn(updates, state, params=None):
        check_state("scale_by_param_block_rms", state, EmptyState)
        check_params("scale_by_param_block_rms", params, updates)
        return tree.map(lambda u, p: u * safe_root_mean_squares(p, min_scale), updates, params), state

    return GradientTransformation(init_empty_state, update_fn)
