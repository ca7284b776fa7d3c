"""init(key, *inputs, rng_rule='nnx'): purejax's layers give the variables of their NNX twins built from nnx.Rngs(seed).

The case table lives in comparisons/parity/tables/nn_nnx.py and is shared with the parity report.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from comparisons.parity.tables.nn_nnx import CASES, assert_case, key_of
from flaxed.nnx.layers import state_to_variables
from purejax import nn, random
from tests._asserts import assert_bitwise, assert_refused


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}_{i}" for i, c in enumerate(CASES)])
def test_same_as_nnx(case, jit):
    """Every row of the table: NNX's variables for nnx.Rngs(3), and its first call's output."""
    with jax.default_matmul_precision("highest"):
        assert_case(case, 3, jit)


def test_linen_rule_is_the_default_and_differs():
    """Without rng_rule the keys are linen's path hashes: the variables are not NNX's (the test above can fail)."""
    x = jnp.ones((2, 3))
    linen = nn.Dense(4).init(key_of(0), x)
    assert_bitwise(linen, nn.Dense(4).init(key_of(0), x, rng_rule="linen"))
    nnx_variables = state_to_variables(nnx.Linear(3, 4, rngs=nnx.Rngs(0)))
    assert not np.array_equal(linen["params"]["kernel"], nnx_variables["params"]["kernel"])
    assert_bitwise(nn.Dense(4).init(key_of(0), x, rng_rule="nnx"), nnx_variables)


def test_counter_follows_creation_order_in_a_compact_module():
    """The linen-style Module: keys fold_in(root, 0), (root, 1), ... in the order the layers first draw.

    `Dense(2)` is built first, so it is `Dense_0` (linen names by construction), but `Dense(3)` is
    called first and draws count 0.
    """

    class Two(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.Dense(2, use_bias=False)(nn.Dense(3, use_bias=False)(x))

    key = key_of(5)
    params = Two().init(key, jnp.ones((1, 4)), rng_rule="nnx")["params"]
    lecun = nn.initializers.lecun_normal()
    assert_bitwise(params["Dense_1"]["kernel"], lecun(random.fold_in(key, 0), (4, 3)))
    assert_bitwise(params["Dense_0"]["kernel"], lecun(random.fold_in(key, 1), (3, 2)))
    _, again = Two().init_with_output(key, jnp.ones((1, 4)), rng_rule="nnx")
    assert_bitwise(again["params"], params)


def test_streams_of_a_dict_count_apart():
    """{'params': k0, 'dropout': k1} is nnx.Rngs(params=k0, dropout=k1): the fork does not move the params counter."""

    @dataclasses.dataclass(frozen=True)
    class DropThenDense(nn.Layer):
        def forward(self, scope, x):
            return scope.child(nn.Dense(2))(scope.child(nn.Dropout(0.5))(x, deterministic=True))

    class NnxDropThenDense(nnx.Module):
        def __init__(self, rngs):
            self.dropout = nnx.Dropout(0.5, rngs=rngs)
            self.dense = nnx.Linear(3, 2, rngs=rngs)

    keys = {"params": key_of(1), "dropout": key_of(2)}
    ours = DropThenDense().init(keys, jnp.ones((1, 3)), rng_rule="nnx")["params"]["Dense_0"]
    theirs = state_to_variables(NnxDropThenDense(nnx.Rngs(params=1, dropout=2)))["params"]["dense"]
    assert_bitwise(ours, theirs)


def test_unknown_rule_is_refused_naming_both():
    x = jnp.ones((1, 3))
    assert_refused(
        lambda: nn.Dense(2).init(random.PRNGKey(0), x, rng_rule="NNX"),
        ValueError,
        "Dense.init",
        "rng_rule",
        "'linen'",
        "'nnx'",
        "got str 'NNX'",
    )
    assert_refused(lambda: nn.Dense(2).init_with_output(random.PRNGKey(0), x, rng_rule=None), TypeError, "rng_rule")
    variables = nn.Dense(2).init(random.PRNGKey(0), x)
    apply = nn.Dense(2).apply
    assert_refused(lambda: apply(variables, x, rng_rule="nnx"), TypeError, "Dense.apply", "rng_rule", "init")


def test_the_functional_init_of_a_module_takes_the_rule():
    """nn.init(fn, module)(key, x, rng_rule='nnx'), as Module.init: the NNX variables."""

    class One(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.Dense(4)(x)

    x = jnp.ones((2, 3))
    params = nn.init(lambda m, x: m(x), One())(key_of(2), x, rng_rule="nnx")["params"]["Dense_0"]
    assert_bitwise(params, state_to_variables(nnx.Linear(3, 4, rngs=nnx.Rngs(2)))["params"])


def test_fork_rng_is_nnx_s_rule_only():
    @dataclasses.dataclass(frozen=True)
    class Forks(nn.Layer):
        def forward(self, scope, x):
            return scope.fork_rng("dropout").key()

    x = jnp.ones((1,))
    assert_refused(lambda: Forks().init(random.PRNGKey(0), x), ValueError, "Forks", "fork_rng", "rng_rule='nnx'")
    key, _ = Forks().init_with_output(key_of(0), x, rng_rule="nnx")
    assert_bitwise(key, random.fold_in(random.fold_in(key_of(0), 0), 0))  # the fork takes count 0, then its own 0
