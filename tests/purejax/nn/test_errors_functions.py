"""Bad input to purejax.nn's functions: activations, the softmax family, pooling, initializers.

Rows are `(id, call, error, fragments)`, as in `test_errors_layers.py`: the first fragment names the
function (`purejax.nn.softmax`), the next the argument. Beside them, what the checks must not
change: the valid calls the counterpart accepts in a form we now read the same way.
"""

import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest
from jax import lax

import purejax.nn as pn
from purejax import random
from purejax.nn import initializers as pi
from purejax.nn.activations import __all__ as ACTIVATIONS
from tests._asserts import assert_bitwise, assert_refused

KEY = random.PRNGKey(0)
X = jnp.ones((2, 3))
IMAGES = jnp.ones((1, 6, 6, 3))  # [batch, height, width, channels]

ELEMENTWISE = [
    (f"{name}-x-{label}", lambda n=name, v=value: getattr(pn, n)(v), TypeError, (f"purejax.nn.{name}", "x", words))
    for name in ACTIVATIONS
    for label, value, words in (("None", None, "got None"), ("str", "1.0", "got str '1.0'"))
    if name not in ("swish", "hard_swish")  # aliases of silu, hard_silu
]

ACTIVATION_ARGS = [
    ("leaky_relu-negative_slope", lambda: pn.leaky_relu(X, "0.1"), TypeError, ("leaky_relu", "negative_slope")),
    ("elu-alpha", lambda: pn.elu(X, None), TypeError, ("purejax.nn.elu", "alpha", "got None")),
    ("celu-alpha-zero", lambda: pn.celu(X, 0.0), ValueError, ("purejax.nn.celu", "alpha", "nonzero")),
    ("celu-alpha-str", lambda: pn.celu(X, "1"), TypeError, ("purejax.nn.celu", "alpha")),
    ("gelu-approximate", lambda: pn.gelu(X, "no"), TypeError, ("purejax.nn.gelu", "approximate", "True or False")),
]

