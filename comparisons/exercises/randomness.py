"""The randomness chapter's exercises: `threefry_2x32`, `split`, `uniform`, bitwise against JAX.

Random bits are integer work, so the grade is bitwise, as in the parity report's `random` section
(`comparisons/parity/tables/random.py`, whose fixed seeds the cases use). The learner's functions
run under `jax.jit`, as JAX's do (for `uniform` it matters: XLA may fuse its multiply and add).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.random import threefry_2x32

from comparisons.exercises.exercise import Case, Exercise
from comparisons.parity.tables.random import FIXED_SEEDS

GIVEN = "purejax.random:threefry_2x32"  # the cipher, given to `split`


def _key(seed: int) -> np.ndarray:
    return np.asarray(jax.random.PRNGKey(seed))


def _words(*values: int) -> np.ndarray:
    return np.asarray(values, np.uint32)


def _keys():
    from hypothesis import strategies as st  # imported here: only grading needs hypothesis

    word = st.integers(0, 2**32 - 1)
    return st.tuples(word, word).map(lambda w: _words(*w))


# -- threefry_2x32 ------------------------------------------------------------------------------
ROUNDS_HINT = (
    "check the rotation distances ((13, 15, 26, 6), then (17, 29, 16, 24)), the third key word "
    "k0 ^ k1 ^ 0x1BD11BDA, and the key injection after every 4 rounds, whose x1 gets + (i + 1)"
)


def _threefry_cases() -> list[Case]:
    return [
        Case(
            "Random123's known answer: key 0, counters 0",
            {"keypair": _words(0, 0), "count": _words(0, 0)},
            ROUNDS_HINT + "; expected 0x6b200159, 0x99ba4efe",
        ),
        Case(
            "Random123's known answer: all ones",
            {"keypair": _words(0xFFFFFFFF, 0xFFFFFFFF), "count": _words(0xFFFFFFFF, 0xFFFFFFFF)},
            ROUNDS_HINT,
        ),
        Case(
            "Random123's known answer: the digits of pi",
            {"keypair": _words(0x13198A2E, 0x03707344), "count": _words(0x243F6A88, 0x85A308D3)},
            ROUNDS_HINT,
        ),
        Case(
            "six counters: the first half is x0, the second half x1",
            {"keypair": _key(42), "count": np.arange(6, dtype=np.uint32)},
            "counters [c0, c1, c2, c3, c4, c5] are hashed as pairs (c0, c3), (c1, c4), (c2, c5), "
            "and the output is [y0 of each pair, then y1 of each pair]",
        ),
        Case(
            "five counters: pad with one zero",
            {"keypair": _key(1), "count": np.arange(5, dtype=np.uint32)},
            "an odd number of counters gets one 0 appended before the halves are cut, and the last "
            "output word is dropped",
        ),
        Case(
            "a 3 x 4 array of counters keeps its shape",
            {"keypair": _key(-1), "count": np.arange(12, dtype=np.uint32).reshape(3, 4)},
            "flatten the counters first and reshape the output to count's shape",
        ),
    ]


def _threefry_strategy():
    from hypothesis import strategies as st

    counts = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=9).map(lambda c: np.asarray(c, np.uint32))
    return st.fixed_dictionaries({"keypair": _keys(), "count": counts})


THREEFRY_2X32 = Exercise(
    name="threefry_2x32",
    chapter="02_randomness",
    summary="the Threefry-2x32 hash under every JAX random number",
    counterpart="jax.extend.random.threefry_2x32",
    functions=("threefry_2x32",),
    expected=lambda keypair, count: threefry_2x32(keypair, count),
    attempt=lambda m, keypair, count: jax.jit(m.threefry_2x32)(jnp.asarray(keypair), jnp.asarray(count)),
    cases=_threefry_cases,
    hint=ROUNDS_HINT,
    strategy=_threefry_strategy,
)


# -- split --------------------------------------------------------------------------------------
SPLIT_HINT = (
    "JAX's partitionable scheme hashes key i's index as the two counter words (hi(i), lo(i)) = (0, i) "
    "and keeps both output words: split(key, n)[i] = threefry(key, x0=0, x1=i); with "
    "threefry_2x32(key, count) that is count = concatenate([zeros(n), arange(n)])"
)


def _split_cases() -> list[Case]:
    return [
        Case("two keys (the default)", {"key": _key(0), "num": 2}, SPLIT_HINT),
        Case("three keys", {"key": _key(42), "num": 3}, SPLIT_HINT),
        Case(
            "one key",
            {"key": _key(FIXED_SEEDS[3]), "num": 1},
            "split(key, 1) is [threefry(key, (0, 0))]: the output's y0 and y1 words, in that order",
        ),
        Case(
            "a 2 x 3 array of keys",
            {"key": _key(-1), "num": (2, 3)},
            "num=(2, 3) makes 6 keys, indexed 0..5 in row-major order, shaped [2, 3, 2]",
        ),
    ]


def _split_strategy():
    from hypothesis import strategies as st

    nums = st.integers(1, 6) | st.tuples(st.integers(1, 3), st.integers(1, 3))
    return st.fixed_dictionaries({"key": _keys(), "num": nums})


SPLIT = Exercise(
    name="split",
    chapter="02_randomness",
    summary="new keys from a key, as jax.random.split makes them",
    counterpart="jax.random.split",
    functions=("split",),
    expected=lambda key, num: jax.random.split(key, num),
    attempt=lambda m, key, num: jax.jit(m.split, static_argnums=1)(jnp.asarray(key), num),
    cases=_split_cases,
    hint=SPLIT_HINT,
    strategy=_split_strategy,
    allowed=(GIVEN,),
)


# -- uniform ------------------------------------------------------------------------------------
UNIFORM_HINT = (
    "keep the top nmant bits of the random bits (shift right by rbits - nmant), or them into 1.0's "
    "bit pattern, bitcast to the float dtype and subtract 1; then scale: u * (maxval - minval) + minval"
)


def _uniform_expected(key, shape, dtype, minval, maxval):
    return jax.random.uniform(key, shape, dtype, minval, maxval)


def _uniform_attempt(m, key, shape, dtype, minval, maxval):
    draw = jax.jit(m.uniform, static_argnames=("shape", "dtype", "minval", "maxval"))
    return draw(jnp.asarray(key), shape=shape, dtype=dtype, minval=minval, maxval=maxval)


def _uniform_cases() -> list[Case]:
    inputs = {"shape": (3, 4), "dtype": jnp.float32, "minval": 0.0, "maxval": 1.0}
    return [
        Case("one float32 on [0, 1)", {"key": _key(0), **inputs, "shape": ()}, UNIFORM_HINT),
        Case("float32[3, 4] on [0, 1)", {"key": _key(42), **inputs}, UNIFORM_HINT),
        Case(
            "on [-2, 3)",
            {"key": _key(1), **inputs, "minval": -2.0, "maxval": 3.0},
            "scale and shift u in [0, 1): u * (maxval - minval) + minval, then max(minval, ...)",
        ),
        Case(
            "float16",
            {"key": _key(-1), **inputs, "dtype": jnp.float16},
            "float16 has 16 bits and 10 mantissa bits: draw uint16 bits and shift right by 16 - 10",
        ),
        Case(
            "bfloat16",
            {"key": _key(7), **inputs, "dtype": jnp.bfloat16},
            "bfloat16 has 7 mantissa bits: JAX draws only 8 random bits (uint8), widens them to uint16 "
            "and shifts right by 8 - 7",
        ),
    ]


def _uniform_strategy():
    from hypothesis import strategies as st

    shapes = st.lists(st.integers(1, 4), max_size=2).map(tuple)
    bounds = st.tuples(st.integers(-4, 4), st.integers(1, 6)).map(lambda b: (float(b[0]), float(b[0] + b[1])))
    dtypes = st.sampled_from([jnp.float32, jnp.float16, jnp.bfloat16])
    return st.builds(
        lambda key, shape, dtype, b: {"key": key, "shape": shape, "dtype": dtype, "minval": b[0], "maxval": b[1]},
        _keys(),
        shapes,
        dtypes,
        bounds,
    )


UNIFORM = Exercise(
    name="uniform",
    chapter="02_randomness",
    summary="floats on [minval, maxval) from random bits, as jax.random.uniform makes them",
    counterpart="jax.random.uniform",
    functions=("uniform",),
    expected=_uniform_expected,
    attempt=_uniform_attempt,
    cases=_uniform_cases,
    hint=UNIFORM_HINT,
    strategy=_uniform_strategy,
    allowed=("purejax.random:bits",),
    examples=8,
)
