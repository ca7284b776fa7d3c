"""Running a recurrent cell along a sequence: `RNN` (one direction) and `Bidirectional` (both).

A cell is one step, `(carry, x_t) -> (carry, y_t)` (see `recurrent_lstm.py` and `recurrent_gru.py`).
`RNN` applies it at every time step with `jax.lax.scan`, reading the *same* parameters each step,
stored as Flax stores them: `{'params': {'cell': {...}}}`. For the LSTM cells it can instead run
the whole sequence as one function with a hand-written backward pass (`fused`,
`recurrent_lstm_fused.py`).

Counterpart: `flax.linen.RNN`, `flax.linen.Bidirectional`, `flax.linen.recurrent.flip_sequences`
(flax/linen/recurrent.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from purejax import random, tree
from purejax.checks import check_array, check_bool, check_callable, check_int, fail
from purejax.nn.compact import Module, nowrap
from purejax.nn.keypath import check_key
from purejax.nn.module import Layer, Scope, layer_where, run
from purejax.nn.recurrent_lstm_fused import fused_default, fused_lstm, supports_fused
from purejax.nn.transforms import scan_scope


class RNNCellBase(Module):
    """Base class of a recurrent cell written as a Module: `__call__(carry, x) -> (carry, y)`.

    A subclass defines `initialize_carry(rng, input_shape)` (decorated `@nn.nowrap`, it needs no
    variables) and the property `num_feature_axes` (1 for vectors, 3 for a ConvLSTM's
    `[height, width, channels]`), which `RNN` reads to find the time axis.

    Counterpart: `flax.linen.RNNCellBase` (flax/linen/recurrent.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> class Elman(nn.RNNCellBase):
      ...     features: int
      ...     @nn.compact
      ...     def __call__(self, h, x):
      ...         h = nn.tanh(nn.Dense(self.features)(jnp.concatenate([h, x], -1)))
      ...         return h, h
      ...     @nn.nowrap
      ...     def initialize_carry(self, rng, input_shape):
      ...         return jnp.zeros(input_shape[:-1] + (self.features,))
      ...     @property
      ...     def num_feature_axes(self):
      ...         return 1
      >>> rnn, x = nn.RNN(Elman(4)), jnp.ones((2, 5, 3))  # x: [batch, time, in]
      >>> rnn.apply(rnn.init(random.PRNGKey(0), x), x).shape
      (2, 5, 4)
    """

    @nowrap
    def initialize_carry(self, rng, input_shape: tuple):
        raise NotImplementedError(f"{type(self).__name__}: define initialize_carry(rng, input_shape)")

    @property
    def num_feature_axes(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: define the property num_feature_axes (1 for vectors)")


@dataclasses.dataclass(frozen=True)
class RNN(Layer):
    r"""Scan a cell over time: `carry_t, y_t = cell(carry_{t-1}, x_t)` for t = 1..T.

        carry_0            = initial_carry, or cell.initialize_carry(init_key, x_1.shape)
        carry_t, y_t       = cell(params, carry_{t-1}, x_t)          # one pure step
        outputs            = [y_1, ..., y_T]                         # [*batch, time, *out]

    PyTorch keeps the hidden state inside the module and overwrites it each step (`self.h = ...`).
    In JAX the step is a pure function: the carry goes in as an argument and comes out as a
    result, and `jax.lax.scan(step, carry_0, xs)` threads it through time, compiling the loop
    body once however long the sequence. The parameters are not part of the carry: they are
    created once at `init` (by one call of the cell on the first time step, in the child scope
    'cell') and every step reads them; `lax.scan` closes over them, so their gradient sums the
    contributions of all steps.

    Truncated backpropagation through time: split a long sequence into chunks and pass each
    chunk's final carry to the next as `initial_carry=jax.lax.stop_gradient(carry)`. This is
    PyTorch's `h.detach()`: the value flows forward, the gradient stops at the chunk boundary.

        carry, y = rnn.apply(v, chunk_1, return_carry=True)
        carry, y = rnn.apply(v, chunk_2, initial_carry=jax.lax.stop_gradient(carry), return_carry=True)

    Attributes:
      cell: a cell layer with `forward(scope, carry, x_t) -> (carry, y_t)`, and optionally
        `initialize_carry(key, input_shape)` (needed only when no `initial_carry` is passed) and
        `num_feature_axes` (1 if absent).
      time_major: inputs are `[time, *batch, *features]` (default False: `[*batch, time, *features]`).
      return_carry: return `(final carry, outputs)` instead of `outputs` (default False).
      reverse: run from the last step to the first; outputs come back in that reversed order.
        With `seq_lengths`, only each sequence's valid part is reversed: padding stays at the end.
      keep_order: with `reverse`, flip the outputs back to the input order (Bidirectional's case).
      unroll: steps per iteration of the compiled loop, passed to `lax.scan` (default 1).
      fused: for LSTM cells (default sigmoid and tanh), run the whole sequence as one function
        whose backward pass takes the weight gradients for all steps in one product
        (`recurrent_lstm_fused.py`). False (default): step by step in Flax's order of operations,
        so a ported Flax program gets Flax's results bit for bit; None: decide per platform from
        measurements (the library's LSTM models do); True: force it. Same variables, same
        outputs, gradients to float rounding.
      variable_axes, variable_broadcast, variable_carry, split_rngs: as `purejax.nn.scan`, which
        runs the cell: by default its 'params' are shared by every step and only the 'params'
        stream gets in; `split_rngs={'params': False, 'dropout': True}` gives a cell's dropout a
        new key each step.

    Call: `forward(scope, inputs, *, initial_carry=None, init_key=None, seq_lengths=None,
    return_carry=None, time_major=None, reverse=None, keep_order=None)`; the last four override
    the attributes. `init_key` draws the initial carry (default `PRNGKey(0)`; zero-initialized
    carries ignore it). `seq_lengths: int[*batch]` marks steps at or past a sequence's length as
    padding: the returned carry is the carry after its last valid step (the initial carry for a
    length of 0); padding outputs are not zeroed.

    Returns: `outputs: [*batch, time, *out]` (time first if `time_major`), or `(carry, outputs)`.

    Counterpart: `flax.linen.RNN` (flax/linen/recurrent.py), which uses `flax.linen.scan` with
    `variable_broadcast='params', split_rngs={'params': False}` (flax/linen/transforms.py).

    References:
      Elman, *Finding Structure in Time*, 1990. https://doi.org/10.1207/s15516709cog1402_1
      Williams and Peng, *An Efficient Gradient-Based Algorithm for On-Line Training of Recurrent
      Network Trajectories*, 1990 (truncated BPTT). https://doi.org/10.1162/neco.1990.2.4.490

    Differences:
      `fused` is ours (Flax leaves an LSTM's backward pass to `scan`); it is off by default and
      off whenever the scan options are not the defaults (the fused path reads one set of
      parameters and draws no keys). `seq_lengths` must not
      exceed the time length (checked when the lengths are concrete; Flax does not check). A
      sequence of length 0 returns the initial carry; Flax returns the carry after all the steps
      (padding included) there. Carries for lengths >= 1 are Flax's, bit for bit. Without the
      'cell' level in the params (the cell's own params passed), the error says what to pass.
      PyTorch's `nn.LSTM` is time-major by default (`batch_first=False`) and returns `(h, c)`;
      here, as in Flax, batch-major and the carry is whatever the cell uses (`(c, h)` for LSTM).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> rnn = nn.RNN(nn.LSTMCell(features=4))
      >>> x = jnp.ones((2, 5, 3))  # [batch, time, in]
      >>> variables = rnn.init(random.PRNGKey(0), x)
      >>> sorted(variables['params']['cell'])
      ['hf', 'hg', 'hi', 'ho', 'if', 'ig', 'ii', 'io']
      >>> carry, y = rnn.apply(variables, x, return_carry=True)
      >>> tree.map(jnp.shape, (carry, y))  # (c, h) after the last step, and h at every step
      (((2, 4), (2, 4)), (2, 5, 4))
    """

    cell: Any  # a Layer, maybe with `initialize_carry`, which Layer itself does not declare
    time_major: bool = False
    return_carry: bool = False
    reverse: bool = False
    keep_order: bool = False
    unroll: int = 1
    fused: bool | None = False
    variable_axes: Mapping = dataclasses.field(default_factory=dict, hash=False)
    variable_broadcast: Any = "params"
    variable_carry: Any = False
    split_rngs: Mapping = dataclasses.field(default_factory=lambda: {"params": False}, hash=False)

    def __post_init__(self):
        super().__post_init__()
        check_rnn_fields(self, ("time_major", "return_carry", "reverse", "keep_order"))
        where = layer_where(self)
        if not isinstance(self.cell, Layer):
            raise fail(TypeError, where, "cell", "a cell layer, e.g. nn.LSTMCell(8)", self.cell)
        if not isinstance(self.unroll, (bool, np.bool_)):
            check_int(where, "unroll", self.unroll, minimum=1)
        check_bool(where, "fused", self.fused, optional=True)

    def forward(
        self,
        scope: Scope,
        inputs,
        *,
        initial_carry=None,
        init_key=None,
        seq_lengths=None,
        return_carry=None,
        time_major=None,
        reverse=None,
        keep_order=None,
    ):
        for name, flag in (
            ("return_carry", return_carry),
            ("time_major", time_major),
            ("reverse", reverse),
            ("keep_order", keep_order),
        ):
            check_bool(scope.where, name, flag, optional=True)
        check_array(scope.where, "inputs", inputs)
        if init_key is not None:
            check_key(scope.where, "init_key", init_key)
        return_carry = self.return_carry if return_carry is None else return_carry
        time_major = self.time_major if time_major is None else time_major
        reverse = self.reverse if reverse is None else reverse
        keep_order = self.keep_order if keep_order is None else keep_order

        feature_axes = getattr(self.cell, "num_feature_axes", 1)
        if jnp.ndim(inputs) < feature_axes + 1:
            layout = "[time, *batch, *features]" if time_major else "[*batch, time, *features]"
            raise ValueError(
                f"{scope.where}: inputs have shape {list(jnp.shape(inputs))}, but need {layout} with "
                f"{feature_axes} feature axis(es), so at least {feature_axes + 1} dimensions"
            )
        time_axis = 0 if time_major else inputs.ndim - feature_axes - 1
        batch_dims = inputs.shape[1 : inputs.ndim - feature_axes] if time_major else inputs.shape[:time_axis]
        _check_seq_lengths(scope.where, seq_lengths, batch_dims, inputs.shape[time_axis])

        def flip(x):  # padding stays at the end of each sequence
            return flip_sequences(x, seq_lengths, num_batch_dims=len(batch_dims), time_major=time_major)

        if reverse:
            inputs = flip(inputs)
        xs = jnp.moveaxis(inputs, time_axis, 0)  # [time, *batch, *features]

        if initial_carry is None:
            if not callable(getattr(self.cell, "initialize_carry", None)):
                raise TypeError(
                    f"{scope.where}: {type(self.cell).__name__} has no initialize_carry to make the initial carry; "
                    "pass initial_carry=..., or give the cell an initialize_carry(key, input_shape) method"
                )
            carry = self.cell.initialize_carry(random.PRNGKey(0) if init_key is None else init_key, xs.shape[1:])
        else:
            _check_carry(scope.where, self.cell, initial_carry, xs.shape[1:])
            carry = initial_carry
        carry_0 = carry
        x_first = xs[0] if xs.shape[0] else jnp.zeros(xs.shape[1:], xs.dtype)  # no steps: shapes only
        keep_carries = seq_lengths is not None and return_carry  # to pick each sequence's last carry
        cell_scope = scope.scope_for(self.cell, "cell")  # 'cell' here, or where a compact method built it
        if not scope.initializing and self.cell.bound_scope() is None and scope.get_param("cell") is None:
            # (a cell without parameters has nothing under 'cell'; parameters passed alone have no 'params')
            if scope.subtree("params") or ("params" not in scope.variables and scope.variables):
                raise scope.missing_param(
                    "cell",
                    "RNN keeps its cell's params under 'cell': pass {'params': {'cell': cell_params}}, the layout "
                    "RNN.init returns",
                )
        fused = fused_default(self.cell) if self.fused is None else self.fused
        if fused and not supports_fused(self.cell):
            raise ValueError(
                f"{scope.where}: fused=True needs an LSTMCell or OptimizedLSTMCell with the "
                f"default gate_fn (sigmoid) and activation_fn (tanh), got {type(self.cell).__name__}"
            )
        if fused and not (
            self.split_rngs == {"params": False}
            and self.variable_broadcast == "params"
            and not self.variable_axes
            and not self.variable_carry
        ):
            fused = False  # the fused path reads one set of parameters and draws no keys
        if fused and xs.shape[0]:  # (no steps: the scan below returns the initial carry, as Flax's does)
            params = _cell_params(cell_scope, self.cell, carry, x_first)

            def cell_step(carry, x_t):  # the pure step: (carry, x_t) -> (carry, y_t)
                return self.cell.apply({"params": params}, carry, x_t)

            jax.eval_shape(cell_step, carry, x_first)  # the cell's own checks of carry and inputs
            carries = fused_lstm(self.cell, params, carry, xs, self.unroll)  # (cs, hs): [time, *batch, hidden]
            carry, ys = (carries[0][-1], carries[1][-1]), carries[1]
        else:

            def step(inner: Scope, carry, x_t):  # one step of the cell in its lifted scope
                carry, y_t = run(self.cell, inner, (carry, x_t), {})
                return carry, ((carry, y_t) if keep_carries else y_t)

            carry, ys = scan_scope(
                step,
                cell_scope,
                carry,
                (xs,),
                variable_axes=self.variable_axes,
                variable_broadcast=self.variable_broadcast,
                variable_carry=self.variable_carry,
                split_rngs=self.split_rngs,
                unroll=self.unroll,
                where=scope.where,
            )
            if keep_carries:
                carries, ys = ys  # carries: [time, *batch, ...] per leaf
        if keep_carries:
            carry = _select_last_carry(carries, seq_lengths, carry_0)
        outputs = tree.map(lambda y: jnp.moveaxis(y, 0, time_axis), ys)  # [*batch, time, *out]
        if reverse and keep_order:
            outputs = tree.map(flip, outputs)
        return (carry, outputs) if return_carry else outputs


def _cell_params(cell_scope: Scope, cell: Layer, carry, x_first) -> dict:
    """The cell's params in its scope: at init, created by one step on `x_first` (Flax's keys), then read."""
    if cell_scope.initializing and not cell_scope.subtree("params"):
        run(cell, cell_scope, (carry, x_first), {})
    return cell_scope.subtree("params")


def _select_last_carry(carries, seq_lengths, initial_carry):
    """Each sequence's carry after its last valid step: `carries[seq_lengths - 1, batch index]`, and
    the initial carry where a length is 0 (no valid step)."""
    if not tree.leaves(carries)[0].shape[0]:  # no steps at all: every length is 0
        return initial_carry
    last = seq_lengths - 1  # [*batch]
    batch_index = tuple(jnp.indices(last.shape, sparse=True))  # broadcastable aranges
    empty = seq_lengths == 0  # [*batch]

    def select(c, c0):  # [time, *batch, ...] and [*batch, ...]
        picked = c[(last,) + batch_index]  # [*batch, ...]
        mask = jnp.reshape(empty, empty.shape + (1,) * (picked.ndim - empty.ndim))  # [*batch, 1...]
        return jnp.where(mask, jnp.asarray(c0, picked.dtype), picked)

    return tree.map(select, carries, initial_carry)


def flip_sequences(inputs, seq_lengths, num_batch_dims: int, time_major: bool):
    """Reverse each sequence along time, keeping padding at the end.

        inputs [[1, 0, 0], [2, 3, 0], [4, 5, 6]], seq_lengths [1, 2, 3]
        ->     [[1, 0, 0], [3, 2, 0], [6, 5, 4]]

    Step t of a sequence of length L reads step `(L - 1 - t) mod T`; past L that lands in the
    padding, which therefore stays (reversed) at the end.

    Counterpart: `flax.linen.recurrent.flip_sequences` (flax/linen/recurrent.py).
    """
    where = "purejax.nn.flip_sequences"
    check_array(where, "inputs", inputs)
    check_bool(where, "time_major", time_major)
    num_batch_dims = check_int(where, "num_batch_dims", num_batch_dims, minimum=0)
    if num_batch_dims + 1 > jnp.ndim(inputs):
        raise fail(
            ValueError,
            where,
            "num_batch_dims",
            f"at most {jnp.ndim(inputs) - 1} for inputs {list(jnp.shape(inputs))} (they need a time axis)",
            num_batch_dims,
        )
    if seq_lengths is not None:
        batch = jnp.shape(inputs)[1 : num_batch_dims + 1] if time_major else jnp.shape(inputs)[:num_batch_dims]
        _check_seq_lengths(where, seq_lengths, tuple(batch))
    time_axis = 0 if time_major else num_batch_dims
    steps = inputs.shape[time_axis]
    if seq_lengths is None:
        return jnp.flip(inputs, axis=time_axis)
    lengths = jnp.expand_dims(seq_lengths, axis=time_axis)  # [1, *batch] or [*batch, 1]
    idxs = jnp.arange(steps - 1, -1, -1)  # [time]: T-1, ..., 0
    idxs = idxs.reshape([steps] + [1] * num_batch_dims if time_major else [1] * num_batch_dims + [steps])
    idxs = (idxs + lengths) % steps  # [*batch, time]
    idxs = idxs.reshape(list(idxs.shape) + [1] * (inputs.ndim - idxs.ndim))  # [*batch, time, 1...]
    return jnp.take_along_axis(inputs, idxs, axis=time_axis)


def _check_seq_lengths(where: str, seq_lengths, batch_dims: tuple, steps: int | None = None) -> None:
    """Integer lengths of shape `batch_dims`; with `steps`, and concrete lengths, each in [0, steps]."""
    if seq_lengths is None:
        return
    check_array(where, "seq_lengths", seq_lengths)
    if not jnp.issubdtype(jnp.result_type(seq_lengths), jnp.integer):
        raise fail(TypeError, where, "seq_lengths", "integer lengths, one per sequence", seq_lengths, "cast to int32")
    if tuple(jnp.shape(seq_lengths)) != tuple(batch_dims):
        raise ValueError(
            f"{where}: seq_lengths has shape {list(jnp.shape(seq_lengths))}, but needs one length per "
            f"sequence, shape {list(batch_dims)} (the batch dimensions of the inputs)"
        )
    if steps is None:
        return
    try:
        lengths = np.asarray(seq_lengths)
    except jax.errors.TracerArrayConversionError:
        return  # traced: the values are known only when the program runs
    if lengths.size and (lengths.max() > steps or lengths.min() < 0):
        raise ValueError(
            f"{where}: seq_lengths must lie in [0, {steps}] (the inputs have {steps} time steps), "
            f"got values from {lengths.min()} to {lengths.max()}; pad the inputs to the longest sequence"
        )


def _check_carry(where: str, cell: Any, carry, input_shape: tuple) -> None:
    """`initial_carry` against the carry `cell.initialize_carry` makes: the same structure, and each
    leaf the same shape but for its last axis, the width, which Flax's cells read from the carry
    (the cell checks it). A cell without `initialize_carry` (or RNNCellBase's, which raises) has
    nothing to compare: its own checks, and the scan's, apply, as in Flax."""
    if not callable(getattr(cell, "initialize_carry", None)):
        return
    try:
        want = jax.eval_shape(lambda: cell.initialize_carry(random.PRNGKey(0), input_shape))
    except NotImplementedError:
        return
    got_shapes = [list(jnp.shape(c)) for c in tree.leaves(carry)]
    want_shapes = [list(c.shape) for c in tree.leaves(want)]
    but_width = [(len(g), g[:-1]) for g in got_shapes] == [(len(w), w[:-1]) for w in want_shapes]
    if tree.structure(carry) != tree.structure(want) or not but_width:
        raise ValueError(
            f"{where}: initial_carry has shapes {got_shapes}, but {type(cell).__name__} with inputs "
            f"{list(input_shape)} per step needs {want_shapes} (the last axis, the width, may differ); "
            f"build it with cell.initialize_carry(key, {tuple(input_shape)})"
        )


def check_rnn_fields(layer, flags: tuple[str, ...]) -> None:
    """The flags an RNN-like layer holds (`time_major`, `return_carry`, ...): True or False."""
    for name in flags:
        check_bool(layer_where(layer), name, getattr(layer, name))


def _concatenate(a, b):
    """Concatenates two arrays along the last (feature) axis."""
    return jnp.concatenate([a, b], axis=-1)


@dataclasses.dataclass(frozen=True)
class Bidirectional(Layer):
    """Run one RNN forwards and one backwards over the same inputs, then merge step by step.

        y_fwd = forward_rnn(x)                                   # reads x_1 ... x_T
        y_bwd = backward_rnn(x, reverse=True, keep_order=True)   # reads x_T ... x_1, returned in order
        y_t   = merge_fn(y_fwd_t, y_bwd_t)                       # default: concatenate features

    Attributes:
      forward_rnn, backward_rnn: `RNN` layers (any layer with RNN's call signature); their
        variables live under 'forward_rnn' and 'backward_rnn'.
      merge_fn: `(a, b) -> merged`, default concatenation on the last axis.
      time_major, return_carry: as in `RNN`.

    Call: as `RNN.forward`; `initial_carry` is a pair `(forward, backward)`, `init_key` is split
    into one key for each direction. `reverse` and `keep_order` are accepted and ignored, as in Flax.

    Returns: merged outputs, or `((forward carry, backward carry), outputs)`.

    Counterpart: `flax.linen.Bidirectional` (flax/linen/recurrent.py).

    References:
      Schuster and Paliwal, *Bidirectional Recurrent Neural Networks*, 1997.
      https://doi.org/10.1109/78.650093

    Differences:
      Passing the same RNN object twice gives two independent parameter sets (Flax would share
      them and log a warning). PyTorch's `bidirectional=True` likewise concatenates the outputs.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> bi = nn.Bidirectional(nn.RNN(nn.GRUCell(features=4)), nn.RNN(nn.GRUCell(features=4)))
      >>> x = jnp.ones((2, 5, 3))  # [batch, time, in]
      >>> variables = bi.init(random.PRNGKey(0), x)
      >>> sorted(variables['params'])
      ['backward_rnn', 'forward_rnn']
      >>> bi.apply(variables, x).shape  # both directions' outputs, concatenated
      (2, 5, 8)
    """

    forward_rnn: Layer
    backward_rnn: Layer
    merge_fn: Callable[[Any, Any], Any] = _concatenate
    time_major: bool = False
    return_carry: bool = False

    def __post_init__(self):
        super().__post_init__()
        check_rnn_fields(self, ("time_major", "return_carry"))
        where = layer_where(self)
        for name in ("forward_rnn", "backward_rnn"):
            if not isinstance(getattr(self, name), Layer):
                raise fail(TypeError, where, name, "an RNN layer, e.g. nn.RNN(nn.LSTMCell(8))", getattr(self, name))
        check_callable(where, "merge_fn", self.merge_fn, "e.g. lambda a, b: jnp.concatenate([a, b], -1)")

    def forward(
        self,
        scope: Scope,
        inputs,
        *,
        initial_carry=None,
        init_key=None,
        seq_lengths=None,
        return_carry=None,
        time_major=None,
        reverse=None,
        keep_order=None,
    ):
        check_bool(scope.where, "time_major", time_major, optional=True)
        check_bool(scope.where, "return_carry", return_carry, optional=True)
        time_major = self.time_major if time_major is None else time_major
        return_carry = self.return_carry if return_carry is None else return_carry
        key_forward = key_backward = None
        if init_key is not None:
            key_forward, key_backward = random.split(check_key(scope.where, "init_key", init_key))
        carry_forward = carry_backward = None
        if initial_carry is not None:
            if not isinstance(initial_carry, (tuple, list)) or len(initial_carry) != 2:
                raise fail(
                    ValueError,
                    scope.where,
                    "initial_carry",
                    "a pair (forward carry, backward carry)",
                    initial_carry,
                    "pass (cell_f.initialize_carry(...), cell_b.initialize_carry(...))",
                )
            carry_forward, carry_backward = initial_carry
        carry_forward, outputs_forward = scope.child(self.forward_rnn, name="forward_rnn")(
            inputs,
            initial_carry=carry_forward,
            init_key=key_forward,
            seq_lengths=seq_lengths,
            return_carry=True,
            time_major=time_major,
            reverse=False,
        )
        carry_backward, outputs_backward = scope.child(self.backward_rnn, name="backward_rnn")(
            inputs,
            initial_carry=carry_backward,
            init_key=key_backward,
            seq_lengths=seq_lengths,
            return_carry=True,
            time_major=time_major,
            reverse=True,
            keep_order=True,
        )
        outputs = tree.map(self.merge_fn, outputs_forward, outputs_backward)
        carry = (carry_forward, carry_backward)
        return (carry, outputs) if return_carry else outputs
