"""Parity of purejax's optimizer wrappers against Optax's, over 50 jitted training steps.

Each case builds the same wrapped optimizer from purejax and from Optax (the inner
transformations are simple scalings, so that a difference can only come from the wrapper) and runs
both with `optim_harness.compare`: updates and parameters at every step, and the final state arrays
(counters, accumulators, stored hyperparameters), within `measures.OPTIMIZER_RTOL`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax.numpy as jnp
import optax

from comparisons.parity.measures import OPTIMIZER_RTOL, describe_rel
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings
from comparisons.parity.tables.optim_harness import STEPS, compare
from purejax import struct, tree
from purejax.optim import (
    MultiSteps,
    add_decayed_weights,
    apply_if_finite,
    chain,
    cosine_decay_schedule,
    inject_hyperparams,
    masked,
    multi_transform,
    partition,
    scale,
    scale_by_learning_rate,
    set_to_zero,
    skip_not_finite,
)

NAN_STEPS = (5, 20, 21, 22)  # one lone NaN, then a run of three


class Case(NamedTuple):
    name: str  # e.g. "MultiSteps"
    ours: Callable  # () -> purejax transformation
    theirs: Callable  # () -> Optax transformation
    label: str  # what the case exercises
    grad_transform: Callable | None = None  # (step, grads) -> grads


def inject_nan(step, grads):
    """NaN in the 'scale' gradient at `NAN_STEPS`; the other leaves stay finite."""
    if step not in NAN_STEPS:
        return grads
    return {**grads, "scale": grads["scale"] * jnp.nan}


LABELS = {"Dense_0": "sgd", "scale": "fast", "Conv_0": "frozen"}
NOT_BIAS = {"Dense_0": {"kernel": True, "bias": False}, "scale": False, "Conv_0": True}


def not_1d(params):
    return tree.map(lambda p: p.ndim > 1, params)


class NotOneDim(struct.PyTreeNode):
    """A callable pytree as the mask: its one child, `rule`, is a function, so both libraries call it."""

    rule: Callable  # parameter -> bool

    def __call__(self, params):
        return tree.map(self.rule, params)


def _partition_ours(partition_fn, labels):
    return partition_fn({"sgd": scale(-0.05), "fast": chain(scale(2.0), scale(-0.05)), "frozen": set_to_zero()}, labels)


def _partition_optax(partition_fn, labels):
    return partition_fn(
        {
            "sgd": optax.scale(-0.05),
            "fast": optax.chain(optax.scale(2.0), optax.scale(-0.05)),
            "frozen": optax.set_to_zero(),
        },
        labels,
    )


def label_fn(params):
    return {k: LABELS[k] for k in params}


SCHEDULE = (cosine_decay_schedule(0.1, 30, alpha=0.2), optax.cosine_decay_schedule(0.1, 30, alpha=0.2))

CASES = (
    Case(
        "MultiSteps",
        lambda: MultiSteps(scale(-0.1), 3).gradient_transformation(),
        lambda: optax.MultiSteps(optax.scale(-0.1), 3).gradient_transformation(),
        "k=3, mean",
    ),
    Case(
        "MultiSteps",
        lambda: MultiSteps(scale(-0.1), 3, use_grad_mean=False).gradient_transformation(),
        lambda: optax.MultiSteps(optax.scale(-0.1), 3, use_grad_mean=False).gradient_transformation(),
        "k=3, sum",
    ),
    Case(
        "MultiSteps",
        lambda: MultiSteps(
            scale(-0.1), lambda s: 2 + s % 3, should_skip_update_fn=skip_not_finite
        ).gradient_transformation(),
        lambda: optax.MultiSteps(
            optax.scale(-0.1), lambda s: 2 + s % 3, should_skip_update_fn=optax.skip_not_finite
        ).gradient_transformation(),
        "k = 2 + step % 3, skip_not_finite, NaNs injected",
        inject_nan,
    ),
    Case(
        "multi_transform",
        lambda: _partition_ours(multi_transform, LABELS),
        lambda: _partition_optax(optax.multi_transform, LABELS),
        "3 labels, Conv_0 frozen by set_to_zero",
    ),
    Case(
        "partition",
        lambda: _partition_ours(partition, label_fn),
        lambda: _partition_optax(optax.partition, label_fn),
        "labels from a function",
    ),
    Case(
        "masked",
        lambda: chain(add_decayed_weights(1e-2, mask=NOT_BIAS), scale(-0.1)),
        lambda: optax.chain(optax.add_decayed_weights(1e-2, mask=NOT_BIAS), optax.scale(-0.1)),
        "add_decayed_weights(1e-2, mask=tree) in a chain",
    ),
    Case(
        "masked",
        lambda: chain(masked(add_decayed_weights(1e-2), not_1d), scale(-0.1)),
        lambda: optax.chain(optax.masked(optax.add_decayed_weights(1e-2), not_1d), optax.scale(-0.1)),
        "mask=function (ndim > 1)",
    ),
    Case(
        "masked",
        lambda: chain(masked(add_decayed_weights(1e-2), NotOneDim(lambda p: p.ndim > 1)), scale(-0.1)),
        lambda: optax.chain(
            optax.masked(optax.add_decayed_weights(1e-2), NotOneDim(lambda p: p.ndim > 1)), optax.scale(-0.1)
        ),
        "mask=a callable pytree (a purejax.struct dataclass whose child is a function)",
    ),
    Case(
        "apply_if_finite",
        lambda: apply_if_finite(chain(scale(-0.1)), 2),
        lambda: optax.apply_if_finite(optax.chain(optax.scale(-0.1)), 2),
        f"max_consecutive_errors=2, NaN grads at steps {list(NAN_STEPS)}",
        inject_nan,
    ),
    Case(
        "inject_hyperparams",
        lambda: inject_hyperparams(lambda learning_rate: chain(scale(2.0), scale_by_learning_rate(learning_rate)))(
            learning_rate=SCHEDULE[0]
        ),
        lambda: optax.inject_hyperparams(
            lambda learning_rate: optax.chain(optax.scale(2.0), optax.scale_by_learning_rate(learning_rate))
        )(learning_rate=SCHEDULE[1]),
        "learning_rate=cosine_decay_schedule(0.1, 30, alpha=0.2)",
    ),
    Case(
        "inject_hyperparams",
        lambda: inject_hyperparams(scale)(step_size=0.3),
        lambda: optax.inject_hyperparams(optax.scale)(step_size=0.3),
        "numeric step_size=0.3",
    ),
)


def max_diff(case: Case) -> float:
    return compare(case.ours(), case.theirs(), steps=STEPS, grad_transform=case.grad_transform)


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    diff = max(max_diff(case) for case in chosen)
    return Row(
        f"purejax.optim.{name}",
        f"optax.{name}",
        f"{of(chosen, cases)} ({'; '.join(c.label for c in chosen)}); {STEPS} jitted steps, updates, params "
        "and final state",
        describe_rel(diff),
        diff <= OPTIMIZER_RTOL,
        rel=diff,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per wrapper: its settings, 50 jitted steps each."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.optim.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
