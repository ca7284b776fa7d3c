"""TreeDef, flatten and unflatten: a pytree taken apart into (leaves, structure) and put back.

    tree     = {'b': [x, y], 'a': (z, None)}
    flatten  ->  leaves = [z, x, y]                       # depth first; dict keys sorted
                 treedef = TreeDef({'a': (*, None), 'b': [*, *]})
    unflatten(treedef, leaves) -> a tree equal to `tree`, with the same container types

The structure is everything but the leaves: container types, dict keys, namedtuple classes,
registered metadata. Two trees with equal TreeDefs can be zipped leaf by leaf, which is all that
`map` does.

`flatten_up_to(treedef, tree)` reads another tree against a structure: the subtrees of `tree` that
sit where `treedef` has leaves (below those `tree` may go on). Where the two differ, the error
names the key path and both sides:

    purejax.tree.flatten_up_to: tree at ['params']['Dense_0']: dict with keys ['bias', 'kernel'] vs ['kernel']

Counterpart: `jax.tree_util.tree_flatten`, `tree_unflatten`, `tree_leaves`, `tree_structure` and
`jax.tree_util.PyTreeDef` with its `flatten_up_to` (jax/_src/tree_util.py; the C++ in jaxlib's
pytree.cc).

Differences:
  `TreeDef` is a plain Python class with its own `repr`; it offers the `PyTreeDef` members a
  reader needs (`num_leaves`, `num_nodes`, `unflatten`, `flatten_up_to`, `node_data`,
  `children`, equality and hashing).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from typing import Any

from purejax.tree import registry
from purejax.tree.paths import keystr

IsLeaf = Callable[[Any], bool] | None


class TreeDef:
    """The structure of a pytree: a tree of nodes whose ends are leaf markers (`*`)."""

    __slots__ = ("node_type", "aux", "_children", "num_leaves", "num_nodes")

    def __init__(self, node_type: type | None, aux: Any = None, children: tuple = ()):
        self.node_type = node_type  # the container class; None marks a leaf
        self.aux = aux  # the container's metadata (dict keys, defaultdict factory, ...)
        self._children = tuple(children)
        is_leaf = node_type is None
        self.num_leaves = int(is_leaf) + sum(c.num_leaves for c in self._children)
        self.num_nodes = 1 + sum(c.num_nodes for c in self._children)

    # -- the PyTreeDef interface -------------------------------------------------------------
    def children(self) -> list[TreeDef]:
        """The TreeDefs of the root's children."""
        return list(self._children)

    def node_data(self):
        """`(type, metadata)` of the root node, None for a leaf (as `PyTreeDef.node_data`)."""
        if self.node_type is None:
            return None
        return self.node_type, (list(self.aux) if self.node_type is dict else self.aux)

    def unflatten(self, leaves) -> Any:
        """Build a tree of this structure from `leaves` (any iterable, in flatten order)."""
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"purejax.tree.unflatten: {self!r} expects {self.num_leaves} leaves, got {len(leaves)}")
        return self._build(iter(leaves))

    def _build(self, leaves: Iterator) -> Any:
        if self.node_type is None:
            return next(leaves)
        children = [c._build(leaves) for c in self._children]
        node = registry.node_type_of(self.node_type)
        assert node is not None  # a TreeDef's inner nodes have node types
        return node.unflatten(self.aux, children)

    def flatten_up_to(self, tree: Any) -> list:
        """The subtrees of `tree` that sit where this TreeDef has leaves.

        `tree` must have this structure down to this TreeDef's leaves (below them it may go on).
        A mismatch raises `ValueError` naming the key path and both sides.
        """
        return flatten_up_to(self, tree)

    # -- value semantics ---------------------------------------------------------------------
    def _key(self):
        return (self.node_type, self.aux, self._children)

    def __eq__(self, other):
        return isinstance(other, TreeDef) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"TreeDef({_describe(self)})"


def _describe(td: TreeDef) -> str:
    """A readable picture of the structure, with `*` for each leaf."""
    if td.node_type is None:
        return "*"
    kids = [_describe(c) for c in td._children]
    t = td.node_type
    if t is type(None):
        return "None"
    if t is list:
        return "[" + ", ".join(kids) + "]"
    if t is tuple:
        return "(" + ", ".join(kids) + ("," if len(kids) == 1 else "") + ")"
    if t is dict:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(td.aux, kids, strict=True)) + "}"
    if registry.is_namedtuple_class(t) and t not in registry._REGISTRY:
        return f"{t.__name__}(" + ", ".join(f"{f}={v}" for f, v in zip(t._fields, kids, strict=True)) + ")"
    if t.__name__ == "OrderedDict":
        return "OrderedDict({" + ", ".join(f"{k!r}: {v}" for k, v in zip(td.aux, kids, strict=True)) + "})"
    if t.__name__ == "defaultdict":
        factory = getattr(td.aux[0], "__name__", repr(td.aux[0]))
        items = ", ".join(f"{k!r}: {v}" for k, v in zip(td.aux[1], kids, strict=True))
        return f"defaultdict({factory}, {{{items}}})"
    return f"{t.__name__}[{td.aux!r}](" + ", ".join(kids) + ")"


