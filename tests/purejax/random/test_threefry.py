"""purejax.random's Threefry-2x32 against the Random123 known-answer vectors."""

import jax.numpy as jnp
import pytest

import purejax.random as pr


@pytest.mark.parametrize(
    "key,count,expected",
    [
        # Random123 known-answer vectors for threefry2x32_20 (kat_vectors in the Random123 release)
        ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
        ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
        ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
    ],
)
def test_threefry_known_answers(key, count, expected):
    out = pr.threefry_2x32(jnp.array(key, jnp.uint32), jnp.array(count, jnp.uint32))
    assert [int(v) for v in out] == list(expected)
