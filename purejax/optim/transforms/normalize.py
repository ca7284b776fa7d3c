"""Normalizing the updates by their global norm: only the direction is kept.

    u <- scale_factor * u / (||u|| + eps)        ||u|| the L2 norm over all leaves

Counterpart: `optax.normalize_by_update_norm` (optax/_src/transform.py).
"""

from __future__ import annotations

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import EmptyState, GradientTransformation, check_state, init_empty_state, named, where


def _global_norm(updates):
    return jnp.sqrt(sum(jnp.sum(jnp.square(jnp.abs(u))) for u in tree.leaves(updates)))


@named
def normalize_by_update_norm(scale_factor=1.0, eps=1e-6) -> GradientTransformation:
    """Divide the updates by their global L2 norm (plus `eps`) and multiply by `scale_factor`.

    Args:
      scale_factor: the norm of the result (up to `eps`).
      eps: added to the norm, so that zero updates stay zero.

    Returns:
      A `GradientTransformation` with state `EmptyState()`.

    Counterpart: `optax.normalize_by_update_norm` (optax/_src/transform.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.normalize_by_update_norm(eps=0.0)
      >>> updates, _ = tx.update(jnp.array([3.0, 4.0]), tx.init(None))
      >>> updates.tolist()
      [0.6000000238418579, 0.800000011920929]
    """
    check_number(where("normalize_by_update_norm"), "scale_factor", scale_factor)
    check_number(where("normalize_by_update_norm"), "eps", eps, minimum=0.0)

    def update_fn(updates, state, params=None):
        del params
        check_state("normalize_by_update_norm", state, EmptyState)
        g_norm = (_global_norm(updates) + eps) / scale_factor
        return tree.map(lambda g: g / g_norm, updates), state

    return GradientTransformation(init_empty_state, update_fn)
