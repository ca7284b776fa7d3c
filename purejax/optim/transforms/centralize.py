"""Gradient centralization: subtract from each gradient its mean over all axes but the first.

    u <- u - mean(u, axes 1..ndim-1)      for arrays of rank >= 2; vectors and scalars unchanged

Counterpart: `optax.centralize` (optax/_src/transform.py).

References:
  Hongwei Yong et al., *Gradient Centralization: A New Optimization Technique for Deep Neural
  Networks*, ECCV 2020. https://arxiv.org/abs/2004.01461
"""

from __future__ import annotations

from purejax import tree
from purejax.optim.base import EmptyState, GradientTransformation, check_state, init_empty_state, named


def _subtract_mean(g):
    if g.ndim > 1:
        return g - g.mean(tuple(range(1, g.ndim)), keepdims=True)  # [n, 1, ..., 1] mean per first index
    return g


@named
def centralize() -> GradientTransformation:
    """Subtract from every update of rank >= 2 its mean over all axes but axis 0.

    Returns:
      A `GradientTransformation` with state `EmptyState()`.

    Counterpart: `optax.centralize` (optax/_src/transform.py).

    References:
      Yong et al., *Gradient Centralization*, 2020. https://arxiv.org/abs/2004.01461

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.centralize()
      >>> updates, _ = tx.update(jnp.array([[1.0, 3.0], [0.0, 4.0]]), tx.init(None))
      >>> updates.tolist()
      [[-1.0, 1.0], [-2.0, 2.0]]
    """

    def update_fn(updates, state, params=None):
        del params
        check_state("centralize", state, EmptyState)
        return tree.map(_subtract_mean, updates), state

    return GradientTransformation(init_empty_state, update_fn)
