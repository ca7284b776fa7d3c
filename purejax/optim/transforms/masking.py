"""Apply a transformation to part of the parameters only; or send the updates to zero.

    masked(inner, mask)  : u_i -> inner(u)_i  where mask_i is True,  u_i unchanged where False
    set_to_zero()        : u   -> 0                                  (the parameters stay put)

`masked` hands `inner` a copy of the tree in which every masked-out subtree is replaced by an
empty `MaskedNode()`: a container with no children, so `inner` (and any `tree.map` inside it)
never sees those leaves and keeps no state for them. Afterwards the original updates are put back
where the mask is False.

Counterpart: `optax.masked`, `optax.MaskedState`, `optax.MaskedNode`
(optax/transforms/_masking.py); `optax.set_to_zero` (optax/_src/base.py).

Differences:
  A callable pytree as the mask (a registered class with `__call__`) is called, as Optax calls
  it, when all its leaves are callable; one with other leaves, or none, is refused when `masked`
  is built (Optax reads it as a tree of booleans and fails at `init` on the tree structure).
  No `mask_compatible_extra_args` (purejax's `update` takes no extra arguments), and no
  special case for `optax.tree_map_params`' placeholder in `init`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.checks import describe
from purejax.optim.base import (
    EmptyState,
    GradientTransformation,
    check_state,
    check_transformation,
    init_empty_state,
    named,
    where,
)

MaskOrFn = Any | Callable[[Any], Any] | None  # a mask tree (or prefix) of booleans, a function of params, or None


class MaskedState(NamedTuple):
    """The inner transformation's state, kept for the masked-in parameters only."""

    inner_state: Any


class MaskedNode(NamedTuple):
    """A placeholder for a masked-out subtree: a pytree node with no children, hence no leaves."""


def _mask_callable(mask: Any) -> bool:
    """True when `mask` is a function (every leaf callable), False for a tree of booleans."""
    callable_leaves = tree.leaves(tree.map(callable, mask))
    return len(callable_leaves) > 0 and all(callable_leaves)


def _is_flag(m: Any) -> bool:
    """A static boolean: a Python or NumPy bool, or a concrete 0-d boolean array."""
    if isinstance(m, (bool, np.bool_)):
        return True
    if getattr(m, "dtype", None) != jnp.bool_ or jnp.ndim(m) != 0:
        return False
    try:
        np.asarray(m)  # a traced array cannot decide anything in Python
    except jax.errors.TracerArrayConversionError:
        return False
    return True


def check_mask(where_: str, name: str, mask: Any) -> Any:
    """A mask as `masked` takes it: a function of the params, or a tree whose leaves are static bools.

    Called where the optimizer is built, so that `adamw(..., mask={'w': 'yes'})` is refused naming
    `adamw` and `mask`, not at the first `init`. `None` is the caller's business (no mask).
    """
    if mask is None or _mask_callable(mask):
        return mask
    flags = tree.leaves(mask)
    if callable(mask) and (not flags or not all(_is_flag(m) for m in flags)):  # a callable pytree: not called
        raise TypeError(
            f"{where_}: {name} is callable, but it is a pytree ({type(mask).__qualname__}) whose leaves are not all "
            f"callable, so it would be read as a tree of booleans, not called (optax.masked reads it so too); "
            f"pass a function, e.g. {name}=lambda params: m(params)"
        )
    for path, flag in tree.flatten_with_path(mask)[0]:
        if not _is_flag(flag):
            raise TypeError(
                f"{where_}: {name}{tree.keystr(path)} must be True or False (a static bool), got "
                f"{describe(flag)}; or pass a function params -> such a tree"
            )
    return mask


