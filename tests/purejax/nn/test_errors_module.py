"""Bad input to the module system: `init`'s key, `apply`'s variables, rngs and mutable, a scope's methods.

Rows are `(id, call, error, fragments)`, as in `test_errors_layers.py`. Beside them, the inputs
passed the Flax way that purejax accepts as Flax does (a bare key for `rngs`), each compared with
Flax bit for bit.
"""

import dataclasses

import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from purejax import random
from purejax.nn import Dense, Dropout, KeyPath, Layer, Scope, Sequential, fold_in_path
from tests._asserts import assert_bitwise, assert_refused

KEY = random.PRNGKey(0)
X = jnp.ones((2, 3))
VARIABLES = Dense(4).init(KEY, X)


class Model(Layer):
    """Dense then Dropout, as `FlaxModel`."""

    def forward(self, scope: Scope, x, train: bool = False):
        x = scope.child(Dense(4))(x)
        return scope.child(Dropout(0.5, deterministic=not train))(x)


class FlaxModel(fnn.Module):
    @fnn.compact
    def __call__(self, x, train: bool = False):
        x = fnn.Dense(4)(x)
        return fnn.Dropout(0.5, deterministic=not train)(x)


@dataclasses.dataclass(frozen=True)
class BadScopeUse(Layer):
    """A layer that calls one of its scope's methods with a bad argument (`what`)."""

    what: str = "param_name"

    def forward(self, scope: Scope, x):
        if self.what == "param_name":
            return scope.param(3, jnp.zeros, (2,))
        if self.what == "param_init":
            return scope.param("w", "zeros", (2,))
        if self.what == "variable_collection":
            return scope.variable(None, "n", jnp.zeros, ()).value
        if self.what == "variable_name":
            return scope.variable("counts", 0, jnp.zeros, ()).value
        if self.what == "variable_init":
            return scope.variable("counts", "n", 0).value
        if self.what == "make_rng":
            return scope.make_rng(0)
        return scope.child(jnp.tanh)(x)  # "child": a function, not a layer


