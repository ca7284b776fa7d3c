"""Parity of purejax.nn's recurrent cells against flax.linen: one step of each cell.

Every case is a cell written once, `lambda m: m.LSTMCell(features=4)`, and built with `m = OURS`
(purejax.nn) and `m = THEIRS` (flax.linen). For the same key and inputs both give the same
`initialize_carry` and the same variables (names, shapes, dtypes, values); applied to the same
variables, carry and input they give the same new carry and output, and the same gradients of
`sum(sin(carry')) + sum(sin(y))` w.r.t. the params, the carry and the input. A case with a
`carry_width` steps a carry of that width instead of `features`: both size the cell from it. The
report measures carries and variables in ulp (0 = bitwise), outputs and gradients as relative error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import NamedTuple

import flax.linen
import jax
import jax.numpy as jnp

from comparisons.parity.measures import FORWARD_RTOL, GRADIENT_RTOL, describe_rel, describe_ulp, tree_rel, tree_ulp
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings
from purejax.nn import (
    ConvLSTMCell,
    GRUCell,
    LSTMCell,
    MGUCell,
    OptimizedLSTMCell,
    SimpleCell,
    hard_sigmoid,
    initializers,
    relu,
)

KEY = jax.random.PRNGKey(0)  # params
CARRY_KEY = jax.random.PRNGKey(3)  # initialize_carry


class Case(NamedTuple):
    name: str  # the cell class under test
    build: Callable  # (namespace) -> cell
    shape: tuple = (3, 5)  # one step's input shape, [*batch, in]
    label: str = ""
    dtype: object = jnp.float32
    carry_width: int | None = None  # the stepped carry's last axis, when not `features`


_NAMES = ("LSTMCell", "OptimizedLSTMCell", "GRUCell", "MGUCell", "SimpleCell", "ConvLSTMCell")
OURS = SimpleNamespace(
    LSTMCell=LSTMCell,
    OptimizedLSTMCell=OptimizedLSTMCell,
    GRUCell=GRUCell,
    MGUCell=MGUCell,
    SimpleCell=SimpleCell,
    ConvLSTMCell=ConvLSTMCell,
    initializers=initializers,
    hard_sigmoid=hard_sigmoid,
    relu=relu,
)
THEIRS = SimpleNamespace(
    **{n: getattr(flax.linen, n) for n in _NAMES},
    initializers=jax.nn.initializers,
    hard_sigmoid=jax.nn.hard_sigmoid,
    relu=jax.nn.relu,
)

CASES = (
    Case("LSTMCell", lambda m: m.LSTMCell(features=4)),
    Case(
        "LSTMCell",
        lambda m: m.LSTMCell(
            4,
            gate_fn=m.hard_sigmoid,
            kernel_init=m.initializers.normal(0.5),
            bias_init=m.initializers.uniform(0.3),
            carry_init=m.initializers.normal(1.0),
        ),
        (2, 3, 5),
        label="hard_sigmoid inits batch (2,3)",
    ),
    Case("LSTMCell", lambda m: m.LSTMCell(3, dtype=jnp.bfloat16), (5,), label="bfloat16 unbatched"),
    Case("OptimizedLSTMCell", lambda m: m.OptimizedLSTMCell(features=4)),
    Case(
        "OptimizedLSTMCell",
        lambda m: m.OptimizedLSTMCell(
            6,
            activation_fn=m.relu,
            recurrent_kernel_init=m.initializers.normal(0.3),
            bias_init=m.initializers.normal(0.2),
            carry_init=m.initializers.uniform(1.0),
        ),
        (2, 3, 5),
        label="relu inits batch (2,3)",
    ),
    Case("GRUCell", lambda m: m.GRUCell(features=4)),
    Case(
        "GRUCell",
        lambda m: m.GRUCell(
            3, gate_fn=m.hard_sigmoid, bias_init=m.initializers.normal(0.5), carry_init=m.initializers.normal(1.0)
        ),
        (2, 3, 5),
        label="hard_sigmoid inits",
    ),
    Case("MGUCell", lambda m: m.MGUCell(features=4)),
    Case(
        "MGUCell",
        lambda m: m.MGUCell(
            3, reset_gate=False, forget_bias_init=m.initializers.normal(0.5), carry_init=m.initializers.normal(1.0)
        ),
        (2, 3, 5),
        label="no reset gate",
    ),
    Case("SimpleCell", lambda m: m.SimpleCell(features=4)),
    Case(
        "SimpleCell",
        lambda m: m.SimpleCell(
            3,
            residual=True,
            activation_fn=m.relu,
            bias_init=m.initializers.normal(0.5),
            carry_init=m.initializers.normal(1.0),
        ),
        (2, 3, 5),
        label="residual relu",
    ),
    Case("ConvLSTMCell", lambda m: m.ConvLSTMCell(features=4, kernel_size=(3, 3)), (2, 6, 5, 3)),
    Case(
        "ConvLSTMCell",
        lambda m: m.ConvLSTMCell(
            3, kernel_size=(3,), padding=((1, 1),), use_bias=False, carry_init=m.initializers.normal(1.0)
        ),
        (2, 7, 2),
        label="1-D no bias",
    ),
    *(  # a carry wider than `features`: the layers are sized from the carry, as in Flax
        Case(name, lambda m, name=name: getattr(m, name)(features=4), shape, label="carry width 7", carry_width=7)
        for name, shape in (
            ("LSTMCell", (3, 5)),
            ("OptimizedLSTMCell", (2, 3, 5)),
            ("GRUCell", (3, 5)),
            ("MGUCell", (2, 3, 5)),
            ("SimpleCell", (5,)),
        )
    ),
)


def case_id(i: int, case: Case) -> str:
    return f"{case.name}_{i}" + (f"_{case.label}" if case.label else "").replace(" ", "_")


def cells(case: Case):
    """`(ours, theirs)`: the case's cell built with purejax.nn and with flax.linen."""
    return case.build(OURS), case.build(THEIRS)


