"""Exercise `tree_flatten` (tour: docs/tour/01_pytrees.md): take a pytree apart into leaves, and put it back.

Write `tree_flatten(tree)` and `tree_unflatten(treedef, leaves)` as `jax.tree_util` does them, for
trees built from dicts, lists, tuples, NamedTuples and None; anything else is a leaf:

    leaves, treedef = tree_flatten({"b": [1, 2], "a": (3, None)})
    leaves                                     # [3, 1, 2]
    tree_unflatten(treedef, ["x", "y", "z"])   # {"a": ("x", None), "b": ["y", "z"]}

The treedef is yours to design: any object from which `tree_unflatten` can rebuild the tree.
The grader checks the leaves (the same objects, in JAX's order) and that unflattening gives back
the tree, and a tree of new leaves, exactly as `jax.tree_util.tree_unflatten` does.

Plain Python is enough; `jax.tree_util` and `purejax.tree` are what this rebuilds, so the grader
refuses a file that imports them. Check your file with:

    python -m comparisons exercise tree_flatten --check exercises/tree_flatten.py
"""

from __future__ import annotations

from typing import Any


def tree_flatten(tree: Any) -> tuple[list[Any], Any]:
    """The leaves of `tree`, left to right, and a description of its structure.

    The order: a list's or tuple's children in order, a NamedTuple's fields in order, a dict's
    values in the order of its *sorted* keys; None is a node with no children (not a leaf).

    Args:
      tree: nested dicts, lists, tuples, NamedTuples and None; anything else is a leaf.

    Returns:
      `(leaves, treedef)`: the leaves as a list, and whatever `tree_unflatten` needs to rebuild
      the tree from them.
    """
    if tree is None:
        return [], ("none",)
    if isinstance(tree, dict):
        keys = sorted(tree)
        children = [tree[k] for k in keys]
        kind: tuple = ("dict", tuple(keys))
    elif isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a NamedTuple: rebuilt as its class
        children, kind = list(tree), ("namedtuple", type(tree))
    elif isinstance(tree, (list, tuple)):
        children, kind = list(tree), (type(tree).__name__,)
    else:
        return [tree], ("leaf",)
    leaves, defs = [], []
    for child in children:
        child_leaves, child_def = tree_flatten(child)
        leaves += child_leaves
        defs.append((child_def, len(child_leaves)))
    return leaves, (*kind, defs)


def tree_unflatten(treedef: Any, leaves: list[Any]) -> Any:
    """The tree that `treedef` describes, with `leaves` in place of its leaves (in order).

    Args:
      treedef: the second output of `tree_flatten`.
      leaves: as many leaves as the tree had, in `tree_flatten`'s order.

    Returns:
      The rebuilt tree: dicts (keys in sorted order), lists, tuples, NamedTuples and None as in
      the flattened tree.
    """
    kind = treedef[0]
    if kind == "none":
        return None
    if kind == "leaf":
        return leaves[0]
    children, start = [], 0
    for child_def, count in treedef[-1]:
        children.append(tree_unflatten(child_def, leaves[start : start + count]))
        start += count
    if kind == "dict":
        return dict(zip(treedef[1], children, strict=True))
    if kind == "namedtuple":
        return treedef[1](*children)
    return tuple(children) if kind == "tuple" else children
