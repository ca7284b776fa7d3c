"""purejax.summary: counts and bytes by hand, by JAX's own sizes, and as Flax's `nn.tabulate` prints them."""

from __future__ import annotations

import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax.linen import summary as flax_summary

import purejax.nn as pnn
import purejax.random
from purejax.summary import Row, bytes_repr, rows, size_repr, summary, totals
from tests._asserts import assert_refused

KEY = purejax.random.PRNGKey(0)
X = jnp.ones((2, 4), jnp.float32)

MODELS = {  # name: (purejax model, the same model in Flax)
    "mlp": (
        pnn.Sequential([pnn.Dense(5), pnn.relu, pnn.Dense(3)]),
        fnn.Sequential([fnn.Dense(5), fnn.relu, fnn.Dense(3)]),
    ),
    "batch norm": (
        pnn.Sequential([pnn.Dense(5), pnn.BatchNorm(use_running_average=True), pnn.Dense(3)]),
        fnn.Sequential([fnn.Dense(5), fnn.BatchNorm(use_running_average=True), fnn.Dense(3)]),
    ),
    "KB": (pnn.Dense(300), fnn.Dense(300)),
    "MB": (pnn.Sequential([pnn.Dense(700), pnn.Dense(600)]), fnn.Sequential([fnn.Dense(700), fnn.Dense(600)])),
    "bfloat16": (pnn.Dense(7, param_dtype=jnp.bfloat16), fnn.Dense(7, param_dtype=jnp.bfloat16)),
}


def test_counts_by_hand():
    model = pnn.Sequential([pnn.Dense(5), pnn.BatchNorm(use_running_average=True), pnn.Dense(3)])
    variables = model.init(KEY, X)
    assert rows(variables) == [
        Row("batch_stats/layers_1/mean", (5,), "float32", 5, 20),
        Row("batch_stats/layers_1/var", (5,), "float32", 5, 20),
        Row("params/layers_0/bias", (5,), "float32", 5, 20),
        Row("params/layers_0/kernel", (4, 5), "float32", 20, 80),
        Row("params/layers_1/bias", (5,), "float32", 5, 20),
        Row("params/layers_1/scale", (5,), "float32", 5, 20),
        Row("params/layers_2/bias", (3,), "float32", 3, 12),
        Row("params/layers_2/kernel", (5, 3), "float32", 15, 60),
    ]
    # params: 4*5 + 5 (Dense) + 5 + 5 (BatchNorm scale, bias) + 5*3 + 3 (Dense) = 53; stats: 5 + 5
    assert totals(variables) == {"batch_stats": (10, 40), "params": (53, 212)}
    text = summary(variables)
    assert text.splitlines()[0].split() == ["path", "shape", "dtype", "count", "bytes"]
    lines = [line.split() for line in text.splitlines()]
    assert ["params/layers_0/kernel", "(4,", "5)", "float32", "20", "80", "B"] in lines
    assert ["params", "53", "212", "B"] in lines and ["batch_stats", "10", "40", "B"] in lines
    assert text.endswith("Total Parameters: 63 (252 B)")


@pytest.mark.parametrize("name", list(MODELS))
def test_sizes_agree_with_jax(name):
    variables = MODELS[name][0].init(KEY, X)
    leaves = jax.tree_util.tree_leaves(variables)
    ours = rows(variables)
    assert [r.count for r in ours] == [x.size for x in leaves]
    assert [r.nbytes for r in ours] == [x.nbytes for x in leaves]
    assert [(r.shape, r.dtype) for r in ours] == [(x.shape, x.dtype.name) for x in leaves]
    assert summary(jax.eval_shape(lambda: variables)) == summary(variables)  # shapes are enough


def _flax_totals(text: str) -> tuple[dict, str]:
    """`({collection: 'N (B)'}, 'Total Parameters: ...')` from `nn.tabulate`'s plain-text table."""
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("┃"))
    footer = next(line for line in lines if "Total" in line and line.startswith("│"))
    names = [c.strip() for c in header.strip("┃").split("┃")][4:]
    cells = [c.strip() for c in footer.strip("│").split("│")][4:]
    caption = next(line.strip() for line in lines if "Total Parameters" in line)
    return dict(zip(names, cells, strict=True)), caption


@pytest.mark.parametrize("name", list(MODELS))
def test_totals_read_as_flax_tabulate_prints_them(name):
    ours, theirs = MODELS[name]
    text = fnn.tabulate(theirs, KEY, console_kwargs={"force_terminal": False, "width": 400})(X)
    collections, caption = _flax_totals(text)
    variables = ours.init(KEY, X)
    assert {c: size_repr(*t) for c, t in totals(variables).items()} == collections
    assert summary(variables).splitlines()[-1] == caption


