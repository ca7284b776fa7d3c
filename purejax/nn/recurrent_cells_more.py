"""More recurrent cells: `GRUCell`, `MGUCell` (one hidden state `h`) and `ConvLSTMCell`.

Same interface as `recurrent_cells.py`: `cell.initialize_carry(key, x.shape)`, then
`cell.init(key, carry, x)` and `cell.apply(variables, carry, x) -> (new_carry, y)`. The gated
units keep only `h` and interpolate between it and a candidate `n`: `h' = (1 - z) * n + z * h`.

Counterpart: `flax.linen.GRUCell`, `MGUCell`, `ConvLSTMCell` (flax/linen/recurrent.py).

References:
  Cho et al., *Learning Phrase Representations using RNN Encoder-Decoder for Statistical
  Machine Translation*, 2014, https://arxiv.org/abs/1406.1078 (GRU).
  Zhou et al., *Minimal Gated Unit for Recurrent Neural Networks*, 2016,
  https://arxiv.org/abs/1603.09420 (MGU).
  Shi et al., *Convolutional LSTM Network: A Machine Learning Approach for Precipitation
  Nowcasting*, 2015, https://arxiv.org/abs/1506.04214 (ConvLSTM).
  Jozefowicz, Zaremba & Sutskever, *An Empirical Exploration of Recurrent Network
  Architectures*, 2015 (forget bias 1).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import jax.numpy as jnp

import purejax.random
from purejax.nn import initializers
from purejax.nn.activations import sigmoid, tanh
from purejax.nn.conv import Conv
from purejax.nn.linear import Dense, default_kernel_init
from purejax.nn.module import Layer, Scope
from purejax.nn.recurrent_cells import SingleCarryCell, carry_shape, check_carry, check_inputs


@dataclasses.dataclass(frozen=True)
class GRUCell(SingleCarryCell):
    """The gated recurrent unit: a reset gate `r` and an update gate `z` over one state `h`.

        r = gate_fn(x @ W_ir + b_ir + h @ W_hr)                      # reset gate
        z = gate_fn(x @ W_iz + b_iz + h @ W_hz)                      # update gate
        n = activation_fn(x @ W_in + b_in + r * (h @ W_hn + b_hn))   # candidate
        h' = (1 - z) * n + z * h                                     # new state, also the output

    Attributes:
      features: the hidden size `hidden`.
      gate_fn, activation_fn: default `sigmoid`, `tanh`.
      kernel_init: for `ir, iz, in` kernels `[in, hidden]` (default `lecun_normal()`).
      recurrent_kernel_init: for `hr, hz, hn` kernels `[hidden, hidden]` (default `orthogonal()`).
      bias_init: for `ir, iz, in` and `hn` biases (default zeros); `hr`, `hz` have none.
      dtype, param_dtype, carry_init: as `LSTMCell`.

    Call: `forward(scope, carry, inputs)`, `carry = h: [*batch, hidden]`; returns `(h', h')`.

    Counterpart: `flax.linen.GRUCell` (flax/linen/recurrent.py).

    Differences:
      The carry is checked against `[*batch, features]`. PyTorch's `nn.GRUCell` (and Equinox's)
      stack the gates r, z, n into `weight_ih: [3 * hidden, in]` with biases on both sides
      (`b_hr`, `b_hz` too, which here are folded into `b_ir`, `b_iz`). Dive into Deep Learning
      puts the bias on the input side and applies `r` before the product, `(r * h) @ W_hh`, as
      in Cho et al.; Flax, PyTorch and we apply it after (cuDNN's variant).
    """

    features: int
    gate_fn: Callable[..., Any] = sigmoid
    activation_fn: Callable[..., Any] = tanh
    kernel_init: Callable = default_kernel_init
    recurrent_kernel_init: Callable = initializers.orthogonal()
    bias_init: Callable = initializers.zeros
    dtype: Any = None
    param_dtype: Any = jnp.float32
    carry_init: Callable = initializers.zeros

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "ir")
        (h,) = check_carry(scope, carry, ("h",), carry_shape(inputs.shape, self.features))
        dense_i = lambda name: scope.child(  # noqa: E731
            Dense(self.features, dtype=self.dtype, param_dtype=self.param_dtype, kernel_init=self.kernel_init,
                  bias_init=self.bias_init), name)
        dense_h = lambda name, use_bias=False: scope.child(  # noqa: E731
            Dense(self.features, use_bias=use_bias, dtype=self.dtype, param_dtype=self.param_dtype,
                  kernel_init=self.recurrent_kernel_init, bias_init=self.bias_init), name)
        r = self.gate_fn(dense_i("ir")(inputs) + dense_h("hr")(h))  # reset gate, [*batch, hidden]
        z = self.gate_fn(dense_i("iz")(inputs) + dense_h("hz")(h))  # update gate
        # the recurrent term is scaled by r before the sum, so it needs its own bias
        n = self.activation_fn(dense_i("in")(inputs) + r * dense_h("hn", use_bias=True)(h))  # candidate
        new_h = (1.0 - z) * n + z * h  # interpolate between candidate and old state
        return new_h, new_h


@dataclasses.dataclass(frozen=True)
class MGUCell(SingleCarryCell):
    """The minimal gated unit: the GRU with one gate `f` playing both reset and update.

        f = gate_fn(x @ W_if + b_if + h @ W_hf)                      # forget gate
        n = activation_fn(x @ W_in + b_in + f * (h @ W_hn + b_hn))   # candidate (reset by f)
        n = activation_fn(x @ W_in + b_in + h @ W_hn)                # candidate, reset_gate=False
        h' = (1 - f) * n + f * h                                     # new state, also the output

    Attributes:
      features, gate_fn, activation_fn, kernel_init, recurrent_kernel_init: as `GRUCell`.
      forget_bias_init: for `if/bias` (default ones: start by remembering).
      activation_bias_init: for `in/bias` and `hn/bias` (default zeros).
      dtype, param_dtype, carry_init: as `LSTMCell`.
      reset_gate: scale the recurrent term of `n` by `f` (default True); without it `hn` has
        no bias.

    Call: `forward(scope, carry, inputs)`, `carry = h: [*batch, hidden]`; returns `(h', h')`.

    Counterpart: `flax.linen.MGUCell` (flax/linen/recurrent.py).

    Differences:
      The carry is checked against `[*batch, features]`. Flax has no `bias_init` here but the
      two above, and so do we. Zhou et al. write the state update with `f` and `1 - f` swapped
      (`h' = (1 - f) * h + f * n`); Flax's form is kept. PyTorch has no MGU.
    """

    features: int
    gate_fn: Callable[..., Any] = sigmoid
    activation_fn: Callable[..., Any] = tanh
    kernel_init: Callable = default_kernel_init
    recurrent_kernel_init: Callable = initializers.orthogonal()
    forget_bias_init: Callable = initializers.ones
    activation_bias_init: Callable = initializers.zeros
    dtype: Any = None
    param_dtype: Any = jnp.float32
    carry_init: Callable = initializers.zeros
    reset_gate: bool = True

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "if")
        (h,) = check_carry(scope, carry, ("h",), carry_shape(inputs.shape, self.features))
        dense_i = lambda name, bias_init: scope.child(  # noqa: E731
            Dense(self.features, dtype=self.dtype, param_dtype=self.param_dtype, kernel_init=self.kernel_init,
                  bias_init=bias_init), name)
        dense_h = lambda name, use_bias=False: scope.child(  # noqa: E731
            Dense(self.features, use_bias=use_bias, dtype=self.dtype, param_dtype=self.param_dtype,
                  kernel_init=self.recurrent_kernel_init, bias_init=self.activation_bias_init), name)
        f = self.gate_fn(dense_i("if", self.forget_bias_init)(inputs) + dense_h("hf")(h))  # forget gate
        recurrent = dense_h("hn", use_bias=self.reset_gate)(h)  # [*batch, hidden]
        if self.reset_gate:
            recurrent *= f  # reset gate (the same f)
        n = self.activation_fn(dense_i("in", self.activation_bias_init)(inputs) + recurrent)  # candidate
        new_h = (1.0 - f) * n + f * h
        return new_h, new_h


@dataclasses.dataclass(frozen=True)
class ConvLSTMCell(Layer):
    """An LSTM whose matrix products are convolutions, so `c` and `h` are feature maps.

        gates = conv_ih(x) + conv_hh(h)                  # [*batch, *spatial, 4 * hidden]
        i, g, f, o = split(gates, 4)                     # stacked in this order (note: g second)
        f = sigmoid(f + 1)                               # forget gate, biased towards keeping
        c' = f * c + sigmoid(i) * tanh(g)                # input gate times cell candidate
        h' = sigmoid(o) * tanh(c')                       # output gate

    Attributes:
      features: `hidden`, the channels of `c` and `h`.
      kernel_size: the window, one int per spatial axis (e.g. `(3, 3)`).
      strides, padding: as `Conv` (default 1, 'SAME'); they must keep the spatial shape, since
        `h` goes through the same convolution as `x`.
      use_bias: add a bias in both convolutions (default True).
      dtype, param_dtype, carry_init: as `LSTMCell`.

    Call: `forward(scope, carry, inputs)` with `inputs: [*batch, *spatial, in]` and `carry = (c, h)`,
    each `[*batch, *spatial, hidden]`; returns `((c', h'), h')`. Parameters: `ih` and `hh`, each a
    `Conv` with kernel `[*kernel_size, in or hidden, 4 * hidden]`.

    Counterpart: `flax.linen.ConvLSTMCell` (flax/linen/recurrent.py).

    Differences:
      The carry is checked against the inputs' shape. Unlike `LSTMCell`, the gates are fused,
      stacked i, g, f, o, with biases on both sides and a fixed `+1` on the forget gate; the
      convolutions use `Conv`'s default initializers. No `gate_fn`/`activation_fn` (as Flax).
    """

    features: int
    kernel_size: Sequence[int]
    strides: None | int | Sequence[int] = None
    padding: Any = "SAME"
    use_bias: bool = True
    dtype: Any = None
    param_dtype: Any = jnp.float32
    carry_init: Callable = initializers.zeros

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "ih", in_axis=-2)
        c, h = check_carry(scope, carry, ("c", "h"), carry_shape(inputs.shape, self.features))
        conv = Conv(4 * self.features, self.kernel_size, strides=self.strides, padding=self.padding,
                    use_bias=self.use_bias, dtype=self.dtype, param_dtype=self.param_dtype)
        from_x, from_h = scope.child(conv, "ih")(inputs), scope.child(conv, "hh")(h)
        if from_x.shape != from_h.shape or from_x.shape[:-1] != h.shape[:-1]:
            raise ValueError(f"{scope.where}: strides={self.strides} and padding={self.padding!r} change the spatial "
                             f"shape (inputs {list(inputs.shape)} -> {list(from_x.shape)}), but the carry must keep "
                             "it; use strides 1 and padding 'SAME'")
        gates = from_x + from_h  # [*batch, *spatial, 4 * hidden]
        i, g, f, o = jnp.split(gates, 4, axis=-1)
        f = sigmoid(f + 1)  # forget gate, +1 so that it starts mostly open
        new_c = f * c + sigmoid(i) * jnp.tanh(g)  # input gate times cell candidate
        new_h = sigmoid(o) * jnp.tanh(new_c)  # output gate
        return (new_c, new_h), new_h

    def initialize_carry(self, key, input_shape) -> tuple:
        """`(c, h)`, each `[*batch, *spatial, features]`; `key` split in two as in `LSTMCell`."""
        key_c, key_h = purejax.random.split(key)
        shape = carry_shape(tuple(input_shape), self.features)
        return self.carry_init(key_c, shape, self.param_dtype), self.carry_init(key_h, shape, self.param_dtype)

    @property
    def num_feature_axes(self) -> int:
        return len(self.kernel_size) + 1
