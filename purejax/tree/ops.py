"""Working over pytrees: map, reduce, all, and their key-path versions.

    map(lambda p, g: p - 0.1 * g, params, grads)      # one SGD step over any nesting
    reduce(lambda acc, x: acc + x.size, params, 0)    # parameter count

`map` flattens the first tree, then reads every other tree *up to* that structure (`flatten_up_to`,
`treedef.py`): the others must have the same containers down to the first tree's leaves (below
those they may go on, so a leaf of the first tree can meet a whole subtree of another). Where they
differ, the error names the key path and both sides:

    purejax.tree.map: tree 1 differs from tree 0 at ['params']['Dense_0']:
        dict with keys ['bias', 'kernel'] vs ['kernel']

Counterpart: `jax.tree_util.tree_map`, `tree_map_with_path`, `tree_flatten_with_path`,
`tree_reduce`, `tree_all` (jax/_src/tree_util.py).

Differences:
  Structure errors are short and name the first differing key path; JAX's say the same in a
  longer form. `is_leaf` predicates take the node only (no `is_leaf_takes_path`).
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable
from typing import Any

from purejax.tree import registry
from purejax.tree.treedef import IsLeaf, TreeDef, flatten, flatten_up_to

_NO_INITIALIZER = object()


def _leaves_of_all(name: str, tree: Any, rest: tuple, is_leaf: IsLeaf) -> tuple[list, TreeDef]:
    leaves, treedef = flatten(tree, is_leaf)
    columns = [leaves]
    for i, other in enumerate(rest, start=1):
        columns.append(flatten_up_to(treedef, other, f"purejax.tree.{name}: tree {i} differs from tree 0"))
    return list(zip(*columns, strict=True)) if rest else [(x,) for x in leaves], treedef


def map(f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: IsLeaf = None) -> Any:
    """Apply `f` leaf by leaf over one or more trees of the same structure.

    Args:
      f: called as `f(x, *xs)` with one leaf from `tree` and the matching one from each of `rest`.
      tree: a pytree; its structure is the result's structure.
      *rest: pytrees with `tree`'s structure (or deeper below its leaves).
      is_leaf: optional predicate marking extra leaves of `tree`.

    Returns:
      A pytree of `tree`'s structure holding `f`'s results.

    Counterpart: `jax.tree_util.tree_map` (also `jax.tree.map`).
    """
    rows, treedef = _leaves_of_all("map", tree, rest, is_leaf)
    return treedef.unflatten(f(*row) for row in rows)


def _paths(tree: Any, is_leaf: IsLeaf, path: tuple, out: list) -> None:
    if is_leaf is not None and is_leaf(tree):
        out.append(path)
        return
    node = registry.node_type_of(type(tree))
    if node is None:
        out.append(path)
        return
    children, aux = node.flatten(tree)
    children = list(children)
    for key, child in zip(node.keys(tree, aux, children), children, strict=True):
        _paths(child, is_leaf, path + (key,), out)


def flatten_with_path(tree: Any, is_leaf: IsLeaf = None) -> tuple[list[tuple[tuple, Any]], TreeDef]:
    """Like `flatten`, with each leaf's key path: `([(path, leaf), ...], treedef)`.

    Counterpart: `jax.tree_util.tree_flatten_with_path`.
    """
    leaves, treedef = flatten(tree, is_leaf)
    paths: list = []
    _paths(tree, is_leaf, (), paths)
    return list(zip(paths, leaves, strict=True)), treedef


def map_with_path(f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: IsLeaf = None) -> Any:
    """Like `map`, calling `f(path, x, *xs)` with the leaf's key path first.

    Counterpart: `jax.tree_util.tree_map_with_path`.
    """
    rows, treedef = _leaves_of_all("map_with_path", tree, rest, is_leaf)
    paths: list = []
    _paths(tree, is_leaf, (), paths)
    return treedef.unflatten(f(p, *row) for p, row in zip(paths, rows, strict=True))


def reduce(
    function: Callable[[Any, Any], Any], tree: Any, initializer: Any = _NO_INITIALIZER, is_leaf: IsLeaf = None
) -> Any:
    """Fold `function` over the leaves, left to right, as `functools.reduce`.

    Counterpart: `jax.tree_util.tree_reduce`.
    """
    if initializer is _NO_INITIALIZER:
        return functools.reduce(function, flatten(tree, is_leaf)[0])
    return functools.reduce(function, flatten(tree, is_leaf)[0], initializer)


def all(tree: Any, *, is_leaf: IsLeaf = None) -> bool:
    """True if every leaf is truthy (`jax.tree_util.tree_all`)."""
    return builtins.all(flatten(tree, is_leaf)[0])
