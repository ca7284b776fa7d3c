"""purejax.random's bad-input table: every public function and argument, refused with a message that
names the function and the argument.

Also: valid negative axes still give JAX's bits (an axis is checked, never wrapped around), and the
checks pass traced arguments under `jit` without reading them.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random as pr
from tests._asserts import assert_bitwise, assert_refused

K = pr.PRNGKey(0)
INT_KEY = jnp.array([0, 1], jnp.int32)
KEYS = jnp.zeros((3, 2), jnp.uint32)
TYPED_KEY = jax.random.key(0)
L2 = jnp.zeros((2, 3))  # logits / an array of rank 2

# (function, a call that takes the key first): every sampler refuses a bad key the same way
KEYED = {
    "split": lambda k: pr.split(k),
    "fold_in": lambda k: pr.fold_in(k, 1),
    "bits": lambda k: pr.bits(k, (2,)),
    "uniform": lambda k: pr.uniform(k, (2,)),
    "normal": lambda k: pr.normal(k, (2,)),
    "truncated_normal": lambda k: pr.truncated_normal(k, -1.0, 1.0, (2,)),
    "gumbel": lambda k: pr.gumbel(k, (2,)),
    "bernoulli": lambda k: pr.bernoulli(k, 0.5, (2,)),
    "randint": lambda k: pr.randint(k, (2,), 0, 5),
    "permutation": lambda k: pr.permutation(k, 5),
    "categorical": lambda k: pr.categorical(k, L2),
}
KEY_ROWS = [
    row
    for name, call in KEYED.items()
    for row in (
        (f"{name}-key-None", lambda c=call: c(None), TypeError, (f"purejax.random.{name}:", "key must be", "got None")),
        (
            f"{name}-key-str",
            lambda c=call: c("key"),
            TypeError,
            (f"purejax.random.{name}:", "key must be", "str 'key'"),
        ),
        (
            f"{name}-key-int32",
            lambda c=call: c(INT_KEY),
            TypeError,
            (f"purejax.random.{name}:", "key must be a key of dtype uint32", "int32[2]"),
        ),
        (
            f"{name}-key-batch",
            lambda c=call: c(KEYS),
            ValueError,
            (f"purejax.random.{name}:", "key must be a single key of shape (2,)", "jax.vmap"),
        ),
        (
            f"{name}-key-typed",
            lambda c=call: c(TYPED_KEY),
            TypeError,
            (f"purejax.random.{name}:", "key must be a raw key", "jax.random.key_data"),
        ),
    )
]

ROWS = [
    *KEY_ROWS,
    # -- PRNGKey: seed
    (
        "PRNGKey-seed-str",
        lambda: pr.PRNGKey("0"),
        TypeError,
        ("purejax.random.PRNGKey:", "seed must be an integer", "str '0'"),
    ),
    (
        "PRNGKey-seed-None",
        lambda: pr.PRNGKey(None),
        TypeError,
        ("purejax.random.PRNGKey:", "seed must be an integer", "got None"),
    ),
    (
        "PRNGKey-seed-float",
        lambda: pr.PRNGKey(1.5),
        TypeError,
        ("purejax.random.PRNGKey:", "seed must be an integer", "float 1.5"),
    ),
    (
        "PRNGKey-seed-float-array",
        lambda: pr.PRNGKey(jnp.float32(2.0)),
        TypeError,
        ("purejax.random.PRNGKey:", "seed must be an integer", "float32"),
    ),
    (
        "PRNGKey-seed-bool",
        lambda: pr.PRNGKey(True),
        TypeError,
        ("purejax.random.PRNGKey:", "seed must be an integer", "bool True"),
    ),
    (
        "PRNGKey-seed-beyond-64-bits",
        lambda: pr.PRNGKey(2**64),
        ValueError,
        ("purejax.random.PRNGKey:", "seed must be an integer in [-2**63, 2**63)", "18446744073709551616"),
    ),
    (
        "PRNGKey-seed-2**63",
        lambda: pr.PRNGKey(2**63),
        ValueError,
        ("purejax.random.PRNGKey:", "seed must be an integer in [-2**63, 2**63)"),
    ),
    (
        "PRNGKey-seed-below-64-bits",
        lambda: pr.PRNGKey(-(2**63) - 1),
        ValueError,
        ("purejax.random.PRNGKey:", "seed must be an integer in"),
    ),
    (
        "PRNGKey-seed-vector",
        lambda: pr.PRNGKey(np.arange(2)),
        TypeError,
        ("purejax.random.PRNGKey:", "seed must be a scalar", "jax.vmap"),
    ),
    # -- split: num
    (
        "split-num-float",
        lambda: pr.split(K, 2.0),
        TypeError,
        ("purejax.random.split:", "num must be a non-negative integer", "float 2.0"),
    ),
    (
        "split-num-negative",
        lambda: pr.split(K, -1),
        ValueError,
        ("purejax.random.split:", "num must be a non-negative integer", "int -1"),
    ),
    ("split-num-bool", lambda: pr.split(K, True), TypeError, ("purejax.random.split:", "num must be", "bool True")),
    ("split-num-str", lambda: pr.split(K, "2"), TypeError, ("purejax.random.split:", "num must be", "str '2'")),
    (
        "split-num-float-tuple",
        lambda: pr.split(K, (2, 2.0)),
        TypeError,
        ("purejax.random.split:", "num must be a tuple of non-negative integers"),
    ),
    (
        "split-num-negative-tuple",
        lambda: pr.split(K, (2, -1)),
        ValueError,
        ("purejax.random.split:", "num must be a tuple of non-negative integers"),
    ),
    (
        "split-num-traced",
        lambda: jax.jit(lambda n: pr.split(K, n))(2),
        TypeError,
        ("purejax.random.split:", "num must be static"),
    ),
    # -- fold_in: data
    (
        "fold_in-data-negative",
        lambda: pr.fold_in(K, -1),
        ValueError,
        ("purejax.random.fold_in:", "data must be an integer in [0, 2**32)", "int -1"),
    ),
    (
        "fold_in-data-2**32",
        lambda: pr.fold_in(K, 2**32),
        ValueError,
        ("purejax.random.fold_in:", "data must be an integer in [0, 2**32)"),
    ),
    (
        "fold_in-data-numpy-negative",
        lambda: pr.fold_in(K, np.int64(-1)),
        ValueError,
        ("purejax.random.fold_in:", "data must be an integer in [0, 2**32)"),
    ),
    (
        "fold_in-data-numpy-0d-too-big",
        lambda: pr.fold_in(K, np.array(2**40)),
        ValueError,
        ("purejax.random.fold_in:", "data must be an integer in [0, 2**32)"),
    ),
    (
        "fold_in-data-float",
        lambda: pr.fold_in(K, 1.5),
        TypeError,
        ("purejax.random.fold_in:", "data must be an integer", "float 1.5"),
    ),
    (
        "fold_in-data-float-array",
        lambda: pr.fold_in(K, jnp.float32(1.0)),
        TypeError,
        ("purejax.random.fold_in:", "data must be an integer", "float32"),
    ),
    (
        "fold_in-data-bool",
        lambda: pr.fold_in(K, True),
        TypeError,
        ("purejax.random.fold_in:", "data must be an integer", "bool True"),
    ),
    ("fold_in-data-str", lambda: pr.fold_in(K, "a"), TypeError, ("purejax.random.fold_in:", "data must be", "str 'a'")),
    (
        "fold_in-data-None",
        lambda: pr.fold_in(K, None),
        TypeError,
        ("purejax.random.fold_in:", "data must be", "got None"),
    ),
    (
        "fold_in-data-vector",
        lambda: pr.fold_in(K, jnp.arange(2)),
        TypeError,
        ("purejax.random.fold_in:", "data must be a scalar", "jax.vmap"),
    ),
    # -- bits: shape, dtype
    (
        "bits-shape-int",
        lambda: pr.bits(K, 3),
        TypeError,
        ("purejax.random.bits:", "shape must be a tuple", "write (3,)"),
    ),
    (
        "bits-shape-negative",
        lambda: pr.bits(K, (-1,)),
        ValueError,
        ("purejax.random.bits:", "shape must be a tuple of non-negative integers"),
    ),
    (
        "bits-dtype-float",
        lambda: pr.bits(K, (2,), jnp.float32),
        ValueError,
        ("purejax.random.bits:", "dtype must be an unsigned integer dtype", "float32"),
    ),
    (
        "bits-dtype-signed",
        lambda: pr.bits(K, (2,), jnp.int32),
        ValueError,
        ("purejax.random.bits:", "dtype must be an unsigned integer dtype", "int32"),
    ),
    (
        "bits-dtype-str",
        lambda: pr.bits(K, (2,), "abc"),
        TypeError,
        ("purejax.random.bits:", "dtype must be", "str 'abc'"),
    ),
    # -- uniform: shape, dtype, minval, maxval
    (
        "uniform-shape-float",
        lambda: pr.uniform(K, (2.0,)),
        TypeError,
        ("purejax.random.uniform:", "shape must be a tuple of non-negative integers", "(2.0,)"),
    ),
    (
        "uniform-shape-None",
        lambda: pr.uniform(K, None),
        TypeError,
        ("purejax.random.uniform:", "shape must be a tuple", "got None"),
    ),
    (
        "uniform-shape-traced",
        lambda: jax.jit(lambda n: pr.uniform(K, (n,)))(3),
        TypeError,
        ("purejax.random.uniform:", "shape must be static"),
    ),
    (
        "uniform-dtype-int",
        lambda: pr.uniform(K, (2,), jnp.int32),
        ValueError,
        ("purejax.random.uniform:", "dtype must be a float dtype", "int32"),
    ),
    (
        "uniform-dtype-str",
        lambda: pr.uniform(K, (2,), "abc"),
        TypeError,
        ("purejax.random.uniform:", "dtype must be a float dtype", "str 'abc'"),
    ),
    (
        "uniform-minval-str",
        lambda: pr.uniform(K, (2,), minval="a"),
        TypeError,
        ("purejax.random.uniform:", "minval must be", "str 'a'"),
    ),
    (
        "uniform-minval-None",
        lambda: pr.uniform(K, (2,), minval=None),
        TypeError,
        ("purejax.random.uniform:", "minval must be", "got None"),
    ),
    (
        "uniform-minval-complex",
        lambda: pr.uniform(K, (2,), minval=1j),
        TypeError,
        ("purejax.random.uniform:", "minval must be a real number", "complex"),
    ),
    (
        "uniform-minval-nan",
        lambda: pr.uniform(K, (2,), minval=np.nan),
        ValueError,
        ("purejax.random.uniform:", "minval must be a number", "NaN"),
    ),
    (
        "uniform-minval-above-maxval",
        lambda: pr.uniform(K, (2,), minval=1.0, maxval=0.0),
        ValueError,
        ("purejax.random.uniform:", "minval must be at most maxval", "swap"),
    ),
    (
        "uniform-minval-shape",
        lambda: pr.uniform(K, (2,), minval=jnp.zeros(3)),
        ValueError,
        ("purejax.random.uniform:", "minval of shape [3] must broadcast to", "[2]"),
    ),
    (
        "uniform-maxval-str",
        lambda: pr.uniform(K, (2,), maxval="1"),
        TypeError,
        ("purejax.random.uniform:", "maxval must be", "str '1'"),
    ),
    (
        "uniform-maxval-bool",
        lambda: pr.uniform(K, (2,), maxval=True),
        TypeError,
        ("purejax.random.uniform:", "maxval must be a real number", "bool True"),
    ),
    # -- normal: shape, dtype
    (
        "normal-shape-int",
        lambda: pr.normal(K, 3),
        TypeError,
        ("purejax.random.normal:", "shape must be a tuple", "write (3,)"),
    ),
    (
        "normal-shape-str",
        lambda: pr.normal(K, "3"),
        TypeError,
        ("purejax.random.normal:", "shape must be a tuple", "str '3'"),
    ),
    (
        "normal-dtype-int",
        lambda: pr.normal(K, (2,), jnp.int32),
        ValueError,
        ("purejax.random.normal:", "dtype must be a float dtype, got int32"),
    ),
    (
        "normal-dtype-int-literal",
        lambda: pr.normal(K, (2,), 3),
        TypeError,
        ("purejax.random.normal:", "dtype must be a float dtype", "int 3"),
    ),
    # -- truncated_normal: lower, upper, shape, dtype
    (
        "truncated_normal-lower-str",
        lambda: pr.truncated_normal(K, "a", 1.0),
        TypeError,
        ("purejax.random.truncated_normal:", "lower must be", "str 'a'"),
    ),
    (
        "truncated_normal-lower-nan",
        lambda: pr.truncated_normal(K, np.nan, 1.0),
        ValueError,
        ("purejax.random.truncated_normal:", "lower must be a number", "NaN"),
    ),
    (
        "truncated_normal-lower-above-upper",
        lambda: pr.truncated_normal(K, 1.0, -1.0, (3,)),
        ValueError,
        ("purejax.random.truncated_normal:", "lower must be below upper", "float 1.0"),
    ),
    (
        "truncated_normal-lower-equals-upper",
        lambda: pr.truncated_normal(K, np.array([0.0, 1.0]), 1.0),
        ValueError,
        ("purejax.random.truncated_normal:", "lower must be below upper"),
    ),
    (
        "truncated_normal-upper-None",
        lambda: pr.truncated_normal(K, -1.0, None),
        TypeError,
        ("purejax.random.truncated_normal:", "upper must be", "got None"),
    ),
    (
        "truncated_normal-upper-unbroadcastable",
        lambda: pr.truncated_normal(K, np.zeros(2), np.ones(3)),
        ValueError,
        ("purejax.random.truncated_normal:", "lower of shape [2] and upper of shape [3] must broadcast together"),
    ),
    (
        "truncated_normal-shape-too-small",
        lambda: pr.truncated_normal(K, np.zeros(2), 1.0, (3,)),
        ValueError,
        ("purejax.random.truncated_normal:", "lower of shape [2] must broadcast to", "[3]"),
    ),
    (
        "truncated_normal-shape-float",
        lambda: pr.truncated_normal(K, -1.0, 1.0, (1.5,)),
        TypeError,
        ("purejax.random.truncated_normal:", "shape must be a tuple of non-negative integers"),
    ),
    (
        "truncated_normal-dtype-uint8",
        lambda: pr.truncated_normal(K, -1.0, 1.0, (2,), jnp.uint8),
        ValueError,
        ("purejax.random.truncated_normal:", "dtype must be a float dtype", "uint8"),
    ),
    # -- gumbel: shape, dtype, mode
    (
        "gumbel-shape-negative",
        lambda: pr.gumbel(K, (2, -3)),
        ValueError,
        ("purejax.random.gumbel:", "shape must be a tuple of non-negative integers"),
    ),
    (
        "gumbel-dtype-bool",
        lambda: pr.gumbel(K, (2,), bool),
        ValueError,
        ("purejax.random.gumbel:", "dtype must be a float dtype", "bool"),
    ),
    (
        "gumbel-mode-str",
        lambda: pr.gumbel(K, (2,), mode="highest"),
        ValueError,
        ("purejax.random.gumbel:", "mode must be one of 'low', 'high'", "str 'highest'"),
    ),
    # -- bernoulli: p, shape, mode
    ("bernoulli-p-str", lambda: pr.bernoulli(K, "a"), TypeError, ("purejax.random.bernoulli:", "p must be", "str 'a'")),
    (
        "bernoulli-p-None",
        lambda: pr.bernoulli(K, None),
        TypeError,
        ("purejax.random.bernoulli:", "p must be", "got None"),
    ),
    (
        "bernoulli-p-int",
        lambda: pr.bernoulli(K, 1),
        TypeError,
        ("purejax.random.bernoulli:", "p must have a float dtype", "1.0"),
    ),
    (
        "bernoulli-p-int-array",
        lambda: pr.bernoulli(K, jnp.array(1)),
        TypeError,
        ("purejax.random.bernoulli:", "p must have a float dtype", "int32"),
    ),
    (
        "bernoulli-p-bool",
        lambda: pr.bernoulli(K, True),
        TypeError,
        ("purejax.random.bernoulli:", "p must be a real number", "bool True"),
    ),
    (
        "bernoulli-p-above-1",
        lambda: pr.bernoulli(K, 1.5),
        ValueError,
        ("purejax.random.bernoulli:", "p must be a probability in [0, 1]", "float 1.5"),
    ),
    (
        "bernoulli-p-negative",
        lambda: pr.bernoulli(K, -0.1),
        ValueError,
        ("purejax.random.bernoulli:", "p must be a probability in [0, 1]", "float -0.1"),
    ),
    (
        "bernoulli-p-nan",
        lambda: pr.bernoulli(K, np.nan),
        ValueError,
        ("purejax.random.bernoulli:", "p must be a number", "NaN"),
    ),
    (
        "bernoulli-p-numpy-array",
        lambda: pr.bernoulli(K, np.array([0.5, 2.0])),
        ValueError,
        ("purejax.random.bernoulli:", "p must be a probability in [0, 1]", "float64 array [2]"),
    ),
    (
        "bernoulli-shape-float",
        lambda: pr.bernoulli(K, 0.5, (2.0,)),
        TypeError,
        ("purejax.random.bernoulli:", "shape must be a tuple of non-negative integers"),
    ),
    (
        "bernoulli-shape-p-shape",
        lambda: pr.bernoulli(K, np.full(3, 0.5), (2,)),
        ValueError,
        ("purejax.random.bernoulli:", "p of shape [3] must broadcast to", "[2]"),
    ),
    (
        "bernoulli-mode-str",
        lambda: pr.bernoulli(K, 0.5, mode="x"),
        ValueError,
        ("purejax.random.bernoulli:", "mode must be one of 'high', 'low'", "str 'x'"),
    ),
    (
        "bernoulli-mode-None",
        lambda: pr.bernoulli(K, 0.5, mode=None),
        ValueError,
        ("purejax.random.bernoulli:", "mode must be one of"),
    ),
    # -- randint: shape, minval, maxval, dtype
    (
        "randint-shape-int",
        lambda: pr.randint(K, 3, 0, 5),
        TypeError,
        ("purejax.random.randint:", "shape must be a tuple", "write (3,)"),
    ),
    (
        "randint-minval-str",
        lambda: pr.randint(K, (2,), "a", 5),
        TypeError,
        ("purejax.random.randint:", "minval must be", "str 'a'"),
    ),
    (
        "randint-minval-bool",
        lambda: pr.randint(K, (2,), True, 5),
        TypeError,
        ("purejax.random.randint:", "minval must be a real number", "bool True"),
    ),
    (
        "randint-minval-nan",
        lambda: pr.randint(K, (2,), np.nan, 5),
        ValueError,
        ("purejax.random.randint:", "minval must be a number", "NaN"),
    ),
    (
        "randint-maxval-None",
        lambda: pr.randint(K, (2,), 0, None),
        TypeError,
        ("purejax.random.randint:", "maxval must be", "got None"),
    ),
    (
        "randint-maxval-inf",
        lambda: pr.randint(K, (2,), 0, np.inf),
        ValueError,
        ("purejax.random.randint:", "maxval must be finite", "inf"),
    ),
    (
        "randint-maxval-shape",
        lambda: pr.randint(K, (2,), 0, np.full(3, 5)),
        ValueError,
        ("purejax.random.randint:", "maxval of shape [3] must broadcast to"),
    ),
    (
        "randint-dtype-float",
        lambda: pr.randint(K, (2,), 0, 5, jnp.float32),
        TypeError,
        ("purejax.random.randint:", "dtype must be an integer dtype", "float32"),
    ),
    (
        "randint-dtype-bool",
        lambda: pr.randint(K, (2,), 0, 5, bool),
        TypeError,
        ("purejax.random.randint:", "dtype must be an integer dtype", "bool"),
    ),
    (
        "randint-dtype-str",
        lambda: pr.randint(K, (2,), 0, 5, "abc"),
        TypeError,
        ("purejax.random.randint:", "dtype must be an integer dtype", "str 'abc'"),
    ),
    # -- permutation: x, axis, independent
    (
        "permutation-x-float",
        lambda: pr.permutation(K, 5.0),
        TypeError,
        ("purejax.random.permutation:", "x must be an integer or an array of rank >= 1", "float 5.0"),
    ),
    (
        "permutation-x-negative",
        lambda: pr.permutation(K, -3),
        ValueError,
        ("purejax.random.permutation:", "x must be a non-negative integer", "int -3"),
    ),
    (
        "permutation-x-bool",
        lambda: pr.permutation(K, True),
        TypeError,
        ("purejax.random.permutation:", "x must be an integer", "bool True"),
    ),
    (
        "permutation-x-str",
        lambda: pr.permutation(K, "abc"),
        TypeError,
        ("purejax.random.permutation:", "x must be", "str 'abc'"),
    ),
    (
        "permutation-x-None",
        lambda: pr.permutation(K, None),
        TypeError,
        ("purejax.random.permutation:", "x must be", "got None"),
    ),
    (
        "permutation-x-traced",
        lambda: jax.jit(lambda n: pr.permutation(K, n))(5),
        TypeError,
        ("purejax.random.permutation:", "x must be a static integer", "static_argnums"),
    ),
    (
        "permutation-axis-beyond-rank",
        lambda: pr.permutation(K, L2, axis=2),
        ValueError,
        ("purejax.random.permutation:", "axis must be an axis in [-2, 2)", "int 2"),
    ),
    (
        "permutation-axis-wraps-to-0",
        lambda: pr.permutation(K, L2, axis=4),
        ValueError,
        ("purejax.random.permutation:", "axis must be an axis in [-2, 2)", "int 4"),
    ),
    (
        "permutation-axis-below-rank",
        lambda: pr.permutation(K, L2, axis=-3, independent=True),
        ValueError,
        ("purejax.random.permutation:", "axis must be an axis in [-2, 2)", "int -3"),
    ),
    (
        "permutation-axis-1d",
        lambda: pr.permutation(K, jnp.arange(6), axis=1),
        ValueError,
        ("purejax.random.permutation:", "axis must be an axis in [-1, 1)", "int 1"),
    ),
    (
        "permutation-axis-int-x",
        lambda: pr.permutation(K, 5, axis=3),
        ValueError,
        ("purejax.random.permutation:", "axis must be an axis in [-1, 1)", "int 3"),
    ),
    (
        "permutation-axis-float",
        lambda: pr.permutation(K, L2, axis=0.0),
        TypeError,
        ("purejax.random.permutation:", "axis must be an integer axis", "float 0.0"),
    ),
    (
        "permutation-independent-str",
        lambda: pr.permutation(K, L2, independent="yes"),
        TypeError,
        ("purejax.random.permutation:", "independent must be True or False", "str 'yes'"),
    ),
    # -- categorical: logits, axis, shape, replace, mode
    (
        "categorical-logits-str",
        lambda: pr.categorical(K, "a"),
        TypeError,
        ("purejax.random.categorical:", "logits must be", "str 'a'"),
    ),
    (
        "categorical-logits-None",
        lambda: pr.categorical(K, None),
        TypeError,
        ("purejax.random.categorical:", "logits must be", "got None"),
    ),
    (
        "categorical-logits-int",
        lambda: pr.categorical(K, jnp.zeros(3, jnp.int32)),
        TypeError,
        ("purejax.random.categorical:", "logits must have a float dtype", "int32"),
    ),
    (
        "categorical-logits-scalar",
        lambda: pr.categorical(K, 0.0),
        ValueError,
        ("purejax.random.categorical:", "logits must have at least one axis"),
    ),
    (
        "categorical-axis-beyond-rank",
        lambda: pr.categorical(K, L2, axis=2),
        ValueError,
        ("purejax.random.categorical:", "axis must be an axis in [-2, 2)", "int 2"),
    ),
    (
        "categorical-axis-wraps-to-1",
        lambda: pr.categorical(K, L2, axis=3),
        ValueError,
        ("purejax.random.categorical:", "axis must be an axis in [-2, 2)", "int 3"),
    ),
    (
        "categorical-axis-below-rank",
        lambda: pr.categorical(K, L2, axis=-3),
        ValueError,
        ("purejax.random.categorical:", "axis must be an axis in [-2, 2)", "int -3"),
    ),
    (
        "categorical-axis-float",
        lambda: pr.categorical(K, L2, axis=1.0),
        TypeError,
        ("purejax.random.categorical:", "axis must be an integer axis"),
    ),
    (
        "categorical-shape-batch",
        lambda: pr.categorical(K, L2, shape=(4,)),
        ValueError,
        ("purejax.random.categorical:", "shape must be a shape that the batch shape [2]", "got [4]"),
    ),
    (
        "categorical-shape-float",
        lambda: pr.categorical(K, jnp.zeros(3), shape=(2.0,)),
        TypeError,
        ("purejax.random.categorical:", "shape must be a tuple of non-negative integers"),
    ),
    (
        "categorical-shape-too-many-samples",
        lambda: pr.categorical(K, jnp.zeros(3), shape=(4,), replace=False),
        ValueError,
        ("purejax.random.categorical:", "shape must ask for at most 3 samples", "only 3 categories"),
    ),
    (
        "categorical-replace-str",
        lambda: pr.categorical(K, L2, replace="no"),
        TypeError,
        ("purejax.random.categorical:", "replace must be True or False", "str 'no'"),
    ),
    (
        "categorical-mode-str",
        lambda: pr.categorical(K, L2, mode="x"),
        ValueError,
        ("purejax.random.categorical:", "mode must be one of 'low', 'high'", "str 'x'"),
    ),
    # -- threefry_2x32: key, count
    (
        "threefry_2x32-key-str",
        lambda: pr.threefry_2x32("k", jnp.arange(3, dtype=jnp.uint32)),
        TypeError,
        ("purejax.random.threefry_2x32:", "key must be", "str 'k'"),
    ),
    (
        "threefry_2x32-key-int32",
        lambda: pr.threefry_2x32(INT_KEY, jnp.arange(3, dtype=jnp.uint32)),
        TypeError,
        ("purejax.random.threefry_2x32:", "key must be uint32[2]", "int32[2]"),
    ),
    (
        "threefry_2x32-count-int32",
        lambda: pr.threefry_2x32(K, jnp.arange(3)),
        TypeError,
        ("purejax.random.threefry_2x32:", "count must be an array of dtype uint32", "int32[3]"),
    ),
    (
        "threefry_2x32-count-None",
        lambda: pr.threefry_2x32(K, None),
        TypeError,
        ("purejax.random.threefry_2x32:", "count must be", "got None"),
    ),
    # -- erf_inv: x
    ("erf_inv-x-None", lambda: pr.erf_inv(None), TypeError, ("purejax.random.erf_inv:", "x must be", "got None")),
    ("erf_inv-x-str", lambda: pr.erf_inv("0.5"), TypeError, ("purejax.random.erf_inv:", "x must be", "str '0.5'")),
    (
        "erf_inv-x-int",
        lambda: pr.erf_inv(jnp.arange(2)),
        TypeError,
        ("purejax.random.erf_inv:", "x must be a float array", "int32"),
    ),
]


@pytest.mark.parametrize("call,error,fragments", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_is_refused(call, error, fragments):
    assert_refused(call, error, *fragments)


@pytest.mark.parametrize(
    "draw",
    [
        lambda m, k: m.permutation(k, jnp.arange(12.0).reshape(3, 4), axis=-1),
        lambda m, k: m.permutation(k, jnp.arange(12.0).reshape(3, 4), axis=-2, independent=True),
        lambda m, k: m.categorical(k, jnp.linspace(-1.0, 1.0, 12).reshape(3, 4), axis=-2),
        lambda m, k: m.categorical(k, jnp.linspace(-1.0, 1.0, 12).reshape(3, 4), axis=0, shape=(2, 4)),
    ],
    ids=["permutation-axis=-1", "permutation-axis=-2-independent", "categorical-axis=-2", "categorical-axis=0-shape"],
)
def test_negative_and_explicit_axes_are_jax_bits(draw):
    """A valid axis, negative ones included, is the same axis JAX uses: same bits, eager and jitted."""
    key = jax.random.PRNGKey(7)
    assert_bitwise(draw(pr, key), draw(jax.random, key))
    assert_bitwise(jax.jit(lambda k: draw(pr, k))(key), jax.jit(lambda k: draw(jax.random, k))(key))


def test_checks_pass_traced_arguments_without_reading_them():
    """Under jit the checks look at dtypes and shapes only: traced seeds, data, bounds and p pass."""

    @jax.jit
    def draw(seed, step, low, high, p):
        key = pr.fold_in(pr.PRNGKey(seed), step)
        return pr.uniform(key, (3,), minval=low, maxval=high), pr.bernoulli(key, p, (3,))

    @jax.jit
    def theirs(seed, step, low, high, p):
        key = jax.random.fold_in(jax.random.PRNGKey(seed), step)
        return jax.random.uniform(key, (3,), minval=low, maxval=high), jax.random.bernoulli(key, p, (3,))

    args = (jnp.int32(3), jnp.uint32(5), jnp.float32(-2.0), jnp.float32(2.0), jnp.float32(0.3))
    assert_bitwise(draw(*args), theirs(*args))


def test_host_values_in_range_are_jax_bits():
    """The checked edges themselves are accepted and match JAX: fold_in's 2**32 - 1, seeds of 64 bits."""
    assert_bitwise(pr.fold_in(K, 2**32 - 1), jax.random.fold_in(K, 2**32 - 1))
    assert_bitwise(pr.fold_in(K, np.uint32(7)), jax.random.fold_in(K, np.uint32(7)))
    for seed in (2**63 - 1, -(2**63), np.uint64(2**64 - 1)):
        assert_bitwise(pr.PRNGKey(seed), jax.random.PRNGKey(seed))
    assert_bitwise(pr.uniform(K, (4,), minval=1.0, maxval=1.0), jax.random.uniform(K, (4,), minval=1.0, maxval=1.0))
    assert_bitwise(pr.bernoulli(K, np.array([0.0, 1.0])), jax.random.bernoulli(K, np.array([0.0, 1.0])))
    assert_bitwise(pr.split(K, np.int64(3)), jax.random.split(K, np.int64(3)))
