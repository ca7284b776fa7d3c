"""lstm_lm's extras, on both sides: the byte data, the learned initial state, truncated BPTT, sampling.

The generic contract (init, loss, 100 training steps, learning goal, wrong batches) is in
`test_contract.py`; here: what only a language model has.
"""

from __future__ import annotations

import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random
from flaxed.models import lstm_lm as theirs
from purejax.data import load_text
from purejax.models import lstm_lm as ours
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL

SIDES = {"purejax": ours, "flaxed": theirs}
T = ours.SEQ_LEN


@pytest.fixture(params=list(SIDES))
def side(request):
    return SIDES[request.param]


@pytest.fixture(scope="module")
def setup():
    """Variables (drawn once, used by both sides) and a batch of 4 windows of 33 bytes."""
    key = purejax.random.PRNGKey(0)
    batch = ours.example_batch(key, batch_size=4)
    return ours.init(key, batch), jnp.asarray(batch["tokens"])


# --- data ------------------------------------------------------------------------------------


def test_data_is_the_text_split_by_position():
    data, text = ours.load_data(), load_text(max_bytes=ours.MAX_BYTES)
    np.testing.assert_array_equal(np.concatenate([data["train"], data["test"]]), text)
    assert len(data["test"]) == int(len(text) * ours.TEST_FRACTION)


def test_training_windows_are_contiguous_text(key):
    train = bytes(ours.load_data()["train"])
    batch = ours.example_batch(key, batch_size=8)
    assert batch["tokens"].dtype == np.int32 and batch["tokens"].shape == (8, T + 1)
    for row in batch["tokens"]:
        assert bytes(row.astype(np.uint8)) in train


def test_eval_windows_predict_every_test_byte_once():
    test = ours.load_data()["test"]
    batches = list(ours.eval_batches(100))
    targets = np.concatenate([b["tokens"][:, 1:].ravel() for b in batches])
    np.testing.assert_array_equal(targets, test[1 : 1 + len(targets)])
    assert len(test) - 1 - len(targets) < T  # at most the tail of one window is left out
    assert len(batches[-1]["tokens"]) <= 100


def test_a_text_file_replaces_the_stdlib(tmp_path, key):
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abcab" * 200)
    data = ours.load_data(str(path))
    assert ours.load_data(str(path)) is data  # cached per path
    assert len(data["train"]) + len(data["test"]) == 1000
    tokens = next(ours.train_batches(key, 4, path=str(path)))["tokens"]
    assert set(np.unique(tokens)) <= set(b"abc")
    assert ours.unigram_entropy(str(path)) == pytest.approx(-(0.4 * np.log(0.4) * 2 + 0.2 * np.log(0.2)), rel=1e-6)
    small = tmp_path / "small.txt"
    small.write_bytes(b"tiny")
    with pytest.raises(ValueError, match=r"transformer_lm\): .*small\.txt has 4 bytes; it needs at least 330"):
        ours.load_data(str(small))


def test_learning_goal_is_a_fraction_of_the_unigram_entropy():
    counts = np.bincount(ours.load_data()["train"], minlength=256)
    p = counts[counts > 0] / counts.sum()
    entropy = -(p * np.log(p)).sum()
    assert ours.unigram_entropy() == pytest.approx(entropy, rel=1e-12)
    assert ours.learning_goal({"loss": 0.79 * entropy})[0]
    ok, text = ours.learning_goal({"loss": 0.81 * entropy})
    assert not ok and "unigram entropy" in text


@pytest.mark.parametrize(
    "batch, why",
    [
        ({"tokens": np.zeros((2, 5), np.float32)}, "float tokens"),
        ({"tokens": np.zeros((2, 1), np.int32)}, "no target"),
        ({"x": np.zeros((2, 5), np.int32)}, "wrong key"),
        (np.zeros((2, 5), np.int32), "not a dict"),
    ],
)
def test_bad_batches_are_refused(side, batch, why):
    with pytest.raises(ValueError, match=r"lstm_lm: expected a batch \{'tokens': int\[B, T \+ 1\]\}"):
        side.check_batch(batch)


