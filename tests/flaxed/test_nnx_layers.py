"""flaxed.nnx.layers: NNX state <-> linen variables, round trips bitwise for every layer of the nn-nnx table."""

import doctest

import chex
import jax
import jax.numpy as jnp
import pytest
from flax import nnx

import flaxed.nnx.layers
from comparisons.parity.tables.nn_nnx import CASES, inputs
from flaxed.nnx.layers import state_to_variables, variables_to_state
from tests._asserts import FORWARD_RTOL, assert_bitwise, assert_refused


def _arrays(module) -> dict:
    """The parameters and statistics of an NNX module, as nested dicts of arrays."""
    return nnx.to_pure_dict(nnx.state(module, nnx.Any(nnx.Param, nnx.BatchStat)))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.counterpart}_{i}" for i, c in enumerate(CASES)])
def test_nnx_to_linen_to_nnx_is_bitwise(case):
    """A layer's state, through linen's layout, into another layer of the same shape: the same bits."""
    source, target = case.theirs(nnx.Rngs(0)), case.theirs(nnx.Rngs(1))
    variables = state_to_variables(source)
    nnx.update(target, variables_to_state(target, variables))
    assert_bitwise(_arrays(target), _arrays(source))
    assert_bitwise(state_to_variables(target), variables)


CELLS = [c for c in CASES if c.name in ("LSTMCell", "OptimizedLSTMCell", "GRUCell", "SimpleCell")]


@pytest.mark.parametrize("case", CELLS, ids=[c.name for c in CELLS])
def test_linen_variables_run_in_nnx(case):
    """purejax's (linen-rule) variables for a cell move into its NNX twin and back bitwise; both compute alike."""
    xs = inputs(case)
    layer = case.ours()
    variables = layer.init(jax.random.PRNGKey(4), *xs)
    twin = case.theirs(nnx.Rngs(0))
    nnx.update(twin, variables_to_state(twin, variables))
    assert_bitwise(state_to_variables(twin), variables)
    with jax.default_matmul_precision("highest"):
        chex.assert_trees_all_close(twin(*xs), layer.apply(variables, *xs), rtol=FORWARD_RTOL, atol=1e-7)


def test_gru_with_an_hn_bias_is_refused():
    twin = nnx.GRUCell(3, 4, rngs=nnx.Rngs(0))
    variables = state_to_variables(twin)
    variables["params"]["hn"]["bias"] = jnp.full((4,), 0.5)
    assert_refused(lambda: variables_to_state(twin, variables), ValueError, "variables_to_state", "hn", "bias")


def test_missing_parameter_is_refused_naming_it():
    twin = nnx.LayerNorm(6, rngs=nnx.Rngs(0))
    assert_refused(
        lambda: variables_to_state(twin, {"params": {"scale": jnp.ones(6)}}), ValueError, "variables_to_state", "bias"
    )


def test_module_examples_run():
    assert doctest.testmod(flaxed.nnx.layers, optionflags=doctest.ELLIPSIS).failed == 0
