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

`check_key` is what every layer and initializer asks of a key: a raw `uint32[2]` array, judged by
its dtype and shape only, so a traced key passes under `jit`.

Flax NNX draws keys by another rule, and `init(key, *inputs, rng_rule="nnx")` follows it
(`CounterKeyPath`). An `nnx.Rngs(seed)` holds, per stream, one key and one counter; every draw
takes the stream's key with the counter folded in, then adds one to the counter:

    linen rule (rng_rule="linen", the default)   NNX rule (rng_rule="nnx")
    key = fold_in(root, sha1(path)[:4])          key = fold_in(root, count); count += 1
    depends on where the parameter sits          depends on how many keys were drawn before it
      Dense_0.kernel  path ("Dense_0", 1)          Dense_0.kernel  count 0
      Dense_0.bias    path ("Dense_0", 2)          Dense_0.bias    count 1
      Dense_1.kernel  path ("Dense_1", 1)          Dense_1.kernel  count 2

So under NNX the order of creation decides every key. NNX creates parameters in each module's
`__init__`, child by child, depth first; purejax creates them at a layer's first call. A draw is
identified here by its linen path (scope names, then the scope's own counter), and the first time
a path draws it is given the stream's next count; drawing the same path again (a lifted
transform tracing its body twice) gives the same count. The counts therefore follow the order in
which the layers *first draw*, and where NNX's `__init__` builds its children in another order
than the call reaches them, the purejax layer calls them in NNX's order (`LSTMCell` builds all
input kernels before the recurrent ones, `SimpleCell` the recurrent kernel before the input one,
as NNX's `__init__` does). Where NNX fuses what linen keeps apart (`OptimizedLSTMCell`'s and
`GRUCell`'s gates) the purejax cell draws NNX's fused arrays and stores them cut per gate.

Streams share a counter exactly when they share a key: a bare key is NNX's `Rngs(seed)` default
stream, from which 'params', 'dropout' and every other stream draw; a dict `{'params': k0,
'dropout': k1}` is `Rngs(params=k0, dropout=k1)`, a counter each. Other streams than 'params'
matter to `init` where NNX draws from them while building: `nnx.Dropout(rate, rngs=rngs)` and
`nnx.MultiHeadAttention(..., dropout_rate > 0)` fork the 'dropout' stream (one count) to keep a
stream of their own, and the purejax layers do the same at their first call (`Scope.fork_rng`),
whether they drop anything then or not, so the parameters after them get NNX's counts.

Counterpart: `flax.core.scope.LazyRng` and `_fold_in_static` (flax/core/scope.py), used by
`Scope.make_rng`; for the NNX rule `flax.nnx.RngStream.__call__` (flax/nnx/rnglib.py).

Differences:
  Flax's `flax_fix_rng_separator` flag (off by default) is not read: paths are hashed as Flax
  hashes them by default. NNX's rule is followed by `init` only: `apply` draws its 'dropout'
  keys from `rngs` by linen's rule, where an NNX layer draws from the stream it forked, so
  training masks differ unless the key is passed in (`Dropout`'s `rng=`). An NNX layer built
  without `rngs` (`nnx.Dropout(rate)`) forks nothing; the purejax layer assumes it was given them.
"""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

import jax
import numpy as np

from purejax import random
from purejax.checks import fail, is_integer


def check_key(where: str, name: str, key, hint: str = "pass purejax.random.PRNGKey(seed)") -> Any:
    """A raw key, `uint32[2]` (from `purejax.random.PRNGKey`), by its dtype and shape only (free under jit)."""
    dtype, shape = getattr(key, "dtype", None), getattr(key, "shape", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):  # pyright: ignore[reportPrivateImportUsage]
        raise fail(
            TypeError,
            where,
            name,
            "a raw uint32[2] key",
            key,
            "pass jax.random.key_data(key), or purejax.random.PRNGKey(seed)",
        )
    if dtype != np.uint32 or tuple(shape or ()) != (2,):
        raise fail(
            TypeError if dtype != np.uint32 else ValueError,
            where,
            name,
            "a uint32[2] key",
            key,
            hint,
        )
    return key


def path_hash(path: tuple, where: str = "purejax.nn.fold_in_path") -> int:
    """The first 4 bytes of the SHA-1 of `path` (strings as UTF-8, ints as big-endian bytes)."""
    if not isinstance(path, (tuple, list)):  # a str would be hashed letter by letter
        raise fail(TypeError, where, "path", "a tuple of str and int entries", path, "e.g. ('Dense_0', 1)")
    m = hashlib.sha1()
    for i, item in enumerate(path):
        if isinstance(item, str):
            m.update(item.encode("utf-8"))
        elif is_integer(item) or isinstance(item, bool):
            if item < 0:  # no big-endian bytes for it (Flax: OverflowError)
                raise fail(ValueError, where, f"path[{i}]", "a str or a non-negative int", item)
            item = int(item)
            m.update(item.to_bytes((item.bit_length() + 7) // 8, byteorder="big"))
        else:
            raise fail(TypeError, where, f"path[{i}]", "a str or a non-negative int", item)
    return int.from_bytes(m.digest()[:4], byteorder="big")


def fold_in_path(key, path: tuple):
    """`key` with `path` folded in: `fold_in(key, path_hash(path))`, or `key` for an empty path."""
    check_key("purejax.nn.fold_in_path", "key", key)
    if not path and isinstance(path, (tuple, list)):
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


class CounterKeyPath(NamedTuple):
    """NNX's rule in a `KeyPath`'s shape: `.key()` is `fold_in(root, n)`, n the stream's count.

    `counts` is shared by every `CounterKeyPath` of one stream (one `init`): it maps each drawing
    path to the count it was given, the next free one when the path first draws. The path only
    names the draw; it does not enter the key.

    Counterpart: `flax.nnx.RngStream` (flax/nnx/rnglib.py): `key = fold_in(key, count); count += 1`.

    Examples:
      >>> from purejax import random
      >>> root = random.PRNGKey(0)
      >>> stream = CounterKeyPath(root, (), {})
      >>> first, second = stream.child("Dense_0", 1).key(), stream.child("Dense_0", 2).key()
      >>> bool((first == random.fold_in(root, 0)).all()), bool((second == random.fold_in(root, 1)).all())
      (True, True)
      >>> bool((stream.child("Dense_0", 1).key() == first).all())  # the same path, the same count
      True
    """

    root: object  # uint32[2], the key the user passed to init
    path: tuple  # names the draw (scope names, then the scope's counter)
    counts: dict  # {path: count}, shared by the whole stream

    def child(self, *entries) -> CounterKeyPath:
        """The same stream, further down the path."""
        return CounterKeyPath(self.root, self.path + entries, self.counts)

    def key(self):
        """`fold_in(root, count)`, the count this path was given when it first drew."""
        check_key("purejax.nn.CounterKeyPath", "root", self.root)
        count = self.counts.setdefault(self.path, len(self.counts))
        return random.fold_in(self.root, np.uint32(count))
