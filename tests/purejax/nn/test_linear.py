"""purejax.nn's Dense, DenseGeneral and Embed against flax.linen: same variables, outputs, gradients.

The case table lives in comparisons/parity/tables/nn_linear.py and is shared with the parity report.
"""

import dataclasses

import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

from comparisons.parity.tables.nn_linear import CASES, Tower, assert_case
from purejax.nn import Dense, DenseGeneral, Embed, Layer
from tests._asserts import assert_bitwise

LINEAR = [c for c in CASES if c.name in ("Dense", "DenseGeneral", "Embed", "composite")]


@pytest.mark.parametrize(
    "case", LINEAR, ids=[f"{c.name}_{i}_{c.label}".replace(" ", "_") for i, c in enumerate(LINEAR)]
)
def test_same_as_flax(case, variant, platform):
    """Every linear row of the table, eager and jitted, on every platform."""
    with jax.default_matmul_precision("highest"):
        assert_case(case, jax.random.PRNGKey(7), variant)


def test_composite_names_and_tied_embedding(key):
    ids = jnp.zeros((2, 8), jnp.int32)
    variables = Tower().init(key, ids)
    assert set(variables["params"]) == {"embed", "conv", "Dense_0", "head", "Dense_1"}
    assert jax.tree.map(jnp.shape, variables["params"]["embed"]) == {"embedding": (11, 6)}


def test_dense_layout_and_dtypes(key):
    variables = Dense(4, param_dtype=jnp.bfloat16).init(key, jnp.ones((1, 3)))
    assert jax.tree.map(lambda a: (a.shape, a.dtype), variables) == {
        "params": {"kernel": ((3, 4), jnp.bfloat16), "bias": ((4,), jnp.bfloat16)}
    }
    y = Dense(4, param_dtype=jnp.bfloat16).apply(variables, jnp.ones((2, 3)))
    assert y.dtype == jnp.float32  # promoted with the float32 inputs, as Flax does


def _variables(layer, x):
    return layer.init(jax.random.PRNGKey(0), x)


def test_dense_wrong_features_names_layer_kernel_and_inputs():
    @dataclasses.dataclass(frozen=True)
    class Two(Layer):
        def forward(self, scope, x, y):
            return scope.child(Dense(5))(x), scope.child(Dense(5))(y)

    variables = Two().init(jax.random.PRNGKey(0), jnp.ones((1, 3)), jnp.ones((1, 9)))
    with pytest.raises(
        ValueError,
        match=r"^Dense_1: expected inputs with 9 features \(kernel is \[9, 5\]\), "
        r"got \[4, 8\]$",
    ):
        Two().apply(variables, jnp.ones((1, 3)), jnp.ones((4, 8)))


@pytest.mark.parametrize(
    "layer,x,match",
    [
        (Dense(3), jnp.ones((2, 4), jnp.int32), r"Dense: inputs must be float .*got int32\[2, 4\]"),
        (DenseGeneral(3), jnp.ones((2, 4), bool), r"DenseGeneral: inputs must be float .*got bool"),
        (Embed(5, 3), jnp.ones((2, 4)), r"Embed: ids must be integers, got float32\[2, 4\]"),
    ],
)
def test_wrong_dtypes_refused(layer, x, match):
    with pytest.raises(TypeError, match=match):
        layer.init(jax.random.PRNGKey(0), x)


def test_dense_general_wrong_axis_sizes():
    layer = DenseGeneral(4, axis=(1, -1))
    variables = _variables(layer, jnp.ones((2, 3, 5, 6)))
    with pytest.raises(
        ValueError,
        match=r"DenseGeneral: expected inputs with sizes \[3, 6\] on axes \[1, 3\] "
        r"\(kernel is \[3, 6, 4\]\), got \[2, 3, 5, 7\]",
    ):
        layer.apply(variables, jnp.ones((2, 3, 5, 7)))


@pytest.mark.parametrize(
    "layer,x,match",
    [
        (DenseGeneral(3, batch_dims=(1,)), jnp.ones((2, 3, 4)), r"batch_dims must be consecutive leading axes"),
        (DenseGeneral(3, axis=3), jnp.ones((2, 3)), r"axis must be an axis in \[-2, 2\) for an array of rank 2"),
        (Dense(3), jnp.float32(1.0), r"Dense: inputs need a feature axis"),
    ],
)
def test_bad_hyperparameters_or_shapes(layer, x, match):
    with pytest.raises(ValueError, match=match):
        layer.init(jax.random.PRNGKey(0), x)


def test_embed_attend_checks_query():
    variables = _variables(Embed(5, 3), jnp.zeros((2,), jnp.int32))
    with pytest.raises(
        ValueError,
        match=r"Embed: attend expected a query with 3 features \(embedding is \[5, 3\]\), "
        r"got \[2, 4\]",
    ):
        Embed(5, 3).apply(variables, jnp.ones((2, 4)), attend=True)
    with pytest.raises(TypeError, match=r"Embed: query must be float"):
        Embed(5, 3).apply(variables, jnp.ones((2, 3), jnp.int32), attend=True)


@pytest.mark.parametrize("vocab", [1, 5])
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
def test_embed_ids_outside_the_vocabulary_give_nan_rows(vocab, jit):
    """The promise of Embed's docstring: an id outside [0, vocab) gives a NaN row, negative ids
    included (Flax's jnp.take counts -1 as the last row, and Embed(1) gives row 0 for any id); the
    rows of valid ids, and their gradients, are Flax's bits."""
    embedding = jnp.arange(vocab * 3, dtype=jnp.float32).reshape(vocab, 3) + 1.0
    variables = {"params": {"embedding": embedding}}
    ids = jnp.array([[0, vocab - 1, vocab, -1, -vocab, 7]])  # [1, 6]: two valid, four not
    apply = jax.jit(Embed(vocab, 3).apply) if jit else Embed(vocab, 3).apply
    y = apply(variables, ids)  # [1, 6, 3]
    assert bool(jnp.isnan(y[0, 2:]).all()) and not bool(jnp.isnan(y[0, :2]).any())
    valid = ids[:, :2]
    theirs = fnn.Embed(vocab, 3).apply(variables, valid)
    assert_bitwise(apply(variables, valid), theirs)

    def loss(module, e):
        return (module.apply({"params": {"embedding": e}}, valid) ** 2).sum()

    assert_bitwise(
        jax.grad(lambda e: loss(Embed(vocab, 3), e))(embedding),
        jax.grad(lambda e: loss(fnn.Embed(vocab, 3), e))(embedding),
    )
    grad_invalid = jax.grad(
        lambda e: jnp.nan_to_num(Embed(vocab, 3).apply({"params": {"embedding": e}}, ids[:, 2:])).sum()
    )
    assert not bool(grad_invalid(embedding).any())  # no gradient reaches the table from an invalid id


def test_embed_narrow_integer_ids_with_a_large_vocabulary():
    """int8 ids cannot hold the id 300 used to mark an invalid one: they are widened first."""
    variables = {"params": {"embedding": jnp.ones((300, 2))}}
    y = Embed(300, 2).apply(variables, jnp.array([-1, 5], jnp.int8))
    assert bool(jnp.isnan(y[0]).all()) and y[1].tolist() == [1.0, 1.0]
