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
from purejax.checks import check_positive_int, check_probability, fail, is_integer
from purejax.optim.base import named, where


def _same_tree(name: str, new_tensors: Any, old_tensors: Any) -> None:
    """`old_tensors` has `new_tensors`' tree (a `None` leaf counts as a leaf)."""
    tree.flatten_up_to(
        tree.structure(new_tensors, is_leaf=lambda x: x is None),
        old_tensors,
        f"{where(name)}: old_tensors differ from new_tensors' tree",
    )


@named
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
    check_probability(where("incremental_update"), "step_size", step_size, hint="write e.g. step_size=0.01")
    _same_tree("incremental_update", new_tensors, old_tensors)
    return tree.map(
        lambda new, old: None if new is None else step_size * new + (1.0 - step_size) * old,
        new_tensors,
        old_tensors,
        is_leaf=lambda x: x is None,
    )


@named
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
    w = where("periodic_update")
    check_positive_int(w, "update_period", update_period)
    dtype = getattr(steps, "dtype", None)
    if not (is_integer(steps) or (dtype is not None and jnp.issubdtype(dtype, jnp.integer))):
        raise fail(
            TypeError, w, "steps", "an integer (or an integer array)", steps, "pass the step count, e.g. state.count"
        )
    _same_tree("periodic_update", new_tensors, old_tensors)
    return lax.cond(jnp.mod(steps, update_period) == 0, lambda _: new_tensors, lambda _: old_tensors, None)
