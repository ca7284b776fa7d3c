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

A pytree must be a tree of at most `MAX_DEPTH` (256) containers from root to leaf. A container
that holds itself (`x = [1]; x.append(x)`) is refused, naming where the cycle closes:

    purejax.tree.flatten: tree must not contain itself, got a list at [1] that is also the one at <root>

Differences:
  `TreeDef` is a plain Python class with its own `repr`; it offers the `PyTreeDef` members a
  reader needs (`num_leaves`, `num_nodes`, `unflatten`, `flatten_up_to`, `node_data`,
  `children`, equality and hashing). JAX flattens as deep as the interpreter's recursion limit
  allows (about 1,000 nested lists), then raises `RecursionError` ("PyTree may have cyclical node
  references"); a container holding itself crashes its flatten with a `SystemError`. purejax
  refuses both with a `ValueError` naming the function and the key path: cycles at once, nesting
  past `MAX_DEPTH` containers, a depth every operation here (equality, hashing, `repr`,
  `unflatten`, `flatten_up_to`) handles without coming near the recursion limit.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from typing import Any

from purejax.checks import describe
from purejax.tree import registry
from purejax.tree.paths import keystr

IsLeaf = Callable[[Any], bool] | None

MAX_DEPTH = 256  # containers from the root to a leaf; deeper trees are refused


class TreeDef:
    """The structure of a pytree: a tree of nodes whose ends are leaf markers (`*`).

    Args:
      node_type: the container class (registered, built in or a namedtuple); None for a leaf.
      aux: the container's metadata (dict keys, a registered class's `aux_data`).
      children: the TreeDefs of the container's children (none for a leaf).

    Counterpart: `jax.tree_util.PyTreeDef`.
    """

    __slots__ = ("node_type", "aux", "_children", "num_leaves", "num_nodes")

    def __init__(self, node_type: type | None, aux: Any = None, children: tuple = ()):
        if node_type is not None and (not isinstance(node_type, type) or registry.node_type_of(node_type) is None):
            raise TypeError(
                f"purejax.tree.TreeDef: node_type must be a pytree container class or None (a leaf), "
                f"got {describe(node_type)}; get TreeDefs from purejax.tree.structure(tree)"
            )
        self.node_type = node_type  # the container class; None marks a leaf
        self.aux = aux  # the container's metadata (dict keys, defaultdict factory, ...)
        self._children = tuple(children)
        if node_type is None and self._children:
            raise ValueError(f"purejax.tree.TreeDef: children must be empty for a leaf, got {len(self._children)}")
        self.num_leaves = int(node_type is None)
        self.num_nodes = 1
        for i, child in enumerate(self._children):
            if not isinstance(child, TreeDef):
                raise TypeError(f"purejax.tree.TreeDef: children[{i}] must be a TreeDef, got {describe(child)}")
            self.num_leaves += child.num_leaves
            self.num_nodes += child.num_nodes

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
        return unflatten_for("purejax.tree.TreeDef.unflatten", self, leaves)

    def flatten_up_to(self, tree: Any) -> list:
        """The subtrees of `tree` that sit where this TreeDef has leaves.

        `tree` must have this structure down to this TreeDef's leaves (below them it may go on).
        A mismatch raises `ValueError` naming the key path and both sides.
        """
        return flatten_up_to(self, tree)

    # -- value semantics ---------------------------------------------------------------------
    def _preorder(self) -> Iterator[TreeDef]:
        """Every node, root first, with a work list instead of recursion (deep trees too)."""
        stack = [self]
        while stack:
            td = stack.pop()
            yield td
            stack.extend(reversed(td._children))

    def __eq__(self, other):
        if not isinstance(other, TreeDef):
            return False
        pairs = [(self, other)]  # node by node, without recursion
        while pairs:
            a, b = pairs.pop()
            if (a.node_type, a.aux, len(a._children)) != (b.node_type, b.aux, len(b._children)):
                return False
            pairs.extend(zip(a._children, b._children, strict=True))
        return True

    def __hash__(self):
        nodes = tuple((td.node_type, td.aux, len(td._children)) for td in self._preorder())
        try:
            return hash(nodes)
        except TypeError:
            td = next(td for td in self._preorder() if not _hashable(td.aux))
            owner = getattr(td.node_type, "__name__", td.node_type)
            raise TypeError(
                f"purejax.tree.TreeDef: aux_data must be hashable to hash a TreeDef, got {describe(td.aux)} "
                f"from a {owner}; return a tuple, not a list or dict, as the flatten_fn's aux_data"
            ) from None

    def __repr__(self):
        return f"TreeDef({_describe(self)})"


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _describe(td: TreeDef) -> str:
    """A readable picture of the structure, with `*` for each leaf."""
    if td.node_type is None:
        return "*"
    kids = list(map(_describe, td._children))
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


def check_is_leaf(where: str, is_leaf: Any) -> None:
    """`is_leaf` must be None or a function `node -> bool`."""
    if is_leaf is not None and not callable(is_leaf):
        raise TypeError(
            f"{where}: is_leaf must be None or a function node -> bool, got {describe(is_leaf)}; "
            "write e.g. is_leaf=lambda x: x is None"
        )


def _says_leaf(where: str, is_leaf: Callable[[Any], Any], x: Any) -> bool:
    answer = is_leaf(x)
    if answer is None or answer is False:  # None counts as False, as in JAX
        return False
    if answer is True:
        return True
    raise TypeError(
        f"{where}: is_leaf must return True or False, got {describe(answer)} for a {type(x).__name__}; "
        "return a Python bool, e.g. is_leaf=lambda x: isinstance(x, tuple)"
    )


def _path_through(where: str, chain: list) -> str:
    """The key path from `chain[0]` down through `chain[1:]`, each a child of the one before."""
    keys = []
    for parent, child in zip(chain[:-1], chain[1:], strict=True):
        node = registry.node_type_of(type(parent))
        assert node is not None  # every link but the last was flattened
        children, aux = registry.take_apart(node, parent, where)
        children = list(children)
        i = next((i for i, c in enumerate(children) if c is child), None)
        if i is None:  # a registered flatten_fn that builds new children on each call
            return "".join(keys) + "[?]"
        keys.append(str(node.keys(parent, aux, children)[i]))
    return "".join(keys) or "<root>"


def _flatten(where: str, tree: Any, is_leaf: IsLeaf, leaves: list, ancestors: list, on_path: set) -> TreeDef:
    if is_leaf is not None and _says_leaf(where, is_leaf, tree):
        leaves.append(tree)
        return LEAF
    node = registry.node_type_of(type(tree))
    if node is None:
        leaves.append(tree)
        return LEAF
    if id(tree) in on_path:
        first = next(i for i, a in enumerate(ancestors) if a is tree)
        raise ValueError(
            f"{where}: tree must not contain itself, got a {type(tree).__name__} at "
            f"{_path_through(where, [*ancestors, tree])} that is also the one at "
            f"{_path_through(where, ancestors[: first + 1])}; a pytree must be a tree: break the cycle"
        )
    if len(ancestors) == MAX_DEPTH:
        raise ValueError(
            f"{where}: tree must be at most {MAX_DEPTH} containers deep, got a deeper one (at "
            f"{_path_through(where, ancestors[:9])}..., {MAX_DEPTH} levels down); flatten such a structure "
            "yourself, or keep its inner part whole with is_leaf"
        )
    children, aux = registry.take_apart(node, tree, where)
    ancestors.append(tree)
    on_path.add(id(tree))
    subtrees = []
    for child in children:
        subtrees.append(_flatten(where, child, is_leaf, leaves, ancestors, on_path))
    ancestors.pop()
    on_path.discard(id(tree))
    return TreeDef(type(tree), aux, tuple(subtrees))


def flatten_for(where: str, tree: Any, is_leaf: IsLeaf) -> tuple[list, TreeDef]:
    """`flatten`, with errors naming the public function `where` that was called."""
    check_is_leaf(where, is_leaf)
    leaves: list = []
    treedef = _flatten(where, tree, is_leaf, leaves, [], set())
    return leaves, treedef


def flatten(tree: Any, is_leaf: IsLeaf = None) -> tuple[list, TreeDef]:
    """Take a pytree apart into its leaves and its structure.

    Args:
      tree: a pytree: containers nested at most `MAX_DEPTH` deep, none inside itself.
      is_leaf: optional predicate returning True or False (None counts as False); a node for
        which it returns True is kept whole as a leaf (it is asked before anything else, so
        `is_leaf=lambda x: x is None` makes None a leaf).

    Returns:
      `(leaves, treedef)`: the leaves depth first, left to right (dict keys sorted, OrderedDict
      in insertion order), and a `TreeDef`.

    Raises:
      TypeError: `is_leaf` is not callable or returns something else than True, False or None; a
        registered class's flatten_fn returns something else than `(children, aux_data)`.
      ValueError: a container holds itself, or the nesting is deeper than `MAX_DEPTH`.

    Counterpart: `jax.tree_util.tree_flatten`.
    """
    return flatten_for("purejax.tree.flatten", tree, is_leaf)


def unflatten_for(where: str, treedef: TreeDef, leaves: Any) -> Any:
    """`unflatten`, with errors naming the public function `where` that was called."""
    if not isinstance(treedef, TreeDef):
        raise TypeError(
            f"{where}: treedef must be a purejax.tree.TreeDef, got {describe(treedef)}; get one from "
            "purejax.tree.flatten or purejax.tree.structure (a jax.tree_util PyTreeDef is not one)"
        )
    if isinstance(leaves, (str, bytes)) or not hasattr(leaves, "__iter__"):
        raise TypeError(f"{where}: leaves must be an iterable of leaves (a list), got {describe(leaves)}")
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"{where}: {treedef!r} expects {treedef.num_leaves} leaves, got {len(leaves)}")
    return _build(where, treedef, iter(leaves))


