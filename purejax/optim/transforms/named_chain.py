"""A chain whose state is a dict, one entry per named transformation.

    named_chain(("clip", t1), ("adam", t2)).init(p) = {"clip": t1.init(p), "adam": t2.init(p)}

It runs the transformations in order exactly as `chain` does; only the state is keyed by name,
so `state["adam"]` finds a member's state without counting positions.

Counterpart: `optax.named_chain` (optax/transforms/_combining.py).
"""

from __future__ import annotations

import collections

from purejax.checks import fail
from purejax.optim.base import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    check_transformation,
    named,
    where,
    with_extra_args_support,
)


@named
def named_chain(*args: tuple[str, GradientTransformation]) -> GradientTransformationExtraArgs:
    """Apply `(name, transformation)` pairs in order; the state is an `OrderedDict` name -> state.

    Args:
      *args: `(name, transformation)` pairs, names unique strings.

    Returns:
      A `GradientTransformationExtraArgs`; extra keyword arguments of `update` go to every member.

    Counterpart: `optax.named_chain` (optax/transforms/_combining.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.named_chain(('clip', optim.clip(1.0)), ('sgd', optim.sgd(0.1)))
      >>> state = tx.init(jnp.zeros(2))
      >>> list(state)
      ['clip', 'sgd']
      >>> updates, state = tx.update(jnp.array([3.0, -0.5]), state)
      >>> updates.tolist()
      [-0.10000000149011612, 0.05000000074505806]
    """
    for i, pair in enumerate(args):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise fail(
                TypeError,
                where("named_chain"),
                f"argument {i}",
                "a (name, transformation) pair",
                pair,
                "write named_chain(('clip', clip(1.0)), ('adam', adam(1e-3)))",
            )
        check_transformation(where("named_chain"), f"the transformation of {pair[0]!r}", pair[1])
    names = [name for name, _ in args]
    if len(names) != len(set(names)):
        raise ValueError(f"{where('named_chain')}: the names must be unique, got {names}")
    transforms = [(name, with_extra_args_support(t)) for name, t in args]

    def init_fn(params):
        states = collections.OrderedDict()  # keeps the chain's order (a plain dict's keys are sorted by tree.map)
        for name, tx in transforms:
            states[name] = tx.init(params)
        return states

    def update_fn(updates, state, params=None, **extra_args):
        new_state = collections.OrderedDict()
        for name, tx in transforms:
            updates, new_state[name] = tx.update(updates, state[name], params, **extra_args)
        return updates, new_state

    return GradientTransformationExtraArgs(init_fn, update_fn)
