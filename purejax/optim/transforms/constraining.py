"""Keeping updates (or the parameters they lead to) inside a set: no NaNs, no negative parameters.

    zero_nans()               : u_i -> where(isnan(u_i), 0, u_i);  state records which leaves had one
    keep_params_nonnegative() : u_i -> where(p_i + u_i < 0, -p_i, u_i)   (the step stops at 0)

Counterpart: `optax.zero_nans`, `optax.ZeroNansState`, `optax.keep_params_nonnegative`,
`optax.NonNegativeParamsState` (optax/transforms/_constraining.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree
from purejax.optim.base import EmptyState, GradientTransformation, check_params, check_state, init_empty_state, named

NonNegativeParamsState = EmptyState  # Optax's name for keep_params_nonnegative's (empty) state


class ZeroNansState(NamedTuple):
    """Whether each update leaf held a NaN at the last step."""

    found_nan: Any  # like params, each leaf shape=(), dtype=bool


@named
def zero_nans() -> GradientTransformation:
    """Replace NaN entries of the updates by 0, and record in the state which leaves had any.

    Returns:
      A `GradientTransformation` with state `ZeroNansState(found_nan)`.

    Counterpart: `optax.zero_nans` (optax/transforms/_constraining.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.zero_nans()
      >>> updates, state = tx.update(jnp.array([1.0, jnp.nan]), tx.init(jnp.zeros(2)))
      >>> updates.tolist(), bool(state.found_nan)
      ([1.0, 0.0], True)
    """

    def init_fn(params):
        return ZeroNansState(found_nan=tree.map(lambda p: jnp.array(False, dtype=jnp.bool_), params))

    def update_fn(updates, state, params=None):
        del params
        check_state("zero_nans", state, ZeroNansState)
        found_nan = tree.map(lambda u: jnp.any(jnp.isnan(u)), updates)
        updates = tree.map(lambda u: jnp.where(jnp.isnan(u), jnp.zeros_like(u), u), updates)
        return updates, ZeroNansState(found_nan=found_nan)

    return GradientTransformation(init_fn, update_fn)


@named
def keep_params_nonnegative() -> GradientTransformation:
    """Shorten each step that would make a parameter negative so that it lands on 0.

        u_i <- -p_i  where p_i + u_i < 0,  else u_i

    Returns:
      A `GradientTransformation` with state `NonNegativeParamsState()` (empty); `update` needs
      `params`.

    Counterpart: `optax.keep_params_nonnegative` (optax/transforms/_constraining.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.keep_params_nonnegative()
      >>> params = jnp.array([1.0, 1.0])
      >>> updates, _ = tx.update(jnp.array([-0.5, -2.0]), tx.init(params), params)
      >>> updates.tolist()
      [-0.5, -1.0]
    """

    def update_fn(updates, state, params=None):
        check_state("keep_params_nonnegative", state, EmptyState)
        check_params("keep_params_nonnegative", params, updates)
        updates = tree.map(
            lambda p, u: None if p is None else jnp.where((p + u) < 0.0, -p, u),
            params,
            updates,
            is_leaf=lambda x: x is None,
        )
        return updates, state

    return GradientTransformation(init_empty_state, update_fn)
