"""Parity of purejax.nn's layers under NNX's key rule against their Flax NNX twins.

Every case builds one purejax layer and the NNX layer of the same hyperparameters, the NNX one with
`rngs=nnx.Rngs(seed)`. purejax runs `init_with_output(jax.random.key_data(jax.random.key(seed)),
*inputs, rng_rule='nnx')`; NNX's variables are read with `flaxed.nnx.layers.state_to_variables`
(linen's layout) before the NNX layer is first called. The variables must be the same bits (eager
init within `ERF_INV_ULP` where a draw goes through `erf_inv`, bitwise under jit), and the output
of purejax's `init_with_output` must equal the NNX layer's first call (for `Dropout`, the same
mask: NNX's forked stream). For `BatchNorm` in training mode, `apply(..., mutable=['batch_stats'])`
with NNX's variables must also give the statistics the NNX layer holds after its call.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from comparisons.parity.measures import (
    ERF_INV_ULP,
    FORWARD_RTOL,
    describe_rel,
    describe_ulp,
    scale_rel,
    tree_ulp,
)
from comparisons.parity.rows import Check, Row, by_name, check_tier, count, of, settings
from flaxed.nnx.layers import state_to_variables
from purejax import nn


@dataclasses.dataclass(frozen=True)
class DenseDropoutDense(nn.Layer):
    """`Dense(8) -> Dropout(0.5) -> Dense(3)`: a parameter drawn after a Dropout's fork."""

    def forward(self, scope, x):
        x = scope.child(nn.Dense(8), "dense1")(x)  # [batch, 8]
        x = scope.child(nn.Dropout(0.5), "dropout")(x, deterministic=False)
        return scope.child(nn.Dense(3), "dense2")(x)  # [batch, 3]


class NnxDenseDropoutDense(nnx.Module):
    """`DenseDropoutDense` in NNX: the Dropout built with `rngs`, so it forks the stream."""

    def __init__(self, in_features: int, *, rngs: nnx.Rngs):
        self.dense1 = nnx.Linear(in_features, 8, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)
        self.dense2 = nnx.Linear(8, 3, rngs=rngs)

    def __call__(self, x):
        return self.dense2(self.dropout(self.dense1(x)))


@dataclasses.dataclass(frozen=True)
class RnnThenDense(nn.Layer):
    """`RNN(LSTMCell(4)) -> Dense(2)`: the counter carries on after a lifted scan traced twice."""

    def forward(self, scope, xs):
        ys = scope.child(nn.RNN(nn.LSTMCell(4)), "rnn")(xs)  # [batch, time, 4]
        return scope.child(nn.Dense(2), "head")(ys)  # [batch, time, 2]


class NnxRnnThenDense(nnx.Module):
    """`RnnThenDense` in NNX."""

    def __init__(self, in_features: int, *, rngs: nnx.Rngs):
        self.rnn = nnx.RNN(nnx.LSTMCell(in_features, 4, rngs=rngs))
        self.head = nnx.Linear(4, 2, rngs=rngs)

    def __call__(self, xs):
        return self.head(self.rnn(xs))


class Case(NamedTuple):
    name: str  # the purejax layer under test
    counterpart: str  # its NNX twin
    ours: Callable[[], Any]  # () -> purejax layer
    theirs: Callable[[nnx.Rngs], Any]  # rngs -> NNX layer
    shapes: tuple  # the call's input shapes, in order (carry first for a cell)
    label: str = ""
    ids: int = 0  # > 0: one integer input in [0, ids)
    ours_kw: Mapping = {}  # extra keywords of purejax's init_with_output (e.g. deterministic=False)
    stats: bool = False  # BatchNorm in training mode: also compare the updated batch_stats


def _lstm_carry(features: int) -> tuple:
    return ((2, features), (2, features))  # (c, h), each [batch, hidden]


