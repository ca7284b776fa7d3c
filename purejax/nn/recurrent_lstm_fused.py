"""The LSTM fast path inside `RNN`: one sequence function with its own backward pass.

Forward, per step, as `OptimizedLSTMCell` computes it (the four gates in one product per input):

    z_t = (h_{t-1} @ W_h + b) + x_t @ W_i               # [batch, 4 * hidden], W_i = [W_ii | .. | W_io]
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o)
    c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)

Backward, written out (`jax.custom_vjp`) instead of left to `scan`'s transpose. Only what needs
the previous step stays in the reversed loop; the weight gradients, which do not, are taken once
for the whole sequence after it:

    loop t = T-1 .. 0:  dh = dy_t + dz_{t+1} @ W_h^T;   dc = dc_t + dc_{t+1} * f_{t+1} + dh * o * (1 - tanh(c_t)^2)
                        dz_t = [dc * g * i(1-i), dc * c_{t-1} * f(1-f), dc * i * (1-g^2), dh * tanh(c_t) * o(1-o)]
    then, all steps at once:  dW_h = H_prev^T dZ,  dW_i = X^T dZ,  db = sum dZ,  dX = dZ W_i^T

`scan`'s transpose instead adds each step's `[in + hidden, batch] @ [batch, 4 * hidden]` into the
weight gradient inside the loop, reading and writing the whole gradient every step. The loop also
reads each step's saved gates one step ahead, through its carry: XLA's CPU backend emits scalar
code for an elementwise fusion that reads a slice of a large array at a loop index, so the
arithmetic reads small carried arrays and the slicing is a plain copy. For the same reason the
input product `X @ W_i` stays inside the forward loop, one step at a time, rather than hoisted out
of it as cuDNN does: hoisted, each step's `4 * hidden` projected inputs would be sliced inside the
gate fusion.

Outputs equal the per-step cell's bitwise on CPU (same forward operations); gradients agree to a
few ulp (the sums over steps and batch are grouped differently). `docs/benchmarks.md` (section 2,
the LSTM's backward pass) has the timings against Flax's `OptimizedLSTMCell` under `nn.RNN`, and
the measurements behind each choice above.

`RNN(cell, fused=None)` takes this path on the platforms where it measured faster
(`FUSED_BY_PLATFORM`); `fused=True/False` forces the choice.

Counterpart: none in Flax (`flax.linen.OptimizedLSTMCell` under `nn.RNN` leaves the backward to
`scan`); cuDNN's LSTM and `torch.nn.LSTM` also take the weight gradients for all steps at once.

References:
  Appleyard, Kocisky and Blunsom, *Optimizing Performance of Recurrent Neural Networks on GPUs*,
  2016. https://arxiv.org/abs/1604.01946
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from purejax.nn.activations import sigmoid, tanh
from purejax.nn.dtypes import promote_dtype
from purejax.nn.recurrent_lstm import GATES, LSTMCell

# The default of `RNN(fused=None)` per platform, from measurements (docs/benchmarks.md); a
# platform not listed (not measured yet) runs per-step, Flax's own order of operations.
FUSED_BY_PLATFORM = {"cpu": True}


def fused_default(cell) -> bool:
    """Whether `RNN(cell)` takes the fused path when `fused=None`: LSTM cells, by platform."""
    return supports_fused(cell) and FUSED_BY_PLATFORM.get(jax.default_backend(), False)


def supports_fused(cell) -> bool:
    """The fast path computes `LSTMCell`'s math (also `OptimizedLSTMCell`'s, a subclass) with the
    default `sigmoid` gates and `tanh` activation, whose derivatives its backward pass writes out."""
    return isinstance(cell, LSTMCell) and cell.gate_fn is sigmoid and cell.activation_fn is tanh


def fused_lstm(cell: LSTMCell, params: dict, carry, xs, unroll: int = 1):
    """Every step's carry of an LSTM over `xs`, by the fast path.

    Args:
      cell: an `LSTMCell` (or subclass) with the default gate and activation functions; its `dtype`
        is the computation dtype, as in the cell.
      params: the cell's params `{'ii': {'kernel': [in, hidden]}, ..., 'ho': {'kernel', 'bias'}}`.
      carry: `(c, h)`, each `[*batch, hidden]`.
      xs: the inputs, time first, `[time, *batch, in]`.
      unroll: steps per loop iteration, forward and backward (`lax.scan`'s `unroll`).

    Returns:
      `(cs, hs)`, each `[time, *batch, hidden]`: the cell state and output after every step.
    """
    w_i = jnp.concatenate([params[f"i{g}"]["kernel"] for g in GATES], axis=-1)  # [in, 4 * hidden]
    w_h = jnp.concatenate([params[f"h{g}"]["kernel"] for g in GATES], axis=-1)  # [hidden, 4 * hidden]
    b = jnp.concatenate([params[f"h{g}"]["bias"] for g in GATES], axis=-1)  # [4 * hidden]
    c0, h0 = carry
    steps, batch = xs.shape[0], xs.shape[1:-1]
    xs = jnp.reshape(xs, (steps, -1, xs.shape[-1]))  # [time, batch (flattened), in]
    c0, h0 = (jnp.reshape(a, (-1, a.shape[-1])) for a in (c0, h0))  # [batch, hidden]
    xs, w_i = promote_dtype(xs, w_i, dtype=cell.dtype)  # as the cell promotes its two products
    w_h, b = promote_dtype(w_h, b, dtype=cell.dtype or jnp.result_type(h0, w_h, b))
    cs, hs = _sequence(unroll, w_i, w_h, b, c0, h0, xs)
    return tuple(jnp.reshape(a, (steps, *batch, a.shape[-1])) for a in (cs, hs))


def _forward(unroll, w_i, w_h, b, c0, h0, xs):
    def step(carry, x_t):
        c, h = carry  # [batch, hidden] each
        z = (jnp.dot(h.astype(w_h.dtype), w_h) + b[None]) + jnp.dot(x_t, w_i)  # [batch, 4 * hidden], the cell's order
        z_i, z_f, z_g, z_o = jnp.split(z, 4, axis=-1)
        i, f, g, o = sigmoid(z_i), sigmoid(z_f), tanh(z_g), sigmoid(z_o)
        new_c = f * c + i * g
        new_h = o * tanh(new_c)
        return (new_c, new_h), (new_c, new_h, jnp.concatenate([i, f, g, o], axis=-1))

    _, (cs, hs, gates) = lax.scan(step, (c0, h0), xs, unroll=unroll)  # [time, batch, ...] each
    return cs, hs, gates


def _sequence_fwd(unroll, w_i, w_h, b, c0, h0, xs):
    cs, hs, gates = _forward(unroll, w_i, w_h, b, c0, h0, xs)
    return (cs, hs), (w_i, w_h, c0, h0, xs, cs, hs, gates)


def _sequence_bwd(unroll, residuals, cotangents):
    w_i, w_h, c0, h0, xs, cs, hs, gates = residuals
    d_cs, d_hs = cotangents  # [time, batch, hidden] each
    steps = xs.shape[0]
    c_prev = jnp.concatenate([c0[None], cs[:-1]])  # [time, batch, hidden]: c_{t-1}
    h_prev = jnp.concatenate([h0[None], hs[:-1]])  # h_{t-1}
    saved = (d_cs, d_hs, gates, cs, c_prev)

    def read(t):  # step t's saved values, copied out of the stacked arrays
        return tuple(lax.dynamic_index_in_dim(a, t, keepdims=False) for a in saved)

    w_h_t = w_h.T  # [4 * hidden, hidden]

    def body(k, loop):
        t = steps - 1 - k
        dh_next, dc_next, d_z, now = loop
        dc_t, dh_t, gates_t, c, c_before = now
        ahead = read(jnp.maximum(t - 1, 0))  # the next iteration's values, read now
        i, f, g, o = jnp.split(gates_t, 4, axis=-1)  # [batch, hidden] each
        tanh_c = tanh(c)
        dh = dh_t + dh_next
        dc = dc_t + dc_next + dh * o * (1 - tanh_c * tanh_c)
        dz = jnp.concatenate(
            [dc * g * i * (1 - i), dc * c_before * f * (1 - f), dc * i * (1 - g * g), dh * tanh_c * o * (1 - o)],
            axis=-1,
        )  # [batch, 4 * hidden]
        d_z = lax.dynamic_update_index_in_dim(d_z, dz, t, 0)
        return jnp.dot(dz, w_h_t), dc * f, d_z, ahead

    dz_dtype = jnp.result_type(gates, cs, d_cs, d_hs)  # float32 carries under bfloat16 gates, as in the cell
    start = (
        jnp.zeros(h0.shape, dz_dtype),
        jnp.zeros(c0.shape, dz_dtype),
        jnp.zeros(gates.shape, dz_dtype),
        read(steps - 1),
    )
    dh0, dc0, d_z, _ = lax.fori_loop(0, steps, body, start, unroll=unroll)  # d_z: [time, batch, 4 * hidden]
    flat = jnp.reshape(d_z, (-1, d_z.shape[-1]))  # [time * batch, 4 * hidden]
    d_w_h = jnp.dot(jnp.reshape(h_prev, (-1, h_prev.shape[-1])).T, flat)  # [hidden, 4 * hidden]
    d_w_i = jnp.dot(jnp.reshape(xs, (-1, xs.shape[-1])).T, flat)  # [in, 4 * hidden]
    d_xs = jnp.dot(d_z, w_i.T)  # [time, batch, in]
    grads = (d_w_i, d_w_h, jnp.sum(flat, axis=0), dc0, dh0, d_xs)
    return tuple(g.astype(p.dtype) for g, p in zip(grads, (w_i, w_h, w_h, c0, h0, xs), strict=True))


_sequence = jax.custom_vjp(
    lambda unroll, w_i, w_h, b, c0, h0, xs: _forward(unroll, w_i, w_h, b, c0, h0, xs)[:2], nondiff_argnums=(0,)
)
_sequence.defvjp(_sequence_fwd, _sequence_bwd)
