"""The fused LSTM path of `RNN` (`purejax/nn/recurrent_lstm_fused.py`) against the per-step cell.

Same variables; the fused path must give the per-step outputs and carries (rtol 1e-5) and
gradients (rtol 1e-4) in every RNN setting, eager and jitted, and refuse what it cannot run.
"""

import dataclasses

import chex
import jax
import jax.numpy as jnp
import pytest

# which cells RNN runs fused, and its measured default per platform, are internal to RNN: read from the module
from purejax.nn import RNN, GRUCell, LSTMCell, OptimizedLSTMCell, recurrent_lstm_fused
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (3, 7, 5))  # [batch, time, in]
LENGTHS = jnp.array([7, 2, 4])

SETTINGS = (  # (name, cell, RNN keywords, call keywords, inputs)
    ("plain", LSTMCell(6), {}, {}, X),
    ("optimized", OptimizedLSTMCell(6), {}, {}, X),
    ("seq_lengths", LSTMCell(6), {"return_carry": True}, {"seq_lengths": LENGTHS}, X),
    (
        "reverse_keep_order",
        LSTMCell(6),
        {"reverse": True, "keep_order": True, "return_carry": True},
        {"seq_lengths": LENGTHS},
        X,
    ),
    (
        "time_major_unroll3",
        LSTMCell(6),
        {"time_major": True, "unroll": 3, "return_carry": True},
        {},
        jnp.swapaxes(X, 0, 1),
    ),
    ("two_batch_axes", OptimizedLSTMCell(6), {"return_carry": True}, {}, X.reshape(3, 1, 7, 5)),
    ("bfloat16", LSTMCell(6, dtype=jnp.bfloat16), {"return_carry": True}, {}, X),
)


def _run(cell, rnn_kwargs, call, x, fused, variant):
    layer = RNN(cell, fused=fused, **rnn_kwargs)
    variables = RNN(cell, fused=False, **rnn_kwargs).init(KEY, x, **call)

    def loss(v, x):
        out = layer.apply(v, x, **call)
        return sum(jnp.sum(leaf.astype(jnp.float32)) for leaf in jax.tree_util.tree_leaves(out)), out

    (_, out), grads = variant(jax.value_and_grad(loss, argnums=(0, 1), has_aux=True))(variables, x)
    return out, grads


EAGER_TOO = ("plain", "seq_lengths")  # eager runs are slow (op by op); the rest run jitted only


def _assert_fused_equals_per_step(variant, cell, rnn_kwargs, call, x):
    low = cell.dtype == jnp.bfloat16
    fused = _run(cell, rnn_kwargs, call, x, True, variant)
    per_step = _run(cell, rnn_kwargs, call, x, False, variant)
    if not low:
        chex.assert_trees_all_close(fused[0], per_step[0], rtol=FORWARD_RTOL, atol=1e-6)
        chex.assert_trees_all_close(fused[1], per_step[1], rtol=GRADIENT_RTOL, atol=1e-6)
        return
    # bfloat16: the per-step cell's backward pass runs in bfloat16 (the gates' cotangents
    # are bfloat16), ours in float32 after the saved bfloat16 gates; both are about 1%
    # from the float32 gradients, so each is held to those instead of to the other.
    exact = _run(dataclasses.replace(cell, dtype=None), rnn_kwargs, call, x, False, variant)
    chex.assert_trees_all_close(fused[0], per_step[0], rtol=1e-2, atol=1e-6)
    for grads in (fused[1], per_step[1]):
        errors = jax.tree_util.tree_map(lambda a, b: jnp.max(jnp.abs(a - b)) / jnp.max(jnp.abs(b)), grads, exact[1])
        assert max(float(e) for e in jax.tree_util.tree_leaves(errors)) < 2e-2, errors


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s[0] in EAGER_TOO], ids=lambda s: s[0])
def test_fused_equals_per_step(setting, variant, platform):
    _assert_fused_equals_per_step(variant, *setting[1:])


@pytest.mark.parametrize("variant", ["with_jit"], indirect=True)
@pytest.mark.parametrize("setting", [s for s in SETTINGS if s[0] not in EAGER_TOO], ids=lambda s: s[0])
def test_fused_equals_per_step_jit(setting, variant, platform):
    _assert_fused_equals_per_step(variant, *setting[1:])


def test_default_follows_the_measured_table_for_lstm_cells_only():
    assert recurrent_lstm_fused.supports_fused(LSTMCell(4)) and recurrent_lstm_fused.supports_fused(
        OptimizedLSTMCell(4)
    )
    assert not recurrent_lstm_fused.supports_fused(GRUCell(4))
    measured = recurrent_lstm_fused.FUSED_BY_PLATFORM.get(jax.default_backend(), False)
    assert (
        recurrent_lstm_fused.fused_default(LSTMCell(4)) is measured
        and recurrent_lstm_fused.fused_default(OptimizedLSTMCell(4)) is measured
    )
    assert recurrent_lstm_fused.fused_default(GRUCell(4)) is False
    assert recurrent_lstm_fused.FUSED_BY_PLATFORM["cpu"] is True  # measured faster on CPU (docs/benchmarks.md)


def test_fused_needs_an_lstm_cell():
    with pytest.raises(
        ValueError,
        match=r"fused=True needs an LSTMCell or OptimizedLSTMCell with the default "
        r"gate_fn \(sigmoid\) and activation_fn \(tanh\), got GRUCell",
    ):
        RNN(GRUCell(4), fused=True).init(KEY, X)
    with pytest.raises(ValueError, match="got LSTMCell"):  # its backward pass is written for sigmoid and tanh
        RNN(LSTMCell(4, gate_fn=jnp.tanh), fused=True).init(KEY, X)


def test_fused_path_still_checks_inputs_and_carry():
    variables = RNN(LSTMCell(6), fused=False).init(KEY, X)
    with pytest.raises(ValueError, match=r"expected inputs with 5 features \(kernel 'ii' is \[5, 6\]\), got \[3, 4\]"):
        RNN(LSTMCell(6), fused=True).apply(variables, X[..., :4])
    wrong = (jnp.zeros((2, 6)), jnp.zeros((2, 6)))  # 2 sequences, the inputs have 3
    with pytest.raises(ValueError, match="initial_carry has shapes"):
        RNN(LSTMCell(6), fused=True).apply(variables, X, initial_carry=wrong)
    narrow = (jnp.zeros((3, 5)), jnp.zeros((3, 5)))  # a width other than the params'
    with pytest.raises(ValueError, match="carry 'h' has 5 features, but the params were made for 6"):
        RNN(LSTMCell(6), fused=True).apply(variables, X, initial_carry=narrow)
