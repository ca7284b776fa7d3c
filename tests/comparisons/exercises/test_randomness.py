"""The randomness exercises: plausible mistakes fail, each with a message naming what differs."""

import pytest

MISTAKES = [
    pytest.param(
        "threefry_2x32",
        "(13, 15, 26, 6)",
        "(13, 15, 26, 7)",
        ("Random123's known answer", "expected  1797259609 (0x6b200159)", "rotation distances"),
        id="threefry-off-by-one-rotation",
    ),
    pytest.param(
        "threefry_2x32",
        " + np.uint32(i + 1)",
        "",
        ("case 1 of 6 failed", "(jax.extend.random.threefry_2x32)", "+ (i + 1)"),
        id="threefry-no-injection-counter",
    ),
    pytest.param(
        "threefry_2x32",
        "x0, x1 = jnp.split(flat, 2)",
        "x0, x1 = flat[0::2], flat[1::2]",
        ("six counters: the first half is x0", "threefry_2x32(...) (uint32[6])", "pairs (c0, c3)"),
        id="threefry-interleaved-pairs",
    ),
    pytest.param(
        "split",
        "jnp.concatenate([hi, lo])",
        "jnp.arange(2 * n, dtype=jnp.uint32)",
        ("two keys (the default)", "split(...) (uint32[2, 2]): 4 of 4 elements differ", "(hi(i), lo(i)) = (0, i)"),
        id="split-legacy-counters",
    ),
    pytest.param(
        "split",
        "words.reshape(2, n).T",
        "words.reshape(n, 2)",
        ("two keys (the default)", "2 of 4 elements differ; the first at [0, 1]", "keeps both output words"),
        id="split-words-interleaved",
    ),
    pytest.param(
        "uniform",
        "rbits = 8 if finfo.nmant < 8 else finfo.bits",
        "rbits = finfo.bits",
        ("case 5 of 5 failed: bfloat16", "256 ulp apart", "draws only 8 random bits"),
        id="uniform-bfloat16-bits",
    ),
    pytest.param(
        "uniform",
        "uint(rbits - finfo.nmant)",
        "uint(rbits - finfo.nmant - 1)",
        ("one float32 on [0, 1)", "ulp apart", "allowed: bitwise (0 ulp)", "shift right by rbits - nmant"),
        id="uniform-off-by-one-shift",
    ),
    pytest.param(
        "uniform",
        "floats * (high - low) + low",
        "floats * high + low",
        ("on [-2, 3)", "expected  0.19316244", "u * (maxval - minval) + minval"),
        id="uniform-scale",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "fragments"), MISTAKES)
def test_randomness_mistakes(assert_mistake_explained, name, old, new, fragments):
    assert_mistake_explained(name, old, new, *fragments)