AXIS_FUNCTIONS = [
    ("softmax-x", lambda: pn.softmax(None), TypeError, ("purejax.nn.softmax", "x", "got None")),
    ("softmax-axis", lambda: pn.softmax(X, axis=2), ValueError, ("purejax.nn.softmax", "axis", "[-2, 2)")),
    ("softmax-axis-float", lambda: pn.softmax(X, axis=1.0), TypeError, ("purejax.nn.softmax", "axis")),
    ("softmax-where", lambda: pn.softmax(X, where="all"), TypeError, ("purejax.nn.softmax", "where")),
    ("log_softmax-x", lambda: pn.log_softmax("x"), TypeError, ("purejax.nn.log_softmax", "x")),
    ("log_softmax-axis", lambda: pn.log_softmax(X, axis=-3), ValueError, ("purejax.nn.log_softmax", "axis")),
    ("log_softmax-where", lambda: pn.log_softmax(X, where="all"), TypeError, ("purejax.nn.log_softmax", "where")),
    ("logsumexp-a", lambda: pn.logsumexp(None), TypeError, ("purejax.nn.logsumexp", "a", "got None")),
    (
        "logsumexp-axis-wraps",
        lambda: pn.logsumexp(X, axis=5),
        ValueError,
        ("purejax.nn.logsumexp", "axis", "got int 5"),
    ),
    ("logsumexp-axis-tuple", lambda: pn.logsumexp(X, axis=(0, 2)), ValueError, ("purejax.nn.logsumexp", "axis")),
    ("logsumexp-b", lambda: pn.logsumexp(X, b="w"), TypeError, ("purejax.nn.logsumexp", "b")),
    ("logsumexp-keepdims", lambda: pn.logsumexp(X, keepdims="no"), TypeError, ("purejax.nn.logsumexp", "keepdims")),
    (
        "logsumexp-return_sign",
        lambda: pn.logsumexp(X, return_sign=1),
        TypeError,
        ("purejax.nn.logsumexp", "return_sign"),
    ),
    ("logsumexp-where", lambda: pn.logsumexp(X, where="all"), TypeError, ("purejax.nn.logsumexp", "where")),
    ("standardize-x", lambda: pn.standardize(None), TypeError, ("purejax.nn.standardize", "x")),
    ("standardize-axis", lambda: pn.standardize(X, axis=5), ValueError, ("purejax.nn.standardize", "axis")),
    ("standardize-mean", lambda: pn.standardize(X, mean="m"), TypeError, ("purejax.nn.standardize", "mean")),
    (
        "standardize-variance",
        lambda: pn.standardize(X, variance="v"),
        TypeError,
        ("purejax.nn.standardize", "variance"),
    ),
    ("standardize-epsilon", lambda: pn.standardize(X, epsilon=-1.0), ValueError, ("purejax.nn.standardize", "epsilon")),
    ("standardize-where", lambda: pn.standardize(X, where="all"), TypeError, ("purejax.nn.standardize", "where")),
    (
        "standardize-algorithm",
        lambda: pn.standardize(X, algorithm="welford"),
        ValueError,
        ("purejax.nn.standardize", "algorithm", "'fast', 'stable'"),
    ),
    ("one_hot-x", lambda: pn.one_hot(None, 3), TypeError, ("purejax.nn.one_hot", "x", "got None")),
    (
        "one_hot-num_classes-float",
        lambda: pn.one_hot(jnp.arange(3), 3.0),
        TypeError,
        ("purejax.nn.one_hot", "num_classes", "got float 3.0"),
    ),
    (
        "one_hot-num_classes-fraction",
        lambda: pn.one_hot(jnp.arange(3), 2.5),
        TypeError,
        ("purejax.nn.one_hot", "num_classes", "got float 2.5"),
    ),
    ("one_hot-num_classes-negative", lambda: pn.one_hot(jnp.arange(3), -1), ValueError, ("one_hot", "num_classes")),
    ("one_hot-num_classes-str", lambda: pn.one_hot(jnp.arange(3), "3"), TypeError, ("one_hot", "num_classes")),
    ("one_hot-dtype", lambda: pn.one_hot(jnp.arange(3), 3, dtype="f33"), TypeError, ("purejax.nn.one_hot", "dtype")),
    ("one_hot-axis", lambda: pn.one_hot(jnp.arange(3), 3, axis=-3), ValueError, ("purejax.nn.one_hot", "axis")),
    ("glu-x", lambda: pn.glu(None), TypeError, ("purejax.nn.glu", "x", "got None")),
    ("glu-axis", lambda: pn.glu(jnp.ones((2, 4)), axis=5), ValueError, ("purejax.nn.glu", "axis", "got int 5")),
    ("glu-axis-odd", lambda: pn.glu(X, axis=-1), ValueError, ("purejax.nn.glu", "axis -1", "even")),
]

POOLS = {
    "pool": lambda x, *a, **k: pn.pool(x, 0.0, lax.add, *a, **k),
    "avg_pool": pn.avg_pool,
    "max_pool": pn.max_pool,
    "min_pool": pn.min_pool,
}


