"""Optimistic gradient descent against Optax, 50 jitted steps side by side, and its grads check."""

import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params
from tests._asserts import assert_update_names_the_path

PLAIN = [
    (
        "optimistic_gradient_descent",
        lambda: ours.optimistic_gradient_descent(0.1),
        lambda: optax.optimistic_gradient_descent(0.1),
    ),
    (
        "optimistic_gradient_descent alpha beta",
        lambda: ours.optimistic_gradient_descent(0.05, alpha=0.5, beta=2.0),
        lambda: optax.optimistic_gradient_descent(0.05, alpha=0.5, beta=2.0),
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx", PLAIN, ids=[r[0] for r in PLAIN])
def test_matches_optax(name, ours_tx, theirs_tx):
    assert compare_plain(ours_tx(), theirs_tx()) <= OPTIMIZER_RTOL


@pytest.mark.parametrize("tx", [ours.scale_by_optimistic_gradient()], ids=["scale_by_optimistic_gradient"])
def test_mismatched_grads_name_the_path(tx):
    params = example_params()
    grads = {**params, "Dense_0": {"kernel": params["Dense_0"]["kernel"]}}  # 'bias' missing
    assert_update_names_the_path(tx, grads, params, "['Dense_0']")