ROWS = [
    ("init-key-None", lambda: Dense(4).init(None, X), TypeError, ("Dense.init", "key", "got None", "PRNGKey")),
    ("init-key-str", lambda: Dense(4).init("a", X), TypeError, ("Dense.init", "key", "got str 'a'")),
    ("init-key-int", lambda: Dense(4).init(0, X), TypeError, ("Dense.init", "key", "got int 0")),
    ("init-key-float", lambda: Dense(4).init(jnp.ones(2), X), TypeError, ("Dense.init", "key", "float32 array [2]")),
    (
        "init-key-shape",
        lambda: Dense(4).init(jnp.ones(3, jnp.uint32), X),
        ValueError,
        ("Dense.init", "key", "uint32 array [3]"),
    ),
    (
        "init-key-typed",
        lambda: Dense(4).init(jax.random.key(0), X),
        TypeError,
        ("Dense.init", "key", "jax.random.key_data"),
    ),
    (
        "init-key-dict-value",
        lambda: Dense(4).init({"params": 3}, X),
        TypeError,
        ("Dense.init", "key['params']", "got int 3"),
    ),
    (
        "init-key-dict-stream",
        lambda: Dense(4).init({1: KEY}, X),
        TypeError,
        ("Dense.init", "stream names of key", "got int 1"),
    ),
    (
        "init_with_output-key",
        lambda: Dense(4).init_with_output(None, X),
        TypeError,
        ("Dense.init", "key", "got None"),
    ),
    (
        "apply-variables-None",
        lambda: Dense(4).apply(None, X),
        TypeError,
        ("Dense.apply", "variables", "got None", "pass what init returned"),
    ),
    ("apply-variables-list", lambda: Dense(4).apply([VARIABLES], X), TypeError, ("Dense.apply", "variables")),
    (
        "apply-variables-params-alone-leaves",
        lambda: Dense(4).apply(VARIABLES["params"], X),
        TypeError,
        ("Dense.apply", "variables['kernel']", "pass {'params': params}"),
    ),
    (
        "apply-variables-params-alone-layers",
        lambda: Model().apply(Model().init(KEY, X)["params"], X),
        ValueError,
        ("Dense_0", "no parameter 'kernel'", "no 'params' collection, only ['Dense_0']", "pass {'params': params}"),
    ),
    (
        "apply-variables-empty",
        lambda: Dense(4).apply({}, X),
        ValueError,
        ("Dense", "no parameter 'kernel'", "the variables are empty"),
    ),
    (
        "apply-variables-wrong-layer-name",
        lambda: Sequential([Dense(4)]).apply({"params": {"layers_1": {}}}, X),
        ValueError,
        ("layers_0", "no parameter 'kernel'", "params has no 'layers_0' (it has ['layers_1'])"),
    ),
    (
        "apply-variables-collection-name",
        lambda: Dense(4).apply({1: VARIABLES["params"]}, X),
        TypeError,
        ("Dense.apply", "variables", "str collection names"),
    ),
    ("apply-rngs-str", lambda: Dense(4).apply(VARIABLES, X, rngs="a"), TypeError, ("Dense.apply", "rngs", "str 'a'")),
    (
        "apply-rngs-list",
        lambda: Dense(4).apply(VARIABLES, X, rngs=[KEY]),
        TypeError,
        ("Dense.apply", "rngs", "got list"),
    ),
    (
        "apply-rngs-dict-value",
        lambda: Model().apply(Model().init(KEY, X), X, True, rngs={"dropout": None}),
        TypeError,
        ("Model.apply", "rngs['dropout']", "got None"),
    ),
    (
        "apply-mutable-int",
        lambda: Dense(4).apply(VARIABLES, X, mutable=3),
        TypeError,
        ("Dense.apply", "mutable", "got int 3", "['batch_stats']"),
    ),
    (
        "apply-mutable-list-of-int",
        lambda: Dense(4).apply(VARIABLES, X, mutable=[1]),
        TypeError,
        ("Dense.apply", "mutable", "got list [1]"),
    ),
    (
        "scope-param-name",
        lambda: BadScopeUse("param_name").init(KEY, X),
        TypeError,
        ("BadScopeUse", "name", "got int 3"),
    ),
    (
        "scope-param-init_fn",
        lambda: BadScopeUse("param_init").init(KEY, X),
        TypeError,
        ("BadScopeUse", "the initializer of 'w'", "callable"),
    ),
    (
        "scope-variable-collection",
        lambda: BadScopeUse("variable_collection").init(KEY, X),
        TypeError,
        ("BadScopeUse", "collection", "got None"),
    ),
    (
        "scope-variable-name",
        lambda: BadScopeUse("variable_name").init(KEY, X),
        TypeError,
        ("BadScopeUse", "name", "got int 0"),
    ),
    (
        "scope-variable-init_fn",
        lambda: BadScopeUse("variable_init").init(KEY, X),
        TypeError,
        ("BadScopeUse", "the initializer of 'counts/n'", "callable"),
    ),
    (
        "scope-make_rng-stream",
        lambda: BadScopeUse("make_rng").init(KEY, X),
        TypeError,
        ("BadScopeUse", "stream", "got int 0"),
    ),
    (
        "scope-child-layer",
        lambda: BadScopeUse("child").init(KEY, X),
        TypeError,
        ("BadScopeUse", "layer", "a purejax.nn.Layer"),
    ),
    (
        "Layer-name",
        lambda: Model(name=""),
        ValueError,
        ("Model", "name", "non-empty str"),
    ),
    ("fold_in_path-key", lambda: fold_in_path(None, ("a",)), TypeError, ("fold_in_path", "key", "got None")),
    ("fold_in_path-path-str", lambda: fold_in_path(KEY, "Dense_0"), TypeError, ("fold_in_path", "path", "a tuple")),
    (
        "fold_in_path-path-float",
        lambda: fold_in_path(KEY, ("a", 1.5)),
        TypeError,
        ("fold_in_path", "path[1]", "got float 1.5"),
    ),
    (
        "fold_in_path-path-negative",
        lambda: fold_in_path(KEY, ("a", -1)),
        ValueError,
        ("fold_in_path", "path[1]", "non-negative int"),
    ),
    ("KeyPath-root", lambda: KeyPath(None).key(), TypeError, ("fold_in_path", "key", "got None")),
    ("KeyPath-path", lambda: KeyPath(KEY).child(None).key(), TypeError, ("fold_in_path", "path[0]", "got None")),
]


@pytest.mark.parametrize("row_id,call,error,fragments", ROWS, ids=[r[0] for r in ROWS])
def test_refused_naming_the_function_and_the_argument(row_id, call, error, fragments):
    assert_refused(call, error, *fragments)


@pytest.mark.parametrize("train", [False, True])
def test_a_bare_key_for_rngs_is_the_params_stream_as_in_flax(train):
    """Flax reads `rngs=key` as `{'params': key}`; Dropout then draws from that stream: same bits."""
    variables = Model().init(KEY, X)
    ours = Model().apply(variables, X, train, rngs=random.PRNGKey(3))
    theirs = FlaxModel().apply(variables, X, train, rngs=jax.random.PRNGKey(3))
    assert_bitwise(ours, theirs)
    assert_bitwise(Model().apply(variables, X, train, rngs={"params": random.PRNGKey(3)}), ours)


def test_a_numpy_key_and_a_traced_key_pass():
    """The key check reads the dtype and shape only: a NumPy key, and a key traced under jit."""
    np_key = np.asarray(KEY)
    assert_bitwise(Dense(4).init(np_key, X), VARIABLES)
    assert_bitwise(jax.jit(lambda k: Dense(4).init(k, X))(KEY), jax.jit(lambda k: fnn.Dense(4).init(k, X))(KEY))
