"""The regression losses beyond the table: Huber's `delta` is keyword-only, as in Optax; the cosine
losses keep their docstring's promise at magnitudes where Optax's squared norms overflow or underflow."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import purejax.losses as pl
from tests._asserts import assert_bitwise

X, Y = jnp.zeros((4, 10)), jnp.zeros((4, 9))


def test_huber_delta_is_keyword_only_like_optax():
    with pytest.raises(TypeError):
        pl.huber_loss(X, X, 0.5)


def cosine64(a, b) -> np.ndarray:
    """The cosine along the last axis in float64, the reference beyond float32's squares."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    a = a / np.abs(a).max(-1, keepdims=True)  # float64 squares of 1e38 would be fine too; scaled anyway
    b = b / np.abs(b).max(-1, keepdims=True)
    return (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)


RNG = np.random.default_rng(0)
BEYOND = {  # rows Optax gets wrong: 0 or NaN for huge entries, inf or NaN for tiny ones
    "equal 1e30": (np.full((1, 4), 1e30), np.full((1, 4), 1e30)),
    "equal 1e-30": (np.full((1, 4), 1e-30), np.full((1, 4), 1e-30)),
    "near float32 max": (np.full((1, 6), 3e38), RNG.normal(size=(1, 6))),
    "huge and ordinary": (RNG.normal(size=(3, 10)) * 1e25, RNG.normal(size=(3, 10))),
    "tiny and huge": (RNG.normal(size=(3, 10)) * 1e-25, RNG.normal(size=(3, 10)) * 1e20),
}


@pytest.mark.parametrize("name", list(BEYOND))
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
def test_cosine_beyond_optax_range_matches_float64(name, jit):
    a, b = (jnp.asarray(v, jnp.float32) for v in BEYOND[name])
    f = jax.jit(pl.cosine_similarity) if jit else pl.cosine_similarity
    np.testing.assert_allclose(f(a, b), cosine64(a, b), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        jax.jit(pl.cosine_distance)(a, b) if jit else pl.cosine_distance(a, b), 1 - cosine64(a, b), atol=1e-6
    )
    grads = jax.grad(lambda a, b: pl.cosine_similarity(a, b).sum(), argnums=(0, 1))(a, b)
    assert all(np.isfinite(g).all() for g in grads)


def test_the_docstrings_promise_where_optax_breaks():
    """Equal vectors have cosine 1 at any magnitude; Optax's squares overflow (0) or underflow (inf)."""
    for scale in (1e30, 1e-30, 3e38):
        a = jnp.full(4, scale, jnp.float32)
        assert float(pl.cosine_similarity(a, a)) == 1.0
    assert float(optax.losses.cosine_similarity(jnp.full(4, 1e30), jnp.full(4, 1e30))) == 0.0


@pytest.mark.parametrize("power", [-100, -20, 20, 100])
def test_cosine_is_exactly_scale_invariant_by_powers_of_two(power):
    """Scaling by 2**power is exact, and so is the result: the same bits, values and directions."""
    a = jnp.asarray(RNG.normal(size=(5, 8)), jnp.float32)
    b = jnp.asarray(RNG.normal(size=(5, 8)), jnp.float32)
    assert_bitwise(pl.cosine_similarity(a * 2.0**power, b), pl.cosine_similarity(a, b))


@pytest.mark.parametrize("kwargs", [{}, {"epsilon": 1e-6}, {"epsilon": 1e-6, "axis": 0}], ids=str)
def test_cosine_eager_values_and_gradients_are_optax_bits(kwargs):
    """On ordinary inputs, eagerly, the same bits as Optax, values and gradients (see test_losses for jit)."""
    a = jnp.asarray(RNG.normal(size=(6, 10)) * 3, jnp.float32)
    b = jnp.asarray(RNG.normal(size=(6, 10)), jnp.float32)
    ours = pl.cosine_similarity(a, b, **kwargs), jax.grad(lambda a: pl.cosine_similarity(a, b, **kwargs).sum())(a)
    theirs = (
        optax.losses.cosine_similarity(a, b, **kwargs),
        jax.grad(lambda a: optax.losses.cosine_similarity(a, b, **kwargs).sum())(a),
    )
    assert_bitwise(ours, theirs)