def _apply_mask(pytree: Any, mask_tree: Any, what: str) -> Any:
    """`pytree` with each subtree under a False mask leaf replaced by `MaskedNode()`."""
    where_ = where("masked")
    if mask_tree is None:
        raise TypeError(
            f"{where_}: mask must be a tree of booleans like the {what} (or a function returning one), got None"
        )
    subtrees = tree.flatten_up_to(
        tree.structure(mask_tree), pytree, f"{where_}: the {what} differ from the mask's tree"
    )
    flags = tree.leaves(mask_tree)
    if not all(_is_flag(m) for m in flags):
        path, bad = next((p, m) for p, m in tree.flatten_with_path(mask_tree)[0] if not _is_flag(m))
        raise TypeError(
            f"{where_}: mask{tree.keystr(path)} must be True or False (a static bool), got {describe(bad)}; "
            "a mask decides in Python which parameters the transformation sees, so it cannot be a traced array"
        )
    return tree.unflatten(
        tree.structure(mask_tree), [p if m else MaskedNode() for m, p in zip(flags, subtrees, strict=True)]
    )


@named
def masked(inner: GradientTransformation, mask: Any | Callable[[Any], Any]) -> GradientTransformation:
    """Apply `inner` where `mask` is True and pass the other updates through unchanged.

        u'_i = inner(u[mask])_i   if mask_i
        u'_i = u_i                otherwise

    A typical use: no weight decay on biases,
    `masked(add_decayed_weights(1e-4), lambda p: tree.map(lambda x: x.ndim != 1, p))`.

    Args:
      inner: the transformation to apply to the masked-in part.
      mask: a tree of Python booleans with the parameters' structure or a prefix of it (a leaf
        of the mask covers the whole subtree below it), or a function `params -> such a tree`.
        It must be static (Python bools, not traced arrays) for `update` to be jittable. As in
        Optax, `mask` is called when every leaf of it is callable: a plain function (one leaf),
        or a callable pytree (a `purejax.struct` dataclass with `__call__`) whose children are
        functions. A callable pytree with other leaves, or none, would be read as a tree of
        booleans, and is refused.

    Returns:
      A `GradientTransformation` whose state is `MaskedState(inner_state)`, with `inner`'s
      state built from the masked tree (no entries for masked-out parameters).

    Counterpart: `optax.masked` (optax/transforms/_masking.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0]), 'b': jnp.array([1.0])}
      >>> opt = optim.masked(optim.add_decayed_weights(0.5), {'w': True, 'b': False})
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.zeros(2), 'b': jnp.zeros(1)}, state, params)
      >>> updates  # decay on 'w' only
      {'b': Array([0.], dtype=float32), 'w': Array([ 0.5, -1. ], dtype=float32)}
    """
    check_transformation(where("masked"), "inner", inner)
    if mask is None:
        raise TypeError(
            f"{where('masked')}: mask must be a tree of booleans like the params (or a function returning "
            "one), got None; write e.g. mask={'w': True, 'b': False}"
        )
    check_mask(where("masked"), "mask", mask)

    def mask_of(tree_):
        return mask(tree_) if _mask_callable(mask) else mask

    def init_fn(params):
        masked_params = _apply_mask(params, mask_of(params), "params")
        return MaskedState(inner_state=inner.init(masked_params))

    def update_fn(updates, state, params=None):
        check_state("masked", state, MaskedState)
        mask_tree = mask_of(updates)
        masked_updates = _apply_mask(updates, mask_tree, "updates")
        masked_params = None if params is None else _apply_mask(params, mask_tree, "params")
        new_masked_updates, new_inner_state = inner.update(masked_updates, state.inner_state, masked_params)
        new_updates = tree.map(lambda m, new_u, old_u: new_u if m else old_u, mask_tree, new_masked_updates, updates)
        return new_updates, MaskedState(inner_state=new_inner_state)

    return GradientTransformation(init_fn, update_fn)


@named
def set_to_zero() -> GradientTransformation:
    """Replace every update by zeros of the same shape and dtype, so the parameters do not move.

    Use it with `multi_transform`/`partition` or `masked` to freeze part of the parameters.
    Not to be confused with `identity()`, which leaves the *updates* unchanged.

    Returns:
      A stateless `GradientTransformation` (state `EmptyState()`).

    Counterpart: `optax.set_to_zero` (optax/_src/base.py).
    """

    def update_fn(updates, state, params=None):
        del params
        check_state("set_to_zero", state, EmptyState)
        return tree.map(jnp.zeros_like, updates), state

    return GradientTransformation(init_empty_state, update_fn)
