"""Exercise `rnn_scan` (tour: docs/tour/08_recurrence.md): run a cell over a sequence with `lax.scan`.

Write `rnn_scan(cell, params, carry, inputs, time_major, reverse)`: what
`flax.linen.RNN(cell, time_major=..., reverse=..., return_carry=True)` returns, given the cell as a
function `cell(params, carry, x) -> (carry, y)` (the grader passes Flax's `LSTMCell`).

Use jax.numpy and `jax.lax.scan` (the grader checks the program has a scan, not a Python loop);
it refuses a file that imports flax or purejax.nn. Check your file with:

    python -m comparisons exercise rnn_scan --check exercises/rnn_scan.py
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax


def rnn_scan(cell, params, carry, inputs, time_major=False, reverse=False):
    """Apply `cell` at every time step, threading the carry: one `lax.scan` over the time axis.

        for t in range(time):                 # what lax.scan does, as one traced step
            carry, y[t] = cell(params, carry, x[t])

    `lax.scan` walks the *leading* axis, so batch-major inputs `[batch, time, features]` are
    swapped to `[time, batch, features]` first, and the outputs swapped back. With `reverse=True`
    the sequence is read from its last step to its first, and (as Flax's `keep_order=False`) the
    outputs come in that reading order.

    Args:
      cell: `cell(params, carry, x) -> (carry, y)`, one step on `x: [batch, features]`.
      params: the cell's parameters.
      carry: the initial carry (for an LSTM `(c, h)`, each `[batch, hidden]`).
      inputs: `[batch, time, features]`, or `[time, batch, features]` when `time_major`.
      time_major: whether time is the leading axis of `inputs` and of the outputs.
      reverse: read the sequence backwards.

    Returns:
      `(carry, outputs)`: the final carry, and the outputs `[batch, time, hidden]` (time-major
      when `time_major`).
    """
    xs = inputs if time_major else jnp.swapaxes(inputs, 0, 1)  # [time, batch, features]
    if reverse:
        xs = jnp.flip(xs, axis=0)  # read from the last step

    def step(carry, x):
        return cell(params, carry, x)

    carry, ys = lax.scan(step, carry, xs)  # ys: [time, batch, hidden]
    return carry, (ys if time_major else jnp.swapaxes(ys, 0, 1))
