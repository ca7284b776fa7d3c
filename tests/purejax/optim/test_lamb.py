"""LAMB against Optax, 50 jitted steps side by side; it reads the parameters, so it needs them."""

import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params
from comparisons.parity.tables.optim_sgd import DECAY_MASK, linear_schedule
from tests._asserts import assert_update_needs_params

SCHEDULE = linear_schedule(0.1, 0.01, 30)

ROWS = [  # (name, ours, theirs, params)
    ("lamb", lambda: ours.lamb(0.01), lambda: optax.lamb(0.01), example_params),
    (
        "lamb schedule weight_decay mask",
        lambda: ours.lamb(SCHEDULE, 0.8, 0.99, 1e-4, 1e-8, 1e-2, DECAY_MASK),
        lambda: optax.lamb(SCHEDULE, 0.8, 0.99, 1e-4, 1e-8, 1e-2, DECAY_MASK),
        example_params,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, params", ROWS, ids=[r[0] for r in ROWS])
def test_matches_optax(name, ours_tx, theirs_tx, params):
    assert compare_plain(ours_tx(), theirs_tx(), params=params()) <= OPTIMIZER_RTOL


def test_params_are_required():
    assert_update_needs_params(ours.lamb(0.1))
