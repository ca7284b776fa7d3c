"""`scale_by_trust_ratio` (LARS, LAMB and Fromage's core) against Optax, 50 jitted steps; it needs the parameters."""

import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params
from purejax.optim import chain, scale_by_learning_rate
from tests._asserts import assert_update_needs_params

ROWS = [  # (name, ours, theirs, params)
    (
        "scale_by_trust_ratio",
        lambda: chain(ours.scale_by_trust_ratio(1e-2, 0.5, 1e-3), scale_by_learning_rate(0.1)),
        lambda: optax.chain(optax.scale_by_trust_ratio(1e-2, 0.5, 1e-3), optax.scale_by_learning_rate(0.1)),
        example_params,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, params", ROWS, ids=[r[0] for r in ROWS])
def test_matches_optax(name, ours_tx, theirs_tx, params):
    assert compare_plain(ours_tx(), theirs_tx(), params=params()) <= OPTIMIZER_RTOL


def test_params_are_required():
    assert_update_needs_params(ours.scale_by_trust_ratio())
