"""Key paths: where a leaf sits in a pytree, written the way you would index it.

A key path is a tuple of entries, one per container on the way down from the root:

    {'params': {'Dense_0': {'kernel': w}}}   ->  (DictKey('params'), DictKey('Dense_0'), DictKey('kernel'))
    keystr(path)                             ->  "['params']['Dense_0']['kernel']"
    keystr(path, simple=True, separator='/') ->  "params/Dense_0/kernel"

Counterpart: `jax.tree_util.DictKey`, `SequenceKey`, `GetAttrKey`, `FlattenedIndexKey` and
`jax.tree_util.keystr` (jax/_src/tree_util.py). Same class names, fields, `str` and `repr`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DictKey:
    """A dict child, by key: prints as `['name']`."""

    key: Any

    def __str__(self):
        return f"[{self.key!r}]"

    def simple(self) -> str:
        return str(self.key)


@dataclass(frozen=True)
class SequenceKey:
    """A list or tuple child, by position: prints as `[0]`."""

    idx: int

    def __str__(self):
        return f"[{self.idx}]"

    def simple(self) -> str:
        return str(self.idx)


@dataclass(frozen=True)
class GetAttrKey:
    """A namedtuple field: prints as `.name`."""

    name: str

    def __str__(self):
        return f".{self.name}"

    def simple(self) -> str:
        return self.name


@dataclass(frozen=True)
class FlattenedIndexKey:
    """A child of a registered class, by its position among the children."""

    key: int

    def __str__(self):
        return f"[<flat index {self.key}>]"

    def simple(self) -> str:
        return str(self.key)


def keystr(keys: tuple, *, simple: bool = False, separator: str = "") -> str:
    """Format a key path as a string.

    Args:
      keys: a key path, as returned by `flatten_with_path`.
      simple: if True, each entry is written bare (`params`, `0`) instead of as an index
        (`['params']`, `[0]`).
      separator: put between entries.

    Returns:
      The string, e.g. `"['params']['Dense_0']"`, or `"params/Dense_0"` with `simple=True,
      separator='/'`.

    Counterpart: `jax.tree_util.keystr`.
    """
    return separator.join(k.simple() if simple else str(k) for k in keys)