@pytest.mark.parametrize(
    "num_bytes",
    [0, 1, 999, 1000, 1001, 1234, 999_999, 1_000_000, 1_000_001, 2_500_000, 10**9, 10**9 + 1, 123_456_789_012],
)
def test_bytes_repr_is_flaxs(num_bytes):
    assert bytes_repr(num_bytes) == flax_summary._bytes_repr(num_bytes)


def test_other_leaves_and_dtypes():
    variables = {"params": {"w": np.zeros((2, 3), np.float64), "i": jnp.zeros(4, jnp.int8)}, "step": 3}
    assert rows(variables) == [
        Row("params/i", (4,), "int8", 4, 4),
        Row("params/w", (2, 3), "float64", 6, 48),
        Row("step", (), "int64", 1, 8),
    ]
    assert summary({}).endswith("Total Parameters: 0 (0 B)")


# --- what is not a parameter ------------------------------------------------------------------------


def test_flax_skips_strings_and_functions_but_counts_object_arrays():
    """The counterpart, measured: Flax's footer counts whatever has a `.size` (`_size_and_bytes`)."""
    assert flax_summary._size_and_bytes({"a": "hello", "f": print, "n": 3}) == (0, 0)
    assert flax_summary._size_and_bytes({"o": np.array([object()])}) == (1, 8)
    assert flax_summary._size_and_bytes({"s": np.array(["ab", "cd"])}) == (2, 16)


NOT_PARAMETERS = {
    "str": "hello",
    "function": print,
    "object array": np.array([object(), object()]),
    "string array": np.array(["ab", "cd"]),
    "numpy str": np.str_("x"),
    "bytes": b"\x00\x01",
}


@pytest.mark.parametrize("name", list(NOT_PARAMETERS))
@pytest.mark.parametrize("function", [rows, totals, summary], ids=lambda f: f.__name__)
def test_what_is_not_a_numeric_array_is_refused_naming_its_path(function, name):
    variables = {"params": {"Dense_0": {"kernel": np.zeros((2, 3), np.float32), "extra": NOT_PARAMETERS[name]}}}
    assert_refused(
        lambda: function(variables),
        TypeError,
        f"purejax.summary.{function.__name__}: the leaf at params/Dense_0/extra is",
        "not a numeric array",
    )


BAD_INPUT = [  # (id, call, error, fragments: the function, the argument, what came)
    ("rows/variables None", lambda: rows(None), TypeError, "purejax.summary.rows", "variables", "got None"),
    ("rows/variables array", lambda: rows(np.ones(3)), TypeError, "summary.rows", "variables", "float64 array [3]"),
    ("totals/variables list", lambda: totals([{}]), TypeError, "purejax.summary.totals", "variables", "list"),
    ("summary/variables str", lambda: summary("params"), TypeError, "purejax.summary.summary", "variables", "str"),
    ("bytes_repr/num_bytes str", lambda: bytes_repr("12"), TypeError, "purejax.summary.bytes_repr", "num_bytes"),
    ("bytes_repr/num_bytes -5", lambda: bytes_repr(-5), ValueError, "purejax.summary.bytes_repr", "num_bytes", "-5"),
    ("bytes_repr/num_bytes float", lambda: bytes_repr(1.5), TypeError, "purejax.summary.bytes_repr", "num_bytes"),
    ("size_repr/count", lambda: size_repr(None, 4), TypeError, "purejax.summary.size_repr", "count", "None"),
    ("size_repr/num_bytes", lambda: size_repr(1, -4), ValueError, "purejax.summary.size_repr", "num_bytes"),
]


@pytest.mark.parametrize("call,error,fragments", [r[1:3] + (r[3:],) for r in BAD_INPUT], ids=[r[0] for r in BAD_INPUT])
def test_bad_input_is_refused_naming_the_function_and_the_argument(call, error, fragments):
    assert_refused(call, error, *fragments)


def test_none_typed_keys_and_python_numbers():
    """None is an empty node (no row, as in jax.tree_util); a typed key counts as Flax counts it
    (size 1, 8 bytes); a Python number is one scalar (Flax skips it: no `.size`)."""
    variables = {"params": {"b": None, "w": np.zeros(2, np.float32)}, "rngs": {"k": jax.random.key(0)}, "n": 3}
    assert rows(variables) == [
        Row("n", (), "int64", 1, 8),
        Row("params/w", (2,), "float32", 2, 8),
        Row("rngs/k", (), "key<fry>", 1, 8),
    ]
    assert flax_summary._size_and_bytes({"k": jax.random.key(0)}) == (1, 8)
