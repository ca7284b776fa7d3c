"""Parity of purejax.nn's RNN and Bidirectional against flax.linen.

Every case is a layer written once, `lambda m, cell: m.RNN(cell(), reverse=True)`, and built with
`m = OURS` (purejax.nn) and `m = THEIRS` (flax.linen); `cell()` makes a fresh cell of the case's
kind from the same namespace. Both are initialized with the same key and input (same variables
expected, bitwise), then applied to Flax's variables (same outputs and final carries, same
gradients w.r.t. the params and the input). Cases with an `initial_carry` of another width than
FEATURES check that the cells are sized from the carry given, as Flax's are. The report measures
outputs in ulp, gradients as relative error. The test suite (tests/purejax/nn/test_recurrent.py) runs the same table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import NamedTuple

import flax.linen
import jax
import jax.numpy as jnp

import purejax.nn
from comparisons.parity.measures import (
    FORWARD_RTOL,
    GRADIENT_ATOL,
    GRADIENT_RTOL,
    describe_rel,
    describe_ulp,
    tree_rel,
    tree_ulp,
)
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings

KEY = jax.random.PRNGKey(0)  # params
# Gradients are judged within rtol 1e-4 or atol 1e-6 (GRADIENT_ATOL), so values under atol / rtol =
# 1e-2 count against that floor. The fused LSTM path (the CPU default) sums over steps in another
# order than scan's transpose: a few float32 ulp of the largest summand, which is 1e-3 relative to
# a gradient entry of 1e-5 that is a near-cancelling sum.
FEATURES = 6  # hidden size of every cell
SHAPE = (3, 5, 4)  # [batch, time, features]
LENGTHS = jnp.array([5, 2, 3])  # one per sequence of SHAPE's batch


CELLS = ("LSTMCell", "OptimizedLSTMCell", "SimpleCell", "GRUCell", "MGUCell")  # the cells the cases scan
OURS = SimpleNamespace(
    RNN=purejax.nn.RNN, Bidirectional=purejax.nn.Bidirectional, **{n: getattr(purejax.nn, n) for n in CELLS}
)
THEIRS = SimpleNamespace(
    RNN=flax.linen.RNN, Bidirectional=flax.linen.Bidirectional, **{n: getattr(flax.linen, n) for n in CELLS}
)


class Case(NamedTuple):
    name: str  # the layer under test: "RNN" or "Bidirectional"
    build: Callable  # (namespace, cell) -> layer; cell() makes a fresh cell
    cell: str = "LSTMCell"
    shape: tuple = SHAPE  # input shape
    call: dict = {}  # keyword arguments of init and apply
    label: str = ""


def _initial_carry(width: int = FEATURES, pair: bool = True):
    """`(c, h)` (or `h` alone, `pair=False`), each `[batch, width]`."""
    c = jax.random.normal(jax.random.PRNGKey(3), (SHAPE[0], width))
    return (c, jnp.tanh(c)) if pair else jnp.tanh(c)


RNN_CASES = (
    Case("RNN", lambda m, cell: m.RNN(cell())),
    Case("RNN", lambda m, cell: m.RNN(cell(), return_carry=True), call={"seq_lengths": LENGTHS}, label="seq_lengths"),
    Case("RNN", lambda m, cell: m.RNN(cell(), reverse=True), call={"return_carry": True}, label="reverse return_carry"),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), reverse=True, keep_order=True, return_carry=True),
        call={"seq_lengths": LENGTHS},
        label="reverse keep_order seq_lengths",
    ),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), time_major=True),
        shape=(5, 3, 4),
        call={"seq_lengths": LENGTHS, "return_carry": True},
        label="time_major seq_lengths",
    ),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), unroll=2),
        call={"initial_carry": _initial_carry(), "return_carry": True},
        label="unroll=2 initial_carry",
    ),
    Case("RNN", lambda m, cell: m.RNN(cell(), return_carry=True), shape=(2, 3, 5, 4), label="two batch axes"),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), return_carry=True),
        cell="SimpleCell",
        call={"seq_lengths": LENGTHS},
        label="seq_lengths",
    ),
    Case("RNN", lambda m, cell: m.RNN(cell(), return_carry=True), cell="OptimizedLSTMCell"),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), reverse=True, keep_order=True),
        cell="GRUCell",
        call={"seq_lengths": LENGTHS},
        label="reverse keep_order seq_lengths",
    ),
    Case("RNN", lambda m, cell: m.RNN(cell(), return_carry=True), cell="MGUCell"),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), return_carry=True),
        call={"initial_carry": _initial_carry(9)},
        label="initial_carry width 9",
    ),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), reverse=True),
        cell="OptimizedLSTMCell",
        call={"initial_carry": _initial_carry(3), "seq_lengths": LENGTHS},
        label="initial_carry width 3 reverse seq_lengths",
    ),
    Case(
        "RNN",
        lambda m, cell: m.RNN(cell(), return_carry=True),
        cell="GRUCell",
        call={"initial_carry": _initial_carry(9, pair=False)},
        label="initial_carry width 9",
    ),
)
BIDIRECTIONAL_CASES = (
    Case(
        "Bidirectional",
        lambda m, cell: m.Bidirectional(m.RNN(cell()), m.RNN(cell())),
        shape=(5, 4),
        label="no batch axis",
    ),
    Case(
        "Bidirectional",
        lambda m, cell: m.Bidirectional(m.RNN(cell()), m.RNN(cell()), return_carry=True),
        call={"seq_lengths": LENGTHS},
        label="seq_lengths",
    ),
    Case(
        "Bidirectional",
        lambda m, cell: m.Bidirectional(m.RNN(cell()), m.RNN(cell()), time_major=True, merge_fn=jnp.add),
        cell="SimpleCell",
        shape=(5, 3, 4),
        call={"return_carry": True},
        label="time_major merge add",
    ),
    Case(
        "Bidirectional",
        lambda m, cell: m.Bidirectional(m.RNN(cell()), m.RNN(cell()), return_carry=True),
        cell="MGUCell",
        call={"initial_carry": (_initial_carry(9, pair=False), _initial_carry(2, pair=False))},
        label="initial_carry widths 9 and 2",
    ),
)
CASES = RNN_CASES + BIDIRECTIONAL_CASES


def case_id(i: int, case: Case) -> str:
    return f"{case.name}_{i}_{case.cell}" + (f"_{case.label}" if case.label else "").replace(" ", "_")


def inputs(case: Case):
    return jax.random.normal(jax.random.PRNGKey(1), case.shape)


def layers(case: Case):
    """`(ours, theirs)`: the case's layer built with purejax.nn and with flax.linen."""
    return tuple(case.build(m, lambda m=m: getattr(m, case.cell)(FEATURES)) for m in (OURS, THEIRS))


