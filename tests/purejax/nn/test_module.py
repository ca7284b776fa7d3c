"""The layer core (`Scope`, `Layer`) against flax.linen: naming, keys, collections, errors.

The layers here are written in the test with `jax.nn.initializers`, so that this file tests the
core alone; the real layers have their own tests.
"""

import dataclasses

import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

import purejax.random as pr
from purejax.nn import Layer
from tests._asserts import assert_bitwise


@dataclasses.dataclass(frozen=True)
class Dense(Layer):
    features: int

    def forward(self, scope, x):
        kernel = scope.param("kernel", jax.nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        bias = scope.param("bias", jax.nn.initializers.normal(), (self.features,))
        return x @ kernel + bias.reshape((1,) * (x.ndim - 1) + (-1,))  # as Flax: no rank promotion


@dataclasses.dataclass(frozen=True)
class Dropout(Layer):
    rate: float

    def forward(self, scope, x):
        keep = 1.0 - self.rate
        mask = pr.bernoulli(scope.make_rng("dropout"), keep, x.shape)
        return jax.lax.select(mask, x / keep, jnp.zeros_like(x))


@dataclasses.dataclass(frozen=True)
class Counter(Layer):
    def forward(self, scope, x):
        count = scope.variable("counts", "n", lambda: jnp.zeros((), jnp.int32))
        if not scope.initializing:
            count.value = count.value + 1
        return x


@dataclasses.dataclass(frozen=True)
class Model(Layer):
    def forward(self, scope, x):
        shared = Dense(4, name="shared")
        x = scope.child(Dense(5))(x)
        x = scope.child(Dropout(0.5))(x)
        x = scope.child(shared)(scope.child(Dense(4, name="middle"))(x))
        x = scope.child(shared)(x)  # the same child twice: one set of variables
        x = scope.child(Counter())(x)
        return scope.child(Dense(2))(x) + scope.param("offset", jax.nn.initializers.normal(), (1, 2))


class FlaxModel(fnn.Module):
    @fnn.compact
    def __call__(self, x):
        shared = fnn.Dense(4, name="shared", bias_init=fnn.initializers.normal())
        x = fnn.Dense(5, bias_init=fnn.initializers.normal())(x)
        x = fnn.Dropout(0.5, deterministic=False)(x)
        x = shared(fnn.Dense(4, name="middle", bias_init=fnn.initializers.normal())(x))
        x = shared(x)
        count = self.variable("counts", "n", lambda: jnp.zeros((), jnp.int32))
        if not self.is_initializing():
            count.value = count.value + 1
        return fnn.Dense(2, bias_init=fnn.initializers.normal())(x) + self.param(
            "offset", fnn.initializers.normal(), (1, 2)
        )


X = jnp.linspace(-1.0, 1.0, 12).reshape(3, 4)
RNGS = {"params": jax.random.PRNGKey(0), "dropout": jax.random.PRNGKey(1)}


def _flax_counts_as_child(flax_vars):
    """Flax's variable sits at the root here; ours in a `Counter_0` child: compare the params."""
    return {"params": flax_vars["params"]}


def test_init_matches_flax_names_and_values():
    ours = Model().init(RNGS, X)
    theirs = FlaxModel().init(RNGS, X)
    assert sorted(ours["params"]) == sorted(theirs["params"]) == ["Dense_0", "Dense_1", "middle", "offset", "shared"]
    assert_bitwise({"params": ours["params"]}, _flax_counts_as_child(theirs))


def test_apply_matches_flax_with_the_same_dropout_rngs():
    variables = FlaxModel().init(RNGS, X)
    ours_vars = {"params": variables["params"], "counts": {"Counter_0": {"n": variables["counts"]["n"]}}}
    dropout = {"dropout": jax.random.PRNGKey(5)}
    (y, changed) = Model().apply(ours_vars, X, rngs=dropout, mutable=["counts"])
    (fy, fchanged) = FlaxModel().apply(variables, X, rngs=dropout, mutable=["counts"])
    assert_bitwise(y, fy)
    assert int(changed["counts"]["Counter_0"]["n"]) == int(fchanged["counts"]["n"]) == 1
    assert_bitwise(jax.jit(lambda v: Model().apply(v, X, rngs=dropout, mutable=["counts"])[0])(ours_vars), fy)


def test_dropout_falls_back_to_the_params_stream_like_flax():
    variables = Model().init(RNGS, X)
    ours = Model().apply(variables, X, rngs={"params": jax.random.PRNGKey(9)}, mutable=["counts"])[0]
    fvars = {"params": variables["params"], "counts": {"n": jnp.zeros((), jnp.int32)}}
    theirs = FlaxModel().apply(fvars, X, rngs={"params": jax.random.PRNGKey(9)}, mutable=["counts"])[0]
    assert_bitwise(ours, theirs)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda v: Model().apply(v, X, mutable=["counts"]), "Dropout_0 needs a PRNG key for the 'dropout' stream"),
        (
            lambda v: Model().apply(v, X, rngs={"dropout": RNGS["dropout"]}),
            "cannot update 'counts/n'; pass mutable=['counts']",
        ),
        (
            lambda v: Model().apply(v, jnp.ones((3, 7)), rngs=RNGS, mutable=True),
            "Dense_0: parameter 'kernel' has shape [4, 5], but these inputs need [7, 5]",
        ),
        (lambda v: Model().apply({"params": {}}, X, rngs=RNGS), "Dense_0: no parameter 'kernel'"),
    ],
)
def test_errors_name_the_layer(call, message):
    variables = Model().init(RNGS, X)
    with pytest.raises(ValueError) as info:
        call(variables)
    assert message in str(info.value)


def test_apply_does_not_modify_the_variables_passed_in():
    variables = Model().init(RNGS, X)
    before = variables["counts"]["Counter_0"]["n"]
    Model().apply(variables, X, rngs=RNGS, mutable=["counts"])
    assert variables["counts"]["Counter_0"]["n"] is before


def test_apply_checks_stored_shapes_without_tracing_marked_initializers():
    """A marked initializer (every one in purejax.nn.initializers) is not traced when apply finds
    its parameter: the `shape` argument is the expected shape. An unmarked one is traced, as in
    Flax, and both refuse a stored parameter of the wrong shape."""
    calls = []

    def counted(key, shape, dtype=jnp.float32):
        calls.append(shape)
        return jnp.zeros(shape, dtype)

    def marked(key, shape, dtype=jnp.float32):
        calls.append(shape)
        return jnp.zeros(shape, dtype)

    marked.shape_is_argument = True

    @dataclasses.dataclass(frozen=True)
    class Weights(Layer):
        init_fn: object = None

        def forward(self, scope, x):
            return x @ scope.param("w", self.init_fn, (x.shape[-1], 2))

    for init_fn, traced_in_apply in ((counted, 1), (marked, 0)):
        variables = Weights(init_fn).init(RNGS, X)
        calls.clear()
        Weights(init_fn).apply(variables, X)
        assert len(calls) == traced_in_apply
        with pytest.raises(ValueError, match=r"parameter 'w' has shape \[4, 2\], but these inputs need \[7, 2\]"):
            Weights(init_fn).apply(variables, jnp.ones((3, 7)))