def inputs(case: Case):
    """`(carry, x)`: a non-zero carry of Flax's carry structure, and one step's input."""
    x = jax.random.normal(jax.random.PRNGKey(1), case.shape) * 1.5 + 0.2
    template = cells(case)[1].initialize_carry(CARRY_KEY, case.shape)
    leaves, treedef = jax.tree.flatten(template)
    keys = jax.random.split(jax.random.PRNGKey(2), len(leaves))
    shapes = [leaf.shape[:-1] + (case.carry_width or leaf.shape[-1],) for leaf in leaves]
    carry = [jax.random.normal(k, s, leaf.dtype) for k, s, leaf in zip(keys, shapes, leaves, strict=True)]
    return jax.tree.unflatten(treedef, carry), x.astype(case.dtype)


def gradient_fn(apply: Callable) -> Callable:
    """`(variables, carry, x) -> d/d(params, carry, x)` of `sum(sin(carry')) + sum(sin(y))`."""

    def loss(params, carry, x):
        new_carry, y = apply({"params": params}, carry, x)
        return sum(jnp.sum(jnp.sin(a.astype(jnp.float32))) for a in jax.tree.leaves((new_carry, y)))

    return lambda v, carry, x: jax.grad(loss, argnums=(0, 1, 2))(v["params"], carry, x)


def compare(case: Case, transform: Callable = lambda f: f) -> dict:
    """`{'carry', 'variables', 'output', 'gradients'}`, each `(ours, theirs)`; `transform` wraps the calls."""
    ours, theirs = cells(case)
    carry, x = inputs(case)
    theirs_v = theirs.init(KEY, carry, x)
    return {
        "carry": (ours.initialize_carry(CARRY_KEY, case.shape), theirs.initialize_carry(CARRY_KEY, case.shape)),
        "variables": (ours.init(KEY, carry, x), theirs_v),
        "output": (transform(ours.apply)(theirs_v, carry, x), transform(theirs.apply)(theirs_v, carry, x)),
        "gradients": (
            transform(gradient_fn(ours.apply))(theirs_v, carry, x),
            transform(gradient_fn(theirs.apply))(theirs_v, carry, x),
        ),
    }


def measure(case: Case, jit: bool) -> tuple[int, float, float]:
    """`(ulp of carries and variables, rel. error of outputs, rel. error of gradients)` for one case."""
    got = compare(case, jax.jit if jit else (lambda f: f))
    return (
        max(tree_ulp(*got["carry"]), tree_ulp(*got["variables"])),
        tree_rel(*got["output"]),
        tree_rel(*got["gradients"]),
    )


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    results = [measure(c, jit) for c in chosen for jit in (False, True)]
    ulp, out, grad = (max(r[i] for r in results) for i in range(3))
    return Row(
        f"purejax.nn.{name}",
        f"flax.linen.{name}",
        f"{of(chosen, cases)}: initialize_carry, init, one step, grads; eager and jit",
        f"variables {describe_ulp(ulp)}; step {describe_rel(out)}; grads {describe_rel(grad)}",
        ulp == 0 and out <= FORWARD_RTOL and grad <= GRADIENT_RTOL,
        ulp=ulp,
        rel=max(out, grad),
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per cell: its settings' carry, variables, one step and gradients, eager and jit."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.nn.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
