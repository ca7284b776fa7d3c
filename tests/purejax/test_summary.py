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
