"""The key-path helper against Flax's own `_fold_in_static`: the same key for every path."""

import jax
import numpy as np
import pytest
from flax.core.scope import LazyRng, _fold_in_static
from hypothesis import given, settings
from hypothesis import strategies as st

from purejax.nn import (
    KeyPath,
    fold_in_path,
    keypath,  # path_hash, the hash under fold_in_path, is internal: its unit test reads the module
)
from tests._asserts import assert_bitwise

paths = st.lists(st.one_of(st.text(max_size=12), st.integers(0, 2**40)), max_size=5).map(tuple)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), path=paths)
def test_fold_in_path_is_flax_fold_in_static(seed, path):
    key = jax.random.PRNGKey(seed)
    assert_bitwise(fold_in_path(key, path), _fold_in_static(key, path))


@pytest.mark.parametrize("path", [(), ("Dense_0", 1), ("MLP", "Dense_0", "kernel", 2), (0,), ("é", 255, 256)])
def test_keypath_is_lazy_rng(path):
    key = jax.random.PRNGKey(7)
    assert_bitwise(KeyPath(key).child(*path).key(), LazyRng.create(key, *path).as_jax_rng())


def test_int_encoding_is_minimal_big_endian():
    import hashlib

    assert keypath.path_hash((1,)) == int.from_bytes(hashlib.sha1(b"\x01").digest()[:4], "big")
    assert keypath.path_hash((0,)) == int.from_bytes(hashlib.sha1(b"").digest()[:4], "big")  # 0 has no bytes
    assert keypath.path_hash(("a", 256)) == int.from_bytes(hashlib.sha1(b"a\x01\x00").digest()[:4], "big")


def test_path_entries_must_be_str_or_int():
    with pytest.raises(TypeError, match=r"fold_in_path: path\[0\] must be a str or a non-negative int"):
        keypath.path_hash((1.5,))
    np.testing.assert_array_equal(KeyPath(jax.random.PRNGKey(0)).key(), jax.random.PRNGKey(0))
