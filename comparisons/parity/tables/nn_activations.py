"""Parity of purejax.nn activations against jax.nn: same inputs, same outputs, same gradients.

Every case is a call written once, `lambda m, x: m.gelu(x, approximate=False)`, run with
`m = purejax.nn` and `m = jax.nn`, eagerly and under `jax.jit`, on fixed inputs that
include the edges (0, -0, +-1e4, +-inf, NaN, the float32 exp over/underflow points) and on a smooth
grid, and differentiated (`jax.grad` of a weighted sum) on the finite inputs. The measure is the
distance in ulp (0 = bitwise).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import purejax.nn
from comparisons.parity.measures import describe_ulp, ulp_distance
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings

EDGES = np.array(
    [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        3.0,
        -3.0,
        6.0,
        -6.0,
        1e-3,
        -1e-3,
        20.0,
        -20.0,
        88.8,
        -88.8,
        104.0,
        -104.0,
        1e4,
        -1e4,
        3e38,
        -3e38,
        np.inf,
        -np.inf,
        np.nan,
        2.5,
        -2.5,
        1e-30,
    ],
    np.float32,
)
FINITE = EDGES[np.isfinite(EDGES) & (np.abs(EDGES) < 1e38)]  # where a gradient is compared
GRID = np.linspace(-12.0, 12.0, 4000, dtype=np.float32)


class Case(NamedTuple):
    name: str  # the function under test
    call: Callable  # (module, x) -> array
    max_ulp: int = 0
    label: str = ""
    grad: bool = True  # compare jax.grad of a weighted sum too
    inputs: Callable | None = None  # () -> list of inputs; default: [EDGES and GRID joined]


def _matrices():
    """Inputs shaped [rows, 4] for the axis functions: the edges, then the finite edges and the grid."""
    return [EDGES.reshape(7, 4), np.concatenate([FINITE, GRID])[: (FINITE.size + GRID.size) // 4 * 4].reshape(-1, 4)]


def _indices():
    return [np.array([0, 1, 2, 4, -1, 5, 3], np.int32), np.arange(12, dtype=np.int32).reshape(3, 4) % 5]


def _mask(x):
    return (np.arange(np.size(x)).reshape(np.shape(x)) % 3) != 1  # drops every third element


CASES = (
    Case("relu", lambda m, x: m.relu(x)),
    Case("relu6", lambda m, x: m.relu6(x)),
    Case("leaky_relu", lambda m, x: m.leaky_relu(x)),
    Case("leaky_relu", lambda m, x: m.leaky_relu(x, 0.2), label="negative_slope=0.2"),
    Case("elu", lambda m, x: m.elu(x)),
    Case("elu", lambda m, x: m.elu(x, 0.7), label="alpha=0.7"),
    Case("celu", lambda m, x: m.celu(x)),
    Case("celu", lambda m, x: m.celu(x, 2.0), label="alpha=2"),
    Case("selu", lambda m, x: m.selu(x)),
    Case("gelu", lambda m, x: m.gelu(x), label="approximate=True"),
    Case("gelu", lambda m, x: m.gelu(x, approximate=False), label="approximate=False"),
    Case("glu", lambda m, x: m.glu(x), inputs=_matrices),
    Case("glu", lambda m, x: m.glu(x, axis=0), label="axis=0", inputs=lambda: [EDGES.reshape(2, 14)]),
    Case("sigmoid", lambda m, x: m.sigmoid(x)),
    Case("log_sigmoid", lambda m, x: m.log_sigmoid(x)),
    Case("soft_sign", lambda m, x: m.soft_sign(x)),
    Case("softplus", lambda m, x: m.softplus(x)),
    Case("silu", lambda m, x: m.silu(x)),
    Case("swish", lambda m, x: m.swish(x)),
    Case("hard_tanh", lambda m, x: m.hard_tanh(x)),
    Case("hard_sigmoid", lambda m, x: m.hard_sigmoid(x)),
    Case("hard_silu", lambda m, x: m.hard_silu(x)),
    Case("hard_swish", lambda m, x: m.hard_swish(x)),
    Case("tanh", lambda m, x: m.tanh(x)),
    Case("softmax", lambda m, x: m.softmax(x), inputs=_matrices),
    Case("softmax", lambda m, x: m.softmax(x, axis=0), label="axis=0", inputs=_matrices),
    Case("softmax", lambda m, x: m.softmax(x, axis=None, where=_mask(x)), label="axis=None, where", inputs=_matrices),
    Case("log_softmax", lambda m, x: m.log_softmax(x), inputs=_matrices),
    Case(
        "log_softmax",
        lambda m, x: m.log_softmax(x, axis=(0, 1), where=_mask(x)),
        label="axis=(0, 1), where",
        inputs=_matrices,
    ),
    Case("logsumexp", lambda m, x: m.logsumexp(x, axis=-1), label="axis=-1", inputs=_matrices),
    Case("logsumexp", lambda m, x: m.logsumexp(x), label="axis=None", inputs=_matrices),
    Case(
        "logsumexp",
        lambda m, x: m.logsumexp(x, axis=0, keepdims=True, where=_mask(x)),
        label="keepdims, where",
        inputs=_matrices,
    ),
    Case("logsumexp", lambda m, x: m.logsumexp(x, axis=1, b=jnp.cos(x)), label="b=cos(x)", inputs=_matrices),
    Case(
        "logsumexp",
        lambda m, x: m.logsumexp(x, axis=1, b=jnp.cos(x), return_sign=True)[1],
        label="return_sign (sign)",
        inputs=_matrices,
        grad=False,
    ),
    Case("standardize", lambda m, x: m.standardize(x), inputs=_matrices),
    Case(
        "standardize",
        lambda m, x: m.standardize(x, axis=0, where=_mask(x), epsilon=1e-3),
        label="axis=0, where, epsilon",
        inputs=_matrices,
    ),
    Case(
        "standardize",
        lambda m, x: m.standardize(x, mean=jnp.zeros((1, 4)), variance=jnp.full((1, 4), 2.0)),
        label="given mean, variance",
        inputs=_matrices,
    ),
    Case("one_hot", lambda m, x: m.one_hot(x, 5), grad=False, inputs=_indices),
    Case(
        "one_hot",
        lambda m, x: m.one_hot(x, 4, dtype=jnp.bfloat16, axis=0),
        label="bfloat16, axis=0",
        grad=False,
        inputs=_indices,
    ),
)


def case_inputs(case: Case) -> list:
    return case.inputs() if case.inputs else [np.concatenate([EDGES, GRID])]


def grad_inputs(case: Case) -> list:
    """Finite inputs for the gradient (NaN/inf and +-3e38 inputs make NaN gradients on both sides)."""
    return [np.concatenate([FINITE, GRID])] if case.inputs is None else case_inputs(case)[1:]


def weighted_sum(f):
    """`x -> sum(f(x) * w)` with fixed weights `w`, so that softmax's gradient is not identically 0."""

    def total(x):
        y = f(x)
        w = jnp.cos(jnp.arange(y.size, dtype=y.dtype)).reshape(y.shape)
        return jnp.sum(y * w)

    return total


