"""`tree.json`: a pytree's structure, leaf names, shapes and dtypes as JSON, and trees rebuilt from it.

    describe({'params': {'w': w}, 'step': 3})  ->  description, {'params/w': array, 'step': array(3)}
    description = {"node": "dict", "class": "dict", "keys": ["params", "step"], "children": [
                     {"node": "dict", "class": "dict", "keys": ["w"], "children": [
                        {"leaf": "params/w", "shape": [4, 3], "dtype": "float32", "type": "jax.Array"}]},
                     {"leaf": "step", "shape": [], "dtype": "int64", "type": "int"}]}

A node is `{"node": KIND, "class": NAME, "keys": [...], "children": [...]}`:
    dict        keys: the dict's keys (str or int; JSON keeps both), in flatten order (sorted)
    list, tuple no keys; children in order
    namedtuple  keys: the fields (ScaleByAdamState: count, mu, nu)
    custom      a class given to `purejax.tree.register_node`; keys: the dataclass fields its
                children are (TrainState: step, params, opt_state, batch_stats), else "0", "1", ...
    None        no children
A leaf is `{"leaf": NAME, "shape": [...], "dtype": "float32", "type": T}`, NAME its key path joined by
"/" (the `.npy` member holding it), T what it was: "jax.Array", "numpy.ndarray", "numpy.generic", "int",
"float", "bool", "complex". Dtypes a `.npy` cannot name (ml_dtypes' bfloat16, float8_*, int4: kind 'V',
a `.npy` header would say "|V2") are stored as their bits, unsigned ints of the same width, with
`"stored_as": "uint16"`.

Args: `describe(tree)` takes any pytree `save` accepts; `plain(description, arrays)` and
`into(description, target, arrays, caller)` take a description and `{leaf name: numpy array}`.

Returns: `describe`: `(description, arrays)`; `plain`: the described tree; `into`: `target`'s
structure, ValueError naming the first path where the target differs.

Counterpart: Orbax's `_METADATA` file (orbax/checkpoint/_src/metadata/tree.py), which also records
each leaf's key path and value type.

References: ECMA-404, *The JSON Data Interchange Syntax*, 2017; ml_dtypes (bfloat16, float8, int4),
https://github.com/jax-ml/ml_dtypes.

Differences:
  Orbax keys its metadata by tuple-of-strings key paths; this nests like the tree itself, so a
  reader sees the structure, and it records node kinds so a tree can be rebuilt without a target.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from purejax.tree import GetAttrKey, flatten_with_path

_SCALARS = {"int": int, "float": float, "bool": bool, "complex": complex}
_SCALAR_KINDS = {"bool": "b", "int": "biu", "float": "biuf", "complex": "biufc"}  # what a number target takes
RESERVED = "tree.json"  # the description's own member


def _one_level(x):
    """`(kind, class name, child names, children, treedef)` of a pytree node, or None for a leaf."""
    items, treedef = flatten_with_path(x, is_leaf=lambda n: n is not x)  # stop below the root
    cls = treedef.node_type
    if cls is None:
        return None
    keys, children = [path[0] for path, _ in items], [child for _, child in items]
    if cls is type(None):
        return "None", "None", [], [], treedef
    if cls in (dict, collections.OrderedDict, collections.defaultdict):
        return "dict", cls.__name__, [k.key for k in keys], children, treedef
    if cls in (list, tuple):
        return cls.__name__, cls.__name__, list(range(len(children))), children, treedef
    if hasattr(cls, "_fields") and all(isinstance(k, GetAttrKey) for k in keys):
        return "namedtuple", cls.__name__, list(cls._fields), children, treedef
    return "custom", cls.__name__, _field_names(x, children), children, treedef


def _field_names(x, children) -> list[str]:
    """The dataclass fields that `x`'s children are, in order (TrainState: step, params, ...); else 0, 1, ..."""
    fields = [f.name for f in dataclasses.fields(x)] if dataclasses.is_dataclass(x) else []
    names, start = [], 0
    for child in children:
        found = next((i for i in range(start, len(fields)) if getattr(x, fields[i]) is child), None)
        if found is None:
            return [str(i) for i in range(len(children))]
        names.append(fields[found])
        start = found + 1
    return names


def where(path: tuple) -> str:
    """A key path as a checkpoint names it: `params/Dense_0/kernel` (`<root>` for the root)."""
    return "/".join(path) or "<root>"


def _show(node: dict) -> str:
    """A node of the description, in words, for error messages."""
    if "leaf" in node:
        return f"a leaf {node['dtype']}{node['shape']}"
    kind = node["node"]
    if kind == "dict":
        return f"{node['class']} with keys {node['keys']!r}"
    if kind in ("namedtuple", "custom"):
        return f"{node['class']}({', '.join(map(str, node['keys']))})"
    return "None" if kind == "None" else f"{kind} of {len(node['children'])}"


# --- tree -> description + arrays (save) --------------------------------------------------------


