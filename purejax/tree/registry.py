"""Which Python containers are pytree nodes, and how each one comes apart.

A pytree is a nested structure of containers whose ends are *leaves* (arrays, numbers, anything
not registered). Every container type has three functions:

    flatten(node)            -> (children, aux_data)   # aux_data: hashable, leaf-free metadata
    unflatten(aux, children) -> node                   # the inverse
    keys(node, aux, children) -> one path entry per child (used by `flatten_with_path`)

Built in, as in `jax.tree_util`: `dict` (children in sorted key order), `list`, `tuple`,
namedtuples (fields in order), `collections.OrderedDict` (insertion order),
`collections.defaultdict` (sorted keys; the `default_factory` is metadata) and `None` (a node with
no children, so it holds no leaf). Anything else is a leaf unless `register_node` is called for
its class.

Counterpart: `jax.tree_util.register_pytree_node` and the default registry
(jax/_src/tree_util.py, jaxlib's pytree.cc).

A registered class's functions are the user's code, so what they return is checked where it is
used (`take_apart`, `rebuild`): a flatten that does not return a pair `(children, aux_data)`, or
whose children are not a sequence, is refused naming the class and what came back; an exception
raised inside either function gets a note naming the class and the purejax function that called it.

Differences:
  Classes registered with JAX only (for example `flax.core.FrozenDict`, a `flax.struct`
  dataclass, an equinox module) are leaves to purejax, as unregistered classes are to JAX: purejax
  does not read JAX's registry. Register them here with `register_node` (or build them with
  `purejax.struct`) to make them nodes on both sides. The functions that need array leaves
  (`purejax.optim`'s `init` and `update`, `apply_updates`, `purejax.optim.tree`,
  `TrainState.create`) refuse such a leaf
  with that advice, naming the leaf's path and class. JAX iterates whatever
  a flatten returns as its children (the keys of a dict, the characters of a string); purejax
  refuses a dict, set, string or bytes there.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax

from purejax.checks import check_callable, describe
from purejax.tree.paths import DictKey, FlattenedIndexKey, GetAttrKey, SequenceKey


class NodeType(NamedTuple):
    """How one container type flattens, unflattens and names its children."""

    flatten: Callable[[Any], tuple[Any, Any]]  # node -> (children, aux_data)
    unflatten: Callable[[Any, Any], Any]  # (aux_data, children) -> node
    keys: Callable[[Any, Any, list], tuple]  # (node, aux_data, children) -> one path entry each
    registered: type | None = None  # the class, when `register_node` added it (its results are checked)


def _sorted_keys(d: dict, caller: str = "purejax.tree.flatten") -> tuple:
    try:
        return tuple(sorted(d))
    except TypeError as e:  # e.g. {1: ..., 'a': ...}: int and str do not compare
        raise ValueError(
            f"{caller}: dictionary keys must be sortable, got keys {list(d)!r} ({e}). jax.tree_util refuses them too."
        ) from None


def _flatten_dict(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], keys


def _flatten_ordered_dict(d):
    keys = tuple(d)  # insertion order is part of the structure
    return [d[k] for k in keys], keys


def _flatten_defaultdict(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], (d.default_factory, keys)


def _dict_keys(node, keys, children):
    return tuple(DictKey(k) for k in keys)


def _sequence_keys(node, aux, children):
    return tuple(SequenceKey(i) for i in range(len(children)))


_REGISTRY: dict[type, NodeType] = {
    type(None): NodeType(lambda _: ((), None), lambda aux, ch: None, lambda *_: ()),
    tuple: NodeType(lambda t: (t, None), lambda aux, ch: tuple(ch), _sequence_keys),
    list: NodeType(lambda items: (items, None), lambda aux, ch: list(ch), _sequence_keys),
    dict: NodeType(_flatten_dict, lambda keys, ch: dict(zip(keys, ch, strict=True)), _dict_keys),
    collections.OrderedDict: NodeType(
        _flatten_ordered_dict,
        lambda keys, ch: collections.OrderedDict(zip(keys, ch, strict=True)),
        _dict_keys,
    ),
    collections.defaultdict: NodeType(
        _flatten_defaultdict,
        lambda aux, ch: collections.defaultdict(aux[0], zip(aux[1], ch, strict=True)),
        lambda node, aux, ch: _dict_keys(node, aux[1], ch),
    ),
}


def _flatten_namedtuple(t):
    return tuple(t), None


def _namedtuple_keys(node, aux, children):
    return tuple(GetAttrKey(f) for f in type(node)._fields)


def is_namedtuple_class(cls: type) -> bool:
    """True for classes made by `collections.namedtuple` or `typing.NamedTuple`."""
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def node_type_of(cls: type) -> NodeType | None:
    """The `NodeType` for instances of `cls`, or None when they are leaves.

    Exact types only, as in JAX: a subclass of `dict` is a leaf unless registered.
    Registered classes win over the namedtuple rule.
    """
    node = _REGISTRY.get(cls)
    if node is None and is_namedtuple_class(cls):
        return NodeType(_flatten_namedtuple, lambda aux, ch: cls(*ch), _namedtuple_keys)  # rebuilt from the class
    return node


def register_node(
    cls: type,
    flatten_fn: Callable[[Any], tuple[Any, Any]],
    unflatten_fn: Callable[[Any, Any], Any],
) -> None:
    """Make instances of `cls` pytree nodes, for purejax and for JAX's transformations.

    Args:
      cls: the container class.
      flatten_fn: `node -> (children, aux_data)`; `children` a list or tuple, `aux_data` hashable
        and compared by value.
      unflatten_fn: `(aux_data, children) -> node`.

    Returns:
      None. The class is also registered with `jax.tree_util.register_pytree_node` (unless JAX
      already knows it), so `jit`, `grad` and `vmap` accept it.

    Raises:
      TypeError: `cls` is not a class, or a function is not callable (nothing is registered then).
      ValueError: `cls` is already registered with purejax.

    Counterpart: `jax.tree_util.register_pytree_node`.

    Differences:
      JAX registers anything as `cls` (`register_pytree_node(5, ...)` passes); purejax wants a class.
    """
    where = "purejax.tree.register_node"
    if not isinstance(cls, type):
        raise TypeError(
            f"{where}: cls must be a class, got {describe(cls)}; pass the class itself, e.g. Box, not Box()"
        )
    check_callable(where, "flatten_fn", flatten_fn, "pass a function node -> (children, aux_data)")
    check_callable(where, "unflatten_fn", unflatten_fn, "pass a function (aux_data, children) -> node")
    check_not_registered(where, cls)
    node = NodeType(
        flatten_fn,
        unflatten_fn,
        lambda node, aux, children: tuple(FlattenedIndexKey(i) for i in range(len(children))),
        cls,
    )
    add_node(cls, node, lambda: jax.tree_util.register_pytree_node(cls, flatten_fn, unflatten_fn))


def check_not_registered(where: str, cls: type) -> None:
    """Refuse a class that purejax already knows (a second registration would replace the first)."""
    if cls in _REGISTRY:
        raise ValueError(
            f"{where}: cls must be a class not registered yet, got {cls.__qualname__}, which is already "
            "registered; register each class once, where it is defined"
        )


def add_node(cls: type, node: NodeType, register_with_jax: Callable[[], object]) -> None:
    """Register `cls` with JAX (unless JAX already knows it), then with purejax."""
    try:  # the one use of jax.tree_util allowed in purejax: teach JAX's transforms the class
        register_with_jax()
    except ValueError as e:
        if "Duplicate" not in str(e):
            raise
    _REGISTRY[cls] = node


def register_dataclass(cls: type, data_fields: Sequence[str], meta_fields: Sequence[str]) -> type:
    """Make a dataclass a pytree node whose children are `data_fields` and whose metadata is `meta_fields`.

        flatten(obj)        = ([obj.<data field>, ...], (obj.<meta field>, ...))
        unflatten(aux, ch)  = cls(**{data fields: ch}, **{meta fields: aux})

    Paths name the fields (`GetAttrKey('params')`, printed `.params`), as JAX's do.

    Args:
      cls: a class built by `dataclasses.dataclass`.
      data_fields: the fields that hold leaves or subtrees (arrays, parameters).
      meta_fields: the fields that are static metadata (functions, sizes); hashable.

    Returns:
      `cls`, so that this also works as a decorator's last step. It is registered with JAX's
      `jax.tree_util.register_dataclass` too, so `jit`, `grad` and `vmap` see the same children.

    Raises:
      TypeError: `cls` is not a dataclass, or a field list is not a list of names.
      ValueError: the two lists do not name every init field exactly once, or `cls` is registered.

    Counterpart: `jax.tree_util.register_dataclass`.

    Examples:
      >>> import dataclasses
      >>> import purejax.tree as pt
      >>> @dataclasses.dataclass(frozen=True)
      ... class Point:
      ...     x: float
      ...     name: str
      >>> _ = pt.register_dataclass(Point, ["x"], ["name"])
      >>> pt.leaves(Point(1.0, "p")), pt.keystr(pt.flatten_with_path(Point(1.0, "p"))[0][0][0])
      ([1.0], '.x')
    """
    where = "purejax.tree.register_dataclass"
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(
            f"{where}: cls must be a dataclass, got {describe(cls)}; decorate it with @dataclasses.dataclass"
        )
    for name, names in (("data_fields", data_fields), ("meta_fields", meta_fields)):
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError(f"{where}: {name} must be a list of field names, got {describe(names)}")
    data, meta = tuple(data_fields), tuple(meta_fields)
    init_fields = sorted(f.name for f in dataclasses.fields(cls) if f.init)
    if sorted(data + meta) != init_fields:
        raise ValueError(
            f"{where}: data_fields and meta_fields must name each init field of {cls.__qualname__} once, "
            f"got {list(data)} and {list(meta)} for fields {init_fields}"
        )
    check_not_registered(where, cls)

    def flatten(x):
        return [getattr(x, f) for f in data], tuple(getattr(x, f) for f in meta)

    def unflatten(aux, children):
        return cls(**dict(zip(data, children, strict=True)), **dict(zip(meta, aux, strict=True)))

    node = NodeType(flatten, unflatten, lambda node, aux, children: tuple(GetAttrKey(f) for f in data), cls)
    add_node(cls, node, lambda: jax.tree_util.register_dataclass(cls, data_fields=list(data), meta_fields=list(meta)))
    return cls


def _add_note(error: BaseException, note: str) -> None:
    """Attach `note` to `error`'s traceback (Python 3.11+; a no-op before)."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(note)


