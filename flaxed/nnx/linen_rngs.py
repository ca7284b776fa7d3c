"""The dropout keys linen draws, handed to NNX layers, so NNX's masks equal linen's and purejax's.

linen derives a layer's key from the root key and the layer's path: the first
`make_rng('dropout')` in the scope `Block_0/Dropout_1` is

    fold_in(key, sha1_32(('Block_0', 'Dropout_1', 1)))        # 1: the scope's first draw

(`flax.core.scope.LazyRng`: SHA-1 of the path and counter, its first 4 bytes big-endian).
NNX draws from a counter, `fold_in(stream.key, stream.count)`, so the same seed gives other
masks. `linen_stream(key, path)` is an `nnx.RngStream` whose count starts at that hash: its first
draw is linen's key, and an NNX layer given it at call time (`dropout(x, rngs=...)`,
`attention(x, rngs=...)`) drops the units linen drops.

Counterpart: `flax.core.scope.LazyRng.as_jax_rng` (linen) and `flax.nnx.RngStream.__call__` (NNX);
`purejax/nn/keypath.py` is purejax's copy of linen's rule.
"""

from __future__ import annotations

import hashlib

import jax.numpy as jnp
from flax import nnx


def path_hash(path: tuple) -> int:
    """linen's 32-bit hash of a path of names and integers (SHA-1, first 4 bytes, big-endian)."""
    digest = hashlib.sha1()
    for part in path:
        if isinstance(part, str):
            digest.update(part.encode("utf-8"))
        else:
            digest.update(int(part).to_bytes((int(part).bit_length() + 7) // 8, byteorder="big"))
    return int.from_bytes(digest.digest()[:4], byteorder="big")


def linen_stream(key, *path: str, draw: int = 1) -> nnx.RngStream:
    """An `nnx.RngStream` whose next key is linen's `draw`-th `make_rng` in the scope `path`.

    Args:
      key: the root key, `uint32[2]` (what linen's `apply(..., rngs={'dropout': key})` gets).
      path: the layer's linen path, e.g. `('Block_0', 'MultiHeadDotProductAttention_0')`.
      draw: which draw in that scope (linen counts from 1).

    Returns:
      `nnx.RngStream(key)` with its count set to linen's hash of `(*path, draw)`.

    Examples:
      >>> import jax
      >>> key = jax.random.PRNGKey(0)
      >>> k = linen_stream(key, "Dropout_0")()
      >>> bool((jax.random.key_data(k) == jax.random.fold_in(key, path_hash(("Dropout_0", 1)))).all())
      True
    """
    stream = nnx.RngStream(key, tag="dropout")
    stream.count[...] = jnp.uint32(path_hash((*path, draw)))
    return stream


__all__ = ["linen_stream", "path_hash"]
