"""purejax.nn activations against jax.nn: forward and gradient, at the edges and on a grid, eager and jit.

The parity table (`comparisons/parity/tables/nn_activations.py`, shared with the report) holds
jax.nn's activations of both `activations.py` (elementwise) and `softmax.py` (along an axis), so
all its rows run here; `test_softmax.py` holds softmax.py's own checks.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from absl.testing import parameterized
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import purejax.nn as pa
from comparisons.parity.tables.nn_activations import CASES, case_inputs, grad_inputs, weighted_sum
from tests._asserts import assert_within_ulp

ELEMENTWISE = [
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "celu",
    "selu",
    "gelu",
    "sigmoid",
    "log_sigmoid",
    "soft_sign",
    "softplus",
    "silu",
    "hard_tanh",
    "hard_sigmoid",
    "hard_silu",
    "tanh",
]


class ActivationParityTest(chex.TestCase):
    """Every row of the parity table: forward on all its inputs, gradient on the finite ones."""

    @chex.variants(with_jit=True, without_jit=True)
    @parameterized.named_parameters(
        (f"{c.name}_{i}" + (f"_{c.label}" if c.label else "").replace(" ", "_"), c) for i, c in enumerate(CASES)
    )
    def test_same_as_jax(self, case):
        ours, theirs = (lambda x: case.call(pa, x)), (lambda x: case.call(jax.nn, x))
        for x in case_inputs(case):
            assert_within_ulp(self.variant(ours)(x), self.variant(theirs)(x), case.max_ulp)
        if case.grad:
            ours_grad, theirs_grad = (
                self.variant(jax.grad(weighted_sum(ours))),
                self.variant(jax.grad(weighted_sum(theirs))),
            )
            for x in grad_inputs(case):
                assert_within_ulp(ours_grad(x), theirs_grad(x), case.max_ulp)


@settings(max_examples=30, deadline=None)
@given(
    x=hnp.arrays(np.float32, hnp.array_shapes(max_dims=2, max_side=8), elements=st.floats(width=32)),
    name=st.sampled_from(ELEMENTWISE),
)
def test_generated_float32_arrays(x, name):
    assert_within_ulp(getattr(pa, name)(x), getattr(jax.nn, name)(x), 0)


@pytest.mark.parametrize(
    "name,kinks",
    [
        ("relu", [0.0]),
        ("relu6", [0.0, 6.0]),
        ("leaky_relu", [0.0]),
        ("hard_tanh", [-1.0, 1.0]),
        ("hard_sigmoid", [-3.0, 3.0]),
        ("hard_silu", [-3.0, 3.0]),
        ("elu", [0.0]),
        ("celu", [0.0]),
    ],
)
def test_gradient_at_kinks(name, kinks):
    for x in kinks:
        ours, theirs = jax.grad(getattr(pa, name))(jnp.float32(x)), jax.grad(getattr(jax.nn, name))(jnp.float32(x))
        assert_within_ulp(ours, theirs, 0)
    if name in ("relu", "relu6"):
        assert jax.grad(getattr(pa, name))(0.0) == 0.0  # the custom_jvp choice, not autodiff's 1/2


def test_extremes_are_finite():
    big = jnp.array([-1e4, 1e4], jnp.float32)
    np.testing.assert_array_equal(pa.softplus(big), [0.0, 1e4])
    np.testing.assert_array_equal(pa.log_sigmoid(big), [-1e4, 0.0])
    for name in ("elu", "celu", "selu", "softplus", "log_sigmoid", "silu", "gelu"):
        grads = jax.vmap(jax.grad(getattr(pa, name)))(big)
        assert np.all(np.isfinite(grads)), (name, grads)
    assert np.all(np.isfinite(pa.softmax(jnp.array([1e4, -1e4, 0.0]))))
    np.testing.assert_allclose(pa.logsumexp(jnp.array([1e4, 1e4])), 1e4 + np.log(2), rtol=1e-7)


def test_aliases_are_the_same_function():
    assert pa.swish is pa.silu and pa.hard_swish is pa.hard_silu


def test_integer_inputs_promote_like_jax():
    x = jnp.arange(-3, 4)
    assert_within_ulp(pa.gelu(x), jax.nn.gelu(x), 0)
    assert_within_ulp(pa.logsumexp(x), jax.nn.logsumexp(x), 0)