_NOT_CHILDREN = (str, bytes, dict, set, frozenset)  # iterable, but never a sequence of children


def take_apart(node: NodeType, x: Any, where: str) -> tuple[Any, Any]:
    """`node.flatten(x)`: `(children, aux_data)`, checked when the class was registered by a user.

    `where` (the public function that is flattening) starts the message of any error.
    """
    if node.registered is None:  # built in: trusted
        return node.flatten(x)
    name = node.registered.__qualname__
    try:
        result = node.flatten(x)
    except Exception as e:
        _add_note(e, f"{where}: raised by the flatten_fn registered for {name}")
        raise
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(
            f"{where}: the flatten_fn registered for {name} must return a pair (children, aux_data), "
            f"got {describe(result)}; return e.g. ((node.a, node.b), None)"
        )
    children, aux = result
    if isinstance(children, _NOT_CHILDREN) or not hasattr(children, "__iter__"):
        raise TypeError(
            f"{where}: the flatten_fn registered for {name} must return its children as a list or "
            f"tuple, got {describe(children)}; return e.g. ((node.a, node.b), None)"
        )
    return list(children), aux


def rebuild(node: NodeType, aux: Any, children: list, where: str) -> Any:
    """`node.unflatten(aux, children)`; an error raised by a registered class's function gets a note."""
    if node.registered is None:
        return node.unflatten(aux, children)
    try:
        return node.unflatten(aux, children)
    except Exception as e:
        _add_note(
            e,
            f"{where}: raised by the unflatten_fn registered for {node.registered.__qualname__}, "
            f"called with aux_data {describe(aux)} and {len(children)} children",
        )
        raise
