"""`TrainState`: everything a training loop carries from step to step, in one pytree.

    state = TrainState.create(apply_fn=model.apply, params=variables['params'], tx=adam(1e-3))
    state = state.apply_gradients(grads=grads)     # step + 1, params and opt_state updated

Counterpart: `flax.training.train_state.TrainState` (flax/training/train_state.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from purejax import tree
from purejax.optim.base import GradientTransformation, apply_updates


@dataclasses.dataclass(frozen=True)
class TrainState:
    """The step count, parameters, optimizer and its state (and BatchNorm statistics) as one value.

        updates, opt_state' = tx.update(grads, opt_state, params)
        params'             = params + updates
        step'               = step + 1

    Attributes:
      step: how many times `apply_gradients` ran (an int, or an int32 scalar under jit).
      apply_fn: usually `model.apply`; static, not a leaf.
      params: the trainable parameters (the 'params' collection).
      tx: the optimizer, a `GradientTransformation`; static, not a leaf.
      opt_state: `tx`'s state for `params`.
      batch_stats: the 'batch_stats' collection of models with BatchNorm, else None.

    Leaves for `jit`, `grad` and checkpoints: `step`, `params`, `opt_state`, `batch_stats`.

    Counterpart: `flax.training.train_state.TrainState`.

    Differences:
      `batch_stats` is a field here (`purejax.train.model_variables(state)` rebuilds the variables); Flax's
      examples subclass TrainState to add it. No `OVERWRITE_WITH_GRADIENT` collection.
    """

    step: Any
    apply_fn: Callable = dataclasses.field(compare=False)
    params: Any
    tx: GradientTransformation = dataclasses.field(compare=False)
    opt_state: Any
    batch_stats: Any = None

    @classmethod
    def create(cls, *, apply_fn, params, tx, **kwargs) -> TrainState:
        """A state at step 0 with `opt_state = tx.init(params)`."""
        if not isinstance(tx, GradientTransformation):
            raise TypeError(
                f"TrainState.create: tx must be a purejax.optim GradientTransformation, got {type(tx).__name__}"
            )
        return cls(step=0, apply_fn=apply_fn, params=params, tx=tx, opt_state=tx.init(params), **kwargs)

    def apply_gradients(self, *, grads, **kwargs) -> TrainState:
        """One optimizer step: new `params` and `opt_state`, `step + 1`; `kwargs` replace other fields."""
        updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
        return self.replace(
            step=self.step + 1, params=apply_updates(self.params, updates), opt_state=opt_state, **kwargs
        )

    def replace(self, **changes) -> TrainState:
        """A copy with `changes` applied (the dataclass is frozen)."""
        return dataclasses.replace(self, **changes)


def _flatten(state: TrainState):
    return (state.step, state.params, state.opt_state, state.batch_stats), (state.apply_fn, state.tx)


def _unflatten(static, children) -> TrainState:
    step, params, opt_state, batch_stats = children
    apply_fn, tx = static
    return TrainState(step=step, apply_fn=apply_fn, params=params, tx=tx, opt_state=opt_state, batch_stats=batch_stats)


tree.register_node(TrainState, _flatten, _unflatten)
