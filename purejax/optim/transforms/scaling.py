"""Multiplying the updates by a number: `scale`, `scale_by_schedule`, `scale_by_learning_rate`.

    scale(s)                  : u -> s * u
    scale_by_schedule(f)      : u -> f(count) * u,  count = 0, 1, 2, ... (number of updates so far)
    scale_by_learning_rate(lr): u -> -lr * u   (or -lr(count) * u for a schedule)

The minus sign lives here: every alias ends with `scale_by_learning_rate`, which turns a descent
direction into a step, so that `apply_updates(params, updates)` always *adds*.

Counterpart: `optax.scale`, `optax.scale_by_schedule`, `optax.scale_by_learning_rate`,
`optax.ScaleByScheduleState` (optax/_src/transform.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.optim.base import EmptyState, GradientTransformation, identity, init_empty_state
from purejax.optim.tree_math import safe_increment

ScalarOrSchedule = float | jax.Array | Callable[[Any], Any]
ScaleState = EmptyState  # Optax's name for scale's (empty) state


class ScaleByScheduleState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; updates seen so far


def scale(step_size) -> GradientTransformation:
    """Multiply every update by `step_size` (`optax.scale`)."""

    def update_fn(updates, state, params=None):
        del params
        return tree.map(lambda g: step_size * g, updates), state

    return GradientTransformation(init_empty_state, update_fn)


def scale_by_schedule(step_size_fn: Callable[[Any], Any]) -> GradientTransformation:
    """Multiply the updates by `step_size_fn(count)`, then count one more step.

    Counterpart: `optax.scale_by_schedule`.
    """

    def init_fn(params):
        del params
        return ScaleByScheduleState(count=jnp.zeros([], jnp.int32))

    def update_fn(updates, state, params=None):
        del params
        step_size = step_size_fn(state.count)
        updates = tree.map(lambda g: jnp.array(step_size, dtype=g.dtype) * g, updates)
        return updates, ScaleByScheduleState(count=safe_increment(state.count))

    return GradientTransformation(init_fn, update_fn)


def scale_by_learning_rate(learning_rate: ScalarOrSchedule | None, *, flip_sign: bool = True) -> GradientTransformation:
    """Scale by `-learning_rate` (a number or a schedule `count -> value`); identity for None.

    Counterpart: `optax.scale_by_learning_rate`.
    """
    if learning_rate is None:
        return identity()
    m = -1 if flip_sign else 1
    if callable(learning_rate):
        return scale_by_schedule(lambda count: m * learning_rate(count))
    return scale(m * learning_rate)
