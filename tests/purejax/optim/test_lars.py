"""LARS against Optax, 50 jitted steps side by side; it reads the parameters, so it needs them."""

import jax
import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params
from comparisons.parity.tables.optim_sgd import DECAY_MASK, linear_schedule
from tests._asserts import assert_update_needs_params

SCHEDULE = linear_schedule(0.1, 0.01, 30)

NOT_BIAS = lambda p: jax.tree_util.tree_map(lambda x: jnp.ndim(x) != 1, p)  # noqa: E731

ROWS = [  # (name, ours, theirs, params)
    ("lars", lambda: ours.lars(0.1), lambda: optax.lars(0.1), example_params),
    (
        "lars schedule masks nesterov",
        lambda: ours.lars(SCHEDULE, 1e-3, DECAY_MASK, 0.01, 1e-6, NOT_BIAS, 0.8, True),
        lambda: optax.lars(SCHEDULE, 1e-3, DECAY_MASK, 0.01, 1e-6, NOT_BIAS, 0.8, True),
        example_params,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, params", ROWS, ids=[r[0] for r in ROWS])
def test_matches_optax(name, ours_tx, theirs_tx, params):
    assert compare_plain(ours_tx(), theirs_tx(), params=params()) <= OPTIMIZER_RTOL


def test_params_are_required():
    assert_update_needs_params(ours.lars(0.1))
