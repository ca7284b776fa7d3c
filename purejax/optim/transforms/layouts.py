"""Run a transformation on one flat vector instead of a tree of arrays.

    flatten(inner).init(p)   = inner.init(concat([ravel(p_i) for each leaf i]))       # [n_params]
    flatten(inner).update(u) = unravel(inner.update(concat(ravel(u_i)), ...))

One long vector instead of many small arrays saves per-array overhead in an optimizer with many
elementwise steps; the state then holds flat vectors, and the updates come back in `u`'s shapes.

Counterpart: `optax.flatten` (optax/transforms/_layouts.py).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.optim.base import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    check_transformation,
    named,
    where,
    with_extra_args_support,
)


def _ravel(t: Any) -> Any:
    """Every leaf raveled and concatenated, in leaf order."""
    return jnp.concatenate([jnp.reshape(leaf, [-1]) for leaf in tree.leaves(t)])  # [n_params]


def _unravel(like: Any, flat: Any) -> Any:
    """`flat` cut into the leaves of `like`, each reshaped to its leaf's shape."""
    leaves, treedef = tree.flatten(like)
    offsets = np.cumsum([np.size(leaf) for leaf in leaves])[:-1].tolist()
    pieces = jnp.split(flat, offsets)
    return tree.unflatten(treedef, [jnp.reshape(x, jnp.shape(leaf)) for x, leaf in zip(pieces, leaves, strict=True)])


@named
def flatten(inner: GradientTransformation) -> GradientTransformationExtraArgs:
    """`inner` applied to the concatenation of all leaves, its updates cut back into the tree.

    Args:
      inner: the transformation to run on one flat vector.

    Returns:
      A `GradientTransformationExtraArgs` whose state is `inner`'s state for a vector `[n_params]`.

    Counterpart: `optax.flatten` (optax/transforms/_layouts.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'a': jnp.ones((2, 2)), 'b': jnp.ones(3)}
      >>> tx = optim.flatten(optim.adam(0.1))
      >>> state = tx.init(params)
      >>> state[0].mu.shape
      (7,)
      >>> updates, state = tx.update(params, state, params)
      >>> updates['a'].shape
      (2, 2)
    """
    inner = with_extra_args_support(check_transformation(where("flatten"), "inner", inner))

    def init_fn(params):
        return inner.init(_ravel(params))

    def update_fn(updates, state, params=None, **extra_args):
        flat_params = None if params is None else _ravel(params)
        flat_updates, state = inner.update(_ravel(updates), state, flat_params, **extra_args)
        return _unravel(updates, flat_updates), state

    return GradientTransformationExtraArgs(init_fn, update_fn)