def _build(where: str, td: TreeDef, leaves: Iterator) -> Any:
    if td.node_type is None:
        return next(leaves)
    children = []
    for child in td._children:
        children.append(_build(where, child, leaves))
    node = registry.node_type_of(td.node_type)
    assert node is not None  # a TreeDef's inner nodes have node types
    return registry.rebuild(node, td.aux, children, where)


def unflatten(treedef: TreeDef, leaves) -> Any:
    """Rebuild a pytree from a `TreeDef` and its leaves (`jax.tree_util.tree_unflatten`)."""
    return unflatten_for("purejax.tree.unflatten", treedef, leaves)


def leaves(tree: Any, is_leaf: IsLeaf = None) -> list:
    """The leaves of a pytree, in flatten order (`jax.tree_util.tree_leaves`)."""
    return flatten_for("purejax.tree.leaves", tree, is_leaf)[0]


def structure(tree: Any, is_leaf: IsLeaf = None) -> TreeDef:
    """The `TreeDef` of a pytree (`jax.tree_util.tree_structure`)."""
    return flatten_for("purejax.tree.structure", tree, is_leaf)[1]


def _describe_node(node_type: type, aux: Any, num_children: int) -> str:
    if node_type is type(None):
        return "None"
    if node_type in (dict, collections.OrderedDict):
        return f"{node_type.__name__} with keys {list(aux)!r}"
    if node_type is collections.defaultdict:
        return f"defaultdict with keys {list(aux[1])!r}"
    return f"{node_type.__name__} of {num_children}"


