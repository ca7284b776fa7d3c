"""Flax NNX layers' state <-> Flax linen's variables: one checkpoint for NNX, linen and purejax.

An NNX layer is an object holding its variables (`nnx.Param`, `nnx.BatchStat`); `nnx.state(layer)`
splits them out as a tree named by attribute. Most layers of the report already store linen's
names and shapes, so the trees agree leaf for leaf once the variable types become collections:

    nnx.state(nnx.Linear(3, 4, rngs=nnx.Rngs(0)))       {'kernel': Param [3, 4], 'bias': Param [4]}
    state_to_variables(...)                             {'params': {'kernel': [3, 4], 'bias': [4]}}
    nnx.state(nnx.BatchNorm(4, rngs=...))               {'scale', 'bias': Param; 'mean', 'var': BatchStat}
    state_to_variables(...)                             {'params': {'scale', 'bias'}, 'batch_stats': {'mean', 'var'}}

`Linear`/`LinearGeneral`/`Conv`/`Embed`/the norms/`MultiHeadAttention` map one to one (kernel
`[*kernel_size, in, out]` as linen's, `scale`/`bias`, `mean`/`var`, `query`/`key`/`value`/`out`).
The recurrent cells differ, and are mapped as follows (i, f, g, o and r, z, n cut the fused
output axis in that order):

    nnx.LSTMCell            ii, if_, ig, io, hi..ho         -> ii, if, ig, io, hi..ho (`if` is a keyword)
    nnx.OptimizedLSTMCell   dense_i/kernel [in, 4h]         -> ii..io/kernel [in, h] each
                            dense_h/kernel [h, 4h], bias    -> hi..ho/kernel [h, h], hi..ho/bias [h]
    nnx.GRUCell             dense_i/kernel [in, 3h], bias   -> ir, iz, in/kernel and bias
                            dense_h/kernel [h, 3h]          -> hr, hz, hn/kernel; hn/bias zeros
    nnx.SimpleCell          dense_i, dense_h                -> i, h

NNX's GRU has no `hn` bias (linen's has one, zero at init): linen variables whose `hn/bias` is
not zero have no NNX equivalent, and `variables_to_state` refuses them. State outside the
parameters and statistics (a `Dropout`'s own `RngStream`, an attention cache) is not part of
linen's variables and is left out; `variables_to_state` leaves it in the module as it is.

Counterpart: `purejax.nn` layers under `init(..., rng_rule='nnx')` give these variables for the
same seed (see `purejax/nn/keypath.py`); `flax.nnx.state`, `nnx.update` (flax/nnx/graphlib.py).

Examples:
  >>> from flax import nnx
  >>> cell = nnx.OptimizedLSTMCell(3, 4, rngs=nnx.Rngs(0))
  >>> variables = state_to_variables(cell)
  >>> sorted(variables['params']), variables['params']['ii']['kernel'].shape
  (['hf', 'hg', 'hi', 'ho', 'if', 'ig', 'ii', 'io'], (3, 4))
  >>> nnx.update(cell, variables_to_state(cell, variables))  # and back
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np
from flax import nnx

LSTM_GATES = ("i", "f", "g", "o")  # input gate, forget gate, cell candidate, output gate
GRU_GATES = ("r", "z", "n")  # reset gate, update gate, candidate


def _cut(array, n: int) -> list:
    """`array` cut into `n` equal parts along its last axis (the gates of a fused layer)."""
    return jnp.split(array, n, axis=-1)


def _lstm_to_linen(params: dict) -> dict:
    return {("if" if name == "if_" else name): value for name, value in params.items()}


def _lstm_to_nnx(params: dict) -> dict:
    return {("if_" if name == "if" else name): value for name, value in params.items()}


def _optimized_lstm_to_linen(params: dict) -> dict:
    kernels_i = _cut(params["dense_i"]["kernel"], 4)  # 4 x [in, hidden]
    kernels_h = _cut(params["dense_h"]["kernel"], 4)  # 4 x [hidden, hidden]
    biases = _cut(params["dense_h"]["bias"], 4)  # 4 x [hidden]
    out = {f"i{g}": {"kernel": k} for g, k in zip(LSTM_GATES, kernels_i, strict=True)}
    out.update({f"h{g}": {"kernel": k, "bias": b} for g, k, b in zip(LSTM_GATES, kernels_h, biases, strict=True)})
    return out


def _optimized_lstm_to_nnx(params: dict) -> dict:
    return {
        "dense_i": {"kernel": jnp.concatenate([params[f"i{g}"]["kernel"] for g in LSTM_GATES], axis=-1)},
        "dense_h": {
            "kernel": jnp.concatenate([params[f"h{g}"]["kernel"] for g in LSTM_GATES], axis=-1),  # [hidden, 4h]
            "bias": jnp.concatenate([params[f"h{g}"]["bias"] for g in LSTM_GATES], axis=-1),  # [4 * hidden]
        },
    }


def _gru_to_linen(params: dict) -> dict:
    kernels_i = _cut(params["dense_i"]["kernel"], 3)  # 3 x [in, hidden]
    biases_i = _cut(params["dense_i"]["bias"], 3)  # 3 x [hidden]
    kernels_h = _cut(params["dense_h"]["kernel"], 3)  # 3 x [hidden, hidden]
    out = {f"i{g}": {"kernel": k, "bias": b} for g, k, b in zip(GRU_GATES, kernels_i, biases_i, strict=True)}
    out.update({f"h{g}": {"kernel": k} for g, k in zip(GRU_GATES, kernels_h, strict=True)})
    out["hn"]["bias"] = jnp.zeros(kernels_h[2].shape[-1:], kernels_h[2].dtype)  # NNX has none: zero is the same
    return out


def _gru_to_nnx(params: dict) -> dict:
    hn_bias = np.asarray(params["hn"]["bias"])
    if np.any(hn_bias != 0):
        raise ValueError(
            "flaxed.nnx.variables_to_state: nnx.GRUCell has no 'hn' bias, but these linen variables have a "
            f"non-zero params['hn']['bias'] (largest |value| {np.abs(hn_bias).max():.3g}); only a GRUCell whose "
            "hn/bias is zero (as init makes it) can move to NNX"
        )
    return {
        "dense_i": {
            "kernel": jnp.concatenate([params[f"i{g}"]["kernel"] for g in GRU_GATES], axis=-1),  # [in, 3 * hidden]
            "bias": jnp.concatenate([params[f"i{g}"]["bias"] for g in GRU_GATES], axis=-1),  # [3 * hidden]
        },
        "dense_h": {"kernel": jnp.concatenate([params[f"h{g}"]["kernel"] for g in GRU_GATES], axis=-1)},
    }


def _simple_to_linen(params: dict) -> dict:
    return {"i": params["dense_i"], "h": params["dense_h"]}


def _simple_to_nnx(params: dict) -> dict:
    return {"dense_i": params["i"], "dense_h": params["h"]}


# {NNX layer type: (its params -> linen's, linen's -> its)}; every other layer maps one to one
CONVERTERS: dict[type, tuple[Callable[[dict], dict], Callable[[dict], dict]]] = {
    nnx.LSTMCell: (_lstm_to_linen, _lstm_to_nnx),
    nnx.OptimizedLSTMCell: (_optimized_lstm_to_linen, _optimized_lstm_to_nnx),
    nnx.GRUCell: (_gru_to_linen, _gru_to_nnx),
    nnx.SimpleCell: (_simple_to_linen, _simple_to_nnx),
}


def _get(tree: dict, path: tuple) -> Any:
    for name in path:
        tree = tree[name]
    return tree


def _put(tree: dict, path: tuple, value) -> dict:
    """`tree` with the subtree at `path` replaced by `value` (a new dict along the path)."""
    if not path:
        return value
    return {**tree, path[0]: _put(tree[path[0]], path[1:], value)}


def _convert(module: nnx.Module, params: dict, direction: int) -> dict:
    """Apply each mapped sublayer's converter (0: to linen, 1: to NNX) to its part of `params`."""
    for path, layer in nnx.iter_modules(module):
        pair = CONVERTERS.get(type(layer))
        if pair is not None:
            params = _put(params, tuple(path), pair[direction](_get(params, tuple(path))))
    return params


