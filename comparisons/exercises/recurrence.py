"""The recurrence chapter's exercises: `lstm_cell` and `rnn_scan`, against flax.linen.

Parameters come in `flax.linen.LSTMCell`'s layout, the carry is `(c, h)` as Flax keeps it.
`rnn_scan` is handed Flax's cell as a function `cell(params, carry, x)`, and its program must
contain a `scan` (a Python loop over time gives the same numbers but traces one cell per step).
Both sides run under `jax.jit`; outputs are held to the report's forward tolerance (`rtol` 1e-5).
"""

from __future__ import annotations

import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from comparisons.exercises.exercise import FORWARD, Case, Exercise


def _normal(shape: tuple[int, ...], seed: int, scale: float = 1.0) -> np.ndarray:
    return (scale * np.random.default_rng(seed).normal(size=shape)).astype(np.float32)


def _cell_params(features: int, n_in: int, seed: int) -> dict:
    """`flax.linen.LSTMCell`'s parameters: input kernels `ii, if, ig, io`, hidden kernels and biases `hi, hf, hg, ho`.

    Random, biases too (Flax initializes them to 0), so that a misplaced bias shows.
    """
    params, seed = {}, seed * 16
    for gate in "ifgo":
        params["i" + gate] = {"kernel": _normal((n_in, features), seed + 1, 0.5)}
        params["h" + gate] = {
            "kernel": _normal((features, features), seed + 2, 0.5),
            "bias": _normal((features,), seed + 3),
        }
        seed += 3
    return params


# -- lstm_cell ---------------------------------------------------------------------------------
def _cell_inputs(batch: int, n_in: int, features: int, seed: int = 0, zero_carry: bool = False) -> dict:
    scale = 0.0 if zero_carry else 1.0
    carry = (_normal((batch, features), seed + 1, scale), _normal((batch, features), seed + 2, scale))
    return {"params": _cell_params(features, n_in, seed), "carry": carry, "inputs": _normal((batch, n_in), seed)}


def _flax_cell(params, carry, inputs):
    features = params["hi"]["kernel"].shape[0]
    return nn.LSTMCell(features).apply({"params": params}, carry, inputs)


_jitted_flax_cell = jax.jit(_flax_cell)


CELL_HINT = (
    "c' = f * c + i * g and h' = o * tanh(c'), with i, f, o sigmoids and g a tanh of x @ W_i? + h @ W_h? + b_h?; "
    "the carry is (c, h), c first, and the cell returns ((c', h'), h')"
)


def _cell_cases() -> list[Case]:
    return [
        Case(
            "a zero carry: only the input gate and the candidate matter",
            _cell_inputs(2, 3, 4, zero_carry=True),
            "with c = h = 0: c' = i * g and h' = o * tanh(c'), where i = sigmoid(x @ W_ii + b_hi), "
            "g = tanh(x @ W_ig + b_hg) and o = sigmoid(x @ W_io + b_ho)",
        ),
        Case(
            "a carry (c, h): c first",
            _cell_inputs(2, 3, 4, seed=1),
            "Flax's carry is (c, h): unpack it as c, h = carry and return ((new_c, new_h), new_h) "
            "(PyTorch returns (h, c))",
        ),
        Case(
            "one example, 5 inputs, 3 hidden units",
            _cell_inputs(1, 5, 3, seed=2),
            "the hidden kernels are [hidden, hidden], the input kernels [in, hidden]",
        ),
    ]


def _cell_strategy():
    from hypothesis import strategies as st  # imported here: only grading needs hypothesis

    sizes = st.sampled_from([1, 3])
    return st.builds(_cell_inputs, sizes, sizes, st.sampled_from([2, 4]), st.integers(0, 100))


LSTM_CELL = Exercise(
    name="lstm_cell",
    chapter="08_recurrence",
    summary="one LSTM step on Flax's variables: four gates, carry (c, h)",
    counterpart="flax.linen.LSTMCell",
    functions=("lstm_cell",),
    expected=_jitted_flax_cell,
    attempt=lambda m, params, carry, inputs: jax.jit(m.lstm_cell)(params, carry, inputs),
    cases=_cell_cases,
    hint=CELL_HINT,
    strategy=_cell_strategy,
    tolerance=FORWARD,
    examples=6,
)


# -- rnn_scan ----------------------------------------------------------------------------------
def _rnn_inputs(batch, time, n_in, features, seed=0, time_major=False, reverse=False) -> dict:
    shape = (time, batch, n_in) if time_major else (batch, time, n_in)
    carry = (_normal((batch, features), seed + 1), _normal((batch, features), seed + 2))
    return {
        "cell": _flax_cell,
        "params": _cell_params(features, n_in, seed),
        "carry": carry,
        "inputs": _normal(shape, seed),
        "time_major": time_major,
        "reverse": reverse,
    }


STATIC = ("cell", "time_major", "reverse")  # Python values under jit, as the layer's settings are


@functools.partial(jax.jit, static_argnames=STATIC)
def _rnn_expected(cell, params, carry, inputs, time_major, reverse):
    del cell
    features = params["hi"]["kernel"].shape[0]
    rnn = nn.RNN(nn.LSTMCell(features), time_major=time_major, reverse=reverse, return_carry=True)
    return rnn.apply({"params": {"cell": params}}, inputs, initial_carry=carry)


def _rnn_attempt(m, cell, params, carry, inputs, time_major, reverse):
    call = jax.jit(m.rnn_scan, static_argnames=STATIC)
    return call(cell, params, carry, jnp.asarray(inputs), time_major=time_major, reverse=reverse)


def _rnn_cases() -> list[Case]:
    return [
        Case(
            "batch 2, 3 steps, batch-major",
            _rnn_inputs(2, 3, 2, 4),
            "lax.scan walks the leading axis: swap [batch, time, ...] to [time, batch, ...] before, and back after",
        ),
        Case(
            "time_major=True: time already leads",
            _rnn_inputs(2, 4, 3, 3, seed=1, time_major=True),
            "with time_major=True the inputs are [time, batch, features] and the outputs stay time-major",
        ),
        Case(
            "reverse=True: from the last step to the first",
            _rnn_inputs(3, 4, 2, 2, seed=2, reverse=True),
            "flip the time axis before the scan; the outputs stay in reading order (Flax's keep_order=False)",
        ),
    ]


def _rnn_strategy():
    from hypothesis import strategies as st

    return st.builds(
        _rnn_inputs,
        st.sampled_from([1, 2]),
        st.sampled_from([1, 3]),
        st.just(2),
        st.sampled_from([1, 3]),
        st.integers(0, 100),
        st.booleans(),
        st.booleans(),
    )


RNN_SCAN = Exercise(
    name="rnn_scan",
    chapter="08_recurrence",
    summary="a cell over a sequence with lax.scan, as flax.linen.RNN runs it",
    counterpart="flax.linen.RNN",
    functions=("rnn_scan",),
    expected=_rnn_expected,
    attempt=_rnn_attempt,
    cases=_rnn_cases,
    hint="carry, ys = lax.scan(lambda c, x: cell(params, c, x), carry, xs) with xs time-major",
    strategy=_rnn_strategy,
    tolerance=FORWARD,
    primitive="scan",
    examples=6,
)
