"""purejax.nn.initializers against jax.nn.initializers: same key, same shape, same array.

The parity table is `comparisons/parity/tables/nn_initializers.py`, shared with the report.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from absl.testing import parameterized
from hypothesis import given, settings
from hypothesis import strategies as st
from jax._src.nn.initializers import _compute_fans as jax_compute_fans

from comparisons.parity.tables.nn_initializers import CASES, seeds
from purejax.nn import initializers as pi
from tests._asserts import assert_within_ulp

KEYS = [jax.random.PRNGKey(s) for s in seeds(n_random=1)[::2]]  # 3 keys: 0, 42, -1


class InitializerParityTest(chex.TestCase):
    """Every row of the parity table on each key: every shape eagerly, the first one jitted (each
    jitted shape compiles the whole Threefry pipeline twice, ours and theirs)."""

    @chex.variants(with_jit=True, without_jit=True)
    @parameterized.named_parameters(
        (f"{c.name}_{i}" + (f"_{c.label}" if c.label else "").replace(" ", "_"), c) for i, c in enumerate(CASES)
    )
    def test_same_as_jax(self, case):
        ours, theirs = case.build(pi), case.build(jax.nn.initializers)
        jitted = self.variant.type == chex.ChexVariantType.WITH_JIT
        for shape in case.shapes[:1] if jitted else case.shapes:
            ours_at = self.variant(lambda k, s=shape: ours(k, s, case.dtype))
            theirs_at = self.variant(lambda k, s=shape: theirs(k, s, case.dtype))
            for key in KEYS:
                assert_within_ulp(ours_at(key), theirs_at(key), case.max_ulp)


@settings(max_examples=6, deadline=None)
@given(
    seed=st.integers(-(2**31), 2**31 - 1),
    fan_in=st.integers(1, 9),
    fan_out=st.integers(1, 9),
    mode=st.sampled_from(["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]),
    distribution=st.sampled_from(["normal", "truncated_normal", "uniform"]),
)
def test_generated_shapes_and_modes(seed, fan_in, fan_out, mode, distribution):
    key, shape = jax.random.PRNGKey(seed), (2, fan_in, fan_out)
    build = lambda m: m.variance_scaling(1.3, mode, distribution, batch_axis=0)  # noqa: E731
    assert_within_ulp(build(pi)(key, shape), build(jax.nn.initializers)(key, shape), 2)


@pytest.mark.parametrize(
    "shape,axes,fans",
    [
        ((4, 6), {}, (4.0, 6.0)),
        ((3, 3, 4, 8), {}, (36.0, 72.0)),  # receptive field 3 * 3
        ((3, 3, 4, 8), {"in_axis": (0, 1), "batch_axis": 2}, (9.0, 8.0)),
        ((5,), {"in_axis": 0, "out_axis": 0}, (1.0, 1.0)),  # receptive field 5 / 5 / 5 = 0.2, as in jax
    ],
)
def test_compute_fans(shape, axes, fans):
    assert pi.compute_fans(shape, **axes) == fans == jax_compute_fans(shape, **axes)


def test_default_dtype_is_float32_and_variance_matches_scheme():
    w = pi.he_normal()(jax.random.PRNGKey(0), (400, 300))
    assert w.dtype == jnp.float32
    np.testing.assert_allclose(np.var(np.asarray(w)), 2.0 / 400, rtol=0.05)  # the truncation is undone
    u = pi.glorot_uniform()(jax.random.PRNGKey(1), (400, 300))
    np.testing.assert_allclose(np.var(np.asarray(u)), 1.0 / 350, rtol=0.05)


@pytest.mark.parametrize("shape,column_axis", [((6, 4), -1), ((4, 6), -1), ((2, 3, 5), 0)])
def test_orthogonal_is_orthonormal(shape, column_axis):
    w = np.asarray(pi.orthogonal(column_axis=column_axis)(jax.random.PRNGKey(2), shape))
    m = np.moveaxis(w, column_axis, -1).reshape(-1, shape[column_axis])  # [rows, cols]
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-5)


def test_orthogonal_empty_shape_gives_zeros_like_jax():
    key = jax.random.PRNGKey(0)
    assert_within_ulp(pi.orthogonal()(key, (0, 3)), jax.nn.initializers.orthogonal()(key, (0, 3)), 0)


@pytest.mark.parametrize(
    "make,match",
    [
        (
            lambda: pi.variance_scaling(1.0, "fan_sum", "normal"),
            r"variance_scaling: mode must be one of 'fan_in', .*got str 'fan_sum'",
        ),
        (
            lambda: pi.variance_scaling(1.0, "fan_in", "gaussian"),
            r"variance_scaling: distribution must be one of .*got str 'gaussian'",
        ),
        (lambda: pi.orthogonal()(jax.random.PRNGKey(0), (5,)), r"orthogonal: needs a shape of at least 2 dims"),
        (lambda: pi.lecun_normal()(jax.random.PRNGKey(0), (5,)), r"cannot compute fans of a 1-D shape"),
        (lambda: pi.normal()(jax.random.PRNGKey(0), (2,), jnp.int32), r"dtype must be a float dtype, got int32"),
    ],
)
def test_errors_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("build", [pi.normal, pi.uniform, pi.lecun_normal, pi.glorot_uniform, pi.orthogonal])
def test_complex_dtypes_are_refused(build):
    with pytest.raises(NotImplementedError, match="complex dtype complex64 is not supported"):
        build()(jax.random.PRNGKey(0), (3, 3), jnp.complex64)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name} {c.label}".strip())
def test_every_initializer_returns_its_shape_argument(case):
    """The `shape_is_argument` mark, which lets `Scope.param` check a stored parameter without
    tracing the initializer, holds: every initializer carries it and returns exactly `shape`."""
    init = case.build(pi)
    assert getattr(init, "shape_is_argument", False), f"{case.name} is not marked shape_is_argument"
    for shape in case.shapes:
        assert jax.eval_shape(lambda shape=shape: init(KEYS[0], shape, case.dtype)).shape == shape