def _pool_rows():
    rows = []
    for name, fn in POOLS.items():
        where = f"purejax.nn.{name}"
        strides = {} if name != "pool" else {"strides": None}
        padding = {} if name != "pool" else {"padding": "VALID"}
        rows += [
            (
                f"{name}-inputs",
                lambda f=fn, s=strides, p=padding: f(None, (2, 2), **s, **p),
                TypeError,
                (where, "inputs"),
            ),
            (
                f"{name}-window_shape-int",
                lambda f=fn, s=strides, p=padding: f(IMAGES, 2, **s, **p),
                TypeError,
                (where, "window_shape", "got int 2", "write (2, 2)"),
            ),
            (
                f"{name}-window_shape-zero",
                lambda f=fn, s=strides, p=padding: f(IMAGES, (0, 2), **s, **p),
                ValueError,
                (where, "window_shape[0]", "a positive integer"),
            ),
            (
                f"{name}-window_shape-float",
                lambda f=fn, s=strides, p=padding: f(IMAGES, (2.0, 2), **s, **p),
                TypeError,
                (where, "window_shape[0]"),
            ),
            (
                f"{name}-strides-int",
                lambda f=fn, p=padding: f(IMAGES, (2, 2), strides=2, **p),
                TypeError,
                (where, "strides", "write (2, 2)"),
            ),
            (
                f"{name}-strides-zero",
                lambda f=fn, p=padding: f(IMAGES, (2, 2), strides=(0, 1), **p),
                ValueError,
                (where, "strides[0]"),
            ),
            (
                f"{name}-padding-int",
                lambda f=fn, s=strides: f(IMAGES, (2, 2), padding=1, **s),
                TypeError,
                (where, "padding", "got int 1", "((1, 1), (1, 1))"),
            ),
            (
                f"{name}-padding-name",
                lambda f=fn, s=strides: f(IMAGES, (2, 2), padding="FULL", **s),
                ValueError,
                (where, "padding", "'FULL'"),
            ),
        ]
    rows += [
        ("pool-init", lambda: pn.pool(IMAGES, "0", lax.add, (2, 2), None, "VALID"), TypeError, ("pool", "init")),
        (
            "pool-reduce_fn",
            lambda: pn.pool(IMAGES, 0.0, "add", (2, 2), None, "VALID"),
            TypeError,
            ("pool", "reduce_fn"),
        ),
        (
            "avg_pool-count_include_pad",
            lambda: pn.avg_pool(IMAGES, (2, 2), count_include_pad="no"),
            TypeError,
            ("purejax.nn.avg_pool", "count_include_pad", "True or False"),
        ),
    ]
    return rows


NAMED = ["lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform"]
NAMED += ["xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform"]


