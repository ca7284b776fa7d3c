"""purejax.nn attention against flax.linen: functions, masks, the layer, cached decoding, errors.

The table of settings is shared with the parity report (comparisons/parity/tables/nn_attention.py).
Besides it: the weights are the formula `softmax(q k^T / sqrt(d))` computed by hand; cached decoding
equals the full causal pass at every position in both packages; dropout masks follow the keys; the
layer inside a `purejax.nn.Module` `@compact` method is Flax's; sown weights; the errors.
"""

import warnings

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.nn as pnn
from comparisons.parity.tables.nn_attention import CASES, DECODE_SETTINGS, MHA, case_id, compare, decode
from purejax import random
from tests._asserts import FORWARD_RTOL, assert_bitwise, assert_matches_flax, assert_refused

# Eager runs cost most (op by op); the others run jitted here, and both ways in the report.
EAGER_TOO = {
    i
    for i, c in enumerate(CASES)
    if c.kind == "mask"
    or (c.name, c.label)
    in (
        (MHA, "dropout 0.3 from rngs, causal"),
        ("dot_product_attention", "padding mask, dropout 0.2"),
        ("dot_product_attention_weights", ""),
    )
}


@pytest.mark.parametrize(
    "case",
    [c for i, c in enumerate(CASES) if i in EAGER_TOO],
    ids=[case_id(i, c) for i, c in enumerate(CASES) if i in EAGER_TOO],
)
def test_same_as_flax(case, variant, platform):
    assert_matches_flax(compare(case, variant))


@pytest.mark.parametrize("variant", ["with_jit"], indirect=True)
@pytest.mark.parametrize(
    "case",
    [c for i, c in enumerate(CASES) if i not in EAGER_TOO],
    ids=[case_id(i, c) for i, c in enumerate(CASES) if i not in EAGER_TOO],
)
def test_same_as_flax_jit(case, variant, platform):
    assert_matches_flax(compare(case, variant))


def test_weights_are_the_scaled_softmax_by_hand():
    """softmax(q k^T / sqrt(head_dim)) with masked logits at the lowest float, in NumPy."""
    q, k = (np.asarray(jax.random.normal(key, (1, 4, 2, 8))) for key in jax.random.split(random.PRNGKey(0)))
    mask = np.tril(np.ones((4, 4)))[None, None]  # [1, 1, q, kv]
    logits = np.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(8)
    logits = np.where(mask, logits, np.finfo(np.float32).min)
    expected = np.exp(logits - logits.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    got = pnn.dot_product_attention_weights(jnp.asarray(q), jnp.asarray(k), mask=jnp.asarray(mask))
    np.testing.assert_allclose(got, expected, rtol=FORWARD_RTOL, atol=1e-7)
    assert float(got[0, 0, 0, 1:].max()) == 0.0  # the first query sees only the first key


@pytest.mark.parametrize(
    "settings,length,jit",
    [(*DECODE_SETTINGS[0], False), (*DECODE_SETTINGS[0], True), (*DECODE_SETTINGS[1], True)],
    ids=["heads2-eager", "heads2-jit", "heads4_qkv16_out5_normalize_qk-jit"],
)
def test_cached_decoding_equals_the_full_causal_pass(settings, length, jit):
    """Token t through the cache gives the full causal pass's position t, for every t, in both packages;
    and the two packages' steps, caches (cached_key, cached_value, cache_index) and variables are the same bits."""
    ours, theirs = decode(pnn, settings, length, jit), decode(fnn, settings, length, jit)
    for side in (ours, theirs):
        chex.assert_trees_all_close(side["steps"], side["full"], rtol=FORWARD_RTOL, atol=1e-6)
    assert_bitwise(ours["steps"], theirs["steps"])
    assert_bitwise(ours["cache"], theirs["cache"])
    assert_bitwise(ours["variables"], theirs["variables"])
    assert int(ours["cache"]["cache_index"]) == length


def _decoder(length=3):
    layer = pnn.MultiHeadDotProductAttention(num_heads=2, decode=True)
    variables = layer.init(random.PRNGKey(0), jnp.ones((2, length, 4)))
    return layer, variables


def _fill(layer, variables, steps):
    cache = variables["cache"]
    for _ in range(steps):
        _, changed = layer.apply(
            {"params": variables["params"], "cache": cache}, jnp.ones((2, 1, 4)), mutable=["cache"]
        )
        cache = changed["cache"]
    return cache


def test_decoding_past_the_end_of_the_cache_is_refused_eagerly_and_nan_under_jit():
    layer, variables = _decoder(3)
    cache = _fill(layer, variables, 3)
    step = {"params": variables["params"], "cache": cache}
    assert_refused(
        lambda: layer.apply(step, jnp.ones((2, 1, 4)), mutable=["cache"]),
        ValueError,
        "MultiHeadDotProductAttention",
        "cache is full",
        "holds 3 positions",
        "cache_index is 3",
    )
    y, _ = jax.jit(lambda v: layer.apply(v, jnp.ones((2, 1, 4)), mutable=["cache"]))(step)
    assert bool(jnp.isnan(y).all())
    y, _ = jax.jit(lambda v: layer.apply(v, jnp.ones((2, 1, 4)), mutable=["cache"]))(
        {"params": variables["params"], "cache": _fill(layer, variables, 2)}
    )
    assert not bool(jnp.isnan(y).any())  # the last free position is still fine


def test_decoding_more_than_one_token_or_without_a_mutable_cache_is_refused():
    layer, variables = _decoder(3)
    assert_refused(
        lambda: layer.apply(variables, jnp.ones((2, 2, 4)), mutable=["cache"]),
        ValueError,
        "each call takes one token",
        "[2, 1, 2, 2]",
        "got [2, 2, 2, 2]",
    )
    assert_refused(lambda: layer.apply(variables, jnp.ones((2, 1, 4))), ValueError, "mutable=['cache']")
    with pytest.raises(ValueError, match="Autoregressive cache shape error"):  # Flax refuses it too
        fnn.MultiHeadDotProductAttention(num_heads=2, decode=True).apply(
            variables, jnp.ones((2, 2, 4)), mutable=["cache"]
        )


def _dropout_out(key, layer=None):
    layer = layer or pnn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.5)
    x = jnp.ones((1, 4, 4)) + jnp.arange(4.0).reshape(1, 4, 1)
    variables = layer.init(random.PRNGKey(0), x, deterministic=True)
    return layer.apply(variables, x, deterministic=False, rngs={"dropout": key})


