"""One seed, identical models: how Flax turns one key into a key for every parameter.

Flax never splits keys as a model is built. Each key is the root key with the *path* of the
parameter folded in, so a parameter's key depends on where it sits, not on the order in which
other parts of the model happened to be created:

    key(path) = fold_in(root, sha1(path)[:4])        # first 4 bytes, big-endian uint32

    model.init(root, x)
      Dense_0.kernel   path ("Dense_0", 1)           # 1st key drawn in scope Dense_0
      Dense_0.bias     path ("Dense_0", 2)           # 2nd key drawn there
      Dense_1.kernel   path ("Dense_1", 1)
      top-level param  path (1,)                     # the root scope's own counter

The path holds the names of the nested scopes, then a counter that each scope keeps per stream
('params', 'dropout', ...), counting the keys drawn there. Strings enter the hash as UTF-8,
integers as their minimal big-endian bytes (so 1 is b'\\x01'). `KeyPath` is that idea as a value:
a root key plus the path so far, cheap to extend, turned into a real key only when drawn.

Counterpart: `flax.core.scope.LazyRng` and `_fold_in_static` (flax/core/scope.py), used by
`Scope.make_rng`.

Differences:
  Flax's `flax_fix_rng_separator` flag (off by default) is not read: paths are hashed as Flax
  hashes them by default.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np

from purejax import random


def path_hash(path: tuple) -> int:
    """The first 4 bytes of the SHA-1 of `path` (strings as UTF-8, ints as big-endian bytes)."""
    m = hashlib.sha1()
    for item in path:
        if isinstance(item, str):
            m.update(item.encode("utf-8"))
        elif isinstance(item, int):
            m.update(item.to_bytes((item.bit_length() + 7) // 8, byteorder="big"))
        else:
            raise ValueError(f"purejax.nn.keypath: path entries must be str or int, got {item!r}")
    return int.from_bytes(m.digest()[:4], byteorder="big")


def fold_in_path(key, path: tuple):
    """`key` with `path` folded in: `fold_in(key, path_hash(path))`, or `key` for an empty path."""
    if not path:
        return key
    return random.fold_in(key, np.uint32(path_hash(path)))


class KeyPath(NamedTuple):
    """A root key and the path below it; `.key()` is the key for that place."""

    root: object  # uint32[2], the key the user passed to init/apply
    path: tuple = ()  # scope names, then a counter

    def child(self, *entries) -> KeyPath:
        """The same root, further down the path."""
        return KeyPath(self.root, self.path + entries)

    def key(self):
        """The key for this path (one `fold_in` of the path's hash)."""
        return fold_in_path(self.root, self.path)
