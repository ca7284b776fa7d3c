"""Exercise `clip_by_global_norm` (tour: docs/tour/05_optimizers.md): shrink the gradients when their norm is too large.

Write `clip_by_global_norm(max_norm)`: an `(init, update)` pair (`GradientTransformation`) with an
empty state, as `optax.clip_by_global_norm` computes it. The grader runs `update` under
`jax.jit`, as a training step does.

Use jax.numpy, jax.lax and jax.tree_util; the grader refuses a file that imports optax. Check your
file with:

    python -m comparisons exercise clip_by_global_norm --check exercises/clip_by_global_norm.py
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax


class GradientTransformation(NamedTuple):
    init: Callable  # params -> state
    update: Callable  # (updates, state, params=None) -> (updates, state)


class EmptyState(NamedTuple):
    """No state: the clipping looks at the current updates only."""


def clip_by_global_norm(max_norm):
    """Scale every update by `max_norm / norm` when the global norm exceeds `max_norm`.

        norm = sqrt(sum over all leaves, all elements of g**2)     # one norm for the whole tree
        g = g                        if norm < max_norm
            (g / norm) * max_norm    otherwise

    The norm is *global*: clipping each leaf by its own norm would change the update's direction.
    Under `jit` the norm is a traced value, so the choice is made with `lax.select` (or
    `jnp.where`), not a Python `if`.

    Args:
      max_norm: the largest global norm let through.

    Returns:
      `GradientTransformation(init, update)`; `init(params)` returns `EmptyState()`.
    """

    def init(params):
        del params
        return EmptyState()

    def update(updates, state, params=None):
        del params
        leaves = jax.tree_util.tree_leaves(updates)
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in leaves))  # the global norm
        trigger = norm < max_norm
        new = jax.tree_util.tree_map(lambda g: lax.select(trigger, g, (g / norm.astype(g.dtype)) * max_norm), updates)
        return new, state

    return GradientTransformation(init, update)