def state_to_variables(module: nnx.Module) -> dict:
    """The linen variables of an NNX layer (or of a model built of them): `{'params': ..., 'batch_stats': ...}`.

    Args:
      module: an NNX layer or module; sublayers keep their attribute names as scope names.

    Returns:
      A dict of collections of nested dicts of arrays: 'params' (the `nnx.Param`s, in linen's
      layout per the table above) and 'batch_stats' (the `nnx.BatchStat`s), each present only if
      not empty (a `Dropout` gives `{}`, as linen's `init` does).

    Counterpart: `flax.linen.Module.init`'s result for the twin linen layer.
    """
    params = _convert(module, nnx.to_pure_dict(nnx.state(module, nnx.Param)), 0)
    stats = nnx.to_pure_dict(nnx.state(module, nnx.BatchStat))
    return {name: tree for name, tree in (("params", params), ("batch_stats", stats)) if tree}


def _merge(a: Mapping, b: Mapping) -> dict:
    """Two nested dicts with disjoint leaves, as one."""
    out = dict(a)
    for name, value in b.items():
        out[name] = _merge(out[name], value) if name in out and isinstance(value, Mapping) else value
    return out


def variables_to_state(module: nnx.Module, variables: Mapping) -> nnx.State:
    """The `nnx.State` of `module`'s parameters and batch statistics holding linen `variables`.

    Args:
      module: the NNX layer or module to receive them (its structure says where each goes).
      variables: `{'params': ..., 'batch_stats': ...}` in linen's layout, as `state_to_variables`
        or a linen/purejax `init` returns for the twin layer.

    Returns:
      An `nnx.State` of the module's `nnx.Param`s and `nnx.BatchStat`s with the values of
      `variables`; `nnx.update(module, state)` puts them in.

    Raises:
      ValueError: for a GRUCell whose `hn/bias` is not zero (NNX has no such bias), or when
        `variables` lack a parameter the module has.
    """
    pure = _merge(
        _convert(module, dict(variables.get("params", {})), 1),
        dict(variables.get("batch_stats", {})),
    )
    state = nnx.state(module, nnx.Any(nnx.Param, nnx.BatchStat))
    expected = nnx.to_flat_state(state)
    missing = [path for path, _ in expected if not _has(pure, tuple(path))]
    if missing:
        raise ValueError(
            f"flaxed.nnx.variables_to_state: the variables have no {'/'.join(map(str, missing[0]))} "
            f"({len(missing)} of the module's {len(expected)} arrays missing); pass the variables of the twin "
            "linen layer, {'params': ..., 'batch_stats': ...}"
        )
    nnx.replace_by_pure_dict(state, pure)
    return state


def _has(tree, path: tuple) -> bool:
    for name in path:
        if not isinstance(tree, Mapping) or name not in tree:
            return False
        tree = tree[name]
    return True


__all__ = ["CONVERTERS", "state_to_variables", "variables_to_state"]
