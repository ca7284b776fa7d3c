"""purejax.nn.Module (the linen front end) against flax.linen: @compact, setup, method=, sow, bind, adoption.

The programs are the parity report's table (comparisons/parity/tables/nn_linen.py), each written
once for both namespaces. Besides it: a layer called twice keeps one set of weights in both styles
(the explicit scope and @compact); errors for Flax habits that cannot work; bind and nn.apply.
"""

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

import purejax.nn as pnn
from comparisons.parity.tables.nn_linen import CASES, KEYS, X, case_id, compare, mlp, setup_model, shared_block
from purejax import random, tree
from tests._asserts import FORWARD_RTOL, assert_bitwise, assert_matches_flax, assert_refused

FRONT_END = [c for c in CASES if not c.name.startswith(("nn.", "RNN"))]


@pytest.mark.parametrize("case", FRONT_END, ids=[case_id(i, c) for i, c in enumerate(FRONT_END)])
def test_same_as_flax(case, variant, platform):
    assert_matches_flax(compare(case, variant))


def _count(variables) -> int:
    return sum(leaf.size for leaf in tree.leaves(variables))


class _Inner(pnn.Layer):
    def forward(self, scope, x):
        return scope.child(pnn.Dense(4))(x)  # auto-named Dense_0


class _Outer(pnn.Layer):
    def forward(self, scope, x):
        inner = scope.child(_Inner())
        return inner(inner(x))  # the same child, twice


def test_a_child_called_twice_keeps_one_set_of_weights_in_the_explicit_style():
    variables = _Outer().init(random.PRNGKey(0), X)
    assert tree.map(jnp.shape, variables) == {"params": {"_Inner_0": {"Dense_0": {"bias": (4,), "kernel": (4, 4)}}}}
    assert _Outer().apply(variables, X).shape == X.shape


class _NamedInner(pnn.Layer):
    def forward(self, scope, x):
        return scope.child(pnn.Dense(4, name="proj"))(x)  # an explicit name, no auto-naming


class _NamedOuter(pnn.Layer):
    def forward(self, scope, x):
        inner = scope.child(_NamedInner())
        return inner(inner(x))


def test_a_child_with_named_sub_layers_called_twice_keeps_one_set_of_weights():
    variables = _NamedOuter().init(random.PRNGKey(0), X)
    assert tree.map(jnp.shape, variables) == {"params": {"_NamedInner_0": {"proj": {"bias": (4,), "kernel": (4, 4)}}}}

    def define(m):
        class Inner(m.Module):
            @m.compact
            def __call__(self, x):
                return m.Dense(4, name="proj")(x)

        class Outer(m.Module):
            @m.compact
            def __call__(self, x):
                inner = Inner()
                return inner(inner(x))

        return Outer()

    assert_bitwise(define(pnn).init(KEYS, X), define(fnn).init(KEYS, X))
    assert _count(define(pnn).init(KEYS, X)) == 4 * 4 + 4


def test_a_child_called_twice_keeps_one_set_of_weights_with_compact():
    theirs_v = shared_block(fnn)().init(KEYS, X)
    ours_v = shared_block(pnn)().init(KEYS, X)
    assert sorted(ours_v["params"]["Block_0"]) == ["Dense_0"]
    assert _count(ours_v) == _count(theirs_v)
    assert_bitwise(ours_v, theirs_v)


def test_setup_layers_and_bind_match_flax():
    theirs_v = setup_model(fnn)().init(KEYS, X)
    ours = setup_model(pnn)().bind(theirs_v)
    assert_bitwise(ours.encode(X), setup_model(fnn)().bind(theirs_v).encode(X))
    assert ours.dense.features == 3  # setup ran on first access, as Flax's lazy setup
    assert ours.path == ()


def test_nn_apply_and_init_take_a_function_of_the_module():
    model = mlp(pnn)()
    variables = pnn.init(lambda m, x: m(x), model)(KEYS["params"], X)
    theirs = fnn.init(lambda m, x: m(x), mlp(fnn)())(KEYS["params"], X)
    assert_bitwise(variables, theirs)
    assert_bitwise(pnn.apply(lambda m, x: m(x) * 2, model)(variables, X), 2 * model.apply(variables, X))


def test_merge_param_is_flax_s():
    assert pnn.merge_param("deterministic", None, True) is fnn.merge_param("deterministic", None, True)
    assert_refused(lambda: pnn.merge_param("deterministic", True, False), ValueError, "deterministic", "pass it once")


def test_a_layer_built_outside_a_compact_method_says_how_to_call_it():
    assert_refused(
        lambda: pnn.Dense(3)(X), TypeError, "Dense", "not bound", "@nn.compact", "scope.child", ".init(key, x)"
    )


def test_an_unbound_module_says_how_to_run_it():
    assert_refused(
        lambda: mlp(pnn)()(X), TypeError, "MLP.__call__", "not bound", ".init(key, x)", ".apply(variables, x"
    )


def test_fields_are_frozen_outside_setup():
    def assign():
        mlp(pnn)().features = 3

    assert_refused(assign, AttributeError, "cannot assign 'features'", "setup()", "clone")


