"""The cells whose carry is one hidden state `h`: `SimpleCell`, `GRUCell`, `MGUCell`.

Same interface as the LSTM cells (`recurrent_lstm.py`): `cell.initialize_carry(key, x.shape)`,
then `cell.init(key, carry, x)` and `cell.apply(variables, carry, x) -> (new_carry, y)`; here the
carry is the array `h: [*batch, hidden]` itself, not a tuple, and the output is the new `h`. As in
Flax, the layers are sized from the carry given, `hidden = h.shape[-1]`; `features` sizes the carry
that `initialize_carry` makes.
`SimpleCell` is Elman's cell, `h' = tanh(x @ W_i + b_i + h @ W_h)`. The gated units add gates to
it and interpolate between `h` and a candidate `n`: `h' = (1 - z) * n + z * h`.

Counterpart: `flax.linen.SimpleCell`, `GRUCell`, `MGUCell` (flax/linen/recurrent.py).

Differences (all three):
  The hyperparameters are checked when the cell is built (`features` a positive integer, the
  functions callable, the flags bools, the dtypes dtypes: Flax fails in an initializer or in
  `jnp.zeros`), and `initialize_carry`'s key and input shape when it is called. The carry `h`
  must be `[*batch, hidden]` with the inputs' batch axes, and in `apply` `hidden` must be the
  params' width: Flax broadcasts a carry with batch axes of size 1 (or no batch axes) to the
  inputs' batch and returns a carry of another shape than the one passed, which the next step
  (and `RNN`'s scan) cannot take; we refuse it.

References:
  Elman, *Finding Structure in Time*, 1990 (SimpleCell).
  Cho et al., *Learning Phrase Representations using RNN Encoder-Decoder for Statistical
  Machine Translation*, 2014, https://arxiv.org/abs/1406.1078 (GRU).
  Zhou et al., *Minimal Gated Unit for Recurrent Neural Networks*, 2016,
  https://arxiv.org/abs/1603.09420 (MGU).
  Jozefowicz, Zaremba & Sutskever, *An Empirical Exploration of Recurrent Network
  Architectures*, 2015 (forget bias 1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol, cast

import jax.numpy as jnp

from purejax.nn import initializers
from purejax.nn.activations import sigmoid, tanh
from purejax.nn.linear import Dense, default_kernel_init
from purejax.nn.module import Layer, Scope
from purejax.nn.recurrent_checks import (
    carry_shape,
    check_carry,
    check_cell_fields,
    check_initialize_carry,
    check_inputs,
)


class _CarryFields(Protocol):
    """The fields every subclass of `SingleCarryCell` defines (each in its own field order)."""

    features: int
    param_dtype: Any
    carry_init: Callable


@dataclasses.dataclass(frozen=True)
class SingleCarryCell(Layer):
    """What the cells whose carry is one array `h` share: its initial value and feature axes.

    Subclasses define `features`, `param_dtype` and `carry_init`.
    """

    def __post_init__(self):
        super().__post_init__()
        check_cell_fields(self)

    def initialize_carry(self, key, input_shape):
        """`carry_init(key, [*batch, features], param_dtype)` for inputs `[*batch, in]`."""
        cell = cast(_CarryFields, self)  # a subclass: SimpleCell, GRUCell or MGUCell
        input_shape = check_initialize_carry(self, key, input_shape)
        return cell.carry_init(key, carry_shape(input_shape, cell.features), cell.param_dtype)

    @property
    def num_feature_axes(self) -> int:
        return 1


@dataclasses.dataclass(frozen=True)
class SimpleCell(SingleCarryCell):
    """The Elman cell: `h' = activation_fn(x @ W_i + b_i + h @ W_h (+ h))`, and `y = h'`.

        h' = activation_fn(x @ W_i + b_i + h @ W_h)          # new hidden state, also the output
        h' = activation_fn(x @ W_i + b_i + h @ W_h + h)      # with residual=True

    Attributes:
      features: the hidden size of the carry `initialize_carry` makes; the layers take theirs
        from the carry given, `hidden = h.shape[-1]`, as in Flax.
      activation_fn: default `tanh`.
      kernel_init: for `i/kernel: [in, hidden]` (default `lecun_normal()`).
      recurrent_kernel_init: for `h/kernel: [hidden, hidden]` (default `orthogonal()`).
      bias_init: for `i/bias: [hidden]` (default zeros); `h` has no bias.
      dtype, param_dtype, carry_init: as `LSTMCell`.
      residual: add `h` before the activation (a pre-activation residual connection).

    Call: `forward(scope, carry, inputs)` with `carry = h: [*batch, hidden]` (an array, not a
    tuple), `inputs: [*batch, in]`; returns `(h', h')`.

    Counterpart: `flax.linen.SimpleCell` (flax/linen/recurrent.py).

    Differences:
      The carry is checked, as in `LSTMCell` (see the module's differences). Here the bias sits on
      the input term (`i/bias`); PyTorch's `nn.RNNCell` has two, `bias_ih` and `bias_hh`.

    References:
      Elman, *Finding Structure in Time*, 1990.
      Yue et al., *Residual Recurrent Neural Networks for Learning Sequential Representations*,
      2018, https://arxiv.org/abs/1801.06105 (residual).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> cell = nn.SimpleCell(features=4)
      >>> x = jnp.ones((2, 3))  # [batch, in]
      >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)
      >>> variables = cell.init(random.PRNGKey(1), carry, x)
      >>> new_carry, y = cell.apply(variables, carry, x)
      >>> tree.map(jnp.shape, (new_carry, y))
      ((2, 4), (2, 4))
    """

    features: int
    activation_fn: Callable[..., Any] = tanh
    kernel_init: Callable = default_kernel_init
    recurrent_kernel_init: Callable = initializers.orthogonal()
    bias_init: Callable = initializers.zeros
    dtype: Any = None
    param_dtype: Any = jnp.float32
    carry_init: Callable = initializers.zeros
    residual: bool = False

    def forward(self, scope: Scope, carry, inputs):
        check_inputs(scope, inputs, "i")
        (h,) = check_carry(scope, carry, ("h",), inputs.shape[:-1], kernel="i")
        hidden = h.shape[-1]  # sized from the carry, as Flax does
        dense_h = Dense(
            hidden,
            use_bias=False,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            kernel_init=self.recurrent_kernel_init,
        )
        dense_i = Dense(
            hidden,
            dtype=self.dtype,
            param_dtype=self.param_dtype,
            kernel_init=self.kernel_init,
            bias_init=self.bias_init,
        )
        from_h = scope.child(dense_h, "h")(h)  # first, as NNX builds it first (its keys under rng_rule='nnx')
        new_h = scope.child(dense_i, "i")(inputs) + from_h  # [*batch, hidden]
        if self.residual:
            new_h += h  # residual connection
        new_h = self.activation_fn(new_h)
        return new_h, new_h


@dataclasses.dataclass(frozen=True)
class GRUCell(SingleCarryCell):
    """The gated recurrent unit: a reset gate `r` and an update gate `z` over one state `h`.

        r = gate_fn(x @ W_ir + b_ir + h @ W_hr)                      # reset gate
        z = gate_fn(x @ W_iz + b_iz + h @ W_hz)                      # update gate
        n = activation_fn(x @ W_in + b_in + r * (h @ W_hn + b_hn))   # candidate
        h' = (1 - z) * n + z * h                                     # new state, also the output

    Attributes:
      features: the hidden size of the carry `initialize_carry` makes; the layers take theirs
        from the carry given, `hidden = h.shape[-1]`, as in Flax.
      gate_fn, activation_fn: default `sigmoid`, `tanh`.
      kernel_init: for `ir, iz, in` kernels `[in, hidden]` (default `lecun_normal()`).
      recurrent_kernel_init: for `hr, hz, hn` kernels `[hidden, hidden]` (default `orthogonal()`).
      bias_init: for `ir, iz, in` and `hn` biases (default zeros); `hr`, `hz` have none.
      dtype, param_dtype, carry_init: as `LSTMCell`.

    Call: `forward(scope, carry, inputs)`, `carry = h: [*batch, hidden]`; returns `(h', h')`.

    Under `init(..., rng_rule='nnx')` the parameters are drawn as `flax.nnx.GRUCell` draws them,
    fused: `W_i = kernel_init(k0, [in, 3 * hidden])`, `b_i = bias_init(k1, [3 * hidden])`,
    `W_h = recurrent_kernel_init(k2, [hidden, 3 * hidden])`, in order r, z, n, then stored cut per
    gate; NNX's GRU has no `b_hn`, so `hn/bias` is zeros (the same function).

    Counterpart: `flax.linen.GRUCell` (flax/linen/recurrent.py); `flax.nnx.GRUCell`
    (flax/nnx/nn/recurrent.py) for the NNX rule.

    Differences:
      The carry is checked, as in `LSTMCell`. PyTorch's `nn.GRUCell` (and Equinox's)
      stack the gates r, z, n into `weight_ih: [3 * hidden, in]` with biases on both sides
      (`b_hr`, `b_hz` too, which here are folded into `b_ir`, `b_iz`). Dive into Deep Learning
      puts the bias on the input side and applies `r` before the product, `(r * h) @ W_hh`, as
      in Cho et al.; Flax, PyTorch and we apply it after (cuDNN's variant).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> cell = nn.GRUCell(features=4)
      >>> x = jnp.ones((2, 3))  # [batch, in]
      >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)
      >>> variables = cell.init(random.PRNGKey(1), carry, x)
      >>> new_carry, y = cell.apply(variables, carry, x)
      >>> tree.map(jnp.shape, (new_carry, y))  # the carry is h itself, and y is h
      ((2, 4), (2, 4))
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
        (h,) = check_carry(scope, carry, ("h",), inputs.shape[:-1], kernel="ir")
        hidden = h.shape[-1]  # sized from the carry, as Flax does
        if scope.initializing and scope.rng_rule == "nnx":
            self.init_fused(scope, inputs.shape[-1], hidden)

        def dense_i(name):
            return scope.child(
                Dense(
                    hidden,
                    dtype=self.dtype,
                    param_dtype=self.param_dtype,
                    kernel_init=self.kernel_init,
                    bias_init=self.bias_init,
                ),
                name,
            )

        def dense_h(name, use_bias=False):
            return scope.child(
                Dense(
                    hidden,
                    use_bias=use_bias,
                    dtype=self.dtype,
                    param_dtype=self.param_dtype,
                    kernel_init=self.recurrent_kernel_init,
                    bias_init=self.bias_init,
                ),
                name,
            )

        r = self.gate_fn(dense_i("ir")(inputs) + dense_h("hr")(h))  # reset gate, [*batch, hidden]
        z = self.gate_fn(dense_i("iz")(inputs) + dense_h("hz")(h))  # update gate
        # the recurrent term is scaled by r before the sum, so it needs its own bias
        n = self.activation_fn(dense_i("in")(inputs) + r * dense_h("hn", use_bias=True)(h))  # candidate
        new_h = (1.0 - z) * n + z * h  # interpolate between candidate and old state
        return new_h, new_h

    def init_fused(self, scope: Scope, in_features: int, hidden: int) -> None:
        """Under NNX's rule: draw the fused parameters as NNX does (3 keys), store them cut per gate."""
        if scope.push("ir").has_variable("params", "kernel"):  # created by an earlier call
            return
        kernel_i = self.kernel_init(scope.make_rng("params"), (in_features, 3 * hidden), self.param_dtype)
        bias_i = self.bias_init(scope.make_rng("params"), (3 * hidden,), self.param_dtype)  # [3 * hidden]
        kernel_h = self.recurrent_kernel_init(scope.make_rng("params"), (hidden, 3 * hidden), self.param_dtype)
        for n, gate in enumerate("rzn"):
            part = slice(n * hidden, (n + 1) * hidden)  # this gate's columns
            scope.push(f"i{gate}").put_variable("params", "kernel", kernel_i[:, part])  # [in, hidden]
            scope.push(f"i{gate}").put_variable("params", "bias", bias_i[part])  # [hidden]
            scope.push(f"h{gate}").put_variable("params", "kernel", kernel_h[:, part])  # [hidden, hidden]
        scope.push("hn").put_variable("params", "bias", jnp.zeros((hidden,), self.param_dtype))  # NNX has none


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
      The carry is checked, as in `LSTMCell`. Flax has no `bias_init` here but the
      two above, and so do we. Zhou et al. write the state update with `f` and `1 - f` swapped
      (`h' = (1 - f) * h + f * n`); Flax's form is kept. PyTorch has no MGU.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> cell = nn.MGUCell(features=4)
      >>> x = jnp.ones((2, 3))  # [batch, in]
      >>> carry = cell.initialize_carry(random.PRNGKey(0), x.shape)
      >>> variables = cell.init(random.PRNGKey(1), carry, x)
      >>> new_carry, y = cell.apply(variables, carry, x)
      >>> tree.map(jnp.shape, (new_carry, y))
      ((2, 4), (2, 4))
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
        (h,) = check_carry(scope, carry, ("h",), inputs.shape[:-1], kernel="if")
        hidden = h.shape[-1]  # sized from the carry, as Flax does

        def dense_i(name, bias_init):
            return scope.child(
                Dense(
                    hidden,
                    dtype=self.dtype,
                    param_dtype=self.param_dtype,
                    kernel_init=self.kernel_init,
                    bias_init=bias_init,
                ),
                name,
            )

        def dense_h(name, use_bias=False):
            return scope.child(
                Dense(
                    hidden,
                    use_bias=use_bias,
                    dtype=self.dtype,
                    param_dtype=self.param_dtype,
                    kernel_init=self.recurrent_kernel_init,
                    bias_init=self.activation_bias_init,
                ),
                name,
            )

        f = self.gate_fn(dense_i("if", self.forget_bias_init)(inputs) + dense_h("hf")(h))  # forget gate
        recurrent = dense_h("hn", use_bias=self.reset_gate)(h)  # [*batch, hidden]
        if self.reset_gate:
            recurrent *= f  # reset gate (the same f)
        n = self.activation_fn(dense_i("in", self.activation_bias_init)(inputs) + recurrent)  # candidate
        new_h = (1.0 - f) * n + f * h
        return new_h, new_h
