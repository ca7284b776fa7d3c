"""Multiplying the updates by a number: `scale`, `scale_by_schedule`, `scale_by_learning_rate`.

    scale(s)                  : u -> s * u
    scale_by_schedule(f)      : u -> f(count) * u,  count = 0, 1, 2, ... (number of updates so far)
    scale_by_learning_rate(lr): u -> -lr * u   (or -lr(count) * u for a schedule)

The minus sign lives here: every alias ends with `scale_by_learning_rate`, which turns a descent
direction into a step, so that `apply_updates(params, updates)` always *adds*.

Counterpart: `optax.scale`, `optax.scale_by_schedule`, `optax.scale_by_learning_rate`,
`optax.ScaleByScheduleState` (optax/_src/transform.py).

Every learning rate passes `check_learning_rate`, the one check of the aliases' `learning_rate`:
a real number, a 0-d real array (a traced one too, as `inject_hyperparams` passes) or a schedule.
A string, a list, a bool, NaN or a vector is refused where the optimizer is built.

Differences:
  Optax multiplies whatever it is given (`adam('0.1')` fails at the first update, `adam(True)`
  steps with 1.0); here those are refused. `scale_by_learning_rate(None)` is the identity, as in
  Optax, but the aliases whose learning rate is required (`adam`, `sgd`, ...) refuse `None`,
  which in Optax silently returns the unscaled direction, pointing *up* the gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_callable, check_number, fail
from purejax.optim.base import (
    EmptyState,
    GradientTransformation,
    check_state,
    identity,
    init_empty_state,
    named,
    where,
)
from purejax.optim.tree_math import safe_increment

ScalarOrSchedule = float | jax.Array | Callable[[Any], Any]
ScaleState = EmptyState  # Optax's name for scale's (empty) state


class ScaleByScheduleState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; updates seen so far


def check_scalar_or_schedule(name: str, value: Any, *, where_: str, optional: bool = False) -> Any:
    """`value` if it is a real number, a 0-d real array or a schedule (callable); `None` if `optional`."""
    example = "1e-3" if "learning_rate" in name else "1e-4"
    hint = f"write e.g. {name}={example}, or a schedule such as purejax.optim.linear_schedule({example}, 0.0, 1000)"
    if callable(value) or (value is None and optional):
        return value
    try:
        return check_number(where_, name, value, hint=hint)  # NaN: ValueError
    except TypeError:
        raise fail(TypeError, where_, name, "a number or a schedule count -> value", value, hint) from None


def check_learning_rate(learning_rate: Any, *, optional: bool = False) -> Any:
    """The check of every alias's `learning_rate`: a number, a 0-d array or a schedule (None if optional).

    An alias whose learning rate is required calls it before `scale_by_learning_rate`, so that
    `None` (which would give the unscaled, ascending direction) is refused naming the alias.
    """
    return check_scalar_or_schedule(
        "learning_rate", learning_rate, where_=where("scale_by_learning_rate"), optional=optional
    )


@named
def scale(step_size) -> GradientTransformation:
    """Multiply every update by `step_size` (`optax.scale`)."""
    check_number(where("scale"), "step_size", step_size)

    def update_fn(updates, state, params=None):
        del params
        check_state("scale", state, EmptyState)
        return tree.map(lambda g: step_size * g, updates), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def scale_by_schedule(step_size_fn: Callable[[Any], Any]) -> GradientTransformation:
    """Multiply the updates by `step_size_fn(count)`, then count one more step.

    Counterpart: `optax.scale_by_schedule`.
    """
    check_callable(where("scale_by_schedule"), "step_size_fn", step_size_fn, "pass a schedule count -> value")

    def init_fn(params):
        del params
        return ScaleByScheduleState(count=jnp.zeros([], jnp.int32))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_schedule", state, ScaleByScheduleState)
        step_size = step_size_fn(state.count)
        updates = tree.map(lambda g: jnp.array(step_size, dtype=g.dtype) * g, updates)
        return updates, ScaleByScheduleState(count=safe_increment(state.count))

    return GradientTransformation(init_fn, update_fn)


@named
def scale_by_learning_rate(learning_rate: ScalarOrSchedule | None, *, flip_sign: bool = True) -> GradientTransformation:
    """Scale by `-learning_rate` (a number or a schedule `count -> value`); identity for None.

    Counterpart: `optax.scale_by_learning_rate`.
    """
    check_learning_rate(learning_rate, optional=True)
    check_bool(where("scale_by_learning_rate"), "flip_sign", flip_sign)
    if learning_rate is None:
        return identity()
    m = -1 if flip_sign else 1
    if callable(learning_rate):
        return scale_by_schedule(lambda count: m * learning_rate(count))
    return scale(m * learning_rate)