def max_ulp(case: Case, jit: bool) -> tuple[int, int]:
    """The worst ulp distance of the forward pass and of the gradient."""
    ours, theirs = (lambda x: case.call(purejax.nn, x)), (lambda x: case.call(jax.nn, x))
    ours_grad, theirs_grad = jax.grad(weighted_sum(ours)), jax.grad(weighted_sum(theirs))
    if jit:
        ours, theirs, ours_grad, theirs_grad = map(jax.jit, (ours, theirs, ours_grad, theirs_grad))
    forward = max(ulp_distance(ours(x), theirs(x)) for x in case_inputs(case))
    backward = (
        max((ulp_distance(ours_grad(x), theirs_grad(x)) for x in grad_inputs(case)), default=0) if case.grad else 0
    )
    return forward, backward


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)
INPUTS = {
    None: "edges (0, +-1e4, +-inf, nan) and a grid",
    _matrices: "[n, 4] edges, grid, finite",
    _indices: "indices, some out of range",
}  # what each kind of input is; any other: "[2, 14] edges"


def _row(name: str, cases: list, chosen: list) -> Row:
    forward = backward = 0
    ok = True
    for case in chosen:
        (f_eager, g_eager), (f_jit, g_jit) = max_ulp(case, jit=False), max_ulp(case, jit=True)
        forward, backward = max(forward, f_eager, f_jit), max(backward, g_eager, g_jit)
        ok &= max(f_eager, f_jit, g_eager, g_jit) <= case.max_ulp
    labels = ", ".join(c.label or "defaults" for c in chosen)
    inputs = "; ".join(dict.fromkeys(INPUTS.get(c.inputs, "[2, 14] edges") for c in chosen))
    grad = any(c.grad for c in chosen)
    difference = describe_ulp(max(forward, backward))
    if grad and forward != backward:
        difference = f"forward {describe_ulp(forward)}, grad {describe_ulp(backward)}"
    return Row(
        f"purejax.nn.{name}",
        f"jax.nn.{name}",
        f"{of(chosen, cases)} ({labels}): {inputs}{'; grad' if grad else ''}, eager and jit",
        difference,
        ok,
        ulp=max(forward, backward),
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per function: its settings' forward and gradient, eager and jit."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.nn.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