def test_dropout_follows_the_key():
    assert_bitwise(_dropout_out(random.PRNGKey(1)), _dropout_out(random.PRNGKey(1)))
    assert not bool(jnp.allclose(_dropout_out(random.PRNGKey(1)), _dropout_out(random.PRNGKey(2))))
    layer = pnn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.5, deterministic=True)
    x = jnp.ones((1, 4, 4))
    variables = layer.init(random.PRNGKey(0), x)
    assert_bitwise(layer.apply(variables, x), pnn.MultiHeadDotProductAttention(num_heads=2).apply(variables, x))


def _block(m):
    class Block(m.Module):
        """Two attention layers with dropout and a Dense, auto-named, in Flax's @compact style."""

        @m.compact
        def __call__(self, x, train: bool = False):
            mask = m.make_causal_mask(jnp.ones(x.shape[:-1]))
            h = m.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.5, deterministic=not train)(x, mask=mask)
            h = m.MultiHeadDotProductAttention(num_heads=2, normalize_qk=True)(h, x, sow_weights=True)
            return m.Dense(3)(h)

    return Block()


def test_inside_a_compact_module_as_in_flax():
    x = jax.random.normal(random.PRNGKey(1), (2, 4, 6))
    keys = {"params": random.PRNGKey(0), "dropout": random.PRNGKey(2)}
    theirs_v = _block(fnn).init(keys, x)
    ours_v = _block(pnn).init(keys, x)
    assert_bitwise(ours_v, theirs_v)
    assert sorted(ours_v["params"]) == ["Dense_0", "MultiHeadDotProductAttention_0", "MultiHeadDotProductAttention_1"]
    params = {"params": theirs_v["params"]}
    rngs = {"dropout": random.PRNGKey(3)}
    ours, ours_sown = _block(pnn).apply(params, x, train=True, rngs=rngs, mutable=["intermediates"])
    theirs, theirs_sown = _block(fnn).apply(params, x, train=True, rngs=rngs, mutable=["intermediates"])
    chex.assert_trees_all_close(ours, theirs, rtol=FORWARD_RTOL, atol=1e-7)
    chex.assert_trees_all_close(ours_sown, theirs_sown, rtol=FORWARD_RTOL, atol=1e-7)
    weights = ours_sown["intermediates"]["MultiHeadDotProductAttention_1"]["attention_weights"]
    assert weights[0].shape == (2, 2, 4, 4)  # [batch, heads, q, kv]


def test_multi_head_attention_and_self_attention_names():
    x = jnp.ones((1, 3, 4))
    assert sorted(pnn.MultiHeadAttention(num_heads=2).init(random.PRNGKey(0), x)["params"]) == [
        "key",
        "out",
        "query",
        "value",
    ]
    with pytest.warns(DeprecationWarning, match="SelfAttention"):
        pnn.SelfAttention(num_heads=2).init(random.PRNGKey(0), x)


