"""Key paths: where a leaf sits in a pytree, written the way you would index it.

A key path is a tuple of entries, one per container on the way down from the root:

    {'params': {'Dense_0': {'kernel': w}}}   ->  (DictKey('params'), DictKey('Dense_0'), DictKey('kernel'))
    keystr(path)                             ->  "['params']['Dense_0']['kernel']"
    keystr(path, simple=True, separator='/') ->  "params/Dense_0/kernel"

Counterpart: `jax.tree_util.DictKey`, `SequenceKey`, `GetAttrKey`, `FlattenedIndexKey` and
`jax.tree_util.keystr` (jax/_src/tree_util.py). Same class names, fields, `str` and `repr`.

Differences:
  Each entry checks its field (`SequenceKey('a')` is refused: an index is an int; a `DictKey`
  needs a hashable key), and `keystr` wants a tuple of these entries: JAX's joins the `str` of
  anything (`keystr('abc')` is `'abc'`, `keystr((1, 2))` is `'12'`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from purejax.checks import check_int, describe


@dataclass(frozen=True)
class DictKey:
    """A dict child, by key: prints as `['name']`."""

    key: Any

    def __post_init__(self):
        try:
            hash(self.key)
        except TypeError:
            raise TypeError(
                f"purejax.tree.DictKey: key must be hashable (a dict key), got {describe(self.key)}"
            ) from None

    def __str__(self):
        return f"[{self.key!r}]"

    def simple(self) -> str:
        return str(self.key)


@dataclass(frozen=True)
class SequenceKey:
    """A list or tuple child, by position: prints as `[0]`."""

    idx: int

    def __post_init__(self):
        check_int("purejax.tree.SequenceKey", "idx", self.idx, minimum=0)

    def __str__(self):
        return f"[{self.idx}]"

    def simple(self) -> str:
        return str(self.idx)


@dataclass(frozen=True)
class GetAttrKey:
    """A namedtuple field: prints as `.name`."""

    name: str

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"purejax.tree.GetAttrKey: name must be a str (a field name), got {describe(self.name)}")

    def __str__(self):
        return f".{self.name}"

    def simple(self) -> str:
        return self.name


@dataclass(frozen=True)
class FlattenedIndexKey:
    """A child of a registered class, by its position among the children."""

    key: int

    def __post_init__(self):
        check_int("purejax.tree.FlattenedIndexKey", "key", self.key, minimum=0)

    def __str__(self):
        return f"[<flat index {self.key}>]"

    def simple(self) -> str:
        return str(self.key)


_ENTRIES = (DictKey, SequenceKey, GetAttrKey, FlattenedIndexKey)


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
    where = "purejax.tree.keystr"
    if not isinstance(keys, (tuple, list)):
        raise TypeError(f"{where}: keys must be a key path (a tuple of key entries), got {describe(keys)}")
    for i, k in enumerate(keys):
        if not isinstance(k, _ENTRIES):
            raise TypeError(
                f"{where}: keys[{i}] must be a DictKey, SequenceKey, GetAttrKey or FlattenedIndexKey, got "
                f"{describe(k)}; take paths from purejax.tree.flatten_with_path"
            )
    if not isinstance(simple, bool):
        raise TypeError(f"{where}: simple must be True or False, got {describe(simple)}")
    if not isinstance(separator, str):
        raise TypeError(f"{where}: separator must be a str, got {describe(separator)}; write e.g. separator='/'")
    return separator.join(k.simple() if simple else str(k) for k in keys)
