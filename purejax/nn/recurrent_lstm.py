"""The LSTM cells, one time step each: `LSTMCell`, `OptimizedLSTMCell`, `ConvLSTMCell`.

A cell maps `(carry, x_t)` to `(new_carry, y_t)`; a recurrent network (`RNN`, see
`purejax/nn/recurrent.py`) scans it over time. The carry holds the state between steps and is
made by the cell itself, with the cell's `carry_init` (zeros by default):

    >>> from purejax import random, tree
    >>> x = jnp.ones((2, 3))                                        # [batch, in]
    >>> cell = LSTMCell(features=4)
    >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)   # (c, h), each [batch, 4]
    >>> variables = cell.init(random.PRNGKey(1), carry, x)
    >>> (c, h), y = cell.apply(variables, carry, x)                 # y is h
    >>> tree.map(jnp.shape, variables)
    {'params': {'hf': {'bias': (4,), 'kernel': (4, 4)}, ..., 'ii': {'kernel': (3, 4)}, ...}}

Each gate is two `Dense` sublayers summed: `i<gate>` on the input (no bias) and `h<gate>` on the
hidden state (with the bias), so the variables tree is Flax's, name for name and key for key.
`OptimizedLSTMCell` stores the same parameters and computes the four gates in one product per
input; `ConvLSTMCell` makes the products convolutions, so that `c` and `h` are feature maps. The
cells whose carry is one array `h` (`SimpleCell`, `GRUCell`, `MGUCell`) are in `recurrent_gru.py`;
`RNN`'s fused path for `LSTMCell` and `OptimizedLSTMCell` is `recurrent_lstm_fused.py`.

Counterpart: `flax.linen.LSTMCell`, `OptimizedLSTMCell`, `ConvLSTMCell` (flax/linen/recurrent.py).

References:
  Hochreiter & Schmidhuber, *Long Short-Term Memory*, 1997,
  https://www.bioinf.jku.at/publications/older/2604.pdf
  Gers, Schmidhuber & Cummins, *Learning to Forget: Continual Prediction with LSTM*, 2000
  (the forget gate).
  Shi et al., *Convolutional LSTM Network: A Machine Learning Approach for Precipitation
  Nowcasting*, 2015, https://arxiv.org/abs/1506.04214 (ConvLSTM).
  Jozefowicz, Zaremba & Sutskever, *An Empirical Exploration of Recurrent Network
  Architectures*, 2015 (forget bias 1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

import purejax.random
from purejax.checks import fail
from purejax.nn import initializers
from purejax.nn.activations import sigmoid, tanh
from purejax.nn.conv import CONV_PADDINGS, Conv, canonicalize_padding, check_kernel_size, check_per_axis
from purejax.nn.dtypes import promote_dtype
from purejax.nn.linear import Dense, default_kernel_init, dense_params
from purejax.nn.module import Layer, Scope, layer_where
from purejax.nn.recurrent_checks import (
    carry_shape,
    check_carry,
    check_cell_fields,
    check_initialize_carry,
    check_inputs,
)

GATES = ("i", "f", "g", "o")  # input gate, forget gate, cell candidate, output gate


@dataclasses.dataclass(frozen=True)
class LSTMCell(Layer):
    """A long short-term memory cell: a memory `c` that gates decide to keep, write and show.

        i = gate_fn(x @ W_ii + h @ W_hi + b_hi)          # input gate: how much to write
        f = gate_fn(x @ W_if + h @ W_hf + b_hf)          # forget gate: how much to keep
        g = activation_fn(x @ W_ig + h @ W_hg + b_hg)    # cell candidate: what to write
        o = gate_fn(x @ W_io + h @ W_ho + b_ho)          # output gate: how much to show
        c' = f * c + i * g                               # new memory
        h' = o * activation_fn(c')                       # new hidden state, also the output

    Attributes:
      features: the hidden size of the carry `initialize_carry` makes. The layers take theirs from
        the carry they are given, `hidden = h.shape[-1]`, as Flax's do: a carry of another width
        gives a cell of that width.
      gate_fn: the gates' squashing function (default `sigmoid`).
      activation_fn: for the candidate and the output (default `tanh`).
      kernel_init: for the input kernels `ii..io: [in, hidden]` (default `lecun_normal()`).
      recurrent_kernel_init: for the hidden kernels `hi..ho: [hidden, hidden]` (default `orthogonal()`).
      bias_init: for the biases `hi..ho/bias: [hidden]` (default zeros).
      dtype: the computation dtype (default: promoted from inputs and params).
      param_dtype: the dtype of the parameters and of the carry (default float32).
      carry_init: `(key, shape, dtype) -> array` for `initialize_carry` (default zeros).

    Call: `forward(scope, carry, inputs)` with `carry = (c, h)`, each `[*batch, hidden]` (the
    inputs' batch axes), and `inputs: [*batch, in]`; returns `((c', h'), h')`.

    Counterpart: `flax.linen.LSTMCell` (flax/linen/recurrent.py).

    Differences:
      Carry and inputs are checked: `c` and `h` must both be `[*batch, hidden]` with the inputs'
      batch axes, and in `apply` `hidden` must be the params' width. Flax broadcasts instead: a
      `c` of width 1, or a carry with batch axes of size 1, gives a new carry of another shape
      than the one passed, which the next step (and `RNN`'s scan) cannot take; we refuse those.
      The hyperparameters are checked when the cell is built (`features` a positive integer, the
      functions callable, the dtypes dtypes), and `initialize_carry`'s key and input shape.
      Elsewhere the same cell is spelt differently. PyTorch's `nn.LSTMCell` carries `(h, c)`,
      stacks the gates i, f, g, o into one `weight_ih: [4 * hidden, in]` (and `weight_hh`), and
      has two biases `b_ih` and `b_hh` (their sum is our one bias). Equinox's `LSTMCell` fuses
      the weights the same way (`[4 * hidden, in]`) and carries `(h, c)`. Dive into Deep
      Learning's scratch LSTM keeps twelve separate tensors `W_xi, W_hi, b_i, ...`, `(H, C)`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> cell = nn.LSTMCell(features=4)
      >>> x = jnp.ones((2, 3))  # [batch, in]
      >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)
      >>> variables = cell.init(random.PRNGKey(1), carry, x)
      >>> new_carry, y = cell.apply(variables, carry, x)
      >>> tree.map(jnp.shape, (new_carry, y))  # ((c, h), y), y is h
      (((2, 4), (2, 4)), (2, 4))
      >>> wide = (jnp.zeros((2, 8)), jnp.zeros((2, 8)))  # a carry of another width sizes the cell
      >>> tree.map(jnp.shape, cell.init(random.PRNGKey(1), wide, x)['params']['hi'])
      {'bias': (8,), 'kernel': (8, 8)}
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

    def __post_init__(self):
        super().__post_init__()
        check_cell_fields(self)

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "ii")
        c, h = check_carry(scope, carry, ("c", "h"), inputs.shape[:-1], kernel="ii")
        hidden = h.shape[-1]  # sized from the carry, as Flax does
        common = dict(dtype=self.dtype, param_dtype=self.param_dtype)
        dense_i = Dense(hidden, use_bias=False, kernel_init=self.kernel_init, **common)
        dense_h = Dense(hidden, kernel_init=self.recurrent_kernel_init, bias_init=self.bias_init, **common)
        dense_i, dense_h = (lambda name, layer=layer: scope.child(layer, name) for layer in (dense_i, dense_h))
        # input and recurrent terms are summed, so only the recurrent one needs a bias. The input
        # layers run first, as NNX builds them first: under rng_rule='nnx' that gives NNX's keys
        # (under the linen rule a key depends on the layer's name, not on the order)
        from_i = {gate: dense_i(f"i{gate}")(inputs) for gate in GATES}  # each [*batch, hidden]
        from_h = {gate: dense_h(f"h{gate}")(h) for gate in GATES}  # each [*batch, hidden]
        i = self.gate_fn(from_i["i"] + from_h["i"])  # input gate, [*batch, hidden]
        f = self.gate_fn(from_i["f"] + from_h["f"])  # forget gate
        g = self.activation_fn(from_i["g"] + from_h["g"])  # cell candidate
        o = self.gate_fn(from_i["o"] + from_h["o"])  # output gate
        new_c = f * c + i * g  # keep part of the memory, write part of the candidate
        new_h = o * self.activation_fn(new_c)  # [*batch, hidden]
        return (new_c, new_h), new_h

    def initialize_carry(self, key, input_shape) -> tuple:
        """`(c, h)`, each `carry_init(key_c or key_h, [*batch, features], param_dtype)`.

        `input_shape` is the shape of one step's inputs, `[*batch, in]`; `key` is split in two,
        the first half for `c`, as Flax does.
        """
        input_shape = check_initialize_carry(self, key, input_shape)
        key_c, key_h = purejax.random.split(key)
        shape = carry_shape(input_shape, self.features)
        return self.carry_init(key_c, shape, self.param_dtype), self.carry_init(key_h, shape, self.param_dtype)

    @property
    def num_feature_axes(self) -> int:
        return 1


@dataclasses.dataclass(frozen=True)
class DenseParams(Layer):
    """The parameters of a `Dense` (same names, shapes and keys), returned instead of applied."""

    features: int
    use_bias: bool = True
    param_dtype: Any = jnp.float32
    kernel_init: Callable = default_kernel_init
    bias_init: Callable = initializers.zeros

    def forward(self, scope: Scope, inputs):
        return dense_params(scope, self, inputs)


@dataclasses.dataclass(frozen=True)
class OptimizedLSTMCell(LSTMCell):
    """`LSTMCell` with the four gates in one matrix product per input: the same math, fewer ops.

    The parameters are stored exactly as `LSTMCell`'s (`ii..io`, `hi..ho`; keys, shapes and
    values equal for the same key), then concatenated along the output axis at each call:

        W_i = [W_ii | W_if | W_ig | W_io]                 # [in, 4 * hidden]
        W_h = [W_hi | W_hf | W_hg | W_ho]                 # [hidden, 4 * hidden]
        b   = [b_hi | b_hf | b_hg | b_ho]                 # [4 * hidden]
        i, f, g, o = split(h @ W_h + b + x @ W_i, 4)      # then the gates as in LSTMCell

    Attributes and call: as `LSTMCell`.

    Counterpart: `flax.linen.OptimizedLSTMCell` (flax/linen/recurrent.py), with its `DenseParams`
    and `_concat_dense`.

    Under `init(..., rng_rule='nnx')` the parameters are drawn as `flax.nnx.OptimizedLSTMCell`
    draws them, fused: `W_i = kernel_init(k0, [in, 4 * hidden])`, `W_h = recurrent_kernel_init(k1,
    [hidden, 4 * hidden])`, `b = bias_init(k2, [4 * hidden])`, then stored cut per gate as above
    (NNX keeps them whole, as `dense_i/kernel`, `dense_h/kernel`, `dense_h/bias`).

    Differences:
      As `LSTMCell`. This fused layout, `[in, 4 * hidden]` in order i, f, g, o, is PyTorch's
      `weight_ih` transposed (and NNX's `dense_i/kernel`); PyTorch and NNX store it fused, Flax
      linen and we store it per gate.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> cell = nn.OptimizedLSTMCell(features=4)
      >>> x = jnp.ones((2, 3))  # [batch, in]
      >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)
      >>> variables = cell.init(random.PRNGKey(1), carry, x)
      >>> new_carry, y = cell.apply(variables, carry, x)
      >>> tree.map(jnp.shape, (new_carry, y))  # the same variables and outputs as LSTMCell
      (((2, 4), (2, 4)), (2, 4))
    """

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "ii")
        c, h = check_carry(scope, carry, ("c", "h"), inputs.shape[:-1], kernel="ii")
        hidden = h.shape[-1]  # sized from the carry, as Flax does
        if scope.initializing and scope.rng_rule == "nnx":
            self.init_fused(scope, inputs.shape[-1], hidden)
        params_i, params_h = {}, {}
        for gate in GATES:  # the same names and keys as LSTMCell's Dense sublayers
            params_i[gate] = scope.child(
                DenseParams(hidden, use_bias=False, param_dtype=self.param_dtype, kernel_init=self.kernel_init),
                f"i{gate}",
            )(inputs)
            params_h[gate] = scope.child(
                DenseParams(
                    hidden,
                    param_dtype=self.param_dtype,
                    kernel_init=self.recurrent_kernel_init,
                    bias_init=self.bias_init,
                ),
                f"h{gate}",
            )(h)
        from_h = self._concat_dense(h, params_h, use_bias=True)
        from_i = self._concat_dense(inputs, params_i, use_bias=False)
        i = self.gate_fn(from_h["i"] + from_i["i"])  # input gate, [*batch, hidden]
        f = self.gate_fn(from_h["f"] + from_i["f"])  # forget gate
        g = self.activation_fn(from_h["g"] + from_i["g"])  # cell candidate
        o = self.gate_fn(from_h["o"] + from_i["o"])  # output gate
        new_c = f * c + i * g
        new_h = o * self.activation_fn(new_c)
        return (new_c, new_h), new_h

    def init_fused(self, scope: Scope, in_features: int, hidden: int) -> None:
        """Under NNX's rule: draw the fused parameters as NNX does (3 keys), store them cut per gate."""
        if scope.push("ii").has_variable("params", "kernel"):  # created by an earlier call
            return
        kernel_i = self.kernel_init(scope.make_rng("params"), (in_features, 4 * hidden), self.param_dtype)
        kernel_h = self.recurrent_kernel_init(scope.make_rng("params"), (hidden, 4 * hidden), self.param_dtype)
        bias = self.bias_init(scope.make_rng("params"), (4 * hidden,), self.param_dtype)  # [4 * hidden]
        for n, gate in enumerate(GATES):
            part = slice(n * hidden, (n + 1) * hidden)  # this gate's columns
            scope.push(f"i{gate}").put_variable("params", "kernel", kernel_i[:, part])  # [in, hidden]
            scope.push(f"h{gate}").put_variable("params", "kernel", kernel_h[:, part])  # [hidden, hidden]
            scope.push(f"h{gate}").put_variable("params", "bias", bias[part])  # [hidden]

    def _concat_dense(self, inputs, params: dict, use_bias: bool) -> dict:
        """One product `inputs @ [K_i | K_f | K_g | K_o] (+ [b_i | ... ])`, split back per gate."""
        kernels = [kernel for kernel, _ in params.values()]
        kernel = jnp.concatenate(kernels, axis=-1)  # [in, 4 * hidden]
        bias = jnp.concatenate([b for _, b in params.values()], axis=-1) if use_bias else None  # [4 * hidden]
        inputs, kernel, bias = promote_dtype(inputs, kernel, bias, dtype=self.dtype)
        y = jnp.dot(inputs, kernel)  # [*batch, 4 * hidden]
        if use_bias:
            y += jnp.reshape(bias, (1,) * (y.ndim - 1) + (-1,))
        ys = jnp.split(y, np.cumsum([k.shape[-1] for k in kernels[:-1]]), axis=-1)  # 4 x [*batch, hidden]
        return dict(zip(params, ys, strict=True))


@dataclasses.dataclass(frozen=True)
class ConvLSTMCell(Layer):
    """An LSTM whose matrix products are convolutions, so `c` and `h` are feature maps.

        gates = conv_ih(x) + conv_hh(h)                  # [*batch, *spatial, 4 * hidden]
        i, g, f, o = split(gates, 4)                     # stacked in this order (note: g second)
        f = sigmoid(f + 1)                               # forget gate, biased towards keeping
        c' = f * c + sigmoid(i) * tanh(g)                # input gate times cell candidate
        h' = sigmoid(o) * tanh(c')                       # output gate

    Attributes:
      features: `hidden`, the channels of `c` and `h`. Unlike the other cells, the width is this
        field, not the carry's: the convolutions output `4 * features` channels.
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
      The carry is checked: `c` and `h` must both be `[*batch, *spatial, features]` with the
      inputs' batch and spatial axes. Flax sizes the `hh` convolution's input channels from `h`,
      so it takes an `h` of another width (or a `c` of width 1, broadcast) and returns a carry of
      `features` channels, another shape than the one passed, which the next step (and `RNN`'s
      scan) cannot take; we refuse those carries. Unlike `LSTMCell`, the gates are fused,
      stacked i, g, f, o, with biases on both sides and a fixed `+1` on the forget gate; the
      convolutions use `Conv`'s default initializers. No `gate_fn`/`activation_fn` (as Flax).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> cell = nn.ConvLSTMCell(features=4, kernel_size=(3, 3))
      >>> x = jnp.ones((2, 8, 8, 3))  # [batch, height, width, in]
      >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)
      >>> variables = cell.init(random.PRNGKey(1), carry, x)
      >>> new_carry, y = cell.apply(variables, carry, x)
      >>> tree.map(jnp.shape, (new_carry, y))  # (c, h) are feature maps
      (((2, 8, 8, 4), (2, 8, 8, 4)), (2, 8, 8, 4))
    """

    features: int
    kernel_size: Sequence[int]
    strides: None | int | Sequence[int] = None
    padding: Any = "SAME"
    use_bias: bool = True
    dtype: Any = None
    param_dtype: Any = jnp.float32
    carry_init: Callable = initializers.zeros

    def __post_init__(self):
        super().__post_init__()
        check_cell_fields(self)
        where = layer_where(self)
        rank = len(check_kernel_size(where, self.kernel_size))
        check_per_axis(where, "strides", self.strides, rank)
        if canonicalize_padding(self.padding, rank, where, CONV_PADDINGS) == "CAUSAL" and rank != 1:
            raise fail(ValueError, where, "padding", "'SAME' (the carry keeps its spatial shape)", self.padding)

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "ih", in_axis=-2)
        c, h = check_carry(scope, carry, ("c", "h"), inputs.shape[:-1], width=self.features)
        conv = Conv(
            4 * self.features,
            self.kernel_size,
            strides=self.strides,
            padding=self.padding,
            use_bias=self.use_bias,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
        )
        from_x, from_h = scope.child(conv, "ih")(inputs), scope.child(conv, "hh")(h)
        if from_x.shape != from_h.shape or from_x.shape[:-1] != h.shape[:-1]:
            raise ValueError(
                f"{scope.where}: strides={self.strides} and padding={self.padding!r} change the spatial "
                f"shape (inputs {list(inputs.shape)} -> {list(from_x.shape)}), but the carry must keep "
                "it; use strides 1 and padding 'SAME'"
            )
        gates = from_x + from_h  # [*batch, *spatial, 4 * hidden]
        i, g, f, o = jnp.split(gates, 4, axis=-1)
        f = sigmoid(f + 1)  # forget gate, +1 so that it starts mostly open
        new_c = f * c + sigmoid(i) * jnp.tanh(g)  # input gate times cell candidate
        new_h = sigmoid(o) * jnp.tanh(new_c)  # output gate
        return (new_c, new_h), new_h

    def initialize_carry(self, key, input_shape) -> tuple:
        """`(c, h)`, each `[*batch, *spatial, features]`; `key` split in two as in `LSTMCell`."""
        input_shape = check_initialize_carry(self, key, input_shape, self.num_feature_axes)
        key_c, key_h = purejax.random.split(key)
        shape = carry_shape(input_shape, self.features)
        return self.carry_init(key_c, shape, self.param_dtype), self.carry_init(key_h, shape, self.param_dtype)

    @property
    def num_feature_axes(self) -> int:
        return len(check_kernel_size(layer_where(self), self.kernel_size)) + 1