CASES = (
    Case("Dense", "nnx.Linear", lambda: nn.Dense(4), lambda r: nnx.Linear(3, 4, rngs=r), ((2, 3),)),
    Case(
        "Dense",
        "nnx.Linear",
        lambda: nn.Dense(5, use_bias=False, kernel_init=nn.initializers.normal(0.5)),
        lambda r: nnx.Linear(3, 5, use_bias=False, kernel_init=nnx.initializers.normal(0.5), rngs=r),
        ((2, 3),),
        "no bias, normal init",
    ),
    Case(
        "DenseGeneral",
        "nnx.LinearGeneral",
        lambda: nn.DenseGeneral((2, 3)),
        lambda r: nnx.LinearGeneral(5, (2, 3), rngs=r),
        ((4, 5),),
        "features=(2, 3)",
    ),
    Case("Conv", "nnx.Conv", lambda: nn.Conv(4, (3, 3)), lambda r: nnx.Conv(3, 4, (3, 3), rngs=r), ((2, 6, 6, 3),)),
    Case("Embed", "nnx.Embed", lambda: nn.Embed(10, 4), lambda r: nnx.Embed(10, 4, rngs=r), ((3, 5),), ids=10),
    Case("LayerNorm", "nnx.LayerNorm", lambda: nn.LayerNorm(), lambda r: nnx.LayerNorm(6, rngs=r), ((3, 6),)),
    Case(
        "LayerNorm",
        "nnx.LayerNorm",
        lambda: nn.LayerNorm(use_bias=False),
        lambda r: nnx.LayerNorm(6, use_bias=False, rngs=r),
        ((3, 6),),
        "no bias",
    ),
    Case("RMSNorm", "nnx.RMSNorm", lambda: nn.RMSNorm(), lambda r: nnx.RMSNorm(6, rngs=r), ((3, 6),)),
    Case(
        "GroupNorm",
        "nnx.GroupNorm",
        lambda: nn.GroupNorm(num_groups=2),
        lambda r: nnx.GroupNorm(6, num_groups=2, rngs=r),
        ((3, 4, 6),),
        "num_groups=2",
    ),
    Case(
        "BatchNorm",
        "nnx.BatchNorm",
        lambda: nn.BatchNorm(use_running_average=False),
        lambda r: nnx.BatchNorm(6, use_running_average=False, rngs=r),
        ((5, 6),),
        "training: batch_stats updated",
        stats=True,
    ),
    Case(
        "BatchNorm",
        "nnx.BatchNorm",
        lambda: nn.BatchNorm(use_running_average=True),
        lambda r: nnx.BatchNorm(6, use_running_average=True, rngs=r),
        ((5, 6),),
        "evaluation: running averages",
    ),
    Case(
        "Dropout",
        "nnx.Dropout",
        lambda: nn.Dropout(0.5),
        lambda r: nnx.Dropout(0.5, rngs=r),
        ((4, 8),),
        "rate 0.5, the forked stream's mask",
        ours_kw={"deterministic": False},
    ),
    Case(
        "Dropout",
        "nnx.Dropout",
        lambda: DenseDropoutDense(),
        lambda r: NnxDenseDropoutDense(5, rngs=r),
        ((4, 5),),
        "Dense, Dropout, Dense: the fork shifts the counter",
    ),
    Case(
        "LSTMCell",
        "nnx.LSTMCell",
        lambda: nn.LSTMCell(4),
        lambda r: nnx.LSTMCell(3, 4, rngs=r),
        (*_lstm_carry(4), (2, 3)),
    ),
    Case(
        "OptimizedLSTMCell",
        "nnx.OptimizedLSTMCell",
        lambda: nn.OptimizedLSTMCell(4),
        lambda r: nnx.OptimizedLSTMCell(3, 4, rngs=r),
        (*_lstm_carry(4), (2, 3)),
        "fused gates",
    ),
    Case("GRUCell", "nnx.GRUCell", lambda: nn.GRUCell(4), lambda r: nnx.GRUCell(3, 4, rngs=r), ((2, 4), (2, 3))),
    Case(
        "SimpleCell",
        "nnx.SimpleCell",
        lambda: nn.SimpleCell(4),
        lambda r: nnx.SimpleCell(3, 4, rngs=r),
        ((2, 4), (2, 3)),
    ),
    Case(
        "RNN",
        "nnx.RNN",
        lambda: nn.RNN(nn.OptimizedLSTMCell(4)),
        lambda r: nnx.RNN(nnx.OptimizedLSTMCell(3, 4, rngs=r)),
        ((2, 5, 3),),
        "OptimizedLSTMCell over lax.scan",
    ),
    Case(
        "RNN",
        "nnx.RNN",
        lambda: RnnThenDense(),
        lambda r: NnxRnnThenDense(3, rngs=r),
        ((2, 5, 3),),
        "LSTMCell over lax.scan, then Dense",
    ),
    Case(
        "MultiHeadDotProductAttention",
        "nnx.MultiHeadAttention",
        lambda: nn.MultiHeadDotProductAttention(num_heads=2),
        lambda r: nnx.MultiHeadAttention(2, 8, decode=False, rngs=r),
        ((2, 3, 8),),
        "self-attention, 2 heads",
    ),
    Case(
        "MultiHeadDotProductAttention",
        "nnx.MultiHeadAttention",
        lambda: nn.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.5),
        lambda r: nnx.MultiHeadAttention(2, 8, dropout_rate=0.5, deterministic=False, decode=False, rngs=r),
        ((2, 3, 8),),
        "dropout 0.5: the stream forked after out",
        ours_kw={"deterministic": False},
    ),
)


