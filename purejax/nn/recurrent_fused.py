"""The LSTM fast path inside `RNN`: gates fused into one product, input projection hoisted out of time.

An LSTM step multiplies twice: the input `x_t` by the input kernels and the hidden state `h` by
the recurrent kernels. Only the second depends on the previous step. So, as cuDNN does:

    W_i = [W_ii | W_if | W_ig | W_io]                      # [in, 4 * hidden]
    W_h = [W_hi | W_hf | W_hg | W_ho]                      # [hidden, 4 * hidden]
    b   = [b_hi | b_hf | b_hg | b_ho]                      # [4 * hidden]
    P   = X @ W_i                                          # all steps at once: [time, *batch, 4 * hidden]
    for t:  z = (h @ W_h + b) + P_t                        # one product per step, [*batch, 4 * hidden]
            i, f, g, o = split(z, 4)                       # then the gates as in LSTMCell

One large product for the inputs uses the matrix units far better than `time` small ones, and
each scan step is left with the one product it cannot avoid. The sums are taken in the same
order as `LSTMCell` (`(h @ W_h + b) + x @ W_i`, per gate), and the variables are unchanged
(`ii..io`, `hi..ho`), so the results agree with the per-gate cell to float rounding of the
products: on CPU the outputs came out bitwise equal in our tests, the gradients within a few
ulp (the backward pass groups the products differently). In bfloat16 (`dtype=jnp.bfloat16`)
the input kernels' gradient is summed over all steps inside one bfloat16 product, where the
per-step cell sums step by step in float32: a few bfloat16 ulp apart.

`RNN(cell, fused=None)` takes this path where it measured faster (`FUSED_BY_PLATFORM`);
`fused=True/False` forces the choice.

Measured (`python -m comparisons.bench_lstm`, docs/benchmarks.md): on this project's 2-core CPU
(XLA CPU, jax 0.10.2), batch 32, 128 steps, 128 inputs, 256 hidden, jitted, median of 20,
the per-step cell was faster: forward 19.2 ms per-step vs 30.1 ms hoisted; forward + backward
66 ms vs 93 ms (Flax's OptimizedLSTMCell: 67 ms); the same held for a bare `lax.scan` written
without purejax, and with the bias folded into the hoisted product. We have not found why XLA's
CPU backend runs the hoisted loop slower. So the CPU default is per-step, which also keeps training
bitwise with Flax (the fused gradients differ by a few ulp, and long training runs amplify
that). No GPU or TPU was available to measure, so they default to per-step as well until
measured; `fused=True` is there to try.

Counterpart: none in Flax (`flax.linen.OptimizedLSTMCell` fuses the gates but projects the
inputs step by step inside the scan); cuDNN's LSTM and `torch.nn.LSTM` hoist the input product.

References:
  Appleyard, Kocisky and Blunsom, *Optimizing Performance of Recurrent Neural Networks on GPUs*,
  2016. https://arxiv.org/abs/1604.01946
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from purejax.nn.linear import promote_dtype
from purejax.nn.recurrent_cells import GATES, LSTMCell

# The default of `RNN(fused=None)` per platform, from measurements (docs/benchmarks.md); a
# platform not listed (not measured yet) runs per-step, Flax's own order of operations.
FUSED_BY_PLATFORM = {"cpu": False}


def fused_default(cell) -> bool:
    """Whether `RNN(cell)` takes the fused path when `fused=None`: LSTM cells, by platform."""
    return supports_fused(cell) and FUSED_BY_PLATFORM.get(jax.default_backend(), False)


def supports_fused(cell) -> bool:
    """The fast path computes `LSTMCell`'s math (also `OptimizedLSTMCell`'s, a subclass)."""
    return isinstance(cell, LSTMCell)


def fused_lstm(cell: LSTMCell, params: dict, xs):
    """The hoisted input projection and the per-step function of the fused LSTM.

    Args:
      cell: an `LSTMCell` (or subclass): its `gate_fn`, `activation_fn` and `dtype` are used.
      params: the cell's params `{'ii': {'kernel': [in, hidden]}, ..., 'ho': {'kernel', 'bias'}}`.
      xs: the inputs, time first, `[time, *batch, in]`.

    Returns:
      `(projected, step)`: `projected = xs @ W_i`, `[time, *batch, 4 * hidden]`, and
      `step((c, h), p_t) -> ((c', h'), h')`, to scan over `projected`.
    """
    w_i = jnp.concatenate([params[f"i{g}"]["kernel"] for g in GATES], axis=-1)  # [in, 4 * hidden]
    w_h = jnp.concatenate([params[f"h{g}"]["kernel"] for g in GATES], axis=-1)  # [hidden, 4 * hidden]
    b = jnp.concatenate([params[f"h{g}"]["bias"] for g in GATES], axis=-1)  # [4 * hidden]
    xs, w_i = promote_dtype(xs, w_i, dtype=cell.dtype)  # as Dense does for the input terms
    projected = jnp.dot(xs, w_i)  # [time, *batch, 4 * hidden]: every step's input term at once

    def step(carry, p_t):
        c, h = carry  # [*batch, hidden] each
        h_in, w_h_in, b_in = promote_dtype(h, w_h, b, dtype=cell.dtype)  # cast per step, as Dense does
        z = (jnp.dot(h_in, w_h_in) + jnp.reshape(b_in, (1,) * (h.ndim - 1) + (-1,))) + p_t  # [*batch, 4 * hidden]
        z_i, z_f, z_g, z_o = jnp.split(z, 4, axis=-1)  # [*batch, hidden] each
        i = cell.gate_fn(z_i)  # input gate
        f = cell.gate_fn(z_f)  # forget gate
        g = cell.activation_fn(z_g)  # cell candidate
        o = cell.gate_fn(z_o)  # output gate
        new_c = f * c + i * g
        new_h = o * cell.activation_fn(new_c)
        return (new_c, new_h), new_h

    return projected, step
