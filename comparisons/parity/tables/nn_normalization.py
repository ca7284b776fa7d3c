"""Parity of purejax.nn's normalization, dropout, PReLU and Sequential layers against flax.linen.

Every case is a layer written once, `lambda m: m.LayerNorm(epsilon=1e-3)`, and built with
`m = OURS` (purejax.nn) and `m = THEIRS` (flax.linen). Both are initialized with the same key and input
(same variables expected: names, shapes, dtypes, values), then applied to the same variables
(same outputs, same changed 'batch_stats', same gradients w.r.t. the params and the input).
The report measures outputs and variables in ulp (0 = bitwise), gradients as relative error.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import NamedTuple

import flax.linen
import jax
import jax.numpy as jnp
import numpy as np

from comparisons.parity.measures import GRADIENT_RTOL, describe_rel, describe_ulp, tree_rel, tree_ulp
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings
from purejax.nn import BatchNorm, Dropout, GroupNorm, Layer, LayerNorm, PReLU, RMSNorm, Sequential, initializers

KEY = jax.random.PRNGKey(0)  # params
DROPOUT_KEY = jax.random.PRNGKey(7)
IMAGE = (2, 3, 4, 8)  # [batch, height, width, channels]; few shapes, few compilations


class Case(NamedTuple):
    name: str  # the layer class under test
    build: Callable  # (namespace) -> layer
    shape: tuple = (4, 6)  # input shape
    call: dict = {}  # keyword arguments of init and apply
    streams: tuple = ()  # rng streams apply needs besides 'params' (e.g. 'dropout')
    label: str = ""
    dtype: object = jnp.float32
    mutable: tuple = ()  # what flax's apply needs as `mutable` (ours: the layer's default)


def _mask(shape):
    return (jnp.arange(int(np.prod(shape))).reshape(shape) % 3) != 1


NORMALIZATION = (
    Case("LayerNorm", lambda m: m.LayerNorm()),
    Case("LayerNorm", lambda m: m.LayerNorm(use_bias=False, epsilon=1e-3), label="no bias eps=1e-3"),
    Case("LayerNorm", lambda m: m.LayerNorm(use_scale=False, use_fast_variance=False), label="no scale slow var"),
    Case("LayerNorm", lambda m: m.LayerNorm(reduction_axes=(1, 2), feature_axes=-1), IMAGE, label="reduce (1,2)"),
    Case(
        "LayerNorm",
        lambda m: m.LayerNorm(
            reduction_axes=(1, 2),
            feature_axes=(1, 2),
            scale_init=m.initializers.normal(0.5),
            bias_init=m.initializers.uniform(1.0),
        ),
        IMAGE,
        label="features (1,2)",
    ),
    Case("LayerNorm", lambda m: m.LayerNorm(), label="bfloat16", dtype=jnp.bfloat16),
    Case("LayerNorm", lambda m: m.LayerNorm(), (4, 6), {"mask": _mask((4, 6))}, label="mask"),
    Case("RMSNorm", lambda m: m.RMSNorm()),
    Case("RMSNorm", lambda m: m.RMSNorm(use_scale=False, epsilon=1e-2), label="no scale"),
    Case(
        "RMSNorm",
        lambda m: m.RMSNorm(reduction_axes=(1, 2), scale_init=m.initializers.normal(1.0)),
        IMAGE,
        label="reduce (1,2)",
    ),
    Case("GroupNorm", lambda m: m.GroupNorm(num_groups=2), IMAGE),
    Case(
        "GroupNorm",
        lambda m: m.GroupNorm(num_groups=None, group_size=2, use_fast_variance=False),
        IMAGE,
        label="group_size=2",
    ),
    Case("GroupNorm", lambda m: m.GroupNorm(num_groups=1, use_bias=False), IMAGE, label="num_groups=1"),
    Case("GroupNorm", lambda m: m.GroupNorm(num_groups=4, reduction_axes=(2, 3)), (2, 3, 4, 8), label="reduce (2,3)"),
    Case(
        "BatchNorm",
        lambda m: m.BatchNorm(),
        (4, 6),
        {"use_running_average": False},
        label="train",
        mutable=("batch_stats",),
    ),
    Case(
        "BatchNorm",
        lambda m: m.BatchNorm(use_running_average=False, axis=1, momentum=0.9),
        IMAGE,
        label="axis=1 momentum=0.9",
        mutable=("batch_stats",),
    ),
    Case(
        "BatchNorm",
        lambda m: m.BatchNorm(use_running_average=False, use_fast_variance=False, use_scale=False, epsilon=1e-3),
        IMAGE,
        label="slow var NHWC",
        mutable=("batch_stats",),
    ),
    Case(
        "BatchNorm",
        lambda m: m.BatchNorm(use_running_average=False),
        (4, 6),
        {"mask": _mask((4, 6))},
        label="mask",
        mutable=("batch_stats",),
    ),
    Case(
        "BatchNorm",
        lambda m: m.BatchNorm(use_running_average=False),
        (4, 6),
        label="bfloat16",
        dtype=jnp.bfloat16,
        mutable=("batch_stats",),
    ),
    Case("BatchNorm", lambda m: m.BatchNorm(use_running_average=True), (4, 6), label="eval"),
)


# Small layers passing tuples and dicts, for Sequential: the same three in each library.
@dataclasses.dataclass(frozen=True)
class Pair(Layer):
    def forward(self, scope, x):
        return x, 2.0 * x


@dataclasses.dataclass(frozen=True)
class Product(Layer):
    def forward(self, scope, a, b):
        return {"x": a * b}


@dataclasses.dataclass(frozen=True)
class Identity(Layer):
    def forward(self, scope, x):
        return x


class FlaxPair(flax.linen.Module):
    def __call__(self, x):
        return x, 2.0 * x


class FlaxProduct(flax.linen.Module):
    def __call__(self, a, b):
        return {"x": a * b}


class FlaxIdentity(flax.linen.Module):
    def __call__(self, x):
        return x


_NAMES = ("LayerNorm", "RMSNorm", "GroupNorm", "BatchNorm", "Dropout", "PReLU", "Sequential")
OURS = SimpleNamespace(
    LayerNorm=LayerNorm,
    RMSNorm=RMSNorm,
    GroupNorm=GroupNorm,
    BatchNorm=BatchNorm,
    Dropout=Dropout,
    PReLU=PReLU,
    Sequential=Sequential,
    initializers=initializers,
    Pair=Pair,
    Product=Product,
    Identity=Identity,
)
THEIRS = SimpleNamespace(
    **{n: getattr(flax.linen, n) for n in _NAMES},
    initializers=jax.nn.initializers,
    Pair=FlaxPair,
    Product=FlaxProduct,
    Identity=FlaxIdentity,
)


OTHER = (
    Case("Dropout", lambda m: m.Dropout(0.3), (4, 6), {"deterministic": False}, ("dropout",)),
    Case(
        "Dropout",
        lambda m: m.Dropout(0.5, broadcast_dims=(1,), deterministic=False),
        IMAGE,
        streams=("dropout",),
        label="broadcast_dims=(1,)",
    ),
    Case(
        "Dropout",
        lambda m: m.Dropout(0.9, broadcast_dims=(-1,), rng_collection="noise"),
        (4, 6),
        {"deterministic": False},
        ("noise",),
        label="rng_collection=noise",
    ),
    Case("Dropout", lambda m: m.Dropout(0.5, deterministic=True), (4, 6), label="deterministic"),
    Case("Dropout", lambda m: m.Dropout(0.0, deterministic=False), (4, 6), label="rate=0"),
    Case("Dropout", lambda m: m.Dropout(1.0, deterministic=False), (4, 6), streams=("dropout",), label="rate=1"),
    Case("PReLU", lambda m: m.PReLU()),
    Case("PReLU", lambda m: m.PReLU(negative_slope_init=0.25), IMAGE, label="slope 0.25"),
    Case("PReLU", lambda m: m.PReLU(param_dtype=jnp.bfloat16), label="bfloat16 param"),
    Case(
        "Sequential",
        lambda m: m.Sequential([m.LayerNorm(), jnp.tanh, m.PReLU(), m.Dropout(0.5, deterministic=False)]),
        (4, 6),
        streams=("dropout",),
        label="LayerNorm tanh PReLU Dropout",
    ),
    Case(
        "Sequential",
        lambda m: m.Sequential([m.PReLU(), m.Pair(), m.Product(), m.Identity(), m.RMSNorm()]),
        (4, 6),
        label="tuple and dict outputs",
    ),
)
CASES = NORMALIZATION + OTHER


def case_id(i: int, case: Case) -> str:
    return f"{case.name}_{i}" + (f"_{case.label}" if case.label else "").replace(" ", "_")


def inputs(case: Case):
    x = jax.random.normal(jax.random.PRNGKey(1), case.shape) * 2.0 + 0.5  # non-zero mean
    return x.astype(case.dtype)


def layers(case: Case):
    """`(ours, theirs)`: the case's layer built with purejax.nn and with flax.linen."""
    return case.build(OURS), case.build(THEIRS)