def _initializer_rows():
    i = "purejax.nn.initializers."
    rows = [
        ("zeros-shape", lambda: pi.zeros(KEY, (2.5,)), TypeError, (i + "zeros", "shape[0]", "got float 2.5")),
        ("zeros-shape-str", lambda: pi.zeros(KEY, "3"), TypeError, (i + "zeros", "shape")),
        ("zeros-dtype", lambda: pi.zeros(KEY, (2,), "f33"), TypeError, (i + "zeros", "dtype")),
        ("ones-shape", lambda: pi.ones(KEY, (2, -1)), ValueError, (i + "ones", "shape[1]")),
        ("ones-dtype", lambda: pi.ones(KEY, (2,), 3), TypeError, (i + "ones", "dtype")),
        ("constant-value", lambda: pi.constant("a"), TypeError, (i + "constant", "value")),
        ("constant-dtype", lambda: pi.constant(1.0, "f33"), TypeError, (i + "constant", "dtype")),
        ("constant-shape", lambda: pi.constant(1.0)(KEY, (1.5,)), TypeError, (i + "constant", "shape[0]")),
        ("uniform-scale", lambda: pi.uniform(None), TypeError, (i + "uniform", "scale", "got None")),
        ("uniform-dtype", lambda: pi.uniform(dtype="f33"), TypeError, (i + "uniform", "dtype")),
        ("uniform-key", lambda: pi.uniform()(None, (2,)), TypeError, (i + "uniform", "key", "got None")),
        ("uniform-shape", lambda: pi.uniform()(KEY, (2.0,)), TypeError, (i + "uniform", "shape[0]")),
        ("normal-stddev", lambda: pi.normal("a"), TypeError, (i + "normal", "stddev")),
        ("normal-dtype", lambda: pi.normal(dtype=1), TypeError, (i + "normal", "dtype")),
        ("normal-key", lambda: pi.normal()(jnp.ones(2), (2,)), TypeError, (i + "normal", "key")),
        ("normal-shape", lambda: pi.normal()(KEY, (-2,)), ValueError, (i + "normal", "shape[0]")),
        ("truncated_normal-stddev", lambda: pi.truncated_normal(None), TypeError, (i + "truncated_normal", "stddev")),
        (
            "truncated_normal-dtype",
            lambda: pi.truncated_normal(dtype="x"),
            TypeError,
            (i + "truncated_normal", "dtype"),
        ),
        (
            "truncated_normal-lower",
            lambda: pi.truncated_normal(lower="-2"),
            TypeError,
            (i + "truncated_normal", "lower"),
        ),
        (
            "truncated_normal-upper",
            lambda: pi.truncated_normal(lower=2.0, upper=-2.0),
            ValueError,
            (i + "truncated_normal", "upper", "greater than lower=2.0"),
        ),
        ("truncated_normal-key", lambda: pi.truncated_normal()(0, (2,)), TypeError, (i + "truncated_normal", "key")),
        (
            "truncated_normal-shape",
            lambda: pi.truncated_normal()(KEY, 2.0),
            TypeError,
            (i + "truncated_normal", "shape"),
        ),
        (
            "variance_scaling-scale",
            lambda: pi.variance_scaling(-1.0, "fan_in", "normal"),
            ValueError,
            (i + "variance_scaling", "scale", ">= 0"),
        ),
        ("variance_scaling-scale-str", lambda: pi.variance_scaling("1", "fan_in", "normal"), TypeError, ("scale",)),
        (
            "variance_scaling-mode",
            lambda: pi.variance_scaling(1.0, 3, "normal"),
            TypeError,
            ("variance_scaling", "mode"),
        ),
        (
            "variance_scaling-distribution",
            lambda: pi.variance_scaling(1.0, "fan_in", "gaussian"),
            ValueError,
            (i + "variance_scaling", "distribution", "'truncated_normal'"),
        ),
        (
            "variance_scaling-in_axis-float",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal", in_axis=1.0),
            TypeError,
            (i + "variance_scaling", "in_axis"),
        ),
        (
            "variance_scaling-in_axis-range",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal", in_axis=-3)(KEY, (3, 4)),
            ValueError,
            (i + "variance_scaling", "in_axis", "[-2, 2)", "got int -3"),
        ),
        (
            "variance_scaling-out_axis-range",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal", out_axis=2)(KEY, (3, 4)),
            ValueError,
            (i + "variance_scaling", "out_axis", "got int 2"),
        ),
        (
            "variance_scaling-batch_axis",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal", batch_axis="0"),
            TypeError,
            (i + "variance_scaling", "batch_axis"),
        ),
        (
            "variance_scaling-dtype",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal", dtype="f33"),
            TypeError,
            (i + "variance_scaling", "dtype"),
        ),
        (
            "variance_scaling-shape",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal")(KEY, (2.5, 3)),
            TypeError,
            (i + "variance_scaling", "shape[0]", "got float 2.5"),
        ),
        (
            "variance_scaling-shape-zero-fan",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal")(KEY, (0, 3)),
            ValueError,
            (i + "variance_scaling", "shape (0, 3)", "zero-sized"),
        ),
        (
            "variance_scaling-key",
            lambda: pi.variance_scaling(1.0, "fan_in", "normal")(None, (2, 3)),
            TypeError,
            (i + "variance_scaling", "key"),
        ),
        ("compute_fans-shape", lambda: pi.compute_fans((3, 2.5)), TypeError, (i + "compute_fans", "shape[1]")),
        (
            "compute_fans-in_axis",
            lambda: pi.compute_fans((3, 4), in_axis=5),
            ValueError,
            (i + "compute_fans", "in_axis"),
        ),
        (
            "compute_fans-out_axis",
            lambda: pi.compute_fans((3, 4), out_axis=(0, 2)),
            ValueError,
            (i + "compute_fans", "out_axis"),
        ),
        (
            "compute_fans-batch_axis",
            lambda: pi.compute_fans((3, 4, 5), batch_axis=-4),
            ValueError,
            (i + "compute_fans", "batch_axis"),
        ),
        ("orthogonal-scale", lambda: pi.orthogonal("1"), TypeError, (i + "orthogonal", "scale")),
        (
            "orthogonal-column_axis",
            lambda: pi.orthogonal(column_axis=1.0),
            TypeError,
            (i + "orthogonal", "column_axis"),
        ),
        (
            "orthogonal-column_axis-range",
            lambda: pi.orthogonal(column_axis=5)(KEY, (3, 4)),
            ValueError,
            (i + "orthogonal", "column_axis", "got int 5"),
        ),
        ("orthogonal-dtype", lambda: pi.orthogonal(dtype="f33"), TypeError, (i + "orthogonal", "dtype")),
        ("orthogonal-shape", lambda: pi.orthogonal()(KEY, (3, 2.5)), TypeError, (i + "orthogonal", "shape[1]")),
        ("orthogonal-key", lambda: pi.orthogonal()("k", (3, 2)), TypeError, (i + "orthogonal", "key")),
    ]
    for alias in NAMED:  # an alias (xavier_*, kaiming_*) is the same function, named by its first name
        name = alias.replace("xavier", "glorot").replace("kaiming", "he")
        rows += [
            (
                f"{name}-in_axis",
                lambda n=alias: getattr(pi, n)(in_axis=2)(KEY, (3, 4)),
                ValueError,
                (f"purejax.nn.initializers.{name}", "in_axis"),
            ),
            (
                f"{name}-out_axis",
                lambda n=alias: getattr(pi, n)(out_axis="1"),
                TypeError,
                (f"purejax.nn.initializers.{name}", "out_axis"),
            ),
            (
                f"{name}-batch_axis",
                lambda n=alias: getattr(pi, n)(batch_axis=1.0),
                TypeError,
                (f"purejax.nn.initializers.{name}", "batch_axis"),
            ),
            (
                f"{name}-dtype",
                lambda n=alias: getattr(pi, n)(dtype="f33"),
                TypeError,
                (f"purejax.nn.initializers.{name}", "dtype"),
            ),
            (
                f"{name}-shape",
                lambda n=alias: getattr(pi, n)()(KEY, (3, 4.0)),
                TypeError,
                (f"purejax.nn.initializers.{name}", "shape[1]"),
            ),
        ]
    return rows