# --- the model: variables and the learned initial state --------------------------------------


def _value(name, params, tokens, carry=None, n=None, weight=1.0):
    """`(weight * loss, (metrics, carry))` of `chunk_loss`, or of `tbptt_loss` with chunks of `n`."""
    side, variables = SIDES[name], {"params": params}
    loss, aux = side.chunk_loss(variables, tokens, carry) if n is None else side.tbptt_loss(variables, tokens, n, carry)
    return loss * weight, aux


value = jax.jit(_value, static_argnames=("name", "n"))
grads = jax.jit(jax.grad(_value, argnums=(1, 3), has_aux=True), static_argnames=("name", "n"))  # params, carry


def test_variables_tree(setup):
    variables, _ = setup
    shapes = jax.tree_util.tree_map(jnp.shape, variables)["params"]
    assert set(shapes) == {"Embed_0", "c0", "RNN_0", "Dense_0"}
    assert shapes["c0"] == (64,) and shapes["Embed_0"]["embedding"] == (256, 32)
    assert set(shapes["RNN_0"]["cell"]) == {"ii", "if", "ig", "io", "hi", "hf", "hg", "ho"}


@pytest.mark.parametrize("name", list(SIDES))
def test_no_carry_means_the_learned_carry(name, setup):
    variables, tokens = setup
    c0 = variables["params"]["c0"] + 0.5  # away from zero, so that tanh(c0) != c0
    params = {**variables["params"], "c0": c0}
    default = value(name, params, tokens)[0]
    assert default == value(name, params, tokens, ours.learned_carry(c0, tokens.shape[0]))[0]
    assert default != value(name, params, tokens, ours.learned_carry(jnp.zeros_like(c0), tokens.shape[0]))[0]


def test_initial_state_is_learned(setup):
    variables, tokens = setup
    grad_c0 = [
        jax.jit(jax.grad(lambda p, m=m: m.chunk_loss({"params": p}, tokens)[0]))(variables["params"])["c0"]
        for m in (ours, theirs)
    ]
    assert float(jnp.abs(grad_c0[0]).max()) > 0
    chex.assert_trees_all_close(grad_c0[0], grad_c0[1], rtol=GRADIENT_RTOL, atol=1e-7)


# --- truncated backpropagation through time --------------------------------------------------


def _tbptt_case(name, variables, tokens):
    """16 predictions from a carry away from zero; `grads` of `tbptt_loss` with two chunks of 8."""
    params, tokens = variables["params"], tokens[:, :17]  # [batch, 17]
    carry = ours.learned_carry(params["c0"] + 0.1, tokens.shape[0])  # (c, h), [batch, hidden] each
    return params, tokens, carry, grads(name, params, tokens, carry, n=8)[0]


@pytest.mark.parametrize("name", list(SIDES))
def test_tbptt_keeps_the_loss_and_truncates_the_gradient(name, setup):
    """Same value as one pass; the gradient is the chunks' gradients summed, nothing crossing a boundary."""
    params, tokens, carry, (got_params, got_carry) = _tbptt_case(name, *setup)
    full = value(name, params, tokens, carry)  # (loss, (metrics, final carry))
    for n in (8, 5):  # chunks 8 + 8, and 5 + 5 + 5 + 1 (weighted by their lengths)
        chex.assert_trees_all_close(value(name, params, tokens, carry, n=n), full, rtol=FORWARD_RTOL)

    # PyTorch: loss_k.backward() per chunk (gradients accumulate), then hc = hc.detach()
    (first_params, first_carry), (_, carry_1) = grads(name, params, tokens[:, :9], carry, weight=0.5)
    (second_params, _), _ = grads(name, params, tokens[:, 8:], carry_1, weight=0.5)  # carry_1: a constant
    chex.assert_trees_all_close(
        got_params, jax.tree_util.tree_map(jnp.add, first_params, second_params), rtol=GRADIENT_RTOL, atol=1e-7
    )
    chex.assert_trees_all_close(got_carry, first_carry, rtol=GRADIENT_RTOL, atol=1e-8)  # from chunk 1 alone

    (full_params, full_carry), _ = grads(name, params, tokens, carry)  # untruncated: chunk 2 reaches back
    kernel = ("RNN_0", "cell", "hf", "kernel")
    assert not np.allclose(
        functools.reduce(dict.get, kernel, got_params), functools.reduce(dict.get, kernel, full_params), rtol=1e-3
    )
    assert not np.allclose(got_carry[1], full_carry[1], rtol=1e-3)


