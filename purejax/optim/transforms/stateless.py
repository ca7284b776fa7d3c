"""Transformations without state, built from a function of the updates (and the parameters).

    stateless(f)                : u -> f(u, params)                   (f sees whole trees)
    stateless_with_tree_map(f)  : u_i -> f(u_i, p_i)  leaf by leaf    (p_i is None without params)

Both keep `EmptyState()`, so they can go anywhere in a `chain`.

Counterpart: `optax.stateless`, `optax.stateless_with_tree_map` (optax/_src/base.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from purejax import tree
from purejax.checks import check_callable
from purejax.optim.base import EmptyState, GradientTransformation, check_state, init_empty_state, named, where


@named
def stateless(f: Callable[[Any, Any], Any]) -> GradientTransformation:
    """A transformation that maps the updates by `f(updates, params)` and keeps no state.

    Args:
      f: `(updates, params) -> updates` on whole trees; `params` may be `None`.

    Returns:
      A `GradientTransformation` with state `EmptyState()`.

    Counterpart: `optax.stateless` (optax/_src/base.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim, tree
      >>> halve = optim.stateless(lambda u, p: tree.map(lambda g: g / 2, u))
      >>> updates, _ = halve.update({'w': jnp.array([2.0, 4.0])}, halve.init(None))
      >>> updates['w'].tolist()
      [1.0, 2.0]
    """
    check_callable(where("stateless"), "f", f, "pass a function (updates, params) -> updates")

    def update_fn(updates, state, params=None):
        check_state("stateless", state, EmptyState)
        return f(updates, params), EmptyState()

    return GradientTransformation(init_empty_state, update_fn)


@named
def stateless_with_tree_map(f: Callable[[Any, Any], Any]) -> GradientTransformation:
    """A transformation that maps each update leaf by `f(update, param)` and keeps no state.

    Args:
      f: `(update_array, param_array_or_None) -> update_array`, applied leaf by leaf.

    Returns:
      A `GradientTransformation` with state `EmptyState()`.

    Counterpart: `optax.stateless_with_tree_map` (optax/_src/base.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> decay = optim.stateless_with_tree_map(lambda g, p: g + 0.1 * p)
      >>> params = {'w': jnp.array([1.0, 2.0])}
      >>> updates, _ = decay.update({'w': jnp.zeros(2)}, decay.init(params), params)
      >>> updates['w'].tolist()
      [0.10000000149011612, 0.20000000298023224]
    """
    check_callable(where("stateless_with_tree_map"), "f", f, "pass a function (updates, params) -> updates")

    def update_fn(updates, state, params=None):
        check_state("stateless_with_tree_map", state, EmptyState)
        if params is not None:
            return tree.map(f, updates, params), EmptyState()
        return tree.map(lambda u: f(u, None), updates), EmptyState()

    return GradientTransformation(init_empty_state, update_fn)
