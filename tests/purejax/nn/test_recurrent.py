"""purejax.nn RNN and Bidirectional against flax.linen: variables, outputs, carries, grads.

The table of settings is shared with the parity report (comparisons/parity/tables/nn_recurrent.py). Besides
it: the scan equals a Python loop over the cell; `stop_gradient` on the carry truncates
backpropagation through time; `flip_sequences`; carry keys; zero time steps; a cell of one's own
without `initialize_carry`; errors.
"""

import dataclasses

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

from comparisons.parity.tables.nn_recurrent import CASES, KEY, LENGTHS, SHAPE, case_id, compare
from purejax.nn import (
    RNN,
    Bidirectional,
    Dense,
    GRUCell,
    Layer,
    LSTMCell,
    RNNCellBase,
    SimpleCell,
    compact,
    flip_sequences,
    initializers,
)
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL, assert_bitwise, assert_matches_flax

X = jax.random.normal(jax.random.PRNGKey(1), SHAPE)  # [batch, time, features]


# Eager runs cost most (op by op, each op compiled once); the report runs every case eager too.
EAGER_TOO = {
    i
    for i, c in enumerate(CASES)
    if c.cell == "LSTMCell" and c.label in ("", "seq_lengths", "reverse keep_order seq_lengths")
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


@pytest.mark.parametrize("cell", [LSTMCell(6), SimpleCell(6)], ids=["LSTMCell", "SimpleCell"])
def test_scan_equals_python_loop(cell):
    """`lax.scan` is the loop `for t: carry, y_t = cell(carry, x_t)`, with the parameters read at every step."""
    rnn = RNN(cell, return_carry=True)
    variables = rnn.init(KEY, X)
    carry, ys = rnn.apply(variables, X)
    v_cell = {"params": variables["params"]["cell"]}
    loop_carry, loop_ys = cell.initialize_carry(KEY, X[:, 0].shape), []
    carries = []  # after each step
    for t in range(X.shape[1]):
        loop_carry, y = cell.apply(v_cell, loop_carry, X[:, t])
        loop_ys.append(y)
        carries.append(loop_carry)
    chex.assert_trees_all_close((carry, ys), (loop_carry, jnp.stack(loop_ys, axis=1)), rtol=FORWARD_RTOL)
    # with seq_lengths, the carry is each sequence's carry after its own last step
    carry, _ = rnn.apply(variables, X, seq_lengths=LENGTHS)
    want = [jax.tree.map(lambda c, b=b, n=n: c[b], carries[n - 1]) for b, n in enumerate(LENGTHS.tolist())]
    chex.assert_trees_all_close(carry, jax.tree.map(lambda *c: jnp.stack(c), *want), rtol=FORWARD_RTOL)


def test_stop_gradient_truncates_backprop_through_time():
    """Chunks joined by `stop_gradient(carry)` give the full sequence's values, but no gradient flows back."""
    rnn = RNN(LSTMCell(6), return_carry=True)
    variables = rnn.init(KEY, X)
    first, second = X[:, :2], X[:, 2:]

    def second_chunk_loss(first, detach):
        carry, _ = rnn.apply(variables, first)
        carry = jax.lax.stop_gradient(carry) if detach else carry
        _, ys = rnn.apply(variables, second, initial_carry=carry)
        return jnp.sum(ys), ys

    _, whole = rnn.apply(variables, X)
    chex.assert_trees_all_close(second_chunk_loss(first, True)[1], whole[:, 2:], rtol=FORWARD_RTOL)
    grad = jax.grad(lambda f, d: second_chunk_loss(f, d)[0])
    assert jnp.all(grad(first, True) == 0.0)  # PyTorch's carry.detach()
    assert jnp.any(grad(first, False) != 0.0)


def test_flip_sequences_keeps_padding_at_the_end():
    x = jnp.array([[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    lengths = jnp.array([1, 2, 3])
    got = flip_sequences(x, lengths, num_batch_dims=1, time_major=False)
    assert_bitwise(got, jnp.array([[1, 0, 0], [3, 2, 0], [6, 5, 4]]))
    assert_bitwise(flip_sequences(x.T, lengths, num_batch_dims=1, time_major=True), got.T)
    xs = jnp.arange(2 * 3 * 4 * 2).reshape(2, 3, 4, 2)  # [batch, batch, time, features]
    lengths = jnp.array([[4, 1, 2], [0, 3, 4]])
    assert_bitwise(flip_sequences(xs, lengths, 2, False), fnn.recurrent.flip_sequences(xs, lengths, 2, False))


def test_carry_keys_match_flax():
    """A random carry_init draws from `init_key` (default key 0) as Flax does; Bidirectional splits it."""
    ours = RNN(LSTMCell(6, carry_init=initializers.normal(1.0)), return_carry=True)
    theirs = fnn.RNN(fnn.LSTMCell(6, carry_init=jax.nn.initializers.normal(1.0)), return_carry=True)
    variables = theirs.init(KEY, X)
    for call in ({}, {"init_key": jax.random.PRNGKey(5)}):
        assert_bitwise(ours.init(KEY, X, **call), variables)
        chex.assert_trees_all_close(
            ours.apply(variables, X, **call), theirs.apply(variables, X, **call), rtol=FORWARD_RTOL
        )
    key_forward, key_backward = jax.random.split(jax.random.PRNGKey(5))  # one key per direction, as Flax
    (forward, backward), _ = Bidirectional(ours, ours, return_carry=True).apply(
        {"params": {"forward_rnn": variables["params"], "backward_rnn": variables["params"]}},
        X,
        init_key=jax.random.PRNGKey(5),
    )
    assert_bitwise(forward, ours.apply(variables, X, init_key=key_forward)[0])
    assert_bitwise(backward, ours.apply(variables, X, init_key=key_backward, reverse=True)[0])


class TanhCell(RNNCellBase):
    """A cell with no initialize_carry: it runs only with an initial_carry (Flax's seq2seq decoder)."""

    @compact
    def __call__(self, h, x):
        h = jnp.tanh(Dense(4)(jnp.concatenate([h, x], axis=-1)))  # [batch, 4]
        return h, h

    @property
    def num_feature_axes(self):
        return 1


class FlaxTanhCell(fnn.RNNCellBase):
    @fnn.compact
    def __call__(self, h, x):
        h = jnp.tanh(fnn.Dense(4)(jnp.concatenate([h, x], axis=-1)))
        return h, h

    @property
    def num_feature_axes(self):
        return 1


def test_a_cell_without_initialize_carry_runs_on_the_given_carry_as_flax():
    """Flax calls initialize_carry only when no initial_carry is given; the carry's check does likewise."""
    xs, carry = jnp.ones((2, 5, 3)), jnp.full((2, 4), 0.5)
    variables = fnn.RNN(FlaxTanhCell()).init(KEY, xs, initial_carry=carry)
    assert_bitwise(RNN(TanhCell()).init(KEY, xs, initial_carry=carry), variables)
    ours = RNN(TanhCell()).apply(variables, xs, initial_carry=carry)
    assert_bitwise(ours, fnn.RNN(FlaxTanhCell()).apply(variables, xs, initial_carry=carry))


@pytest.mark.parametrize("fused", [False, True])
def test_no_time_steps_gives_the_initial_carry_as_flax(fused):
    """Zero steps: Flax's RNN returns the initial carry and empty outputs; so does ours, on both paths."""
    variables = fnn.RNN(fnn.LSTMCell(6)).init(KEY, X)
    empty = X[:, :0]  # [batch, 0, features]
    carry = (jnp.ones((X.shape[0], 6)), jnp.full((X.shape[0], 6), 2.0))
    ours = RNN(LSTMCell(6), fused=fused, return_carry=True).apply(variables, empty, initial_carry=carry)
    theirs = fnn.RNN(fnn.LSTMCell(6), return_carry=True).apply(variables, empty, initial_carry=carry)
    chex.assert_trees_all_equal_shapes_and_dtypes(ours, theirs)
    assert_bitwise(ours, theirs)


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize(
    "ours,theirs,fused",
    [(LSTMCell, fnn.LSTMCell, False), (LSTMCell, fnn.LSTMCell, True), (GRUCell, fnn.GRUCell, False)],
    ids=["LSTMCell", "LSTMCell-fused", "GRUCell"],
)
def test_length_zero_gives_the_initial_carry_the_others_flaxs_bits(ours, theirs, fused, reverse, jit):
    """A sequence of length 0 has no valid step: its carry is the initial one (Flax returns the carry
    after all the padding steps). Every other sequence's carry, and all outputs, are Flax's bits."""
    lengths = jnp.array([0, 2, 5])  # [batch]
    variables = fnn.RNN(theirs(6)).init(KEY, X)
    carry0 = jax.tree.map(lambda c: c + 1.5, theirs(6).initialize_carry(KEY, X[:, 0].shape))

    def run_ours(v):
        rnn = RNN(ours(6), fused=fused, return_carry=True, reverse=reverse)
        return rnn.apply(v, X, initial_carry=carry0, seq_lengths=lengths)

    def run_theirs(v):
        rnn = fnn.RNN(theirs(6), return_carry=True, reverse=reverse)
        return rnn.apply(v, X, initial_carry=carry0, seq_lengths=lengths)

    if jit:
        run_ours, run_theirs = jax.jit(run_ours), jax.jit(run_theirs)
    (carry, ys), (flax_carry, flax_ys) = run_ours(variables), run_theirs(variables)
    assert_bitwise(jax.tree.map(lambda c: c[0], carry), jax.tree.map(lambda c: c[0], carry0))
    assert_bitwise(jax.tree.map(lambda c: c[1:], carry), jax.tree.map(lambda c: c[1:], flax_carry))
    assert_bitwise(ys, flax_ys)


def test_all_lengths_zero_and_no_steps_give_the_initial_carry():
    carry0 = (jnp.ones((3, 6)), jnp.full((3, 6), 2.0))
    rnn = RNN(LSTMCell(6), return_carry=True)
    variables = rnn.init(KEY, X)
    carry, _ = rnn.apply(variables, X, initial_carry=carry0, seq_lengths=jnp.zeros(3, jnp.int32))
    assert_bitwise(carry, carry0)
    carry, ys = rnn.apply(variables, X[:, :0], initial_carry=carry0, seq_lengths=jnp.zeros(3, jnp.int32))
    assert_bitwise(carry, carry0)
    assert ys.shape == (3, 0, 6)


def test_traced_seq_lengths_are_not_checked():
    """Under jit the lengths are unknown when tracing: no check, the same result."""
    rnn = RNN(LSTMCell(6), return_carry=True)
    variables = rnn.init(KEY, X)
    run = jax.jit(lambda v, x, n: rnn.apply(v, x, seq_lengths=n))
    chex.assert_trees_all_close(
        run(variables, X, LENGTHS), rnn.apply(variables, X, seq_lengths=LENGTHS), rtol=FORWARD_RTOL
    )


_VARIABLES = RNN(LSTMCell(6)).init(KEY, X)
_ZEROS = jnp.zeros((SHAPE[0], 6))


@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda: RNN(LSTMCell(6)).init(KEY, X, seq_lengths=jnp.array([5, 6, 1])),
            "seq_lengths must lie in [0, 5] (the inputs have 5 time steps), got values from 1 to 6",
        ),
        (
            lambda: RNN(LSTMCell(6)).apply(_VARIABLES, X, seq_lengths=jnp.array([5, 2])),
            "seq_lengths has shape [2], but needs one length per sequence, shape [3]",
        ),
        (lambda: RNN(LSTMCell(6)).init(KEY, X[0, 0]), "RNN: inputs have shape [4], but need [*batch, time, *features]"),
        (
            lambda: RNN(LSTMCell(6)).apply(_VARIABLES, X, initial_carry=(_ZEROS[:2], _ZEROS[:2])),
            "initial_carry has shapes [[2, 6], [2, 6]], but LSTMCell with inputs [3, 4] per step needs "
            "[[3, 6], [3, 6]] (the last axis, the width, may differ)",
        ),
        (
            lambda: RNN(LSTMCell(6)).apply(_VARIABLES, X, initial_carry=(_ZEROS, _ZEROS[:, :5])),
            "carry 'c' must have shape [3, 5] (the inputs' batch axes, then h's width 5), got [3, 6]",
        ),
        (
            lambda: RNN(LSTMCell(6)).apply(_VARIABLES, X, initial_carry=(_ZEROS[:, :5], _ZEROS[:, :5])),
            "carry 'h' has 5 features, but the params were made for 6",
        ),
        (lambda: RNN(LSTMCell(6)).apply(_VARIABLES, X, initial_carry=_ZEROS), "build it with cell.initialize_carry"),
        (
            lambda: Bidirectional(RNN(LSTMCell(6)), RNN(LSTMCell(6))).init(KEY, X, seq_lengths=jnp.array([9, 1, 1])),
            "forward_rnn: seq_lengths must lie in [0, 5]",
        ),
        (lambda: RNN(LSTMCell(6)).apply(_VARIABLES, X[..., :3]), "expected inputs with 4 features"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


@dataclasses.dataclass(frozen=True)
class _Leaky(Layer):
    """A cell of one's own, with no `initialize_carry`: `h' = tanh(x @ W + b + h)`, sized from `h`."""

    def forward(self, scope, carry, x):
        h = jnp.tanh(scope.child(Dense(carry.shape[-1]))(x) + carry)  # [batch, hidden]
        return h, h


class _FlaxLeaky(fnn.Module):
    """`_Leaky` in Flax (whose RNN reads `num_feature_axes` from the cell)."""

    num_feature_axes = 1

    @fnn.compact
    def __call__(self, carry, x):
        h = jnp.tanh(fnn.Dense(carry.shape[-1])(x) + carry)
        return h, h


def test_a_cell_without_initialize_carry_runs_with_an_initial_carry():
    """As in Flax, `initialize_carry` is needed only to make a carry: given one, any cell layer scans."""
    carry = jnp.tanh(jax.random.normal(jax.random.PRNGKey(3), (SHAPE[0], 7)))  # [batch, hidden]
    pairs = [
        (RNN(_Leaky(), return_carry=True), fnn.RNN(_FlaxLeaky(), return_carry=True), carry),
        (
            Bidirectional(RNN(_Leaky()), RNN(_Leaky()), return_carry=True),
            fnn.Bidirectional(fnn.RNN(_FlaxLeaky()), fnn.RNN(_FlaxLeaky()), return_carry=True),
            (carry, carry[:, :2]),
        ),
    ]
    for ours, theirs, initial in pairs:
        variables = theirs.init(KEY, X, initial_carry=initial)
        assert_bitwise(ours.init(KEY, X, initial_carry=initial), variables)

        def loss(apply, params, x, initial=initial):
            out = apply({"params": params}, x, initial_carry=initial)
            return sum(jnp.sum(jnp.sin(a)) for a in jax.tree.leaves(out))

        chex.assert_trees_all_close(
            ours.apply(variables, X, initial_carry=initial),
            theirs.apply(variables, X, initial_carry=initial),
            rtol=FORWARD_RTOL,
        )
        chex.assert_trees_all_close(
            jax.grad(loss, argnums=(1, 2))(ours.apply, variables["params"], X),
            jax.grad(loss, argnums=(1, 2))(theirs.apply, variables["params"], X),
            rtol=GRADIENT_RTOL,
        )


@pytest.mark.parametrize(
    "layer,where",
    [(RNN(_Leaky()), "RNN"), (Bidirectional(RNN(_Leaky()), RNN(_Leaky())), "forward_rnn")],
    ids=["RNN", "Bidirectional"],
)
def test_a_cell_without_initialize_carry_needs_an_initial_carry(layer, where):
    with pytest.raises(TypeError) as info:
        layer.init(KEY, X)
    assert (
        f"{where}: _Leaky has no initialize_carry to make the initial carry; pass initial_carry=..., or give "
        "the cell an initialize_carry(key, input_shape) method"
    ) in str(info.value)
