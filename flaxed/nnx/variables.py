"""NNX state <-> linen variables: one checkpoint for purejax, linen and NNX.

NNX keeps a model's arrays in its attributes (`model.linear1.kernel`), typed by what they are
(`nnx.Param`, `nnx.BatchStat`, `nnx.Cache`); linen keeps them in nested dicts, one per collection
(`{'params': {'Dense_0': {'kernel': ...}}, 'batch_stats': ...}`), named by call order. A table
`{nnx module path: linen module path}` per model is all a conversion needs:

    nnx path ('linear1', 'kernel'), nnx.Param  <->  variables['params']['Dense_0']['kernel']

Only arrays move; nothing is recomputed, so both directions are bitwise. NNX's RNG streams (the
stream an `nnx.Dropout(rate, rngs=rngs)` or an attention forks for itself) have no place in linen's
variables: `to_variables` leaves them out and `from_variables` gives them key 0 and count 0 (the
models here pass their dropout keys at call time, so a stored stream is never drawn from). NNX's fused
`OptimizedLSTMCell` keeps one input and one recurrent `Linear` of width `4 * hidden`
(gates `i, f, g, o` side by side) where linen keeps eight (`ii, if, ig, io` without bias,
`hi, hf, hg, ho` with one): `fused_cell_paths` expands a cell's path into both layouts and the
conversion splits or concatenates the gates.

Counterpart: `flax.nnx.bridge` converts a whole linen module at run time; here the layouts are
written out, so each side stays an ordinary module of its own API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import jax
import jax.numpy as jnp
from flax import nnx

COLLECTIONS = {nnx.Param: "params", nnx.BatchStat: "batch_stats", nnx.Cache: "cache"}
GATES = ("i", "f", "g", "o")  # the order of the fused gates, NNX's and linen's alike
FUSED = "fused LSTM"  # a table value: this NNX path is a fused OptimizedLSTMCell

Paths = Mapping[tuple, "tuple | tuple[str, tuple]"]


def lstm_cell_paths(nnx_cell: tuple, linen_cell: tuple) -> dict:
    """The eight `Linear`s of `nnx.LSTMCell` (`ii`, `if_`, ... `ho`) and linen's names for them."""
    pairs = {}
    for kind in ("i", "h"):
        for gate in GATES:
            name = kind + gate
            pairs[(*nnx_cell, "if_" if name == "if" else name)] = (*linen_cell, name)
    return pairs


def fused_cell_paths(nnx_cell: tuple, linen_cell: tuple) -> dict:
    """An `nnx.OptimizedLSTMCell` at `nnx_cell`, stored by linen at `linen_cell` as eight gates."""
    return {nnx_cell: (FUSED, linen_cell)}


def _nested_set(tree: dict, path: tuple, value) -> None:
    for name in path[:-1]:
        tree = tree.setdefault(name, {})
    tree[path[-1]] = value


def _nested_get(tree: Mapping, path: tuple):
    for name in path:
        tree = tree[name]
    return tree


def _collection(variable) -> str | None:
    """The linen collection of an NNX variable; None for an RNG stream's key or count (not carried over)."""
    if isinstance(variable, nnx.RngState):
        return None
    for kind, name in COLLECTIONS.items():
        if isinstance(variable, kind):
            return name
    raise TypeError(
        f"to_variables: {type(variable).__name__} has no linen collection; keep rngs out of the model "
        "(pass keys at call time) or filter the state to nnx.Param, nnx.BatchStat and nnx.Cache"
    )


def _owner(paths: Paths, path: tuple) -> tuple:
    """The longest prefix of `path` that `paths` names, or a KeyError naming the path."""
    for n in range(len(path), -1, -1):
        if path[:n] in paths:
            return path[:n]
    raise KeyError(f"no linen name for the NNX path {'/'.join(map(str, path))}; add it to the model's PATHS")


def to_variables(model_or_state, paths: Paths) -> dict:
    """Linen's variables dict (`{'params': ..., 'batch_stats': ...}`) for an NNX model or its state.

    Args:
      model_or_state: an `nnx.Module` or the `nnx.State` of one (`nnx.split(model)[1]`).
      paths: `{nnx module path: linen module path}`; a value `(FUSED, linen path)` marks a fused
        `OptimizedLSTMCell` (see `fused_cell_paths`).

    Returns:
      A dict of collections of nested dicts of arrays, the layout `flax.linen` `init` returns.
    """
    state = model_or_state if isinstance(model_or_state, nnx.State) else nnx.state(model_or_state)
    variables: dict = {}
    for path, variable in nnx.to_flat_state(state):
        collection = _collection(variable)
        if collection is None:
            continue
        owner = _owner(paths, tuple(path))
        target, rest = paths[owner], tuple(path)[len(owner) :]
        value = variable.get_value() if hasattr(variable, "get_value") else variable.value
        if target and target[0] == FUSED:  # rest: ('dense_i' | 'dense_h', 'kernel' | 'bias')
            kind = rest[0][-1]  # 'i' or 'h'
            for gate, part in zip(GATES, jnp.split(value, 4, axis=-1), strict=True):  # [.., hidden] each
                _nested_set(variables, (collection, *target[1], kind + gate, rest[1]), part)
        else:
            _nested_set(variables, (collection, *target, *rest), value)
    return variables


def to_pure_dict(variables: Mapping, paths: Paths, template: nnx.State) -> dict:
    """NNX's pure dict (`nnx.to_pure_dict` layout) holding linen `variables`, shaped like `template`."""
    pure: dict = {}
    for path, variable in nnx.to_flat_state(template):
        collection = _collection(variable)
        if collection is None:  # an RNG stream: key 0, count 0
            shape = jnp.shape(variable.get_value() if hasattr(variable, "get_value") else variable.value)
            fresh = jax.random.key(0) if isinstance(variable, nnx.RngKey) else jnp.zeros((), jnp.uint32)
            _nested_set(pure, tuple(path), jnp.broadcast_to(fresh, shape))
            continue
        owner = _owner(paths, tuple(path))
        target, rest = paths[owner], tuple(path)[len(owner) :]
        if target and target[0] == FUSED:
            kind = rest[0][-1]
            parts = [_nested_get(variables, (collection, *target[1], kind + g, rest[1])) for g in GATES]
            value = jnp.concatenate(parts, axis=-1)  # [.., 4 * hidden]
        else:
            value = _nested_get(variables, (collection, *target, *rest))
        _nested_set(pure, tuple(path), jnp.asarray(value))
    return pure


def from_variables(build: Callable[[], nnx.Module], variables: Mapping, paths: Paths) -> nnx.Module:
    """The NNX model `build()` makes, holding linen `variables` (no random init is run).

    `nnx.eval_shape(build)` gives the model's structure without computing its arrays; the arrays
    then come from `variables` through `paths`, and `nnx.merge` makes the module.
    """
    graphdef, state = nnx.split(nnx.eval_shape(build))
    nnx.replace_by_pure_dict(state, to_pure_dict(variables, paths, state))
    return nnx.merge(graphdef, state)


__all__ = ["COLLECTIONS", "FUSED", "GATES", "fused_cell_paths", "from_variables", "lstm_cell_paths", "to_variables"]
