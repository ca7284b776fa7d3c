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

Every function checks its arguments before it walks a tree: `f` (or `function`) must be callable
and `is_leaf` None or callable, and the trees are flattened as `flatten` does (no container
inside itself, at most `MAX_DEPTH` deep); errors name the function called, `purejax.tree.map`.

Differences:
  Structure errors are short and name the first differing key path; JAX's say the same in a
  longer form. `is_leaf` predicates take the node only (no `is_leaf_takes_path`). A function
  that is not callable is refused even over a tree without leaves (`jax.tree_util.tree_map(1, [])`
  returns `[]`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from purejax.checks import check_callable, describe
from purejax.tree import registry
from purejax.tree.paths import keystr
from purejax.tree.treedef import IsLeaf, TreeDef, flatten_for, flatten_up_to, unflatten_for

_NO_INITIALIZER = object()


def _leaves_of_all(where: str, tree: Any, rest: tuple, is_leaf: IsLeaf) -> tuple[list, TreeDef]:
    leaves, treedef = flatten_for(where, tree, is_leaf)
    columns = [leaves]
    for i, other in enumerate(rest, start=1):
        columns.append(flatten_up_to(treedef, other, f"{where}: tree {i} differs from tree 0"))
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
    where = "purejax.tree.map"
    check_callable(where, "f", f, "pass a function of the leaves, e.g. lambda x: 2 * x")
    rows, treedef = _leaves_of_all(where, tree, rest, is_leaf)
    return unflatten_for(where, treedef, [f(*row) for row in rows])


def _paths(where: str, tree: Any, is_leaf: IsLeaf, path: tuple, out: list) -> None:
    """The key path of every leaf; `tree` was flattened first, so it is a tree and `is_leaf` answers bools."""
    if is_leaf is not None and is_leaf(tree):
        out.append(path)
        return
    node = registry.node_type_of(type(tree))
    if node is None:
        out.append(path)
        return
    children, aux = registry.take_apart(node, tree, where)
    children = list(children)
    for key, child in zip(node.keys(tree, aux, children), children, strict=True):
        _paths(where, child, is_leaf, path + (key,), out)


def flatten_with_path(tree: Any, is_leaf: IsLeaf = None) -> tuple[list[tuple[tuple, Any]], TreeDef]:
    """Like `flatten`, with each leaf's key path: `([(path, leaf), ...], treedef)`.

    Counterpart: `jax.tree_util.tree_flatten_with_path`.
    """
    where = "purejax.tree.flatten_with_path"
    leaves, treedef = flatten_for(where, tree, is_leaf)
    paths: list = []
    _paths(where, tree, is_leaf, (), paths)
    return list(zip(paths, leaves, strict=True)), treedef


def map_with_path(f: Callable[..., Any], tree: Any, *rest: Any, is_leaf: IsLeaf = None) -> Any:
    """Like `map`, calling `f(path, x, *xs)` with the leaf's key path first.

    Counterpart: `jax.tree_util.tree_map_with_path`.
    """
    where = "purejax.tree.map_with_path"
    check_callable(where, "f", f, "pass a function of the key path and the leaves, e.g. lambda path, x: x")
    rows, treedef = _leaves_of_all(where, tree, rest, is_leaf)
    paths: list = []
    _paths(where, tree, is_leaf, (), paths)
    return unflatten_for(where, treedef, [f(p, *row) for p, row in zip(paths, rows, strict=True)])


def reduce(
    function: Callable[[Any, Any], Any], tree: Any, initializer: Any = _NO_INITIALIZER, is_leaf: IsLeaf = None
) -> Any:
    """Fold `function` over the leaves, left to right, as `functools.reduce`.

    Args:
      function: `(accumulated, leaf) -> accumulated`.
      tree: a pytree.
      initializer: the value to start from; required when `tree` may have no leaves.
      is_leaf: optional predicate marking extra leaves.

    Returns:
      The folded value.

    Counterpart: `jax.tree_util.tree_reduce`.
    """
    where = "purejax.tree.reduce"
    check_callable(where, "function", function, "pass a function (accumulated, leaf) -> accumulated")
    leaves = flatten_for(where, tree, is_leaf)[0]
    if initializer is _NO_INITIALIZER:
        if not leaves:
            raise TypeError(
                f"{where}: initializer must be given when the tree has no leaves, got neither (tree "
                f"{describe(tree)}); pass one, e.g. reduce(operator.add, tree, 0)"
            )
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def all(tree: Any, *, is_leaf: IsLeaf = None) -> bool:
    """True if every leaf is truthy (`jax.tree_util.tree_all`).

    A leaf must have one truth value: a Python value or a one-element array. An array of several
    elements is refused naming its key path (reduce it first: `all(map(jnp.all, tree))`).
    """
    where = "purejax.tree.all"
    leaves = flatten_for(where, tree, is_leaf)[0]
    for i, leaf in enumerate(leaves):
        try:
            truth = bool(leaf)
        except ValueError:  # NumPy and JAX: "the truth value of an array ... is ambiguous"
            path = keystr(flatten_with_path(tree, is_leaf)[0][i][0]) or "<root>"
            raise ValueError(
                f"{where}: every leaf must have one truth value, got {describe(leaf)} at {path}; "
                "reduce arrays first: purejax.tree.all(purejax.tree.map(jnp.all, tree))"
            ) from None
        if not truth:
            return False
    return True