def _describe_value(x: Any, where: str) -> str:
    node = registry.node_type_of(type(x))
    if node is None:
        return f"a leaf of type {type(x).__name__}"
    children, aux = registry.take_apart(node, x, where)
    return _describe_node(type(x), aux, len(list(children)))


def _up_to(td: TreeDef, tree: Any, path: tuple, out: list, where: str) -> None:
    if td.node_type is None:  # a leaf of the reference tree: take whatever sits here
        out.append(tree)
        return
    expected = _describe_node(td.node_type, td.aux, len(td._children))
    if type(tree) is not td.node_type:
        raise ValueError(f"{where} at {keystr(path) or '<root>'}: {expected} vs {_describe_value(tree, where)}")
    node = registry.node_type_of(type(tree))
    assert node is not None  # the type of td's node, checked above
    children, aux = registry.take_apart(node, tree, where)
    children = list(children)
    if aux != td.aux or len(children) != len(td._children):
        got = _describe_node(type(tree), aux, len(children))
        if td.node_type in (dict, collections.OrderedDict):
            got = repr(list(aux))  # "dict with keys [...] vs [...]"
        raise ValueError(f"{where} at {keystr(path) or '<root>'}: {expected} vs {got}")
    for key, child, child_td in zip(node.keys(tree, aux, children), children, td._children, strict=True):
        _up_to(child_td, child, path + (key,), out, where)


def flatten_up_to(treedef: TreeDef, tree: Any, where: str = "purejax.tree.flatten_up_to: tree") -> list:
    """The subtrees of `tree` at the leaf positions of `treedef` (`PyTreeDef.flatten_up_to`).

    Args:
      treedef: the structure to read `tree` against.
      tree: a pytree with `treedef`'s containers down to its leaves (below them it may go on).
      where: the start of the error message, naming the caller and the tree.

    Returns:
      One subtree of `tree` per leaf of `treedef`, in flatten order.

    Raises:
      ValueError: `tree` differs from `treedef`; the message names the key path and both sides.
    """
    if not isinstance(treedef, TreeDef):
        raise TypeError(
            f"purejax.tree.flatten_up_to: treedef must be a purejax.tree.TreeDef, got {describe(treedef)}; "
            "get one from purejax.tree.structure(reference_tree)"
        )
    if not isinstance(where, str):
        raise TypeError(f"purejax.tree.flatten_up_to: where must be a str (the message's start), got {describe(where)}")
    out: list = []
    _up_to(treedef, tree, (), out, where)
    return out