def init_both(case: Case):
    ours, theirs = layers(case)
    x = inputs(case)
    return ours.init(KEY, x, **case.call), theirs.init(KEY, x, **case.call)


def appliers(case: Case):
    """`(ours, theirs)`, each `(variables, x) -> output` (`(y, changed)` where the layer trains)."""
    ours, theirs = layers(case)
    rngs = {s: DROPOUT_KEY for s in case.streams}

    def our_apply(v, x):
        return ours.apply(v, x, rngs=rngs, **case.call)

    mutable = list(case.mutable) or False

    def their_apply(v, x):
        return theirs.apply(v, x, rngs=rngs, mutable=mutable, **case.call)

    return our_apply, their_apply


def gradient_fn(apply: Callable) -> Callable:
    """`(variables, x) -> (d/dparams, d/dx)` of `sum(sin(y))`, y the layer's (first) output."""

    def loss(params, x, variables):
        out = apply({**variables, "params": params}, x)
        y = out[0] if isinstance(out, tuple) else out
        return jnp.sum(jnp.sin(y.astype(jnp.float32)))

    return lambda v, x: jax.grad(loss, argnums=(0, 1))(v.get("params", {}), x, v)


def compare(case: Case, transform: Callable = lambda f: f) -> dict:
    """`{'variables', 'output', 'gradients'}`, each `(ours, theirs)`; `transform` (e.g. `jax.jit`) wraps the calls."""
    ours_v, theirs_v = init_both(case)
    x = inputs(case)
    ours, theirs = appliers(case)
    return {
        "variables": (ours_v, theirs_v),
        "output": (transform(ours)(theirs_v, x), transform(theirs)(theirs_v, x)),
        "gradients": (transform(gradient_fn(ours))(theirs_v, x), transform(gradient_fn(theirs))(theirs_v, x)),
    }


def measure(case: Case, jit: bool) -> tuple[int, float]:
    """`(ulp of variables and outputs, relative error of gradients)` for one case."""
    got = compare(case, jax.jit if jit else (lambda f: f))
    return max(tree_ulp(*got["variables"]), tree_ulp(*got["output"])), tree_rel(*got["gradients"])


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    results = [measure(c, jit) for c in chosen for jit in (False, True)]
    ulp, rel = max(r[0] for r in results), max(r[1] for r in results)
    difference = describe_ulp(ulp) + ("" if rel == 0 else f"; grads {describe_rel(rel)}")
    ok = ulp <= 2 and rel <= GRADIENT_RTOL
    return Row(
        f"purejax.nn.{name}",
        f"flax.linen.{name}",
        f"{of(chosen, cases)}: init, forward, grads; eager and jit",
        difference,
        ok,
        ulp=ulp,
        rel=rel,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per layer: its settings' init, outputs and gradients, eager and jit."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.nn.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
