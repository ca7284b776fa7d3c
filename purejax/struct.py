"""Frozen dataclasses that are pytrees: `dataclass`, `field(pytree_node=False)`, `PyTreeNode`.

A training loop carries values that are partly arrays (parameters, optimizer states, keys) and
partly static (the model's `apply`, the optimizer, sizes). Declaring the class once says which is
which:

    @struct.dataclass
    class State:
        params: Any                                         # a child: jit, grad and tree.map see it
        apply_fn: Callable = struct.field(pytree_node=False)  # metadata: static under jit

The class becomes a frozen dataclass (change it with `state.replace(params=...)`), registered with
`purejax.tree.register_dataclass`: its `pytree_node=True` fields are the children (paths
`.params`), the others its hashable metadata. `PyTreeNode` does the same for every subclass, so
`class State(struct.PyTreeNode): ...` needs no decorator, and a subclass adds fields.

Counterpart: `flax.struct` (flax/struct.py): `dataclass`, `field`, `PyTreeNode`.

Differences:
  No `flax.serialization` state-dict registration: purejax's checkpoints store any pytree by its
  key paths, so they need none.

Examples:
    >>> from typing import Any
    >>> import purejax.tree as pt
    >>> from purejax import struct
    >>> class Model(struct.PyTreeNode):
    ...     params: Any
    ...     name: str = struct.field(pytree_node=False, default="mlp")
    >>> m = Model({"w": 1.0})
    >>> pt.leaves(m), m.replace(params={"w": 2.0}).params
    ([1.0], {'w': 2.0})
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from purejax.tree import register_dataclass

T = TypeVar("T")


def field(pytree_node: bool = True, *, metadata: dict | None = None, **kwargs) -> Any:
    """A dataclass field; `pytree_node=False` makes it static metadata instead of a child.

    Args:
      pytree_node: True (the default) for a field that holds arrays or subtrees.
      metadata: more `dataclasses.field` metadata, kept beside `pytree_node`.
      **kwargs: `dataclasses.field`'s other arguments (`default`, `default_factory`, ...).

    Returns:
      A `dataclasses.field`.

    Counterpart: `flax.struct.field`.
    """
    if not isinstance(pytree_node, bool):
        raise TypeError(f"purejax.struct.field: pytree_node must be True or False, got {pytree_node!r}")
    return dataclasses.field(metadata={"pytree_node": pytree_node, **(metadata or {})}, **kwargs)


def dataclass(clz: type | None = None, **kwargs) -> Any:
    """Turn `clz` into a frozen dataclass that is a pytree node (see the module docstring).

    Args:
      clz: the class; without it, `dataclass(**kwargs)` returns the decorator.
      **kwargs: `dataclasses.dataclass`'s arguments; `frozen` defaults to True.

    Returns:
      The class, with a `replace(**changes)` method, registered with `purejax.tree` and JAX.

    Counterpart: `flax.struct.dataclass`.
    """
    if clz is None:
        return lambda c: dataclass(c, **kwargs)
    if not isinstance(clz, type):
        raise TypeError(f"purejax.struct.dataclass: clz must be a class, got {clz!r}; write @struct.dataclass")
    if "_purejax_dataclass" in clz.__dict__:
        return clz
    kwargs.setdefault("frozen", True)
    data_clz = dataclasses.dataclass(**kwargs)(clz)
    fields = [f for f in dataclasses.fields(data_clz) if f.init]
    data = [f.name for f in fields if f.metadata.get("pytree_node", True)]
    meta = [f.name for f in fields if not f.metadata.get("pytree_node", True)]

    def replace(self: T, **updates) -> T:
        """A copy with `updates` applied (the dataclass is frozen); a name that is no field is refused."""
        names = [f.name for f in dataclasses.fields(self) if f.init]  # pyright: ignore[reportArgumentType]
        unknown = [name for name in updates if name not in names]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.replace: {unknown[0]!r} is not a field of {type(self).__name__}; "
                f"the fields are {names}"
            )
        return dataclasses.replace(self, **updates)  # pyright: ignore[reportArgumentType]

    data_clz.replace = replace  # pyright: ignore[reportAttributeAccessIssue]
    register_dataclass(data_clz, data, meta)
    data_clz._purejax_dataclass = True  # pyright: ignore[reportAttributeAccessIssue]
    return data_clz


class PyTreeNode:
    """Base class: every subclass is a `purejax.struct.dataclass` (frozen, a pytree node).

    Counterpart: `flax.struct.PyTreeNode`.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__()
        dataclass(cls, **kwargs)

    def __init__(self, *args, **kwargs):  # replaced by the dataclass's own __init__
        raise NotImplementedError

    def replace(self: T, **overrides) -> T:  # replaced by dataclass()
        raise NotImplementedError
