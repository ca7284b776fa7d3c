"""Run a transformation only at the steps a condition picks.

    conditionally_transform(inner, f) : u -> inner(u) if f(step) else u            (inner state frozen)
    conditionally_mask(inner, f)      : u -> inner(u) if f(step) else zeros_like(u)

`f(step, **extra_args) -> bool` sees the number of updates made so far (and, with
`forward_extra_args=True`, the keyword arguments `update` got). Both branches are traced and
`lax.cond` picks one, so `f` may depend on traced values.

Counterpart: `optax.conditionally_transform`, `optax.ConditionallyTransformState`,
`optax.conditionally_mask`, `optax.ConditionallyMaskState`, `optax.transforms.ConditionFn`
(optax/transforms/_conditionality.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

import jax
import jax.numpy as jnp
from jax import lax

from purejax.checks import check_bool, check_callable
from purejax.optim.base import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    check_state,
    check_transformation,
    named,
    where,
    with_extra_args_support,
)
from purejax.optim.tree_math import safe_increment, zeros_like


class ConditionFn(Protocol):
    """`(step, **extra_args) -> bool`: whether to run the inner transformation at this step."""

    def __call__(self, step: jax.Array, **extra_args: Any) -> Any: ...


class ConditionallyTransformState(NamedTuple):
    inner_state: Any  # the inner transformation's state
    step: jax.Array  # shape=(), dtype=int32; updates seen so far


class ConditionallyMaskState(NamedTuple):
    step: jax.Array  # shape=(), dtype=int32; updates seen so far
    inner_state: Any  # the inner transformation's state


def _conditional(name, inner, should_transform_fn, forward_extra_args, rejected, state_class, make_state):
    w = where(name)
    check_transformation(w, "inner", inner)
    check_callable(w, "should_transform_fn", should_transform_fn, "pass a function step -> bool")
    check_bool(w, "forward_extra_args", forward_extra_args)
    inner = with_extra_args_support(inner)

    def update_fn(updates, state, params=None, **extra_args):
        check_state(name, state, state_class)

        def do_update(_):
            return inner.update(updates, state.inner_state, params, **extra_args)

        def reject_update(_):
            return rejected(updates), state.inner_state

        condition_kwargs = extra_args if forward_extra_args else {}
        updates, inner_state = lax.cond(
            should_transform_fn(state.step, **condition_kwargs), do_update, reject_update, operand=None
        )
        return updates, make_state(inner_state, safe_increment(state.step))

    return update_fn


@named
def conditionally_transform(
    inner: GradientTransformation, should_transform_fn: ConditionFn, forward_extra_args: bool = False
) -> GradientTransformationExtraArgs:
    """Apply `inner` at the steps where `should_transform_fn(step)` is True; pass the updates through otherwise.

    Args:
      inner: the transformation to run conditionally; its state stays put on skipped steps.
      should_transform_fn: `(step, **extra_args) -> bool`, step = updates made so far (int32).
      forward_extra_args: hand `update`'s keyword arguments to `should_transform_fn` too.

    Returns:
      A `GradientTransformationExtraArgs` with state `ConditionallyTransformState(inner_state, step)`.

    Counterpart: `optax.conditionally_transform` (optax/transforms/_conditionality.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.conditionally_transform(optim.scale(10.0), lambda step: step >= 1)
      >>> state = tx.init(jnp.zeros(1))
      >>> u0, state = tx.update(jnp.ones(1), state)
      >>> u1, state = tx.update(jnp.ones(1), state)
      >>> u0.tolist(), u1.tolist()
      ([1.0], [10.0])
    """

    def init_fn(params):
        return ConditionallyTransformState(inner_state=inner.init(params), step=jnp.zeros([], jnp.int32))

    update_fn = _conditional(
        "conditionally_transform",
        inner,
        should_transform_fn,
        forward_extra_args,
        lambda u: u,
        ConditionallyTransformState,
        lambda inner_state, step: ConditionallyTransformState(inner_state, step),
    )
    return GradientTransformationExtraArgs(init_fn, update_fn)


@named
def conditionally_mask(
    inner: GradientTransformation, should_transform_fn: ConditionFn, forward_extra_args: bool = False
) -> GradientTransformationExtraArgs:
    """Apply `inner` at the steps where `should_transform_fn(step)` is True; emit zeros otherwise.

    Args:
      inner: the transformation to run conditionally; its state stays put on skipped steps.
      should_transform_fn: `(step, **extra_args) -> bool`, step = updates made so far (int32).
      forward_extra_args: hand `update`'s keyword arguments to `should_transform_fn` too.

    Returns:
      A `GradientTransformationExtraArgs` with state `ConditionallyMaskState(step, inner_state)`.

    Counterpart: `optax.conditionally_mask` (optax/transforms/_conditionality.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.conditionally_mask(optim.sgd(0.5), lambda step: step % 2 == 0)
      >>> state = tx.init(jnp.zeros(1))
      >>> u0, state = tx.update(jnp.ones(1), state)
      >>> u1, state = tx.update(jnp.ones(1), state)
      >>> u0.tolist(), u1.tolist()
      ([-0.5], [0.0])
    """

    def init_fn(params):
        return ConditionallyMaskState(step=jnp.zeros([], jnp.int32), inner_state=inner.init(params))

    update_fn = _conditional(
        "conditionally_mask",
        inner,
        should_transform_fn,
        forward_extra_args,
        zeros_like,
        ConditionallyMaskState,
        lambda inner_state, step: ConditionallyMaskState(step=step, inner_state=inner_state),
    )
    return GradientTransformationExtraArgs(init_fn, update_fn)