def describe(tree, path: tuple = (), arrays: dict | None = None) -> tuple[dict, dict]:
    """`(description, {leaf name: numpy array})` for `tree`; TypeError/ValueError name the bad path."""
    arrays = {} if arrays is None else arrays
    info = _one_level(tree)
    if info is None:
        return _store_leaf(tree, path, arrays), arrays
    kind, cls, names, children, _ = info
    bad = [k for k in names if kind == "dict" and type(k) not in (str, int)]
    if bad:
        raise TypeError(
            f"purejax.checkpoint.save: dict keys must be str or int (JSON keeps those), got {bad[0]!r} at {where(path)}"
        )
    node: dict[str, Any] = {"node": kind, "class": cls}
    if kind in ("dict", "namedtuple", "custom"):
        node["keys"] = names
    node["children"] = [describe(c, path + (str(n),), arrays)[0] for n, c in zip(names, children, strict=True)]
    return node, arrays


def _store_leaf(x, path: tuple, arrays: dict) -> dict:
    name = "/".join(path)
    if isinstance(x, jax.Array):
        kind = "jax.Array"
    elif isinstance(x, (np.ndarray, np.generic)):
        kind = f"numpy.{'ndarray' if isinstance(x, np.ndarray) else 'generic'}"
    elif type(x) in _SCALARS.values():
        kind = type(x).__name__
    else:
        raise TypeError(
            f"purejax.checkpoint.save: the leaf at {where(path)} is a {type(x).__name__}; "
            "expected an array (jax or numpy) or a Python number"
        )
    array = np.asarray(x)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype.kind not in "biufcV" or np.dtype(array.dtype.name) != array.dtype:
        raise TypeError(
            f"purejax.checkpoint.save: the leaf at {where(path)} has dtype {array.dtype}; "
            "expected a numeric dtype (bool, int, float, complex, bfloat16, ...)"
        )
    if name in arrays or name == RESERVED:
        raise ValueError(f"purejax.checkpoint.save: two leaves would be stored as {name!r}; rename a dict key")
    leaf = {"leaf": name, "shape": list(array.shape), "dtype": array.dtype.name, "type": kind}
    if array.dtype.kind == "V":  # bfloat16 and friends
        array = array.view(np.dtype(f"u{array.dtype.itemsize}"))
        leaf["stored_as"] = array.dtype.name
    arrays[name] = array
    return leaf


# --- description + arrays -> tree (restore) -----------------------------------------------------


def leaf_entries(node: dict):
    """Every leaf entry of a description, in flatten order."""
    if "leaf" in node:
        yield node
    for child in node.get("children", ()):
        yield from leaf_entries(child)


def _as_saved(array: np.ndarray, kind: str):
    if kind == "jax.Array":
        return jnp.asarray(array)
    if kind == "numpy.generic":
        return array[()]
    return _SCALARS[kind](array.item()) if kind in _SCALARS else array


def plain(node: dict, arrays: dict):
    """The tree as described: dicts (also for namedtuples and classes), lists, tuples, None."""
    if "leaf" in node:
        return _as_saved(arrays[node["leaf"]], node["type"])
    children = [plain(child, arrays) for child in node["children"]]
    if node["node"] in ("list", "tuple", "None"):
        return {"list": list, "tuple": tuple, "None": lambda _: None}[node["node"]](children)
    return dict(zip(node["keys"], children, strict=True))


def _like_target(array: np.ndarray, leaf: dict, target, path: tuple, caller: str):
    if type(target) in _SCALARS.values():  # e.g. step=0 of a fresh TrainState: any scalar of its kind
        if array.shape != () or array.dtype.kind not in _SCALAR_KINDS[type(target).__name__]:
            raise ValueError(
                f"{caller}: at {where(path)} the checkpoint holds {array.dtype}{list(array.shape)}, "
                f"the target a Python {type(target).__name__}"
            )
        return _as_saved(array, leaf["type"])
    shape, dtype = getattr(target, "shape", None), getattr(target, "dtype", None)
    if shape is None or dtype is None or tuple(shape) != array.shape or np.dtype(dtype) != array.dtype:
        wanted = f"{dtype}{list(shape)}" if shape is not None and dtype is not None else type(target).__name__
        raise ValueError(
            f"{caller}: at {where(path)} the checkpoint holds {array.dtype}{list(array.shape)}, the target {wanted}"
        )
    if isinstance(target, (np.ndarray, np.generic)):
        return array if isinstance(target, np.ndarray) else array[()]
    return jnp.asarray(array)


def into(node: dict, target, arrays: dict, caller: str, path: tuple = ()):
    """`target`'s structure filled from the description, checked node by node and leaf by leaf."""
    info = _one_level(target)
    if info is None and "leaf" in node:
        return _like_target(arrays[node["leaf"]], node, target, path, caller)
    theirs = (
        {
            "leaf": "",
            "dtype": getattr(target, "dtype", type(target).__name__),
            "shape": list(getattr(target, "shape", ())),
        }
        if info is None
        else {"node": info[0], "class": info[1], "keys": info[2], "children": info[3]}
    )
    same = (
        info is not None
        and "leaf" not in node
        and node["node"] == info[0]
        and node["class"] == info[1]
        and len(node["children"]) == len(info[3])
        and node.get("keys", info[2]) == info[2]
    )
    if not same:
        raise ValueError(
            f"{caller}: the target differs from the checkpoint at {where(path)}: "
            f"the target has {_show(theirs)}, the checkpoint {_show(node)}"
        )
    assert info is not None  # `same` is False for a leaf target
    _, _, names, children, treedef = info
    return treedef.unflatten(
        into(child_node, child, arrays, caller, path + (str(name),))
        for child_node, child, name in zip(node["children"], children, names, strict=True)
    )
