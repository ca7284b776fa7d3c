"""Parity of the SGD-family and large-batch optimizers against Optax, and the noisy ones bit for bit.

One row per SGD-family and large-batch alias of `purejax.optim` (`sgd`, `noisy_sgd`,
`optimistic_gradient_descent`, `dpsgd`, `fromage`, `lamb`, `lars`, `sm3`, `adafactor`), each run
50 jitted steps side by side with its Optax twin (`optim_harness.compare`). The optimizers that
draw noise (`noisy_sgd`, `dpsgd`) must give the same bits as Optax for the same key, so for them
the comparison also reports the distance in ulp, and their states are compared with Optax's typed
keys unwrapped to their `uint32[2]` data. `dpsgd` takes per-example gradients, so it has its
own loop (`run_per_example`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
import optax.contrib

import purejax.optim
from comparisons.parity.measures import OPTIMIZER_FLOOR, OPTIMIZER_RTOL, describe_rel, leaves_rel, ulp_distance
from comparisons.parity.rows import Check, Row, check_tier
from comparisons.parity.tables.optim_harness import STEPS, Trajectory, compare, example_params, loss, run

BATCH = 4  # examples per step for dpsgd


def without_scalars(params: dict) -> dict:
    """The example tree minus its 0-d leaf (Optax's SM3 cannot update scalar parameters)."""
    return {k: v for k, v in params.items() if isinstance(v, dict) or jnp.ndim(v) > 0}


def unwrap_keys(state: Any) -> Any:
    """Optax's typed keys as their `uint32[2]` data, so they compare with purejax's raw keys."""

    def unwrap(x):
        is_key = hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)
        return jax.random.key_data(x) if is_key else x

    return jax.tree_util.tree_map(unwrap, state)


def run_per_example(tx, apply_updates, params: Any, steps: int = STEPS) -> Trajectory:
    """As `optim_harness.run`, but the gradients are per example: leaf shapes `[BATCH, *shape]`.

    Example `i` sees the parameters scaled by `s_i` (fixed, from 0.5 to 2), so the examples'
    gradients differ and some are clipped, some not.
    """
    scales = jnp.linspace(0.5, 2.0, BATCH, dtype=jnp.float32)  # [BATCH]

    def per_example_loss(p, s):
        return loss(jax.tree_util.tree_map(lambda x: s * x, p))

    per_example_grads = jax.jit(jax.vmap(jax.grad(per_example_loss), in_axes=(None, 0)))
    return run(tx, apply_updates, params, steps, grad_fn=lambda p: per_example_grads(p, scales))


class Keyed(NamedTuple):
    rel: float  # max relative difference of updates, params and state (keys unwrapped)
    ulp: int  # max ulp distance of the updates over all steps (0 = bitwise)


def compare_keyed(ours, theirs, steps: int = STEPS, params: Any = None, per_example: bool = False) -> Keyed:
    """Side by side like `compare`, for optimizers whose state holds a key; also the ulp distance."""
    params = example_params() if params is None else params
    runner = run_per_example if per_example else run
    a = runner(ours, purejax.optim.apply_updates, params, steps)
    b = runner(theirs, optax.apply_updates, params, steps)
    rel = max(
        leaves_rel(a.updates, b.updates, OPTIMIZER_FLOOR),
        leaves_rel(a.params, b.params, OPTIMIZER_FLOOR),
        leaves_rel(a.state, unwrap_keys(b.state), OPTIMIZER_FLOOR),
    )
    ulp = max(
        ulp_distance(x, y)
        for x, y in zip(jax.tree_util.tree_leaves(a.updates), jax.tree_util.tree_leaves(b.updates), strict=True)
    )
    return Keyed(rel, ulp)


class Case(NamedTuple):
    name: str  # the alias
    ours: Callable[[], Any]  # () -> purejax transformation
    theirs: Callable[[], Any]  # () -> Optax transformation
    label: str  # the hyperparameters
    kind: str = "plain"  # "plain", "keyed" (bitwise noise) or "per_example" (dpsgd)
    params: Callable[[], Any] = example_params


