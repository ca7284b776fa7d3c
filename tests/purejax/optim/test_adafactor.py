"""Adafactor against Optax, 50 jitted steps side by side; updates of another tree; it needs the parameters."""

import jax
import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params
from comparisons.parity.tables.optim_sgd import linear_schedule
from tests._asserts import assert_update_names_the_path, assert_update_needs_params

SCHEDULE = linear_schedule(0.1, 0.01, 30)

NOT_BIAS = lambda p: jax.tree_util.tree_map(lambda x: jnp.ndim(x) != 1, p)  # noqa: E731

ROWS = [  # (name, ours, theirs, params)
    ("adafactor", lambda: ours.adafactor(), lambda: optax.adafactor(), example_params),
    (
        "adafactor factored schedule momentum decay",
        lambda: ours.adafactor(SCHEDULE, 2, 0.7, 0, False, None, 0.9, jnp.bfloat16, 1e-3, 1e-20, True, NOT_BIAS),
        lambda: optax.adafactor(SCHEDULE, 2, 0.7, 0, False, None, 0.9, jnp.bfloat16, 1e-3, 1e-20, True, NOT_BIAS),
        example_params,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, params", ROWS, ids=[r[0] for r in ROWS])
def test_matches_optax(name, ours_tx, theirs_tx, params):
    assert compare_plain(ours_tx(), theirs_tx(), params=params()) <= OPTIMIZER_RTOL


@pytest.mark.parametrize("tx", [ours.scale_by_factored_rms()], ids=["scale_by_factored_rms"])
def test_mismatched_grads_name_the_path(tx):
    params = example_params()
    grads = {**params, "Conv_0": {}}  # 'kernel' missing
    assert_update_names_the_path(tx, grads, params, "['Conv_0']")


@pytest.mark.parametrize(
    "make", [lambda: ours.adafactor(0.1), ours.scale_by_factored_rms], ids=["adafactor", "scale_by_factored_rms"]
)
def test_params_are_required(make):
    assert_update_needs_params(make())