def gradient_fn(apply: Callable) -> Callable:
    """`(variables, x) -> (d/dparams, d/dx)` of `sum(sin(.))` over every output (carry included)."""

    def loss(params, x):
        out = apply({"params": params}, x)
        return sum(jnp.sum(jnp.sin(leaf)) for leaf in jax.tree.leaves(out))

    return lambda v, x: jax.grad(loss, argnums=(0, 1))(v["params"], x)


_INITIALIZED: dict = {}  # id(case) -> (ours, theirs): eager and jit runs of a case share one init


def init_both(case: Case):
    """Both layers' variables for the case's input (computed once per case)."""
    if id(case) not in _INITIALIZED:
        ours, theirs = layers(case)
        x = inputs(case)
        _INITIALIZED[id(case)] = ours.init(KEY, x, **case.call), theirs.init(KEY, x, **case.call)
    return _INITIALIZED[id(case)]


def compare(case: Case, transform: Callable = lambda f: f) -> dict:
    """`{'variables', 'output', 'gradients'}`, each `(ours, theirs)`; `transform` (e.g. `jax.jit`) wraps the calls."""
    ours, theirs = layers(case)
    x = inputs(case)
    ours_v, theirs_v = init_both(case)

    def our_apply(v, x):
        return ours.apply(v, x, **case.call)

    def their_apply(v, x):
        return theirs.apply(v, x, **case.call)

    return {
        "variables": (ours_v, theirs_v),
        "output": (transform(our_apply)(theirs_v, x), transform(their_apply)(theirs_v, x)),
        "gradients": (transform(gradient_fn(our_apply))(theirs_v, x), transform(gradient_fn(their_apply))(theirs_v, x)),
    }


def measure(case: Case, jit: bool) -> tuple[int, float, float]:
    """`(ulp of variables, relative error of outputs, relative error of gradients)` for one case."""
    got = compare(case, jax.jit if jit else (lambda f: f))
    output_rel = (
        tree_rel(*got["output"])
        if jax.tree.structure(got["output"][0]) == jax.tree.structure(got["output"][1])
        else float("inf")
    )
    return tree_ulp(*got["variables"]), output_rel, tree_rel(*got["gradients"], floor=GRADIENT_ATOL / GRADIENT_RTOL)


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    cells = sorted({c.cell for c in chosen})
    with jax.default_matmul_precision("highest"):
        results = [measure(c, jit) for c in chosen for jit in (False, True)]
    ulp, out, grad = (max(r[i] for r in results) for i in range(3))
    return Row(
        f"purejax.nn.{name}",
        f"flax.linen.{name}",
        f"{of(chosen, cases)} ({', '.join(cells)}): init, outputs and carries, grads; eager and jit",
        f"variables {describe_ulp(ulp)}; outputs {describe_rel(out)}; grads {describe_rel(grad)}",
        ulp == 0 and out <= FORWARD_RTOL and grad <= GRADIENT_RTOL,
        ulp=ulp,
        rel=max(out, grad),
    )


def checks(tier: str = "full") -> list[Check]:
    """One row for RNN and one for Bidirectional, over their settings, eager and jit."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.nn.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