def inputs(case: Case, seed: int = 0) -> tuple:
    """The case's inputs: integer ids, or standard normal floats (a cell's carry first), from NumPy."""
    rng = np.random.default_rng(seed)
    if case.ids:
        return tuple(jnp.asarray(rng.integers(0, case.ids, s), jnp.int32) for s in case.shapes)
    xs = tuple(jnp.asarray(rng.standard_normal(s), jnp.float32) for s in case.shapes)
    if len(xs) == 3:  # an LSTM cell: the carry is the pair (c, h)
        return (xs[0], xs[1]), xs[2]
    return xs


def key_of(seed: int):
    """The raw key purejax takes for `nnx.Rngs(seed)`: `jax.random.key_data(jax.random.key(seed))`."""
    return jax.random.key_data(jax.random.key(seed))


def compare(case: Case, seed: int, jit: bool = False) -> dict:
    """Measures of one case: `init_ulp` (purejax's variables vs NNX's), `forward_rel` (outputs, stats)."""
    xs = inputs(case)
    layer = case.ours()

    def init(key, *xs):
        return layer.init_with_output(key, *xs, rng_rule="nnx", **case.ours_kw)

    ours_out, ours_vars = (jax.jit(init) if jit else init)(key_of(seed), *xs)
    twin = case.theirs(nnx.Rngs(seed))
    theirs_vars = state_to_variables(twin)
    scale_rel(ours_vars, theirs_vars)  # the same paths, shapes and dtypes, or a ValueError naming the first
    theirs_out = twin(*xs)
    measures = {"init_ulp": tree_ulp(ours_vars, theirs_vars), "forward_rel": scale_rel(ours_out, theirs_out)}
    if case.stats:
        _, changed = layer.apply(theirs_vars, *xs, mutable=["batch_stats"])
        measures["forward_rel"] = max(
            measures["forward_rel"], scale_rel(changed["batch_stats"], state_to_variables(twin)["batch_stats"])
        )
    return measures


# Per tier: the seeds each case is initialized with, and how many of a row's settings run (None: all).
SIZES = {"quick": {"seeds": (0,), "settings": 1}, "full": {"seeds": (0, 1), "settings": None}}


def _row(name: str, cases: list, chosen: list, seeds: tuple) -> Row:
    worst = {"init_ulp": 0, "forward_rel": 0.0}
    ok = True
    for case in chosen:
        for seed in seeds:
            for jit in (False, True):
                with jax.default_matmul_precision("highest"):
                    m = compare(case, seed, jit)
                worst = {k: max(worst[k], m[k]) for k in worst}
                ok &= m["init_ulp"] <= (0 if jit else ERF_INV_ULP)
    ok &= worst["forward_rel"] <= FORWARD_RTOL
    return Row(
        f"purejax.nn.{name}",
        f"flax.{cases[0].counterpart}",
        "rng_rule='nnx', " + of(chosen, cases) + f" x {count(len(seeds), 'seeds')}, init and first call, eager and jit",
        f"init {describe_ulp(worst['init_ulp'])}; forward {describe_rel(worst['forward_rel'])}",
        bool(ok),
        ulp=worst["init_ulp"],
        rel=worst["forward_rel"],
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per layer: purejax's init under NNX's rule against the NNX layer from `nnx.Rngs(seed)`."""
    size = SIZES[check_tier(tier)]
    return [
        Check(
            f"purejax.nn.{name}",
            functools.partial(_row, name, cases, settings(cases, size["settings"]), size["seeds"]),
        )
        for name, cases in by_name(CASES).items()
    ]


def assert_case(case: Case, seed: int, jit: bool) -> None:
    """Assert one case: variables bitwise under jit (eager within `ERF_INV_ULP`), outputs within `FORWARD_RTOL`."""
    m = compare(case, seed, jit)
    allowed = 0 if jit else ERF_INV_ULP
    assert m["init_ulp"] <= allowed, f"{case.name} {case.label}: init {m['init_ulp']} ulp apart (allowed {allowed})"
    assert m["forward_rel"] <= FORWARD_RTOL, f"{case.name} {case.label}: forward rel {m['forward_rel']:.2e}"
