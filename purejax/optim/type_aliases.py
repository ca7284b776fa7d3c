"""The names Optax gives to the types its functions take and return, for annotations.

    Params, Updates, OptState    any pytree of arrays (parameters, gradients or updates, a state)
    Schedule                     count -> value
    ScalarOrSchedule             a number, or a Schedule
    MaskOrFn                     a tree of booleans, a function params -> such a tree, or None
    TransformInitFn              init(params) -> state
    TransformUpdateFn            update(updates, state, params=None) -> (updates, state)
    TransformUpdateExtraArgsFn   update(updates, state, params=None, **extra_args) -> (updates, state)
    ShouldSkipUpdateFunction     (updates, gradient_step, params) -> (skip, info)   (`MultiSteps`)

They are annotations only: nothing checks them at run time.

Counterpart: `optax.Params`, `optax.Updates`, `optax.OptState`, `optax.Schedule`,
`optax.ScalarOrSchedule`, `optax.MaskOrFn`, `optax.TransformInitFn`, `optax.TransformUpdateFn`,
`optax.TransformUpdateExtraArgsFn` (optax/_src/base.py); `optax.ShouldSkipUpdateFunction`
(optax/transforms/_accumulation.py).

Differences:
  Optax spells the pytrees as `chex.ArrayTree` (a recursive union of array types); here they are
  `Any`, which says the same to a reader and to a type checker in basic mode.

Examples:
    >>> from purejax import optim
    >>> def lr(count) -> float:
    ...     return 0.1
    >>> schedule: optim.Schedule = lr
    >>> schedule(0)
    0.1
"""

from __future__ import annotations

from typing import Any, Protocol

import jax

from purejax.optim.schedules import Schedule
from purejax.optim.transforms.masking import MaskOrFn
from purejax.optim.transforms.scaling import ScalarOrSchedule

Params = Any  # a pytree of arrays: the model's parameters
Updates = Any  # a pytree like Params: gradients, or the updates a transformation returns
OptState = Any  # a pytree: an optimizer's state


class TransformInitFn(Protocol):
    """`init(params) -> state`."""

    def __call__(self, params: Params) -> OptState: ...


class TransformUpdateFn(Protocol):
    """`update(updates, state, params=None) -> (updates, state)`."""

    def __call__(self, updates: Updates, state: OptState, params: Params | None = None) -> tuple[Updates, OptState]: ...


class TransformUpdateExtraArgsFn(Protocol):
    """`update(updates, state, params=None, **extra_args) -> (updates, state)`."""

    def __call__(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra_args: Any
    ) -> tuple[Updates, OptState]: ...


class ShouldSkipUpdateFunction(Protocol):
    """`(updates, gradient_step, params) -> (should_skip, info)`, as `MultiSteps` calls it."""

    def __call__(self, updates: Updates, gradient_step: jax.Array, params: Params | None) -> tuple[jax.Array, Any]: ...


__all__ = [
    "MaskOrFn",
    "OptState",
    "Params",
    "ScalarOrSchedule",
    "Schedule",
    "ShouldSkipUpdateFunction",
    "TransformInitFn",
    "TransformUpdateExtraArgsFn",
    "TransformUpdateFn",
    "Updates",
]
