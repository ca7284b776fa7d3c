"""Parity of purejax's schedules against Optax's: same arguments, same count, same bits.

Every case builds one schedule twice, with the same arguments, from `purejax.optim` and from
`optax`, and evaluates both at the counts around each boundary (0, b - 1, b, b + 1), far past the
end, and on a dense range of counts: eagerly on Python ints, eagerly on an int32 vector, and
jitted on the vector. The measure is the distance in ulp.

Bitwise agreement is expected and required: each schedule is the same few XLA ops (clip, pow,
cos, where) in the same order as Optax's, so nothing is left to rounding.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purejax.optim as ours
from comparisons.parity.measures import describe_ulp, ulp_distance
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings

MAX_ULP = 0  # same ops in the same order: bitwise
FAR = (10_000, 2**30)  # far past every schedule's end (int32-safe)
VECTOR_LENGTH = 512  # 0 .. 2 * last boundary + 10, the counts above, padded
MODES = ("python ints, eager", "int32 vector, eager", "int32 vector, jit")


class Case(NamedTuple):
    name: str  # the schedule under test
    ours: Callable  # count -> value
    theirs: Callable  # count -> value
    boundaries: tuple  # steps where the schedule changes regime
    label: str = ""  # what is special about the arguments


def _sgdr_kwargs():
    return [
        dict(init_value=0.0, peak_value=1.0, warmup_steps=5, decay_steps=50),
        dict(init_value=0.1, peak_value=0.5, warmup_steps=10, decay_steps=100, end_value=0.01, exponent=2.0),
    ]


def _case(name, args, kwargs, boundaries, label=""):
    """Build `name(*args, **kwargs)` from purejax and from Optax."""
    return Case(name, getattr(ours, name)(*args, **kwargs), getattr(optax, name)(*args, **kwargs), boundaries, label)


def _join_case():
    def parts(m):  # m: purejax.optim or optax
        return [m.constant_schedule(1.0), m.linear_schedule(1.0, 0.0, 50), m.cosine_decay_schedule(0.5, 20)]

    return Case(
        "join_schedules",
        ours.join_schedules(parts(ours), [30, 80]),
        optax.join_schedules(parts(optax), [30, 80]),
        (30, 80),
        "constant, linear, cosine",
    )


CASES = (
    _case("constant_schedule", (0.3,), {}, (0,)),
    _case("linear_schedule", (1.0, 0.01, 100), {"transition_begin": 5}, (5, 105)),
    _case("linear_schedule", (1.0, 0.01, 0), {}, (0,), "transition_steps=0: constant"),
    _case("polynomial_schedule", (1.0, 0.01, 2, 100), {"transition_begin": 5}, (5, 105)),
    _case(
        "polynomial_schedule",
        (2.0, 0.5, 0.5, 40),
        {"transition_begin": -3},
        (0, 40),
        "power=0.5, transition_begin=-3 (clamped to 0)",
    ),
    _case("piecewise_constant_schedule", (1.0, {100: 0.1, 50: 0.5, 200: 0.01}), {}, (50, 100, 200)),
    _case("piecewise_constant_schedule", (0.7, None), {}, (0,), "no boundaries"),
    _case("exponential_decay", (1.0, 10, 0.5), {"transition_begin": 5}, (5, 15, 25)),
    _case(
        "exponential_decay",
        (1.0, 10, 0.5),
        {"transition_begin": 5, "staircase": True, "end_value": 0.05},
        (5, 15, 25, 45),
        "staircase, end_value=0.05",
    ),
    _case("exponential_decay", (1.0, 10, 2.0), {"end_value": 8.0}, (10, 20, 30), "decay_rate=2, capped at 8"),
    _case("exponential_decay", (1.0, 10, 0.0), {}, (0,), "decay_rate=0: constant"),
    _case("cosine_decay_schedule", (1.0, 100), {}, (50, 100)),
    _case("cosine_decay_schedule", (1.0, 100), {"alpha": 0.1, "exponent": 2.0}, (50, 100), "alpha=0.1, exponent=2"),
    _case("warmup_cosine_decay_schedule", (0.0, 1.0, 10, 100), {"end_value": 0.05}, (10, 100)),
    _case("warmup_cosine_decay_schedule", (0.1, 0.0, 10, 100), {}, (10, 100), "peak_value=0"),
    _case(
        "warmup_exponential_decay_schedule",
        (0.0, 1.0, 10, 20, 0.5),
        {"transition_begin": 5, "staircase": True, "end_value": 0.01},
        (10, 15, 35, 55),
    ),
    _join_case(),
    Case(
        "sgdr_schedule",
        ours.sgdr_schedule(_sgdr_kwargs()),
        optax.sgdr_schedule(_sgdr_kwargs()),
        (5, 50, 60, 150),
        "two cycles",
    ),
)


def counts(case: Case) -> list[int]:
    """0, every boundary and its neighbours, and counts far past the end."""
    around = {b + d for b in case.boundaries for d in (-1, 0, 1)}
    return sorted({0, 1, *(c for c in around if c >= 0), *FAR})


def evaluate(case: Case, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Both schedules' values at the case's counts, in one of `MODES`."""
    if mode == MODES[0]:
        pairs = [(case.ours(c), case.theirs(c)) for c in counts(case)]
        return np.stack([np.asarray(a) for a, _ in pairs]), np.stack([np.asarray(b) for _, b in pairs])
    dense = sorted(set(range(2 * max(case.boundaries) + 10)) | set(counts(case)))
    # One length for every case, so that eager ops and jitted shapes are compiled once.
    vector = jnp.asarray(dense + [dense[-1]] * (VECTOR_LENGTH - len(dense)), jnp.int32)
    f, g = (jax.jit(case.ours), jax.jit(case.theirs)) if mode == MODES[2] else (case.ours, case.theirs)
    return np.asarray(f(vector)), np.asarray(g(vector))


def max_ulp(case: Case) -> int:
    return max(ulp_distance(*evaluate(case, mode)) for mode in MODES)


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    ulp = max(max_ulp(case) for case in chosen)
    settings_ = "; ".join(f"{c.label or 'defaults'}: boundaries {list(c.boundaries)}" for c in chosen)
    return Row(
        f"purejax.optim.{name}",
        f"optax.{name}",
        f"{of(chosen, cases)} ({settings_}) +-1 and far past; " + ", ".join(MODES),
        describe_ulp(ulp),
        ulp <= MAX_ULP,
        ulp=ulp,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per schedule: its settings at every boundary, in every mode."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.optim.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
