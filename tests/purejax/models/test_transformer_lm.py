"""transformer_lm's extras, on both sides: the variables, dropout, cached decoding and sampling.

The generic contract (init, loss, 100 training steps, learning goal, wrong batches) is in
`test_contract.py`; the attention layer's own parity tables in `tests/purejax/nn/`; here: what
the language model adds on top (the cache driven position by position, the sampler).
"""

from __future__ import annotations

import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import purejax.random
from flaxed.models import transformer_lm as theirs
from purejax.models import lstm_lm
from purejax.models import transformer_lm as ours
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL, assert_bitwise

SIDES = {"purejax": ours, "flaxed": theirs}
T = ours.SEQ_LEN


@pytest.fixture(params=list(SIDES))
def name(request):
    return request.param


@pytest.fixture(scope="module")
def setup():
    """Variables (drawn once, used by both sides) and a batch of 4 windows of 33 bytes."""
    key = purejax.random.PRNGKey(0)
    batch = ours.example_batch(key, batch_size=4)
    return jax.jit(ours.init)(key, batch), jnp.asarray(batch["tokens"])


# --- the model -------------------------------------------------------------------------------


def test_same_data_as_lstm_lm():
    """The same task functions, so the two language models' test losses compare directly."""
    for attribute in ("load_data", "train_batches", "eval_batches", "example_batch", "learning_goal"):
        assert getattr(ours, attribute) is getattr(lstm_lm, attribute)
    assert ours.HPARAMS["max_len"] == T == lstm_lm.SEQ_LEN