def test_inputs_kv_is_deprecated_and_exclusive():
    layer = pnn.MultiHeadDotProductAttention(num_heads=2)
    x = jnp.ones((1, 3, 4))
    variables = layer.init(random.PRNGKey(0), x)
    with pytest.warns(DeprecationWarning, match="inputs_kv"):
        assert_bitwise(layer.apply(variables, x, inputs_kv=2 * x), layer.apply(variables, x, 2 * x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert_refused(lambda: layer.apply(variables, x, x, inputs_kv=x), ValueError, "inputs_kv", "not both")


@pytest.mark.parametrize(
    "call,error,fragments",
    [
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=3, qkv_features=8),
            ValueError,
            ("MultiHeadDotProductAttention", "qkv_features=8", "multiple of num_heads=3"),
        ),
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=3).init(random.PRNGKey(0), jnp.ones((1, 2, 4))),
            ValueError,
            ("qkv_features=4", "num_heads=3", "set qkv_features"),
        ),
        (lambda: pnn.MultiHeadDotProductAttention(num_heads=0), ValueError, ("num_heads", "positive integer")),
        (lambda: pnn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=1.5), ValueError, ("dropout_rate",)),
        (lambda: pnn.MultiHeadDotProductAttention(num_heads=2, decode=1), TypeError, ("decode", "True or False")),
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=2).init(
                random.PRNGKey(0), jnp.ones((1, 3, 4)), inputs_v=jnp.ones((1, 3, 4))
            ),
            ValueError,
            ("inputs_k cannot be None",),
        ),
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=2).init(
                random.PRNGKey(0), jnp.ones((1, 3, 4)), jnp.ones((1, 2, 4)), jnp.ones((1, 5, 4))
            ),
            ValueError,
            ("inputs_k and inputs_v must have the same length", "inputs_k [1, 2, 4]", "inputs_v [1, 5, 4]"),
        ),
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=2).init(random.PRNGKey(0), jnp.ones((1, 3, 4), int)),
            TypeError,
            ("inputs_q must be float",),
        ),
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=2).init(
                random.PRNGKey(0), jnp.ones((2, 3, 4)), mask=jnp.ones((3, 1, 3, 3))
            ),
            ValueError,
            ("mask has shape [3, 1, 3, 3]", "[2, 2, 3, 3]"),
        ),
        (
            lambda: pnn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.1).init(
                random.PRNGKey(0), jnp.ones((1, 3, 4))
            ),
            ValueError,
            ("'deterministic' is not set",),
        ),
        (
            lambda: pnn.dot_product_attention(jnp.ones((1, 3, 2, 4)), jnp.ones((1, 3, 2, 4)), jnp.ones((1, 4, 2, 4))),
            ValueError,
            ("dot_product_attention", "same length", "value [1, 4, 2, 4]"),
        ),
        (
            lambda: pnn.dot_product_attention_weights(jnp.ones((1, 3, 2, 4)), jnp.ones((1, 3, 3, 4))),
            ValueError,
            ("number of heads", "key [1, 3, 3, 4]"),
        ),
        (
            lambda: pnn.dot_product_attention_weights(jnp.ones((3, 2, 4)), jnp.ones((3, 2, 5))),
            ValueError,
            ("same head_dim",),
        ),
        (
            lambda: pnn.dot_product_attention_weights(jnp.ones((3, 4)), jnp.ones((3, 4))),
            ValueError,
            ("query must be [batch..., length, heads, head_dim]",),
        ),
        (
            lambda: pnn.dot_product_attention_weights(jnp.ones((3, 2, 4)), jnp.ones((3, 2, 4)), dropout_rate=0.1),
            ValueError,
            ("needs dropout_rng", "deterministic=True"),
        ),
        (
            lambda: pnn.dot_product_attention(
                jnp.ones((3, 2, 4)), jnp.ones((3, 2, 4)), jnp.ones((3, 2, 4)), qk_attn_weights_einsum=jnp.einsum
            ),
            ValueError,
            ("must be specified together",),
        ),
        (
            lambda: pnn.combine_masks(jnp.ones((1, 1, 3, 3)), jnp.ones((3, 3))),
            ValueError,
            ("combine_masks", "same rank", "(4, 2)"),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_input_is_refused_by_name(call, error, fragments):
    assert_refused(call, error, *fragments)


def test_masks_and_fully_masked_rows():
    """A query that may see no key gets uniform weights (the lowest float, not -inf: no NaN)."""
    q = jnp.ones((1, 2, 1, 4))
    mask = jnp.zeros((1, 1, 2, 2))
    assert pnn.dot_product_attention_weights(q, q, mask=mask)[0, 0].tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert pnn.combine_masks(None, None) is None
