"""Updating a copy of the parameters toward the trained ones: a target network, Polyak averaging.

    incremental_update(new, old, tau)     = tau * new + (1 - tau) * old        (soft update)
    periodic_update(new, old, t, period)  = new if t % period == 0 else old    (hard update)

Counterpart: `optax.incremental_update`, `optax.periodic_update` (optax/_src/update.py).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
from jax import lax

from purejax import tree


def incremental_update(new_tensors: Any, old_tensors: Any, step_size) -> Any:
    """Move `old_tensors` a fraction `step_size` of the way to `new_tensors`: `tau * new + (1 - tau) * old`.

    Args:
      new_tensors: the latest parameters (a pytree; `None` leaves stay `None`).
      old_tensors: the slowly moving copy, same tree.
      step_size: `tau`, in [0, 1].

    Returns:
      A pytree like `new_tensors`.

    Counterpart: `optax.incremental_update` (optax/_src/update.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> optim.incremental_update(jnp.array([1.0]), jnp.array([0.0]), 0.25).tolist()
      [0.25]
    """
    return tree.map(
        lambda new, old: None if new is None else step_size * new + (1.0 - step_size) * old,
        new_tensors,
        old_tensors,
        is_leaf=lambda x: x is None,
    )


def periodic_update(new_tensors: Any, old_tensors: Any, steps, update_period) -> Any:
    """`new_tensors` every `update_period` steps (when `steps % update_period == 0`), else `old_tensors`.

    Args:
      new_tensors: the latest parameters.
      old_tensors: the copy, same tree.
      steps: the current step (int, may be traced).
      update_period: the period.

    Returns:
      One of the two trees (chosen with `lax.cond`, so it works under `jit`).

    Counterpart: `optax.periodic_update` (optax/_src/update.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> optim.periodic_update(jnp.array([1.0]), jnp.array([0.0]), 4, 2).tolist()
      [1.0]
    """
    return lax.cond(jnp.mod(steps, update_period) == 0, lambda _: new_tensors, lambda _: old_tensors, None)