def test_variables_tree(setup):
    variables, _ = setup
    shapes = jax.tree_util.tree_map(jnp.shape, variables)["params"]
    heads, features = ours.HPARAMS["num_heads"], ours.HPARAMS["features"]
    assert set(shapes) == {"Embed_0", "Embed_1", "Block_0", "Block_1", "LayerNorm_0", "Dense_0"}
    assert shapes["Embed_1"]["embedding"] == (T, features) and shapes["Dense_0"]["kernel"] == (features, 256)
    attention = shapes["Block_0"]["MultiHeadDotProductAttention_0"]
    assert attention["query"]["kernel"] == (features, heads, features // heads)
    assert attention["out"]["kernel"] == (heads, features // heads, features)


def test_tied_weights_agree(setup):
    """`tie_weights=True`: no `Dense_0`, logits `x @ Embed_0.T`; init, loss and gradients as Flax's `Embed.attend`."""
    _, tokens = setup
    key = purejax.random.PRNGKey(1)
    variables, flax_variables = (
        jax.jit(functools.partial(m.init, tie_weights=True))(key, {"tokens": tokens}) for m in (ours, theirs)
    )
    assert_bitwise(variables, flax_variables)
    assert "Dense_0" not in variables["params"]

    def grads(module):
        def objective(params):
            return module.loss_fn({"params": params}, {"tokens": tokens}, key, tie_weights=True)

        return jax.jit(jax.value_and_grad(objective, has_aux=True))(variables["params"])

    (loss_p, metrics_p), grads_p = grads(ours)
    (loss_f, metrics_f), grads_f = grads(theirs)
    chex.assert_trees_all_close((loss_p, metrics_p), (loss_f, metrics_f), rtol=FORWARD_RTOL)
    chex.assert_trees_all_close(grads_p, grads_f, rtol=GRADIENT_RTOL, atol=1e-7)
    assert float(jnp.abs(grads_p["Embed_0"]["embedding"]).max()) > 0


def test_dropout_only_while_training(name, setup):
    variables, tokens = setup
    side, batch = SIDES[name], {"tokens": tokens}
    loss = jax.jit(side.loss_fn, static_argnames=("train", "dropout_rate"))
    k1, k2 = purejax.random.PRNGKey(1), purejax.random.PRNGKey(2)
    assert loss(variables, batch, k1)[0] != loss(variables, batch, k2)[0]
    assert loss(variables, batch, k1, train=False)[0] == loss(variables, batch, k2, train=False)[0]
    chex.assert_trees_all_close(
        loss(variables, batch, k1, train=True, dropout_rate=0.0),
        loss(variables, batch, k1, train=False),
        rtol=FORWARD_RTOL,
    )
    with pytest.raises(ValueError, match="transformer_lm: training needs a key for dropout"):
        side.loss_fn(variables, batch, None)


def test_causal_mask_hides_the_future(name, setup):
    """Changing byte t changes no logit before t: position t reads bytes 0..t only."""
    variables, tokens = setup
    apply = jax.jit(SIDES[name].build().apply)
    inputs = tokens[:, :-1]  # [batch, T]
    changed = inputs.at[:, 20].set((inputs[:, 20] + 1) % 256)
    before, after = apply(variables, inputs), apply(variables, changed)
    np.testing.assert_array_equal(before[:, :20], after[:, :20])
    assert not np.allclose(before[:, 20:], after[:, 20:])


@pytest.mark.parametrize("length", [T + 1, 2 * T])
def test_text_longer_than_the_context_is_refused(name, length, setup):
    variables, _ = setup
    with pytest.raises(ValueError, match=f"transformer_lm: the model reads at most max_len={T} bytes"):
        SIDES[name].loss_fn(variables, {"tokens": jnp.zeros((2, length + 1), jnp.int32)}, None, train=False)


# --- decoding with the cache ------------------------------------------------------------------


@functools.partial(jax.jit, static_argnames="name")
def _decoded(name, variables, tokens):
    """`(logits [B, T, vocab], cache)`: `tokens: int[B, T]` fed one position at a time into the cache."""
    side = SIDES[name]

    def step(cache, t):
        token = lax.dynamic_slice_in_dim(tokens, t, 1, axis=1)  # [batch, 1]
        logits, cache = side.decode_step(variables, cache, token, t)
        return cache, logits  # [batch, vocab]

    cache, logits = lax.scan(step, side.init_cache(variables, tokens.shape[0]), jnp.arange(tokens.shape[1]))
    return logits.transpose(1, 0, 2), cache


def test_cache_gives_the_full_pass_at_every_position(name, setup):
    """Decoding one byte at a time with the cache gives the causal pass's logits, for all T positions."""
    variables, tokens = setup
    inputs = tokens[:, :-1]  # [batch, T]
    full = jax.jit(SIDES[name].build().apply)(variables, inputs)  # [batch, T, vocab]
    decoded, cache = _decoded(name, variables, inputs)
    chex.assert_trees_all_close(decoded, full, rtol=FORWARD_RTOL, atol=2e-5)
    for block in ("Block_0", "Block_1"):
        layer = cache[block]["MultiHeadDotProductAttention_0"]
        assert int(layer["cache_index"]) == T
        assert layer["cached_key"].shape == (4, T, ours.HPARAMS["num_heads"], 16)
        assert bool((jnp.abs(layer["cached_key"]).sum(axis=(2, 3)) > 0).all())  # every position written


def test_both_sides_decode_alike(setup):
    variables, tokens = setup
    inputs = tokens[:, :-1]
    (logits_p, cache_p), (logits_f, cache_f) = (_decoded(name, variables, inputs) for name in SIDES)
    chex.assert_trees_all_close(logits_p, logits_f, rtol=FORWARD_RTOL, atol=2e-5)
    chex.assert_trees_all_close(cache_p, cache_f, rtol=FORWARD_RTOL, atol=1e-6)
    assert jax.tree_util.tree_structure(cache_p) == jax.tree_util.tree_structure(cache_f)


# --- sampling --------------------------------------------------------------------------------
# One prompt and one length throughout: each side compiles four samplers (greedy or not, cache or not).

PROMPT, LENGTH = b"def f(x):", 20


@pytest.mark.parametrize("kwargs", [dict(greedy=True), dict(temperature=0.5)], ids=["greedy", "t0.5"])
def test_both_sides_sample_the_same_bytes_with_and_without_the_cache(kwargs, setup):
    variables, _ = setup
    key = purejax.random.PRNGKey(3)
    got = [m.sample(variables, key, PROMPT, LENGTH, use_cache=c, **kwargs) for m in SIDES.values() for c in (1, 0)]
    assert isinstance(got[0], bytes) and len(got[0]) == LENGTH
    assert len(set(got)) == 1, got


def test_the_key_matters_unless_greedy(name, setup):
    variables, _ = setup
    side, k1, k2 = SIDES[name], purejax.random.PRNGKey(1), purejax.random.PRNGKey(2)
    assert side.sample(variables, k1, PROMPT, LENGTH) == side.sample(variables, k1, PROMPT, LENGTH)
    assert side.sample(variables, k1, PROMPT, LENGTH) != side.sample(variables, k2, PROMPT, LENGTH)
    greedy = [side.sample(variables, k, PROMPT, LENGTH, greedy=True) for k in (k1, k2)]
    assert greedy[0] == greedy[1]
    assert side.sample(variables, k1, PROMPT, 0) == b""


def test_greedy_sample_equals_argmax_of_the_full_pass(name, setup):
    variables, _ = setup
    side = SIDES[name]
    out = side.sample(variables, purejax.random.PRNGKey(0), PROMPT, LENGTH, greedy=True)
    tokens = jnp.asarray(np.frombuffer(PROMPT + out, np.uint8).astype(np.int32))[None, :]  # [1, P + LENGTH]
    logits = jax.jit(side.build().apply)(variables, tokens)  # [1, P + LENGTH, vocab]
    assert bytes(np.asarray(jnp.argmax(logits[0, len(PROMPT) - 1 : -1], axis=-1)).astype(np.uint8)) == out


@pytest.mark.parametrize(
    "args, message",
    [
        ((b"", 5), "non-empty bytes prompt"),
        (("text", 5), "non-empty bytes prompt"),
        ((b"a", -1), "length must be a non-negative integer"),
        ((b"a", 5, 0.0), "temperature must be positive"),
        ((b"def ", T - 3), f"at most max_len={T} bytes.*ask for length <= {T - 4}"),
    ],
)
def test_bad_sample_arguments_are_refused(name, args, message, setup, key):
    variables, _ = setup
    with pytest.raises(ValueError, match=f"transformer_lm: sample.*{message}"):
        SIDES[name].sample(variables, key, *args)
