"""purejax's optimizer wrappers against Optax's: 50 jitted steps, then the states, then the errors.

One table-driven test covers the wrappers of `transforms/` (masking, partitioning, accumulation,
conditionality, inject). The parity cases live in `comparisons/parity/tables/optim_wrappers.py`
(the report's rows); each runs through the shared harness `optim_harness.compare` (updates and
params at every step, final state arrays) and must agree within `measures.OPTIMIZER_RTOL` (2e-5,
float32 over 50 steps). In practice the wrappers agree bitwise: they add no arithmetic of their
own. A wrapper's own checks beyond the table are in its file (`test_accumulation.py`, ...).
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import purejax.optim
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import example_params, run
from comparisons.parity.tables.optim_wrappers import CASES, inject_nan, max_diff
from purejax import tree
from purejax.optim import (
    MultiSteps,
    PartitionState,
    apply_if_finite,
    inject_hyperparams,
    linear_schedule,
    masked,
    multi_transform,
    partition,
    scale,
    scale_by_learning_rate,
)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}-{c.label}" for c in CASES])
def test_same_as_optax_for_50_steps(case):
    assert max_diff(case) <= OPTIMIZER_RTOL


def _final_states(ours, theirs, steps, grad_transform=None):
    params = example_params()
    return (
        run(ours, purejax.optim.apply_updates, params, steps, grad_transform).state,
        run(theirs, optax.apply_updates, params, steps, grad_transform).state,
    )


# (name, ours, theirs, steps, grad_transform, {field: expected value}); both states must hold it.
STATE_ROWS = (
    (
        "MultiSteps",
        lambda: MultiSteps(scale(-0.1), 3).gradient_transformation(),
        lambda: optax.MultiSteps(optax.scale(-0.1), 3).gradient_transformation(),
        7,
        None,
        {"mini_step": 1, "gradient_step": 2},
    ),
    (
        "apply_if_finite",
        lambda: apply_if_finite(scale(-0.1), 2),
        lambda: optax.apply_if_finite(optax.scale(-0.1), 2),
        22,
        inject_nan,  # NaNs at 5, 20, 21: all skipped
        {"notfinite_count": 2, "last_finite": False, "total_notfinite": 3},
    ),
    (
        "inject_hyperparams",
        lambda: inject_hyperparams(
            lambda learning_rate: purejax.optim.chain(scale(2.0), scale_by_learning_rate(learning_rate))
        )(learning_rate=linear_schedule(0.1, 0.0, 10)),
        lambda: optax.inject_hyperparams(
            lambda learning_rate: optax.chain(optax.scale(2.0), optax.scale_by_learning_rate(learning_rate))
        )(learning_rate=optax.linear_schedule(0.1, 0.0, 10)),
        4,
        None,
        {"count": 4, "hyperparams": {"learning_rate": np.float32(0.1) * np.float32(0.7)}},
    ),
)


@pytest.mark.parametrize(
    "name, ours, theirs, steps, grad_transform, expected", STATE_ROWS, ids=[r[0] for r in STATE_ROWS]
)
def test_state_fields(name, ours, theirs, steps, grad_transform, expected):
    """Counters and stored hyperparameters after a few steps: as expected, and as Optax's."""
    state, optax_state = _final_states(ours(), theirs(), steps, grad_transform)
    assert type(state).__name__ == type(optax_state).__name__
    for field, value in expected.items():
        np.testing.assert_allclose(tree.leaves(getattr(state, field)), tree.leaves(value), rtol=1e-6)
        np.testing.assert_array_equal(
            tree.leaves(getattr(state, field)), jax.tree_util.tree_leaves(getattr(optax_state, field))
        )


def _bad_skip(updates, gradient_step, params):
    return jnp.zeros([], jnp.int32), ()


PARAMS = {"Dense_0": {"kernel": jnp.ones((3, 4)), "bias": jnp.ones(4)}, "scale": jnp.ones([])}
WRONG_GRADS = {"Dense_0": {"kernel": jnp.ones((3, 4)), "b": jnp.ones(4)}, "scale": jnp.ones([])}


def _update_with(tx, grads):
    return lambda: tx.update(grads, tx.init(PARAMS), PARAMS)


ERRORS = (  # (name, call, what the message must say)
    (
        "partition-unknown-label",
        lambda: multi_transform({"sgd": scale(1.0), "adam": scale(2.0)}, {"Dense_0": "sgd", "scale": "frozen"}).init(
            PARAMS
        ),
        r"purejax.optim.multi_transform \(init\): param_labels holds label\(s\) \['frozen'\] "
        r".* labels \['adam', 'sgd'\]",
    ),
    (
        "partition-unknown-label-in-update",
        lambda: partition({"sgd": scale(1.0)}, lambda p: {"Dense_0": "sgd", "scale": "x"}).update(
            PARAMS, PartitionState({})
        ),
        r"\(update\): param_labels holds label\(s\) \['x'\]",
    ),
    (
        "MultiSteps-grads-tree",
        _update_with(MultiSteps(scale(1.0), 2), WRONG_GRADS),
        r"purejax.optim.MultiSteps.update: the updates differ .* at \['Dense_0'\]: dict with keys \['bias', 'kernel'\] "
        r"vs \['b', 'kernel'\]",
    ),
    (
        "masked-grads-tree",
        _update_with(masked(scale(1.0), {"Dense_0": {"kernel": True, "bias": False}, "scale": True}), WRONG_GRADS),
        r"purejax.optim.masked: the updates differ from the mask's tree at \['Dense_0'\]",
    ),
    (
        "partition-grads-tree",
        _update_with(partition({"a": scale(1.0)}, {"Dense_0": "a", "scale": "a"}), {"Dense_0": PARAMS["Dense_0"]}),
        r"purejax.optim.partition.update: updates differ from param_labels at <root>",  # not masked's name
    ),
    (
        "MultiSteps-skip-fn",
        _update_with(MultiSteps(scale(1.0), 2, should_skip_update_fn=_bad_skip), PARAMS),
        r"should_skip_update_fn must return a boolean scalar array first, got dtype int32",
    ),
    (
        "inject_hyperparams-static_args",
        lambda: inject_hyperparams(scale, static_args="lr"),
        r"purejax.optim.inject_hyperparams: static_args must name parameters .* got \['lr'\], .* \['step_size'\]",
    ),
)


@pytest.mark.parametrize("name, call, match", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_say_what_and_where(name, call, match):
    with pytest.raises(ValueError, match=match):
        call()
