"""Skip updates that hold a NaN or an infinity, up to a number of times in a row.

    finite = all leaves of u are finite
    n      = 0 if finite else n + 1                          (consecutive bad updates)
    if finite or n > max_consecutive_errors:  u', inner <- inner.update(u, inner)
    else:                                     u' = 0,  inner unchanged     (the step is skipped)

A single bad batch (an overflow in mixed precision, a corrupt example) then costs one step instead
of the whole run; if the NaNs persist, the wrapper gives up and lets them through.

Counterpart: `optax.apply_if_finite`, `optax.ApplyIfFiniteState`
(optax/transforms/_conditionality.py).

Differences:
  `update` takes no `**extra_args`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from purejax import tree
from purejax.checks import check_int
from purejax.optim.base import GradientTransformation, check_state, check_transformation, named, where
from purejax.optim.tree_math import safe_increment, zeros_like


class ApplyIfFiniteState(NamedTuple):
    notfinite_count: jax.Array  # shape=(), dtype=int32; bad updates in a row, 0 after a good one
    last_finite: jax.Array  # shape=(), dtype=bool; whether the last update was finite
    total_notfinite: jax.Array  # shape=(), dtype=int32; bad updates since init, never reset
    inner_state: Any  # the wrapped transformation's state


@named
def apply_if_finite(inner: GradientTransformation, max_consecutive_errors: int) -> GradientTransformation:
    """Apply `inner` only to finite updates; emit zeros (and keep `inner`'s state) otherwise.

    Args:
      inner: the transformation to protect.
      max_consecutive_errors: how many non-finite updates in a row to skip; the next one is
        passed to `inner` as it is.

    Returns:
      A `GradientTransformation` with state `ApplyIfFiniteState`.

    Counterpart: `optax.apply_if_finite` (optax/transforms/_conditionality.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.apply_if_finite(optim.sgd(learning_rate=0.1), max_consecutive_errors=3)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([jnp.nan, 1.0])}, state, params)
      >>> updates['w'].tolist(), int(state.notfinite_count)  # skipped: zeros, one bad step counted
      ([0.0, 0.0], 1)
    """
    check_transformation(where("apply_if_finite"), "inner", inner)
    check_int(where("apply_if_finite"), "max_consecutive_errors", max_consecutive_errors, minimum=0)

    def init_fn(params):
        return ApplyIfFiniteState(
            notfinite_count=jnp.zeros([], jnp.int32),
            last_finite=jnp.array(True, jnp.bool_),
            total_notfinite=jnp.zeros([], jnp.int32),
            inner_state=inner.init(params),
        )

    def update_fn(updates, state, params=None):
        check_state("apply_if_finite", state, ApplyIfFiniteState)
        inner_state = state.inner_state
        isfinite = jnp.all(jnp.array([jnp.all(jnp.isfinite(p)) for p in tree.leaves(updates)]))
        notfinite_count = jnp.where(isfinite, jnp.zeros([], jnp.int32), safe_increment(state.notfinite_count))

        def do_update(_):
            return inner.update(updates, inner_state, params)

        def reject_update(_):
            return zeros_like(updates), inner_state

        updates, new_inner_state = lax.cond(
            jnp.logical_or(isfinite, notfinite_count > max_consecutive_errors),
            do_update,
            reject_update,
            operand=None,
        )
        return updates, ApplyIfFiniteState(
            notfinite_count=notfinite_count,
            last_finite=isfinite,
            total_notfinite=jnp.where(isfinite, state.total_notfinite, safe_increment(state.total_notfinite)),
            inner_state=new_inner_state,
        )

    return GradientTransformation(init_fn, update_fn)