def test_tbptt_agrees_across_sides(setup):
    """Same truncated gradients on both sides, and `loss_fn(..., bptt_length=8)` is `tbptt_loss`."""
    results = [_tbptt_case(name, *setup)[3] for name in SIDES]
    chex.assert_trees_all_close(results[0], results[1], rtol=GRADIENT_RTOL, atol=1e-8)
    variables, tokens = setup
    for name, side in SIDES.items():
        loss, metrics = jax.jit(lambda v, m=side: m.loss_fn(v, {"tokens": tokens}, None, bptt_length=8))(variables)
        expected_loss, (expected_metrics, _) = value(name, variables["params"], tokens, n=8)
        chex.assert_trees_all_close((loss, metrics), (expected_loss, expected_metrics), rtol=FORWARD_RTOL)


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_bad_bptt_length_is_refused(side, n, setup):
    variables, tokens = setup
    with pytest.raises(ValueError, match="lstm_lm: bptt_length must be a positive integer"):
        side.tbptt_loss(variables, tokens, n)


# --- sampling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [dict(greedy=True), dict(temperature=1.0), dict(temperature=0.5), dict(temperature=2.0)],
    ids=["greedy", "t1", "t0.5", "t2"],
)
def test_both_sides_sample_the_same_bytes(kwargs, setup):
    variables, _ = setup
    key = purejax.random.PRNGKey(3)
    got = [m.sample(variables, key, b"def f(x):\n", 40, **kwargs) for m in (ours, theirs)]
    assert isinstance(got[0], bytes) and len(got[0]) == 40
    assert got[0] == got[1]


def test_the_key_matters_unless_greedy(side, setup):
    variables, _ = setup
    k1, k2 = purejax.random.PRNGKey(1), purejax.random.PRNGKey(2)
    assert side.sample(variables, k1, b"x", 30) == side.sample(variables, k1, b"x", 30)
    assert side.sample(variables, k1, b"x", 30) != side.sample(variables, k2, b"x", 30)
    assert side.sample(variables, k1, b"x", 30, greedy=True) == side.sample(variables, k2, b"x", 30, greedy=True)
    assert side.sample(variables, k1, b"x", 30, temperature=1e-6) == side.sample(variables, k1, b"x", 30, greedy=True)
    assert side.sample(variables, k1, b"x", 0) == b""


def test_greedy_scan_equals_rereading_the_whole_text(side, setup):
    """Carrying (c, h) through lax.scan gives what one pass of the model over prompt + output gives."""
    variables, _ = setup
    prompt = b"import "
    out = side.sample(variables, purejax.random.PRNGKey(0), prompt, 12, greedy=True)
    tokens = jnp.asarray(np.frombuffer(prompt + out, np.uint8).astype(np.int32))[None, :]  # [1, 19]
    _, logits = jax.jit(side.build().apply)(variables, tokens)  # [1, 19, vocab]
    assert bytes(np.asarray(jnp.argmax(logits[0, len(prompt) - 1 : -1], axis=-1)).astype(np.uint8)) == out


@pytest.mark.parametrize(
    "args, message",
    [
        ((b"", 5), "non-empty bytes prompt"),
        (("text", 5), "non-empty bytes prompt"),
        ((b"a", -1), "length must be a non-negative integer"),
        ((b"a", 5, 0.0), "temperature must be positive"),
    ],
)
def test_bad_sample_arguments_are_refused(side, args, message, setup, key):
    variables, _ = setup
    with pytest.raises(ValueError, match=f"lstm_lm: sample.*{message}"):
        side.sample(variables, key, *args)
