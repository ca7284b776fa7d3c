"""PyTorch's recurrent weights in Flax's layout and back: `torch.nn.LSTM`/`GRU` <-> `RNN(LSTMCell/GRUCell)`.

PyTorch stacks a layer's gates into `weight_ih: [G * hidden, in]`, `weight_hh: [G * hidden,
hidden]`, `bias_ih`, `bias_hh: [G * hidden]` (G = 4 for LSTM, rows i, f, g, o; G = 3 for GRU,
rows r, z, n) and computes `W @ x`. Flax and purejax keep one `Dense` per gate and side,
`kernel: [in, hidden]`, computing `x @ kernel`: a gate's kernel is its block of rows, transposed.
Where PyTorch has two biases that are only ever added, Flax has one: their sum.

    state_dict = {k: v.numpy() for k, v in torch_lstm.state_dict().items()}  # arrays in: no torch import
    variables = lstm_from_torch(state_dict)               # feeds RNN(LSTMCell(hidden)), in Flax too
    carry = carry_from_torch(h0, c0)                      # (c, h) from PyTorch's (h_0, c_0)
    torch_lstm.load_state_dict({k: torch.from_numpy(v) for k, v in lstm_to_torch(variables).items()})

Every function checks what it is given before converting: arrays must be floating arrays (None,
strings and integer arrays are refused with TypeError), keys and shapes must be PyTorch's or Flax's
(ValueError naming the key, the shape expected and the shape found), and the two parts of a carry
must have the same batch and hidden sizes. Torch is not imported: its tensors come in as NumPy arrays.

Counterpart: the `state_dict()` of `torch.nn.LSTM`, `torch.nn.GRU` (also `nn.LSTMCell`, `nn.GRUCell`)
against the variables of `flax.linen.LSTMCell`, `OptimizedLSTMCell`, `GRUCell` (flax/linen/recurrent.py).

References:
  PyTorch, *LSTM*, https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html and *GRU*,
  https://pytorch.org/docs/stable/generated/torch.nn.GRU.html (the equations quoted below).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import jax.numpy as jnp
import numpy as np

from purejax.checks import check_array, check_bool, fail

LSTM_GATES = ("i", "f", "g", "o")  # input gate, forget gate, cell candidate, output gate: PyTorch's row order
GRU_GATES = ("r", "z", "n")  # reset gate, update gate, candidate
_TORCH_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_LSTM_LAYOUT = {**{f"i{g}": False for g in LSTM_GATES}, **{f"h{g}": True for g in LSTM_GATES}}
_GRU_LAYOUT = {"ir": True, "iz": True, "in": True, "hr": False, "hz": False, "hn": True}  # Flax's: name -> bias?


def _weights(fn: str, name: str, value) -> np.ndarray:
    """`value` as a NumPy array of floats, or a TypeError naming `fn` and `name` (None, a string, ints...)."""
    check_array(fn, name, value)
    array = np.asarray(value)
    if not jnp.issubdtype(array.dtype, jnp.floating):
        raise fail(TypeError, fn, name, "a floating array (weights)", array)
    return array


def _read_torch(fn: str, state_dict, n_gates: int) -> tuple:
    """Per-gate `(W_ih, W_hh, b_ih, b_hh)` lists (rows of PyTorch's stacks), or a teaching error."""
    if not isinstance(state_dict, Mapping):
        raise fail(
            TypeError,
            fn,
            "state_dict",
            "a dict of arrays",
            state_dict,
            "pass {k: v.numpy() for k, v in module.state_dict().items()}",
        )
    sd = {str(k): _weights(fn, f"state_dict[{str(k)!r}]", v) for k, v in state_dict.items()}
    for k in sorted(sd):
        if k.endswith("_reverse"):
            raise ValueError(
                f"{fn}: '{k}' comes from bidirectional=True, which this does not convert; convert "
                "each direction (the backward one with '_reverse' stripped from its keys) and use "
                "Bidirectional(RNN(cell), RNN(cell)) (it runs the second one reversed)"
            )
        if re.search(r"_l[1-9][0-9]*$", k):
            raise ValueError(
                f"{fn}: '{k}' comes from num_layers > 1, which this does not convert; convert each "
                "layer's keys renamed to '_l0' and run one RNN per layer, each on the last one's outputs"
            )
        if k.startswith("weight_hr"):
            raise ValueError(f"{fn}: '{k}' comes from proj_size > 0 (a projected LSTM), which Flax's cells do not have")
    suffix = "_l0" if any(k.endswith("_l0") for k in sd) else ""  # nn.LSTM / nn.GRU, or nn.LSTMCell / GRUCell
    names = [n + suffix for n in _TORCH_NAMES]
    unknown, missing = sorted(set(sd) - set(names)), [n for n in names if n not in sd]
    if unknown or (missing and missing != names[2:]):  # both biases may be absent (bias=False)
        raise ValueError(
            f"{fn}: expected the keys {names} (the biases only with bias=True), got {sorted(sd)}: "
            f"unknown {unknown}, missing {missing}"
        )
    w_ih, w_hh = sd[names[0]], sd[names[1]]
    if w_ih.ndim != 2 or w_ih.shape[0] == 0 or w_ih.shape[0] % n_gates:
        raise ValueError(
            f"{fn}: '{names[0]}' must be [{n_gates} * hidden, in] ({n_gates} gates stacked), got {list(w_ih.shape)}"
        )
    hidden = w_ih.shape[0] // n_gates
    want = {names[1]: (n_gates * hidden, hidden), names[2]: (n_gates * hidden,), names[3]: (n_gates * hidden,)}
    for name, shape in want.items():
        if name in sd and sd[name].shape != shape:
            raise ValueError(
                f"{fn}: '{name}' must be {list(shape)} for hidden={hidden} (from '{names[0]}' "
                f"{list(w_ih.shape)}), got {list(sd[name].shape)}"
            )
    zeros = np.zeros(n_gates * hidden, w_ih.dtype)  # bias=False: Flax's cells always add a bias, so zero it
    b_ih, b_hh = sd.get(names[2], zeros), sd.get(names[3], zeros)
    return tuple(np.split(w, n_gates) for w in (w_ih, w_hh, b_ih, b_hh))


def _read_ours(fn: str, variables, layout: dict) -> dict:
    """`{sublayer: (kernel, bias or None)}` from RNN or cell variables, or a teaching error."""
    if not isinstance(variables, Mapping):
        raise fail(TypeError, fn, "variables", "a dict {'params': ...}", variables, "pass what init returns")
    params = variables.get("params")
    if not isinstance(params, Mapping):
        hint = ""
        if "cell" in variables or set(variables) == set(layout):
            hint = "; these look like variables['params']: pass {'params': ...}, the whole variables"
        raise ValueError(
            f"{fn}: expected variables {{'params': {{'cell': {{...}}}}}} or {{'params': {{...}}}}, "
            f"got {type(variables).__name__} without 'params'{hint}"
        )
    params = params["cell"] if set(params.keys()) == {"cell"} else params
    if not isinstance(params, Mapping):
        raise fail(TypeError, fn, "variables['params']['cell']", "a dict of sublayers", params)
    names = set(params.keys())
    if names != set(layout):
        raise ValueError(
            f"{fn}: expected the sublayers {sorted(layout)}, got {sorted(names)}: missing "
            f"{sorted(set(layout) - names)}, unknown {sorted(names - set(layout))}"
        )
    for name in layout:
        if not isinstance(params[name], Mapping):
            raise fail(TypeError, fn, f"sublayer {name!r}", "a dict {'kernel': ..., 'bias': ...}", params[name])
        for leaf, value in params[name].items():
            _weights(fn, f"{name}/{leaf}", value)

    def dim(name, axis):  # of a kernel, "?" when there is no 2-d one
        shape = np.shape(dict(params[name]).get("kernel", ()))
        return shape[axis] if len(shape) == 2 else "?"

    n_in, hidden = dim(next(iter(layout)), 0), dim(next(n for n in layout if n[0] == "h"), 1)
    got = {}
    for name, has_bias in layout.items():
        leaves = {k: np.asarray(v) for k, v in dict(params[name]).items()}
        want = {"kernel": (hidden if name[0] == "h" else n_in, hidden), **({"bias": (hidden,)} if has_bias else {})}
        if {k: v.shape for k, v in leaves.items()} != want:
            raise ValueError(
                f"{fn}: '{name}' must hold {', '.join(f'{k} {list(s)}' for k, s in want.items())} "
                f"(hidden={hidden}), got {', '.join(f'{k} {list(v.shape)}' for k, v in leaves.items())}"
            )
        got[name] = (leaves["kernel"], leaves.get("bias"))
    return got


def _flags(fn: str, bias, cell) -> None:
    """`bias` and `cell` are bools (a string such as 'False' would be read as True)."""
    for name, value in (("bias", bias), ("cell", cell)):
        check_bool(fn, name, value)


def _torch_dict(fn: str, w_ih, w_hh, b_ih, b_hh, bias: bool, cell: bool) -> dict:
    """PyTorch's key names (`_l0` unless `cell`), writable arrays that `torch.from_numpy` takes."""
    arrays = dict(zip(_TORCH_NAMES, (w_ih, w_hh, b_ih, b_hh), strict=True))
    if not bias:
        if np.any(b_ih != 0) or np.any(b_hh != 0):
            raise ValueError(
                f"{fn}: bias=False, but the biases are not all zero; a module built with bias=False "
                "cannot hold them: build it with bias=True"
            )
        arrays = {k: v for k, v in arrays.items() if k.startswith("weight")}
    return {k + ("" if cell else "_l0"): np.array(v) for k, v in arrays.items()}


def lstm_from_torch(state_dict) -> dict:
    """The variables of `RNN(LSTMCell(hidden))` holding a one-layer `torch.nn.LSTM`'s weights.

        PyTorch (rows of W_ih, W_hh in order i, f, g, o)      Flax, purejax
        i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)            i = sigmoid(x @ ii + h @ hi + hi/bias)
        f = sigmoid(W_if x + b_if + W_hf h + b_hf)            (f, g, o alike; g with tanh)
        c' = f * c + i * g,  h' = o * tanh(c')                the same
        ii/kernel = W_ii.T: [in, hidden],  hi/kernel = W_hi.T: [hidden, hidden],  hi/bias = b_ii + b_hi

    Args:
      state_dict: `torch.nn.LSTM(in, hidden)` (num_layers=1, not bidirectional, no proj_size; batch_first
        does not matter) as arrays: `weight_ih_l0 [4 * hidden, in]`, `weight_hh_l0 [4 * hidden, hidden]`,
        `bias_ih_l0`, `bias_hh_l0 [4 * hidden]` (absent with bias=False). `torch.nn.LSTMCell`'s names,
        without `_l0`, are accepted too.

    Returns: `{'params': {'cell': {'ii'..'io': {'kernel'}, 'hi'..'ho': {'kernel', 'bias'}}}}` (jax
    arrays); `{'params': variables['params']['cell']}` feeds a bare `LSTMCell`.

    Counterpart: `torch.nn.LSTM` state dict -> `flax.linen.LSTMCell` / `OptimizedLSTMCell` variables.

    References: Hochreiter & Schmidhuber, *Long Short-Term Memory*, 1997.

    Differences:
      PyTorch's carry is `(h, c)`, each `[num_layers, batch, hidden]`; ours is `(c, h)`, each `[batch,
      hidden]` (`carry_from_torch`). PyTorch is time-major unless batch_first=True; RNN is batch-major.
      The two biases become their sum, rounded once: outputs agree to float32 rounding, not bitwise.
    """
    w_ih, w_hh, b_ih, b_hh = _read_torch("purejax.convert.lstm_from_torch", state_dict, len(LSTM_GATES))
    cell = {}
    for gate, wi, wh, bi, bh in zip(LSTM_GATES, w_ih, w_hh, b_ih, b_hh, strict=True):
        cell[f"i{gate}"] = {"kernel": jnp.asarray(wi.T)}  # [in, hidden]
        cell[f"h{gate}"] = {"kernel": jnp.asarray(wh.T), "bias": jnp.asarray(bi + bh)}  # [hidden, hidden], [hidden]
    return {"params": {"cell": cell}}


def gru_from_torch(state_dict) -> dict:
    """The variables of `RNN(GRUCell(hidden))` holding a one-layer `torch.nn.GRU`'s weights.

        PyTorch (rows in order r, z, n)                          Flax, purejax
        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)               r = sigmoid(x @ ir + ir/bias + h @ hr)
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)               z = sigmoid(x @ iz + iz/bias + h @ hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))            n = tanh(x @ in + in/bias + r * (h @ hn + hn/bias))
        h' = (1 - z) * n + z * h                                 the same
        ir/bias = b_ir + b_hr,  iz/bias = b_iz + b_hz,  in/bias = b_in,  hn/bias = b_hn

    `b_hn` sits inside `r * (...)` in both, so it keeps its own place: the conversion is exact up
    to the two folded sums (checked against torch in tests/test_convert.py).

    Args:
      state_dict: `torch.nn.GRU(in, hidden)` (num_layers=1, not bidirectional) as arrays:
        `weight_ih_l0 [3 * hidden, in]`, `weight_hh_l0 [3 * hidden, hidden]`, `bias_ih_l0`, `bias_hh_l0
        [3 * hidden]` (absent with bias=False); or `torch.nn.GRUCell`'s names, without `_l0`.

    Returns: `{'params': {'cell': {'ir', 'iz', 'in': {'kernel', 'bias'}, 'hr', 'hz': {'kernel'}, 'hn':
    {'kernel', 'bias'}}}}`, kernels `[in or hidden, hidden]`.

    Counterpart: `torch.nn.GRU` state dict -> `flax.linen.GRUCell` variables.

    References: Cho et al., *Learning Phrase Representations using RNN Encoder-Decoder*, 2014,
    https://arxiv.org/abs/1406.1078 (r applied before `W_hn`; PyTorch and Flax apply it after).

    Differences: the carry is `h` in both, `[num_layers, batch, hidden]` in PyTorch's; see `lstm_from_torch`.
    """
    (w_ir, w_iz, w_in), (w_hr, w_hz, w_hn), (b_ir, b_iz, b_in), (b_hr, b_hz, b_hn) = _read_torch(
        "purejax.convert.gru_from_torch", state_dict, len(GRU_GATES)
    )

    def t(w):
        return jnp.asarray(w.T)

    return {
        "params": {
            "cell": {
                "ir": {"kernel": t(w_ir), "bias": jnp.asarray(b_ir + b_hr)},  # reset gate: the two biases summed
                "iz": {"kernel": t(w_iz), "bias": jnp.asarray(b_iz + b_hz)},  # update gate
                "in": {"kernel": t(w_in), "bias": jnp.asarray(b_in)},  # candidate, input side
                "hr": {"kernel": t(w_hr)},
                "hz": {"kernel": t(w_hz)},
                "hn": {"kernel": t(w_hn), "bias": jnp.asarray(b_hn)},  # candidate, inside r * (...)
            }
        }
    }


def lstm_to_torch(variables, *, bias: bool = True, cell: bool = False) -> dict:
    """A `torch.nn.LSTM` state dict (NumPy arrays) from `RNN(LSTMCell)` or `LSTMCell` variables.

        weight_ih_l0 = [ii | if | ig | io].T: [4 * hidden, in]     weight_hh_l0 = [hi | ... | ho].T
        bias_ih_l0 = [hi/bias | ... | ho/bias]                     bias_hh_l0 = 0

    Args:
      variables: `{'params': {'cell': {...}}}` (RNN) or `{'params': {...}}` (cell), as `lstm_from_torch` returns.
      bias: False for a module built with bias=False: no bias keys (the biases must then be zero).
      cell: PyTorch's `nn.LSTMCell` key names (no `_l0`).

    Returns: `{'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'}`, fresh arrays ready for
    `load_state_dict({k: torch.from_numpy(v) ...})`.

    Counterpart: `flax.linen.LSTMCell` variables -> `torch.nn.LSTM` state dict.

    Differences: only the sum of PyTorch's two biases is known, so it all goes into `bias_ih_l0`
    and `bias_hh_l0` is zero: the same sums, the same outputs; `lstm_from_torch` gives it back bitwise.
    """
    _flags("purejax.convert.lstm_to_torch", bias, cell)
    p = _read_ours("purejax.convert.lstm_to_torch", variables, _LSTM_LAYOUT)
    w_ih = np.concatenate([p[f"i{g}"][0].T for g in LSTM_GATES])  # [4 * hidden, in]
    w_hh = np.concatenate([p[f"h{g}"][0].T for g in LSTM_GATES])  # [4 * hidden, hidden]
    b_ih = np.concatenate([p[f"h{g}"][1] for g in LSTM_GATES])  # [4 * hidden]
    return _torch_dict("purejax.convert.lstm_to_torch", w_ih, w_hh, b_ih, np.zeros_like(b_ih), bias, cell)


def gru_to_torch(variables, *, bias: bool = True, cell: bool = False) -> dict:
    """A `torch.nn.GRU` state dict (NumPy arrays) from `RNN(GRUCell)` or `GRUCell` variables.

        weight_ih_l0 = [ir | iz | in].T: [3 * hidden, in]      weight_hh_l0 = [hr | hz | hn].T
        bias_ih_l0 = [ir/bias | iz/bias | in/bias]             bias_hh_l0 = [0 | 0 | hn/bias]

    Args, Returns: as `lstm_to_torch` (`cell` gives `nn.GRUCell`'s names).

    Counterpart: `flax.linen.GRUCell` variables -> `torch.nn.GRU` state dict.

    Differences: the folded r and z biases go into `bias_ih_l0`, zeros into `bias_hh_l0`'s r and z
    rows; `b_hn` keeps its place. The same sums, the same outputs.
    """
    _flags("purejax.convert.gru_to_torch", bias, cell)
    p = _read_ours("purejax.convert.gru_to_torch", variables, _GRU_LAYOUT)
    w_ih = np.concatenate([p[f"i{g}"][0].T for g in GRU_GATES])  # [3 * hidden, in]
    w_hh = np.concatenate([p[f"h{g}"][0].T for g in GRU_GATES])  # [3 * hidden, hidden]
    b_ih = np.concatenate([p[f"i{g}"][1] for g in GRU_GATES])  # [3 * hidden]
    zeros = np.zeros_like(p["hn"][1])
    b_hh = np.concatenate([zeros, zeros, p["hn"][1]])  # [3 * hidden]
    return _torch_dict("purejax.convert.gru_to_torch", w_ih, w_hh, b_ih, b_hh, bias, cell)


def _carry_parts(fn: str, parts: dict, layout: str) -> list[np.ndarray]:
    """The carry's arrays (`{'h': h, 'c': c}`) as NumPy arrays of floats, all of one shape, or an error."""
    arrays = {name: np.asarray(check_array(fn, name, x)) for name, x in parts.items()}
    for name, x in arrays.items():
        if not jnp.issubdtype(x.dtype, jnp.floating):
            raise fail(TypeError, fn, name, f"a floating array {layout}", x)
    shapes = {name: list(x.shape) for name, x in arrays.items()}
    if len({tuple(s) for s in shapes.values()}) > 1:
        raise ValueError(
            f"{fn}: {' and '.join(arrays)} must have the same shape {layout} (one batch, one hidden size), "
            f"got {', '.join(f'{n} {s}' for n, s in shapes.items())}"
        )
    return list(arrays.values())


def carry_from_torch(h, c=None):
    """Our carry from PyTorch's initial or final state: `(c, h)` for the LSTM, `h` for the GRU.

    Args:
      h, c: PyTorch's `h_0`/`h_n` and (LSTM only) `c_0`/`c_n`, `[1, batch, hidden]` (one layer, one
        direction; `[1, hidden]` for unbatched inputs), floating arrays of the same shape.

    Returns: `(c[0], h[0])` or `h[0]`, each `[batch, hidden]`: PyTorch's `(h, c)` becomes Flax's `(c, h)`.

    Raises: TypeError for None or a non-floating array; ValueError for another layout, or `c` and
    `h` of different shapes (batch or hidden size).
    """
    fn = "purejax.convert.carry_from_torch"
    parts = _carry_parts(fn, {"h": h} if c is None else {"h": h, "c": c}, "[1, batch, hidden]")
    if any(x.ndim not in (2, 3) or x.shape[0] != 1 for x in parts):
        raise ValueError(
            f"{fn}: expected [1, batch, hidden] (num_layers * num_directions = 1), got "
            f"{[list(x.shape) for x in parts]}; pass {'h' if c is None else 'h and c'} of one layer, e.g. h_n[-1:]"
        )
    return jnp.asarray(parts[0][0]) if c is None else (jnp.asarray(parts[1][0]), jnp.asarray(parts[0][0]))


def carry_to_torch(carry):
    """PyTorch's state from our carry: `(h[None], c[None])` from `(c, h)`, or `h[None]`; NumPy arrays.

    Args: carry: `(c, h)` (LSTM) or `h` (GRU), each `[batch, hidden]` (`[hidden]` unbatched),
      floating arrays of the same shape.
    Returns: arrays `[1, batch, hidden]`, for `torch.nn.LSTM(x, (h_0, c_0))` or `torch.nn.GRU(x, h_0)`.
    Raises: TypeError for None or a non-floating array; ValueError for a tuple that is not a pair,
      another rank, or `c` and `h` of different shapes.
    """
    fn = "purejax.convert.carry_to_torch"
    if isinstance(carry, (tuple, list)) and len(carry) != 2:
        raise ValueError(f"{fn}: expected (c, h) or h, got a {type(carry).__name__} of {len(carry)}")
    pair = isinstance(carry, (tuple, list))
    named = {"c (carry[0])": carry[0], "h (carry[1])": carry[1]} if pair else {"carry": carry}
    parts = _carry_parts(fn, named, "[batch, hidden]")
    if any(x.ndim not in (1, 2) for x in parts):
        raise ValueError(
            f"{fn}: expected (c, h) or h, each [batch, hidden] (or [hidden]), got {[list(x.shape) for x in parts]}; "
            "pass carry as RNN(..., return_carry=True) returns it"
        )
    if pair:
        return np.array(parts[1])[None], np.array(parts[0])[None]  # (c, h) -> (h_0, c_0)
    return np.array(parts[0])[None]
