"""purejax.nn's lifted transforms (scan, vmap, remat, jit) and RNN's rng streams against flax.linen.

The programs are the parity report's table (comparisons/parity/tables/nn_linen.py). Besides it:
keys drawn inside a plain `lax.scan`/`vmap` are refused instead of repeating, the lifted ones
differ per step or member, and a stream the transform does not pass in says how to pass it.
"""

import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

import purejax.nn as pnn
from comparisons.parity.tables.nn_linen import CASES, KEYS, XS, X, case_id, compare, drop_cell, scan_cell
from purejax import random
from tests._asserts import assert_bitwise, assert_matches_flax, assert_refused

LIFTED = [c for c in CASES if c.name.startswith(("nn.", "RNN"))]


@pytest.mark.parametrize("case", LIFTED, ids=[case_id(i, c) for i, c in enumerate(LIFTED)])
def test_same_as_flax(case, variant, platform):
    assert_matches_flax(compare(case, variant))


class _KeysInPlainScan(pnn.Layer):
    def forward(self, scope, xs):
        return jax.lax.scan(lambda c, x: (c, scope.make_rng("dropout")), 0, xs)[1]


def test_make_rng_inside_a_plain_lax_scan_is_refused_not_repeated():
    assert_refused(
        lambda: _KeysInPlainScan().apply({}, jnp.ones(3), rngs={"dropout": random.PRNGKey(0)}),
        ValueError,
        "cannot draw a key",
        "same key",
        "purejax.nn.scan",
    )


class _ParamsInPlainScan(pnn.Module):
    @pnn.compact
    def __call__(self, xs):
        dense = pnn.Dense(2)
        return jax.lax.scan(lambda c, x: (c, dense(x)), 0, xs)[1]


class _ParamsInPlainVmap(pnn.Module):
    @pnn.compact
    def __call__(self, xs):
        return jax.vmap(lambda x: pnn.Dense(2)(x))(xs)


@pytest.mark.parametrize("model", [_ParamsInPlainScan, _ParamsInPlainVmap])
def test_parameters_created_inside_a_plain_transform_are_refused_not_leaked(model):
    assert_refused(
        lambda: model().init(random.PRNGKey(0), jnp.ones((4, 3))), ValueError, "cannot create the parameter 'kernel'"
    )


def test_a_plain_scan_that_only_reads_parameters_works():
    variables = _ParamsInPlainScan().init(random.PRNGKey(0), jnp.ones((4, 3)), method=lambda m, xs: None)
    assert variables == {}
    params = {"params": {"Dense_0": pnn.Dense(2).init(random.PRNGKey(0), jnp.ones(3))["params"]}}
    assert _ParamsInPlainScan().apply(params, jnp.ones((4, 3))).shape == (4, 2)


def test_scan_splits_dropout_keys_per_step():
    model = scan_cell(pnn)()
    variables = model.init(KEYS, XS)
    carry, ys = model.apply(variables, XS, rngs={"dropout": KEYS["dropout"]})
    masks = ys == 0  # [batch, time, features]: where dropout zeroed the unit
    assert len({m.tobytes() for m in jnp.moveaxis(masks, 1, 0)}) == XS.shape[1]  # a new mask every step


def test_a_stream_not_in_split_rngs_says_how_to_pass_it():
    cell = drop_cell(pnn)

    class Model(pnn.Module):
        @pnn.compact
        def __call__(self, xs):
            return pnn.RNN(cell(5))(xs)  # default split_rngs={'params': False}: no 'dropout' inside

    variables = Model().init(KEYS, XS)
    assert_refused(
        lambda: Model().apply(variables, XS, rngs={"dropout": KEYS["dropout"]}),
        ValueError,
        "'dropout' rng stream",
        "split_rngs={'params': False, 'dropout': True}",
    )


def test_vmap_members_get_different_parameters():
    dense = pnn.vmap(pnn.Dense, variable_axes={"params": 0}, split_rngs={"params": True}, in_axes=None, axis_size=3)

    class Ensemble(pnn.Module):
        @pnn.compact
        def __call__(self, x):
            return dense(2)(x)

    kernel = Ensemble().init(KEYS, X)["params"]["VmapDense_0"]["kernel"]  # [3, in, 2]
    assert kernel.shape == (3, 4, 2)
    assert len({k.tobytes() for k in kernel}) == 3


def test_scan_refuses_a_collection_in_no_group():
    class Counting(pnn.Module):
        @pnn.compact
        def __call__(self, c, x):
            n = self.variable("counts", "n", jnp.zeros, ())
            n.value += 1
            return c, x

    class Model(pnn.Module):
        @pnn.compact
        def __call__(self, xs):
            return pnn.scan(Counting, variable_broadcast="params", split_rngs={"params": False})()(0.0, xs)

    assert_refused(lambda: Model().init(KEYS, XS), ValueError, "'counts'", "variable_axes")


def test_variable_carry_threads_a_collection_through_the_steps():
    def define(m):
        class Counting(m.Module):
            @m.compact
            def __call__(self, c, x):
                n = self.variable("counts", "n", jnp.zeros, ())
                n.value += 1
                return c + n.value, x

        class Model(m.Module):
            @m.compact
            def __call__(self, xs):
                return m.scan(Counting, variable_carry="counts", split_rngs={"params": False}, in_axes=1)()(0.0, xs)

        return Model

    # (at init the carried collection does not exist yet, and both packages refuse to create it in the loop)
    variables = {"counts": {"ScanCounting_0": {"n": jnp.array(2.0)}}}
    ours = define(pnn)().apply(variables, XS, mutable=["counts"])
    theirs = define(fnn)().apply(variables, XS, mutable=["counts"])
    assert_bitwise(ours, theirs)
    assert ours[1]["counts"]["ScanCounting_0"]["n"] == 2.0 + XS.shape[1]


def test_lifted_targets_must_be_modules_or_functions():
    assert_refused(lambda: pnn.scan(3), TypeError, "purejax.nn.scan", "target")
