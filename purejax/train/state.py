"""`TrainState`: everything a training loop carries from step to step, in one pytree.

    state = TrainState.create(apply_fn=model.apply, params=variables['params'], tx=adam(1e-3))
    state = state.apply_gradients(grads=grads)     # step + 1, params and opt_state updated

It is a `purejax.struct.PyTreeNode`, so a subclass adds fields the way Flax's documentation does
(`class State(TrainState): key: jax.Array`, no decorator) and stays a pytree for `jit`, `grad`,
`purejax.tree` and the checkpoints.

Counterpart: `flax.training.train_state.TrainState` (flax/training/train_state.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from purejax import struct, tree
from purejax.checks import check_array, describe
from purejax.optim.base import GradientTransformation, apply_updates, check_array_leaves, check_transformation

_COLLECTIONS = {"params", "batch_stats", "cache", "intermediates"}  # Flax's variable collections


class TrainState(struct.PyTreeNode):
    """The step count, parameters, optimizer and its state (and BatchNorm statistics) as one value.

        updates, opt_state' = tx.update(grads, opt_state, params)
        params'             = params + updates
        step'               = step + 1

    Attributes:
      step: how many times `apply_gradients` ran (an int, or an int32 scalar under jit).
      apply_fn: usually `model.apply`; static (`pytree_node=False`), not a leaf.
      params: the trainable parameters (the 'params' collection).
      tx: the optimizer, a `GradientTransformation`; static, not a leaf.
      opt_state: `tx`'s state for `params`.
      batch_stats: the 'batch_stats' collection of models with BatchNorm, else None; keyword-only.

    Children (for `jit`, `grad`, `purejax.tree` and checkpoints), with paths named after the fields
    as Flax's are (`.step`, `.params`, ...): `step`, `params`, `opt_state`, `batch_stats`, then a
    subclass's own fields.

    Counterpart: `flax.training.train_state.TrainState`.

    Differences:
      `batch_stats` is a field here, keyword-only with default None, so that a subclass may still
      add fields without defaults (`purejax.train.model_variables(state)` rebuilds the variables);
      Flax's examples subclass TrainState to add it, and doing so here works too. With
      `batch_stats=None` the leaves and their paths are those of Flax's state. No
      `OVERWRITE_WITH_GRADIENT` collection. `create` checks what it is given (Flax's takes
      anything): `tx` needs callable `init` and `update` (Optax's transformations are fine),
      `apply_fn` is callable or None, `params` holds arrays and is not the whole variables dict;
      `create` and `apply_gradients` refuse keywords that are not fields, and `apply_gradients`
      refuses grads of another tree than params. `apply_fn` and `tx` are left out of `==`.

    Examples:
      >>> import jax
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> class State(TrainState):  # Flax's way to carry a dropout key
      ...     key: jax.Array
      >>> state = State.create(apply_fn=None, params={'w': jnp.ones(2)}, tx=optim.sgd(0.5),
      ...                      key=jax.numpy.zeros(2, jnp.uint32))
      >>> state = jax.jit(lambda s: s.apply_gradients(grads={'w': jnp.ones(2)}))(state)
      >>> int(state.step), state.params['w'].tolist(), type(state).__name__
      (1, [0.5, 0.5], 'State')
    """

    step: Any
    apply_fn: Callable | None = struct.field(pytree_node=False, compare=False)
    params: Any = struct.field(pytree_node=True)
    tx: GradientTransformation = struct.field(pytree_node=False, compare=False)
    opt_state: Any = struct.field(pytree_node=True)
    batch_stats: Any = struct.field(pytree_node=True, default=None, kw_only=True)

    @classmethod
    def create(cls, *, apply_fn, params, tx, **kwargs) -> TrainState:
        """A state at step 0 with `opt_state = tx.init(params)`.

        `tx` may be any object with callable `init` and `update` (a `purejax.optim` or an Optax
        transformation); `kwargs` set the other fields (`batch_stats`, a subclass's own).
        """
        where = f"{cls.__name__}.create"
        if apply_fn is not None and not callable(apply_fn):
            raise TypeError(f"{where}: apply_fn must be callable (e.g. model.apply) or None, got {describe(apply_fn)}")
        _check_params(where, params)
        check_transformation(where, "tx", tx)
        _check_fields(cls, where, kwargs, set_here={"step", "apply_fn", "params", "tx", "opt_state"})
        return cls(step=0, apply_fn=apply_fn, params=params, tx=tx, opt_state=tx.init(params), **kwargs)

    def apply_gradients(self, *, grads, **kwargs) -> TrainState:
        """One optimizer step: new `params` and `opt_state`, `step + 1`; `kwargs` replace other fields."""
        where = f"{type(self).__name__}.apply_gradients"
        tree.flatten_up_to(tree.structure(self.params), grads, f"{where}: grads differ from params")
        _check_fields(type(self), where, kwargs, set_here={"step", "params", "opt_state"})
        updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
        return self.replace(
            step=self.step + 1, params=apply_updates(self.params, updates), opt_state=opt_state, **kwargs
        )


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
    check_array_leaves(where, "params", params)  # a class purejax.tree does not know: how to register it
    leaves = tree.leaves(params)
    if not all(hasattr(leaf, "dtype") for leaf in leaves):  # the paths only on failure
        for path, leaf in tree.flatten_with_path(params)[0]:
            check_array(where, f"params{tree.keystr(path)}", leaf)