def test_method_must_name_a_method():
    model = mlp(pnn)()
    variables = model.init(KEYS, X)
    assert_refused(lambda: model.apply(variables, X, method="encode"), AttributeError, "MLP", "method", "encode")
    assert_refused(lambda: pnn.Dense(3).apply(variables, X, method="encode"), TypeError, "method=", "Module")


def test_only_one_compact_method():
    def define():
        class Two(pnn.Module):
            @pnn.compact
            def a(self, x):
                return x

            @pnn.compact
            def b(self, x):
                return x

    assert_refused(define, TypeError, "only one method may be @nn.compact")


def test_params_alone_are_recognised():
    model = mlp(pnn)()
    params = model.init(KEYS, X)["params"]
    assert_refused(lambda: model.apply(params, X), TypeError, "{'params': params}")


def test_capture_intermediates_takes_a_filter():
    model = shared_block(pnn)()
    variables = model.init(KEYS, X)
    _, state = model.apply(variables, X, capture_intermediates=lambda m, name: isinstance(m, pnn.Dense))
    theirs = shared_block(fnn)()
    _, their_state = theirs.apply(variables, X, capture_intermediates=lambda m, name: isinstance(m, fnn.Dense))
    assert_bitwise(state, their_state)
    assert_refused(lambda: model.apply(variables, X, capture_intermediates=3), TypeError, "capture_intermediates")


def test_explicit_layers_and_modules_mix_with_the_same_variables():
    class Explicit(pnn.Layer):
        def forward(self, scope, x):
            return scope.child(mlp(pnn)())(x)  # a Module called through the scope

    class Compact(pnn.Module):
        @pnn.compact
        def __call__(self, x):
            return mlp(pnn)()(x)

    assert_bitwise(Explicit().init(KEYS, X), Compact().init(KEYS, X))
    variables = Compact().init(KEYS, X)
    assert_bitwise(Explicit().apply(variables, X), Compact().apply(variables, X))
    assert jax.tree.structure(variables) == jax.tree.structure(
        {"params": {"MLP_0": {"Dense_0": {"bias": 0, "kernel": 0}, "head": {"bias": 0, "kernel": 0}, "scale": 0}}}
    )


# Every layer, built inside a compact method as a Flax program builds it: same variables, same outputs.
IMAGES = jax.random.normal(jax.random.PRNGKey(3), (2, 6, 6, 3))  # [batch, height, width, channels]
IDS = jnp.array([[1, 2, 3], [0, 4, 1]])  # [batch, time] token ids
LAYERS = {
    "Dense": (lambda m: m.Dense(3), (X,), {}),
    "DenseGeneral": (lambda m: m.DenseGeneral((2, 3)), (X,), {}),
    "Embed": (lambda m: m.Embed(5, 4), (IDS,), {}),
    "Conv": (lambda m: m.Conv(4, (3, 3)), (IMAGES,), {}),
    "ConvTranspose": (lambda m: m.ConvTranspose(4, (3, 3)), (IMAGES,), {}),
    "LayerNorm": (lambda m: m.LayerNorm(), (X,), {}),
    "RMSNorm": (lambda m: m.RMSNorm(), (X,), {}),
    "GroupNorm": (lambda m: m.GroupNorm(num_groups=2), (X,), {}),
    "BatchNorm": (lambda m: m.BatchNorm(use_running_average=False), (X,), {"mutable": ["batch_stats"]}),
    "Dropout": (lambda m: m.Dropout(0.5, deterministic=False), (X,), {"rngs": {"dropout": KEYS["dropout"]}}),
    "PReLU": (lambda m: m.PReLU(), (X,), {}),
    "LSTMCell": (lambda m: m.LSTMCell(4), ((jnp.zeros((2, 4)), jnp.zeros((2, 4))), X), {}),
    "OptimizedLSTMCell": (lambda m: m.OptimizedLSTMCell(4), ((jnp.zeros((2, 4)), jnp.zeros((2, 4))), X), {}),
    "GRUCell": (lambda m: m.GRUCell(4), (jnp.zeros((2, 4)), X), {}),
    "MGUCell": (lambda m: m.MGUCell(4), (jnp.zeros((2, 4)), X), {}),
    "SimpleCell": (lambda m: m.SimpleCell(4), (jnp.zeros((2, 4)), X), {}),
}


def _wrapped(m, make):
    class Wrapper(m.Module):
        @m.compact
        def __call__(self, *inputs):
            return make(m)(*inputs)

    return Wrapper()


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_works_inside_a_compact_method_as_in_flax(name):
    make, inputs, call = LAYERS[name]
    ours, theirs = _wrapped(pnn, make), _wrapped(fnn, make)
    ours_v, theirs_v = ours.init(KEYS, *inputs), theirs.init(KEYS, *inputs)
    assert_bitwise(ours_v, theirs_v)
    call = dict(call)
    rngs = call.pop("rngs", None)
    chex.assert_trees_all_close(
        ours.apply(theirs_v, *inputs, rngs=rngs, **call),
        theirs.apply(theirs_v, *inputs, rngs=rngs, **call),
        rtol=FORWARD_RTOL,
        atol=1e-7,
    )
