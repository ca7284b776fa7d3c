"""The trees the checkpoint tests save and restore, shared by `test_npz.py`, `test_layout.py`,
`test_manager.py` and flaxed's Orbax test: random bits of every dtype, fixed trees of every node
kind, a small model's variables (written with purejax and with Flax), a base tree for the errors,
and numbered trees for the manager's steps."""

from __future__ import annotations

import collections

import flax.linen as fnn
import jax.numpy as jnp
import numpy as np

import purejax.nn as pnn
import purejax.random
from purejax.optim import adam
from purejax.train import TrainState

Point = collections.namedtuple("Point", ["x", "y"])
NUMPY_ONLY = (
    "float64",
    "int64",
    "uint32",
    "complex64",
    "float8_e4m3fn",
    "int4",
)  # jax arrays of these need x64 or are rare
JAX_TOO = ("float32", "float16", "bfloat16", "int8", "int32", "uint8", "bool")


def random_array(dtype: str, shape: tuple, seed: int, as_jax: bool):
    """Random bits of `dtype` (NaNs and infs included for floats): a bitwise test, not a numeric one."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.name in ("bool", "int4"):
        array = rng.integers(0 if dtype.name == "bool" else -8, 2 if dtype.name == "bool" else 8, shape).astype(dtype)
    else:
        array = np.frombuffer(rng.bytes(int(np.prod(shape)) * dtype.itemsize), dtype).reshape(shape)
    return jnp.asarray(array) if as_jax else array.copy()


KEY = purejax.random.PRNGKey(0)
X = jnp.linspace(-1.0, 1.0, 8, dtype=jnp.float32).reshape(2, 4)
PURE_MODEL = pnn.Sequential([pnn.Dense(5), pnn.relu, pnn.Dense(3)])
FLAX_MODEL = fnn.Sequential([fnn.Dense(5), fnn.relu, fnn.Dense(3)])
PARAMS = PURE_MODEL.init(KEY, X)["params"]

FIXED_TREES = {
    "variables": {"params": PARAMS},
    "every dtype": {d: random_array(d, (2, 3), i, d in JAX_TOO) for i, d in enumerate(NUMPY_ONLY + JAX_TOO)},
    "scalars": {
        "int": 3,
        "big int": -(2**62),
        "float": float("nan"),
        "bool": True,
        "complex": 1 - 2j,
        "np": np.float32(1.5),
        "np int": np.int16(-7),
        "0-d": jnp.float32(2.0),
    },
    "nesting": [(), [], {}, None, (None, [jnp.zeros((0, 3))]), {"a": [1, (2.0, {"b": None})]}],
    "int keys": {0: np.ones(2), 7: {1: np.zeros(1)}},
    "namedtuples": {"p": Point(np.ones(2), Point(None, 3)), "adam": adam(1e-3).init(PARAMS)},
    "ordered dict": collections.OrderedDict([("z", np.ones(1)), ("a", np.zeros(1))]),
    "root leaf": jnp.arange(6.0).reshape(2, 3),
    "root None": None,
    "train state": TrainState.create(apply_fn=PURE_MODEL.apply, params=PARAMS, tx=adam(1e-3)),
}

BASE = {
    "params": {"Dense_0": {"bias": np.zeros(3, np.float32), "kernel": np.zeros((4, 3), np.float32)}},
    "stats": [np.ones(2, np.float32), None],
    "count": 3,
    "opt": adam(1e-3).init({"w": np.zeros(2, np.float32)}),
}


def numbered_trees(n):
    return [{"w": np.full(3, float(i), np.float32), "step": i} for i in range(n)]