LEAF = TreeDef(None)


def _flatten(tree: Any, is_leaf: IsLeaf, leaves: list) -> TreeDef:
    if is_leaf is not None and is_leaf(tree):
        leaves.append(tree)
        return LEAF
    node = registry.node_type_of(type(tree))
    if node is None:
        leaves.append(tree)
        return LEAF
    children, aux = node.flatten(tree)
    return TreeDef(type(tree), aux, tuple(_flatten(c, is_leaf, leaves) for c in children))


def flatten(tree: Any, is_leaf: IsLeaf = None) -> tuple[list, TreeDef]:
    """Take a pytree apart into its leaves and its structure.

    Args:
      tree: a pytree.
      is_leaf: optional predicate; a node for which it returns True is kept whole as a leaf
        (it is asked before anything else, so `is_leaf=lambda x: x is None` makes None a leaf).

    Returns:
      `(leaves, treedef)`: the leaves depth first, left to right (dict keys sorted, OrderedDict
      in insertion order), and a `TreeDef`.

    Counterpart: `jax.tree_util.tree_flatten`.
    """
    leaves: list = []
    treedef = _flatten(tree, is_leaf, leaves)
    return leaves, treedef


def unflatten(treedef: TreeDef, leaves) -> Any:
    """Rebuild a pytree from a `TreeDef` and its leaves (`jax.tree_util.tree_unflatten`)."""
    if not isinstance(treedef, TreeDef):
        raise TypeError(f"purejax.tree.unflatten: expected a TreeDef, got {type(treedef).__name__}")
    return treedef.unflatten(leaves)


def leaves(tree: Any, is_leaf: IsLeaf = None) -> list:
    """The leaves of a pytree, in flatten order (`jax.tree_util.tree_leaves`)."""
    return flatten(tree, is_leaf)[0]


def structure(tree: Any, is_leaf: IsLeaf = None) -> TreeDef:
    """The `TreeDef` of a pytree (`jax.tree_util.tree_structure`)."""
    return flatten(tree, is_leaf)[1]


def _describe_node(node_type: type, aux: Any, num_children: int) -> str:
    if node_type is type(None):
        return "None"
    if node_type in (dict, collections.OrderedDict):
        return f"{node_type.__name__} with keys {list(aux)!r}"
    if node_type is collections.defaultdict:
        return f"defaultdict with keys {list(aux[1])!r}"
    return f"{node_type.__name__} of {num_children}"


def _describe_value(x: Any) -> str:
    node = registry.node_type_of(type(x))
    if node is None:
        return f"a leaf of type {type(x).__name__}"
    children, aux = node.flatten(x)
    return _describe_node(type(x), aux, len(list(children)))


def _up_to(td: TreeDef, tree: Any, path: tuple, out: list, where: str) -> None:
    if td.node_type is None:  # a leaf of the reference tree: take whatever sits here
        out.append(tree)
        return
    expected = _describe_node(td.node_type, td.aux, len(td.children()))
    if type(tree) is not td.node_type:
        raise ValueError(f"{where} at {keystr(path) or '<root>'}: {expected} vs {_describe_value(tree)}")
    node = registry.node_type_of(type(tree))
    assert node is not None  # the type of td's node, checked above
    children, aux = node.flatten(tree)
    children = list(children)
    if aux != td.aux or len(children) != len(td.children()):
        got = _describe_node(type(tree), aux, len(children))
        if td.node_type in (dict, collections.OrderedDict):
            got = repr(list(aux))  # "dict with keys [...] vs [...]"
        raise ValueError(f"{where} at {keystr(path) or '<root>'}: {expected} vs {got}")
    for key, child, child_td in zip(node.keys(tree, aux, children), children, td.children(), strict=True):
        _up_to(child_td, child, path + (key,), out, where)


def flatten_up_to(treedef: TreeDef, tree: Any, where: str = "purejax.tree.flatten_up_to: tree") -> list:
    """The subtrees of `tree` at the leaf positions of `treedef` (`PyTreeDef.flatten_up_to`)."""
    out: list = []
    _up_to(treedef, tree, (), out, where)
    return out
