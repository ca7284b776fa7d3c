"""The optimizer interface: a gradient transformation is a pair of pure functions.

    tx = GradientTransformation(init, update)
    state = tx.init(params)                                  # e.g. zeros for Adam's moments
    updates, state = tx.update(grads, state, params)         # grads in, updates out
    params = apply_updates(params, updates)                  # params + updates

Nothing is hidden in an object: the state is a pytree you pass in and get back, so the whole step
can be jitted, vmapped or checkpointed. Optimizers are built by chaining small transformations,
`adam(lr) = chain(scale_by_adam(), scale_by_learning_rate(lr))`, each of which sees the updates
the previous one produced.

Some transformations need more than the gradients, e.g. the loss `value` for Polyak's step size.
They are `GradientTransformationExtraArgs`, whose `update` takes keyword arguments after `params`;
`chain` hands every keyword it gets to each of its members, and `with_extra_args_support` lets a
plain transformation take (and ignore) them.

Counterpart: `optax.GradientTransformation`, `optax.GradientTransformationExtraArgs`,
`optax.with_extra_args_support`, `optax.EmptyState`, `optax.identity`, `optax.chain`,
`optax.apply_updates` (optax/_src/base.py, transforms/_combining.py, _src/update.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree

NO_PARAMS_MSG = (  # the error of every transformation whose update needs the parameters
    "purejax.optim.{name}: this transformation needs the current parameters; "
    "call update(updates, state, params) with params"
)


class GradientTransformation(NamedTuple):
    """An optimizer: `init(params) -> state`, `update(updates, state, params=None) -> (updates, state)`."""

    init: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]


class GradientTransformationExtraArgs(GradientTransformation):
    """An optimizer whose `update(updates, state, params=None, **extra_args)` takes keyword arguments.

    Counterpart: `optax.GradientTransformationExtraArgs` (optax/_src/base.py).
    """


def with_extra_args_support(tx: GradientTransformation) -> GradientTransformationExtraArgs:
    """`tx` with an `update` that accepts, and ignores, extra keyword arguments.

    A `GradientTransformationExtraArgs` is returned as it is.

    Args:
      tx: any `GradientTransformation`.

    Returns:
      A `GradientTransformationExtraArgs` with `tx`'s `init` and state.

    Counterpart: `optax.with_extra_args_support` (optax/_src/base.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.with_extra_args_support(optim.scale(2.0))
      >>> updates, _ = tx.update(jnp.ones(2), tx.init(jnp.ones(2)), None, value=3.0)
      >>> updates.tolist()
      [2.0, 2.0]
    """
    if isinstance(tx, GradientTransformationExtraArgs):
        return tx

    def update(updates, state, params=None, **extra_args):
        del extra_args
        return tx.update(updates, state, params)

    return GradientTransformationExtraArgs(tx.init, update)


class EmptyState(NamedTuple):
    """The state of a transformation that keeps none."""


def init_empty_state(params: Any) -> EmptyState:
    del params
    return EmptyState()


def identity() -> GradientTransformation:
    """Pass the updates through unchanged (`optax.identity`)."""

    def update_fn(updates, state, params=None):
        del params
        return updates, state

    return GradientTransformation(init_empty_state, update_fn)


def chain(*transforms: GradientTransformation) -> GradientTransformationExtraArgs:
    """Apply transformations one after another; the state is the tuple of their states.

    Extra keyword arguments of `update` (e.g. `value=loss`) go to every member that takes them.

    Counterpart: `optax.chain`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.chain(optim.clip_by_global_norm(1.0), optim.sgd(learning_rate=0.1))
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([3.0, -4.0])}, state, params)
      >>> [round(u, 3) for u in updates['w'].tolist()]  # clipped to norm 1, then scaled by -0.1
      [-0.06, 0.08]
    """

    update_fns = [with_extra_args_support(t).update for t in transforms]

    def init_fn(params):
        return tuple(t.init(params) for t in transforms)

    def update_fn(updates, state, params=None, **extra_args):
        if len(state) != len(transforms):
            raise ValueError(
                f"purejax.optim.chain: the state holds {len(state)} states for {len(transforms)} "
                "transformations; was it made by this chain's init?"
            )
        new_state = []
        for fn, s in zip(update_fns, state, strict=True):
            updates, s = fn(updates, s, params, **extra_args)
            new_state.append(s)
        return updates, tuple(new_state)

    return GradientTransformationExtraArgs(init_fn, update_fn)


def apply_updates(params: Any, updates: Any) -> Any:
    """`params + updates`, leaf by leaf, keeping each parameter's dtype.

    Counterpart: `optax.apply_updates`. None leaves stay None.
    """
    return tree.map(
        lambda p, u: None if p is None else jnp.asarray(p + u).astype(jnp.asarray(p).dtype),
        params,
        updates,
        is_leaf=lambda x: x is None,
    )
