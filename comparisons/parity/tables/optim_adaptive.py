"""Parity of purejax's adaptive optimizers (Adam, RMSProp and relatives) against Optax.

Every case is a call written once, `lambda m: m.adam(1e-2, b1=0.8)`, and built with `m = ours`
(`purejax.optim`, which exports every alias and block the cases call) and `m = optax`;
`optim_harness.compare` then runs both for 50 jitted steps and measures the largest relative
difference of updates, parameters and final states.
Building blocks are chained with `scale(-1e-2)` so that they descend like the aliases.

The table is shared: `tests/purejax/optim/test_adaptive.py` asserts each case, and `checks()` gives the
report one row per alias (its worst case).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax.numpy as jnp
import optax

import purejax.optim
from comparisons.parity.measures import OPTIMIZER_RTOL, describe_rel
from comparisons.parity.rows import Check, Row, check_tier, of, settings
from comparisons.parity.tables.optim_harness import STEPS, compare

ours = purejax.optim  # the package itself: every name the cases call is public there, as in optax

ALIASES = (
    "adam",
    "nadam",
    "adamw",
    "adamax",
    "amsgrad",
    "adabelief",
    "radam",
    "yogi",
    "lion",
    "novograd",
    "rmsprop",
    "adagrad",
    "adadelta",
)
MASK = {"Dense_0": {"kernel": True, "bias": False}, "scale": False, "Conv_0": {"kernel": True}}


def schedule(count):
    """A decaying learning rate, a plain function of the step count (works on both sides)."""
    return 1e-2 / (1 + count)


class Case(NamedTuple):
    name: str  # the function under test, e.g. "adam" or "scale_by_adam"
    build: Callable  # module -> GradientTransformation
    label: str = "defaults"  # which hyperparameters


def _block(name: str, label: str = "defaults", **kwargs) -> Case:
    """A building block, chained with a fixed negative step so that it descends."""
    return Case(name, lambda m: m.chain(getattr(m, name)(**kwargs), m.scale(-1e-2)), label)


CASES = (
    Case("adam", lambda m: m.adam(1e-2)),
    Case(
        "adam",
        lambda m: m.adam(schedule, b1=0.8, b2=0.99, eps=1e-6, eps_root=1e-8, nesterov=True),
        "schedule, b1, b2, eps, eps_root, nesterov",
    ),
    Case("nadam", lambda m: m.nadam(1e-2)),
    Case(
        "nadam",
        lambda m: m.nadam(3e-2, b1=0.95, eps_root=1e-8, mu_dtype=jnp.bfloat16),
        "b1, eps_root, mu_dtype=bfloat16",
    ),
    Case("adamw", lambda m: m.adamw(1e-2)),
    Case(
        "adamw",
        lambda m: m.adamw(schedule, weight_decay=0.05, mask=MASK, nesterov=True),
        "schedule, weight_decay, mask, nesterov",
    ),
    Case("adamax", lambda m: m.adamax(1e-2)),
    Case("adamax", lambda m: m.adamax(schedule, b1=0.8, b2=0.99, eps=1e-6), "schedule, b1, b2, eps"),
    Case("amsgrad", lambda m: m.amsgrad(1e-2)),
    Case(
        "amsgrad",
        lambda m: m.amsgrad(1e-2, b2=0.99, eps_root=1e-8, bias_correction_mu=False, bias_correction_nu=False),
        "b2, eps_root, no bias correction",
    ),
    Case("adabelief", lambda m: m.adabelief(1e-2)),
    Case(
        "adabelief",
        lambda m: m.adabelief(schedule, b2=0.99, eps=1e-8, eps_root=1e-12, nesterov=True),
        "schedule, b2, eps, eps_root, nesterov",
    ),
    Case("radam", lambda m: m.radam(1e-2)),
    Case(
        "radam",
        lambda m: m.radam(1e-2, b2=0.99, threshold=3.0, eps_root=1e-8, nesterov=True),
        "b2, threshold, eps_root, nesterov",
    ),
    Case("yogi", lambda m: m.yogi(1e-2)),
    Case("yogi", lambda m: m.yogi(schedule, b1=0.8, b2=0.99, eps=1e-4), "schedule, b1, b2, eps"),
    Case("lion", lambda m: m.lion(1e-3)),
    Case(
        "lion",
        lambda m: m.lion(schedule, b1=0.95, b2=0.98, mu_dtype=jnp.bfloat16, weight_decay=schedule, mask=MASK),
        "schedules, b1, b2, mu_dtype=bfloat16, mask",
    ),
    Case("novograd", lambda m: m.novograd(1e-2)),
    Case(
        "novograd",
        lambda m: m.novograd(schedule, b1=0.8, b2=0.5, eps_root=1e-8, weight_decay=1e-3),
        "schedule, b1, b2, eps_root, weight_decay",
    ),
    Case("rmsprop", lambda m: m.rmsprop(1e-2)),
    Case(
        "rmsprop",
        lambda m: m.rmsprop(schedule, decay=0.99, centered=True, momentum=0.9, nesterov=True, bias_correction=True),
        "schedule, decay, centered, nesterov momentum, bias_correction",
    ),
    Case(
        "rmsprop",
        lambda m: m.rmsprop(1e-2, eps=1e-6, initial_scale=1.0, eps_in_sqrt=False, momentum=0.5, bias_correction=True),
        "eps outside the root, initial_scale, momentum, bias_correction",
    ),
    Case("adagrad", lambda m: m.adagrad(1e-1)),
    Case(
        "adagrad",
        lambda m: m.adagrad(schedule, initial_accumulator_value=0.0, eps=1e-10),
        "schedule, initial_accumulator_value=0, eps",
    ),
    Case("adadelta", lambda m: m.adadelta(1.0)),
    Case(
        "adadelta",
        lambda m: m.adadelta(schedule, rho=0.95, eps=1e-5, weight_decay=1e-2, weight_decay_mask=MASK),
        "schedule, rho, eps, weight_decay, mask",
    ),
    # Options the aliases above do not reach.
    _block("scale_by_stddev", "eps outside the root", eps_in_sqrt=False),
    _block("scale_by_yogi", "eps_root, initial_accumulator_value", eps_root=1e-8, initial_accumulator_value=1e-3),
    _block("scale_by_lion", "mode=smooth", mode="smooth", smooth_beta=2.0),
    _block("scale_by_lion", "mode=refined", mode="refined"),
    _block("scale_by_novograd", "mu_dtype=bfloat16", mu_dtype=jnp.bfloat16),
)


def run_case(case: Case, steps: int = STEPS) -> float:
    """The largest relative difference between purejax and Optax on this case."""
    return compare(case.build(ours), case.build(optax), steps=steps)


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's cases run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    worst = max(run_case(c) for c in chosen)
    is_block = name == "scale_by_*"
    labels = "; ".join(f"{c.name.removeprefix('scale_by_')} ({c.label})" if is_block else c.label for c in chosen)
    return Row(
        f"purejax.optim.{name}",
        f"optax.{name}",
        f"{of(chosen, cases)}, {STEPS} jitted steps: {labels}",
        describe_rel(worst),
        worst <= OPTIMIZER_RTOL,
        rel=worst,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per alias (its worst configuration) and one for the building blocks' extra options."""
    groups = {name: [c for c in CASES if c.name == name] for name in ALIASES}
    groups["scale_by_*"] = [c for c in CASES if c.name.startswith("scale_by_")]
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.optim.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in groups.items()
    ]
