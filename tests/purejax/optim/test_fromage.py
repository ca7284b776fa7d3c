"""Fromage against Optax, 50 jitted steps side by side."""

import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_sgd import linear_schedule

SCHEDULE = linear_schedule(0.1, 0.01, 30)

PLAIN = [
    ("fromage", lambda: ours.fromage(0.1), lambda: optax.fromage(0.1)),
    (
        "fromage schedule min_norm",
        lambda: ours.fromage(SCHEDULE, min_norm=1e-2),
        lambda: optax.fromage(SCHEDULE, min_norm=1e-2),
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx", PLAIN, ids=[r[0] for r in PLAIN])
def test_matches_optax(name, ours_tx, theirs_tx):
    assert compare_plain(ours_tx(), theirs_tx()) <= OPTIMIZER_RTOL