ROWS = ELEMENTWISE + ACTIVATION_ARGS + AXIS_FUNCTIONS + _pool_rows() + _initializer_rows()


@pytest.mark.parametrize("row_id,call,error,fragments", ROWS, ids=[r[0] for r in ROWS])
def test_refused_naming_the_function_and_the_argument(row_id, call, error, fragments):
    assert_refused(call, error, *fragments)


def test_lower_case_padding_is_read_as_lax_reads_it():
    """Flax hands 'same' to lax, which upper-cases it: the same output as 'SAME'."""
    x = jnp.arange(6 * 6 * 3, dtype=jnp.float32).reshape(1, 6, 6, 3)
    assert_bitwise(pn.max_pool(x, (3, 3), padding="same"), fnn.max_pool(x, (3, 3), padding="same"))
    variables = pn.Conv(4, (3, 3)).init(KEY, x)
    ours = pn.Conv(4, (3, 3), padding="same").apply(variables, x)
    assert_bitwise(ours, fnn.Conv(4, (3, 3), padding="same").apply(variables, x))


def test_checks_pass_traced_arguments():
    """Under jit the checks read dtypes and shapes only: traced arrays and parameters pass."""
    run = jax.jit(lambda x, slope: pn.leaky_relu(x, slope) + pn.softmax(x, axis=0) + pn.standardize(x, epsilon=slope))
    expected = jax.jit(
        lambda x, slope: jax.nn.leaky_relu(x, slope) + jax.nn.softmax(x, axis=0) + jax.nn.standardize(x, epsilon=slope)
    )
    assert_bitwise(run(X, 0.1), expected(X, 0.1))
