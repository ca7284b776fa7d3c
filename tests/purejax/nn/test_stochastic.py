"""purejax.nn Dropout, PReLU and Sequential against flax.linen: masks, names, outputs, grads, errors.

The table of layer settings is shared with the parity report (comparisons/parity/tables/nn_normalization.py,
its `OTHER` rows: Dropout, PReLU and Sequential); Dropout's keys are tested inside a parent that uses all
three. Sequential's naming of its children is in `test_combinators.py`.
"""

import dataclasses

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

from comparisons.parity.tables.nn_normalization import OTHER, case_id, compare
from purejax.nn import Dropout, Layer, LayerNorm, PReLU, Sequential
from tests._asserts import assert_bitwise, assert_matches_flax

KEY = jax.random.PRNGKey(0)
RNGS = {"params": KEY, "dropout": jax.random.PRNGKey(5)}
X = jax.random.normal(jax.random.PRNGKey(1), (4, 6))  # [batch, features]


@pytest.mark.parametrize("case", OTHER, ids=[case_id(i, c) for i, c in enumerate(OTHER)])
def test_same_as_flax(case, variant, platform):
    assert_matches_flax(compare(case, variant))


# -- Dropout's key depends on where the layer sits: the same masks as Flax inside a parent ---------
@dataclasses.dataclass(frozen=True)
class Parent(Layer):
    def forward(self, scope, x, train):
        x = scope.child(Dropout(0.5))(x, deterministic=not train)  # Dropout_0
        x = scope.child(PReLU())(x)
        x = scope.child(Dropout(0.2, name="drop"))(x, deterministic=not train)
        x = scope.child(Dropout(0.3, broadcast_dims=(0,)))(x, deterministic=not train)  # Dropout_1
        x = scope.child(Sequential([LayerNorm(), Dropout(0.4, deterministic=not train)]))(x)  # Sequential_0
        return x + scope.child(Dropout(0.5))(x, deterministic=not train)  # Dropout_2, same key path twice


# Built outside the parent, so that Flax's Sequential adopts them as `layers_0`, `layers_1` (built
# inside `compact`, Flax would make them the parent's own `LayerNorm_0`, `Dropout_2`).
FLAX_SEQUENCE = {train: [fnn.LayerNorm(), fnn.Dropout(0.4, deterministic=not train)] for train in (True, False)}


class FlaxParent(fnn.Module):
    @fnn.compact
    def __call__(self, x, train):
        x = fnn.Dropout(0.5)(x, deterministic=not train)
        x = fnn.PReLU()(x)
        x = fnn.Dropout(0.2, name="drop")(x, deterministic=not train)
        x = fnn.Dropout(0.3, broadcast_dims=(0,))(x, deterministic=not train)
        x = fnn.Sequential(FLAX_SEQUENCE[train])(x)
        return x + fnn.Dropout(0.5)(x, deterministic=not train)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("jit", [False, True])
def test_dropout_inside_a_parent_same_masks(train, jit):
    ours_v, theirs_v = Parent().init(RNGS, X, train), FlaxParent().init(RNGS, X, train)
    assert_bitwise(ours_v, theirs_v)  # PReLU_0 and Sequential_0/layers_0 (the LayerNorm)
    ours = lambda v, x: Parent().apply(v, x, train, rngs=RNGS)  # noqa: E731
    theirs = lambda v, x: FlaxParent().apply(v, x, train, rngs=RNGS)  # noqa: E731
    if jit:
        ours, theirs = jax.jit(ours), jax.jit(theirs)
    y = ours(theirs_v, X)
    chex.assert_trees_all_close(y, theirs(theirs_v, X), rtol=1e-6)
    assert bool(jnp.any(y == 0.0)) == train  # masks applied only in training


def test_dropout_same_mask_for_a_given_key_and_fresh_masks_per_key():
    layer, flax_layer = Dropout(0.5, deterministic=False), fnn.Dropout(0.5, deterministic=False)
    for seed in (0, 1, 2**31 - 1):
        rngs = {"dropout": jax.random.PRNGKey(seed)}
        assert_bitwise(layer.apply({}, X, rngs=rngs), flax_layer.apply({}, X, rngs=rngs))
    explicit = jax.random.PRNGKey(9)  # the `rng` argument: the key itself, no stream
    assert_bitwise(layer.apply({}, X, rng=explicit), flax_layer.apply({}, X, rng=explicit))
    assert_bitwise(layer.apply({}, X, rngs={"params": KEY}), flax_layer.apply({}, X, rngs={"params": KEY}))


def test_dropout_keeps_the_mean_and_rate_one_has_finite_gradients():
    y = Dropout(0.25, deterministic=False).apply({}, jnp.ones((200, 100)), rngs={"dropout": KEY})
    assert abs(float(jnp.mean(y == 0.0)) - 0.25) < 0.01 and abs(float(jnp.mean(y)) - 1.0) < 0.02
    grad = jax.grad(lambda x: jnp.sum(Dropout(1.0).apply({}, x, deterministic=False)))(X)
    assert_bitwise(grad, jnp.zeros_like(X))


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: Dropout(0.5).apply({}, X), "Dropout: 'deterministic' is not set; pass it to the constructor"),
        (
            lambda: Dropout(0.5, deterministic=True).apply({}, X, deterministic=True),
            "'deterministic' was passed to the constructor and to the call",
        ),
        (
            lambda: Dropout(0.5).apply({}, X, deterministic=False),
            "needs a key for the 'dropout' rng stream: pass rngs={'dropout': key} to apply",
        ),
        (
            lambda: Dropout(0.5, rng_collection="noise").apply({}, X, deterministic=False, rngs={"dropout": KEY}),
            "pass rngs={'noise': key}",
        ),
        (
            lambda: Parent().apply(Parent().init(KEY, X, False), X, True),
            "Dropout_0: dropout with deterministic=False needs a key for the 'dropout' rng stream",
        ),
        (lambda: PReLU().apply({}, X), "PReLU: no parameter 'negative_slope'"),
        (lambda: Sequential([]), "purejax.nn.Sequential: layers must be a non-empty list"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
