"""purejax's schedules against Optax's: bitwise at every boundary, eager and jitted.

The table of cases lives in `comparisons/parity/tables/optim_schedules.py` (the parity report's rows);
here every case runs in every mode. The tolerance is 0 ulp: each schedule is the same XLA ops in
the same order as Optax's, so any difference is a bug, not rounding.
"""

import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comparisons.parity.measures import ulp_distance
from comparisons.parity.tables.optim_schedules import CASES, MAX_ULP, MODES, counts, evaluate
from purejax.optim import (
    cosine_decay_schedule,
    exponential_decay,
    linear_schedule,
    piecewise_constant_schedule,
    sgdr_schedule,
    warmup_cosine_decay_schedule,
)
from tests._asserts import assert_within_ulp


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}-{c.label or 'default'}" for c in CASES])
def test_same_as_optax(case, mode):
    ours, theirs = evaluate(case, mode)
    assert_within_ulp(ours, theirs, MAX_ULP)


def test_counts_cover_boundaries_and_far_past():
    case = next(c for c in CASES if c.name == "sgdr_schedule")
    assert {0, 4, 5, 6, 49, 50, 51, 149, 150, 151, 2**30} <= set(counts(case))


def test_measure_sees_a_difference():
    """The comparison is not vacuous: linear and quadratic decays differ inside the transition."""
    c = jnp.arange(1, 100)
    linear = linear_schedule(1.0, 0.0, 100)(c)
    quadratic = optax.polynomial_schedule(1.0, 0.0, 2, 100)(c)
    assert ulp_distance(linear, quadratic) > 0


@settings(max_examples=30, deadline=None)
@given(
    init=st.floats(0.0, 2.0),
    peak=st.floats(0.01, 2.0),
    warmup=st.integers(0, 50),
    extra=st.integers(1, 200),
    end=st.floats(0.0, 0.5),
    exponent=st.floats(0.5, 3.0),
    count=st.integers(0, 400),
)
def test_warmup_cosine_any_arguments(init, peak, warmup, extra, end, exponent, count):
    args = dict(
        init_value=init,
        peak_value=peak,
        warmup_steps=warmup,
        decay_steps=warmup + extra,
        end_value=end,
        exponent=exponent,
    )
    ours = warmup_cosine_decay_schedule(**args)(jnp.int32(count))
    theirs = optax.warmup_cosine_decay_schedule(**args)(jnp.int32(count))
    assert_within_ulp(ours, theirs, MAX_ULP)


@settings(max_examples=30, deadline=None)
@given(
    init=st.floats(0.01, 2.0),
    steps=st.integers(-2, 30),
    rate=st.floats(0.05, 3.0),
    begin=st.integers(-5, 20),
    staircase=st.booleans(),
    end=st.one_of(st.none(), st.floats(0.01, 5.0)),
    count=st.integers(0, 300),
)
def test_exponential_decay_any_arguments(init, steps, rate, begin, staircase, end, count):
    args = (init, steps, rate, begin, staircase, end)
    ours = exponential_decay(*args)(jnp.int32(count))
    theirs = optax.exponential_decay(*args)(jnp.int32(count))
    assert_within_ulp(np.asarray(ours), np.asarray(theirs), MAX_ULP)


ERRORS = (  # (what is called, the call, what the message must say)
    (
        "cosine_decay_schedule",
        lambda: cosine_decay_schedule(1.0, 0),
        r"purejax.optim.cosine_decay_schedule: decay_steps must be positive, got 0",
    ),
    (
        "warmup_cosine_decay_schedule",
        lambda: warmup_cosine_decay_schedule(0.0, 1.0, 10, 10),
        r"purejax.optim.warmup_cosine_decay_schedule: decay_steps must be greater than warmup_steps \(10\), got 10",
    ),  # the function called, not the cosine_decay_schedule inside
    (
        "piecewise_constant_schedule",
        lambda: piecewise_constant_schedule(1.0, {10: 0.5, 20: -1.0}),
        r"purejax.optim.piecewise_constant_schedule: boundaries_and_scales .* non-negative .* got \{20: -1.0\}",
    ),
    (
        "sgdr_schedule",
        lambda: sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=1)]),
        r"purejax.optim.sgdr_schedule: cosine_kwargs\[0\] must hold 'decay_steps'",
    ),
)


@pytest.mark.parametrize("name, call, match", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_name_the_function_and_argument(name, call, match):
    with pytest.raises(ValueError, match=match):
        call()
