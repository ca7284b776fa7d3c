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
from purejax.checks import check_array, describe
from purejax.optim.base import GradientTransformation, apply_updates, check_transformation

_COLLECTIONS = {"params", "batch_stats", "cache", "intermediates"}  # Flax's variable collections


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
      examples subclass TrainState to add it. No `OVERWRITE_WITH_GRADIENT` collection. `create`
      checks what it is given (Flax's takes anything): `tx` needs callable `init` and `update`
      (Optax's transformations are fine), `apply_fn` is callable or None, `params` holds arrays and
      is not the whole variables dict; `apply_gradients` refuses grads of another tree than params.
    """

    step: Any
    apply_fn: Callable | None = dataclasses.field(compare=False)
    params: Any
    tx: GradientTransformation = dataclasses.field(compare=False)
    opt_state: Any
    batch_stats: Any = None

    @classmethod
    def create(cls, *, apply_fn, params, tx, **kwargs) -> TrainState:
        """A state at step 0 with `opt_state = tx.init(params)`.

        `tx` may be any object with callable `init` and `update` (a `purejax.optim` or an Optax
        transformation); `kwargs` set the other fields (`batch_stats`).
        """
        where = "TrainState.create"
        if apply_fn is not None and not callable(apply_fn):
            raise TypeError(f"{where}: apply_fn must be callable (e.g. model.apply) or None, got {describe(apply_fn)}")
        _check_params(where, params)
        check_transformation(where, "tx", tx)
        _check_fields(cls, where, kwargs, set_here={"step", "apply_fn", "params", "tx", "opt_state"})
        return cls(step=0, apply_fn=apply_fn, params=params, tx=tx, opt_state=tx.init(params), **kwargs)

    def apply_gradients(self, *, grads, **kwargs) -> TrainState:
        """One optimizer step: new `params` and `opt_state`, `step + 1`; `kwargs` replace other fields."""
        where = "TrainState.apply_gradients"
        tree.flatten_up_to(tree.structure(self.params), grads, f"{where}: grads differ from params")
        _check_fields(type(self), where, kwargs, set_here={"step", "params", "opt_state"})
        updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
        return self.replace(
            step=self.step + 1, params=apply_updates(self.params, updates), opt_state=opt_state, **kwargs
        )

    def replace(self, **changes) -> TrainState:
        """A copy with `changes` applied (the dataclass is frozen)."""
        _check_fields(type(self), "TrainState.replace", changes, set_here=set())
        return dataclasses.replace(self, **changes)


def _check_fields(cls: type, where: str, given: dict, set_here: set) -> None:
    """Refuse keyword arguments that are not fields of `cls`, or fields that `where` sets itself."""
    fields = [f.name for f in dataclasses.fields(cls)]
    for name in given:
        if name in set_here or name not in fields:
            allowed = [f for f in fields if f not in set_here]
            raise TypeError(
                f"{where}: {name!r} is not a field it takes; the fields are {allowed}"
                + (f" ({name!r} is set by {where} itself)" if name in set_here else "")
            )


def _check_params(where: str, params: Any) -> None:
    """A tree of arrays, not Flax's whole variables dict `{'params': ...}`."""
    if isinstance(params, dict) and "params" in params and set(params) <= _COLLECTIONS:
        raise ValueError(
            f"{where}: params must be the 'params' collection, got the whole variables dict with keys "
            f"{sorted(params)}; pass params=variables['params'] (and batch_stats=variables['batch_stats'])"
        )
    leaves = tree.leaves(params)
    if not all(hasattr(leaf, "dtype") for leaf in leaves):  # the paths only on failure
        for path, leaf in tree.flatten_with_path(params)[0]:
            check_array(where, f"params{tree.keystr(path)}", leaf)


def _flatten(state: TrainState):
    return (state.step, state.params, state.opt_state, state.batch_stats), (state.apply_fn, state.tx)


def _unflatten(static, children) -> TrainState:
    step, params, opt_state, batch_stats = children
    apply_fn, tx = static
    return TrainState(step=step, apply_fn=apply_fn, params=params, tx=tx, opt_state=opt_state, batch_stats=batch_stats)


tree.register_node(TrainState, _flatten, _unflatten)
