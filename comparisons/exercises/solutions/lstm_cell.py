"""Exercise `lstm_cell` (tour: docs/tour/08_recurrence.md): one step of an LSTM on Flax's variables.

Write `lstm_cell(params, carry, inputs)`: what `flax.linen.LSTMCell(features).apply({'params':
params}, carry, inputs)` returns, on the parameters Flax made: eight Dense layers, `ii, if, ig,
io` on the inputs (kernel only) and `hi, hf, hg, ho` on the hidden state (kernel and bias).

Use jax.numpy and jax.lax (`lax.logistic` is the sigmoid); the grader refuses a file that imports
flax, jax.nn or purejax.nn. Check your file with:

    python -m comparisons exercise lstm_cell --check exercises/lstm_cell.py
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax


def lstm_cell(params, carry, inputs):
    """One LSTM step (Hochreiter & Schmidhuber, 1997), with Flax's names and carry order `(c, h)`.

        i = sigmoid(x @ W_ii + h @ W_hi + b_hi)        # input gate
        f = sigmoid(x @ W_if + h @ W_hf + b_hf)        # forget gate
        g = tanh(x @ W_ig + h @ W_hg + b_hg)           # candidate cell
        o = sigmoid(x @ W_io + h @ W_ho + b_ho)        # output gate
        c' = f * c + i * g
        h' = o * tanh(c')

    Args:
      params: `{'ii': {'kernel': [in, hidden]}, ..., 'hi': {'kernel': [hidden, hidden], 'bias': [hidden]}, ...}`.
      carry: `(c, h)`, each `[batch, hidden]`.
      inputs: `[batch, in]`.

    Returns:
      `((c', h'), h')`: the new carry and the output.
    """
    c, h = carry

    def gate(name: str, activation):
        x_part = inputs @ params["i" + name]["kernel"]  # [batch, hidden]
        h_part = h @ params["h" + name]["kernel"] + params["h" + name]["bias"]  # [batch, hidden]
        return activation(x_part + h_part)

    i = gate("i", lax.logistic)  # input gate
    f = gate("f", lax.logistic)  # forget gate
    g = gate("g", jnp.tanh)  # candidate cell
    o = gate("o", lax.logistic)  # output gate
    new_c = f * c + i * g  # [batch, hidden]
    new_h = o * jnp.tanh(new_c)  # [batch, hidden]
    return (new_c, new_h), new_h