SCHEDULE = dict(init_value=0.1, end_value=0.01, transition_steps=30)  # optax.linear_schedule's arguments


def DECAY_MASK(p):
    return jax.tree_util.tree_map(lambda x: jnp.ndim(x) > 1, p)  # matrices, kernels


def linear_schedule(init_value, end_value, transition_steps):
    """The same schedule for both sides, written out here (purejax's schedules live elsewhere)."""
    return lambda count: init_value + (end_value - init_value) * jnp.clip(count / transition_steps, 0.0, 1.0)


REPORT_CASES = (
    Case(
        "sgd",
        lambda: purejax.optim.sgd(0.1, momentum=0.9, nesterov=True),
        lambda: optax.sgd(0.1, momentum=0.9, nesterov=True),
        "momentum=0.9, nesterov",
    ),
    Case(
        "noisy_sgd",
        lambda: purejax.optim.noisy_sgd(0.1, key=42),
        lambda: optax.noisy_sgd(0.1, key=42),
        "key=42",
        "keyed",
    ),
    Case(
        "optimistic_gradient_descent",
        lambda: purejax.optim.optimistic_gradient_descent(0.1),
        lambda: optax.optimistic_gradient_descent(0.1),
        "defaults",
    ),
    Case(
        "dpsgd",
        lambda: purejax.optim.dpsgd(0.1, 1.0, 0.5, seed=3, momentum=0.9),
        lambda: optax.contrib.dpsgd(0.1, 1.0, 0.5, seed=3, momentum=0.9),
        f"clip=1, noise=0.5, momentum=0.9, {BATCH} examples",
        "per_example",
    ),
    Case(
        "fromage",
        lambda: purejax.optim.fromage(linear_schedule(**SCHEDULE)),
        lambda: optax.fromage(linear_schedule(**SCHEDULE)),
        "linear schedule",
    ),
    Case(
        "lamb",
        lambda: purejax.optim.lamb(0.01, weight_decay=1e-2, mask=DECAY_MASK),
        lambda: optax.lamb(0.01, weight_decay=1e-2, mask=DECAY_MASK),
        "weight_decay=1e-2 with mask",
    ),
    Case(
        "lars",
        lambda: purejax.optim.lars(0.1, weight_decay=1e-3),
        lambda: optax.lars(0.1, weight_decay=1e-3),
        "weight_decay=1e-3",
    ),
    Case(
        "sm3",
        lambda: purejax.optim.sm3(0.1),
        lambda: optax.sm3(0.1),
        "defaults; no 0-d params",
        params=lambda: without_scalars(example_params()),
    ),
    Case(
        "adafactor",
        lambda: purejax.optim.adafactor(0.05, min_dim_size_to_factor=2, momentum=0.9),
        lambda: optax.adafactor(0.05, min_dim_size_to_factor=2, momentum=0.9),
        "factored, momentum=0.9",
    ),
)


def measure(case: Case) -> tuple[float, int | None]:
    """`(max relative difference, ulp distance of the updates or None)` for one case."""
    if case.kind == "plain":
        return compare(case.ours(), case.theirs(), params=case.params()), None
    keyed = compare_keyed(case.ours(), case.theirs(), params=case.params(), per_example=case.kind == "per_example")
    return keyed.rel, keyed.ulp


def _row(case: Case) -> Row:
    rel, ulp = measure(case)
    ok = rel <= OPTIMIZER_RTOL and (ulp is None or ulp == 0)
    difference = describe_rel(rel) + ("" if ulp is None else ("; noise bitwise" if ulp == 0 else f"; {ulp} ulp"))
    counterpart = "optax.contrib.dpsgd" if case.name == "dpsgd" else f"optax.{case.name}"
    return Row(
        f"purejax.optim.{case.name}",
        counterpart,
        f"{case.label}; {STEPS} jitted steps, updates, params and state",
        difference,
        ok,
        ulp=ulp,
        rel=rel,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per alias, in both tiers (one setting each already): 50 jitted steps, updates, params, state."""
    check_tier(tier)
    return [Check(f"purejax.optim.{case.name}", functools.partial(_row, case)) for case in REPORT_CASES]
