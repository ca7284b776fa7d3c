"""Decoupled weight decay: add `weight_decay * params` to the updates.

    u <- u + weight_decay * p          (before the learning rate is applied)

Placed after an adaptive scaling (as in `adamw`), this is *decoupled* weight decay: the decay
is not divided by Adam's second moment. Placed before it, it would be plain L2 regularisation
(what `torch.optim.Adam(weight_decay=...)` does; `torch.optim.AdamW` is the decoupled one).

Counterpart: `optax.add_decayed_weights`, `optax.WeightDecaySchedule`
(optax/transforms/_adding.py).

References:
  Ilya Loshchilov, Frank Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
  https://arxiv.org/abs/1711.05101
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.optim.base import EmptyState, GradientTransformation
from purejax.optim.tree_math import safe_increment

NO_PARAMS_MSG = (
    "purejax.optim.{name}: this transformation needs the current parameters; "
    "call update(updates, state, params) with params"
)


class WeightDecaySchedule(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; for a scheduled weight decay


def add_decayed_weights(weight_decay=0.0, mask: Any | Callable[[Any], Any] | None = None) -> GradientTransformation:
    """Add `weight_decay * params` to the updates.

    Args:
      weight_decay: a number or a schedule `count -> value`.
      mask: a tree of booleans with the parameters' structure (or a prefix of it), or a function
        `params -> such a tree`; decay applies where True (e.g. not to biases).

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.add_decayed_weights`.
    """

    def init_fn(params):
        del params
        return WeightDecaySchedule(count=jnp.zeros([], jnp.int32)) if callable(weight_decay) else EmptyState()

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError(NO_PARAMS_MSG.format(name="add_decayed_weights"))
        new_state = WeightDecaySchedule(safe_increment(state.count)) if callable(weight_decay) else state
        if isinstance(weight_decay, (int, float)) and weight_decay == 0.0:
            return updates, new_state  # nothing to add
        s = weight_decay(state.count) if callable(weight_decay) else weight_decay
        updates = tree.map(lambda g, p: None if g is None else g + s * p, updates, params,
                           is_leaf=lambda x: x is None)
        return updates, new_state

    tx = GradientTransformation(init_fn, update_fn)
    if mask is not None:
        from purejax.optim.masking import masked  # the wrappers build on this module's base

        return masked(tx, mask)
    return tx
