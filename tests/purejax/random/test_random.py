"""purejax.random against jax.random as a whole: same key, same call, same bits (eager and jit, every platform).

The parity table (`comparisons.parity.tables.random.CASES`) covers every sampler of the package, so it
runs here, with what else spans its modules (generated keys and shapes, vmap over keys, array bounds,
float64, the errors); each module's own checks are in `test_<module>.py` beside this file.
"""

import os
import subprocess
import sys
import textwrap
from functools import partial

import jax
import jax.numpy as jnp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flaxed.random
import purejax.random as pr
from comparisons.parity.tables.random import CASES, SHAPES, seeds
from tests._asserts import assert_bitwise, assert_within_ulp

KEYS = [jax.random.PRNGKey(s) for s in seeds(n_random=4)]


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=[f"{c.name}_{i}" + (f"_{c.label}" if c.label else "").replace(" ", "_") for i, c in enumerate(CASES)],
)
def test_same_as_jax(case, variant, platform):
    """Every row of the parity table, for every key and shape, eager and jitted, on every platform."""
    for shape in SHAPES:
        ours = variant(lambda k, s=shape: case.call(pr, k, s))
        theirs = variant(lambda k, s=shape: case.call(flaxed.random, k, s))
        for key in KEYS:
            assert_within_ulp(ours(key), theirs(key), case.max_ulp)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(-(2**31), 2**31 - 1),
    shape=st.lists(st.integers(0, 6), max_size=3).map(tuple),
    minval=st.floats(-10, 0),
    span=st.floats(0.5, 10),
)
def test_generated_keys_and_shapes(seed, shape, minval, span):
    key = jax.random.PRNGKey(seed)
    assert_bitwise(pr.bits(key, shape), jax.random.bits(key, shape))
    assert_bitwise(pr.split(key, 3), jax.random.split(key, 3))
    assert_bitwise(
        pr.uniform(key, shape, minval=minval, maxval=minval + span),
        jax.random.uniform(key, shape, minval=minval, maxval=minval + span),
    )
    assert_within_ulp(pr.normal(key, shape), jax.random.normal(key, shape), 2)


def test_vmap_over_keys():
    keys = jax.random.split(jax.random.PRNGKey(3), 5)
    for draw in (lambda m, k: m.normal(k, (4,)), lambda m, k: m.split(k), lambda m, k: m.randint(k, (2,), 0, 9)):
        assert_bitwise(jax.vmap(partial(draw, pr))(keys), jax.vmap(partial(draw, jax.random))(keys))


def test_array_bounds_broadcast_like_jax():
    key = jax.random.PRNGKey(1)
    lower, upper = jnp.array([[-1.0, 0.0]]), jnp.array([[1.0], [3.0]])
    assert_bitwise(pr.truncated_normal(key, lower, upper), jax.random.truncated_normal(key, lower, upper))
    assert_bitwise(
        pr.uniform(key, (3, 4), minval=jnp.zeros((1, 4)), maxval=10.0),
        jax.random.uniform(key, (3, 4), minval=jnp.zeros((1, 4)), maxval=10.0),
    )
    assert_bitwise(
        pr.randint(key, (2, 3), jnp.array([[0, 10, 20]]), 100),
        jax.random.randint(key, (2, 3), jnp.array([[0, 10, 20]]), 100),
    )


def test_float64_under_x64():
    """x64 needs its own process: JAX reads the flag at start-up."""
    script = textwrap.dedent("""
        import jax, jax.numpy as jnp
        import purejax.random as pr
        from comparisons.parity.measures import ulp_distance
        key = jax.random.PRNGKey(2**40 + 3)
        worst = {
            "PRNGKey": ulp_distance(pr.PRNGKey(2**40 + 3), key),
            "bits64": ulp_distance(pr.bits(key, (50,), jnp.uint64), jax.random.bits(key, (50,), jnp.uint64)),
            "uniform64": ulp_distance(pr.uniform(key, (1000,)), jax.random.uniform(key, (1000,))),
            "normal64": ulp_distance(pr.normal(key, (1000,)), jax.random.normal(key, (1000,))),
            "randint64": ulp_distance(
                pr.randint(key, (100,), -2**40, 2**40), jax.random.randint(key, (100,), -2**40, 2**40)
            ),
        }
        print(worst)
        assert max(v for k, v in worst.items() if k != "normal64") == 0 and worst["normal64"] <= 2, worst
    """)
    env = dict(os.environ, JAX_ENABLE_X64="1", JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: pr.normal(jnp.array([0, 1], jnp.int32), (2,)), TypeError, "key must be a key of dtype uint32"),
        (lambda: pr.normal(jnp.zeros((3, 2), jnp.uint32), (2,)), ValueError, "single key of shape (2,)"),
        (lambda: pr.normal(jax.random.key(0), (2,)), TypeError, "jax.random.key_data"),
        (lambda: pr.normal(pr.PRNGKey(0), 3), TypeError, "shape must be a tuple"),
        (lambda: jax.jit(lambda n: pr.normal(pr.PRNGKey(0), (n,)))(3), TypeError, "shape must be static"),
        (lambda: pr.uniform(pr.PRNGKey(0), (2,), jnp.int32), ValueError, "must be a float dtype"),
        (lambda: pr.uniform(pr.PRNGKey(0), (2,), minval=jnp.zeros(3)), ValueError, "must broadcast to"),
        (lambda: pr.randint(pr.PRNGKey(0), (2,), 0, 5, jnp.float32), TypeError, "integer dtype"),
        (lambda: pr.bernoulli(pr.PRNGKey(0), jnp.array(1)), TypeError, "float dtype"),
        (lambda: pr.bits(pr.PRNGKey(0), (2,), jnp.int32), ValueError, "unsigned integer dtype"),
        (lambda: pr.fold_in(pr.PRNGKey(0), jnp.arange(2)), TypeError, "scalar data"),
        (lambda: pr.PRNGKey(1.5), TypeError, "integer seed"),
        (
            lambda: pr.categorical(pr.PRNGKey(0), jnp.zeros(3), shape=(4,), replace=False),
            ValueError,
            "only 3 categories",
        ),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
