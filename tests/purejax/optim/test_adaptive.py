"""Adaptive optimizers (Adam, RMSProp and relatives) against Optax, step for step.

One table-driven test covers the eleven moment-based optimizer files (adam, adamax, amsgrad,
adabelief, radam, yogi, lion, novograd, rmsprop, adagrad, adadelta): the cases live in
`comparisons/parity/tables/optim_adaptive.py` (shared with the parity report): every alias with
default and non-default hyperparameters, schedules, and each building block. An optimizer's own
checks beyond the table are in its file (`test_rmsprop.py`, `test_lion.py`, `test_novograd.py`).
"""

import optax
import pytest

from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_adaptive import ALIASES, CASES, ours, run_case
from comparisons.parity.tables.optim_harness import compare, example_params


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}[{c.label}]" for c in CASES])
def test_matches_optax(case):
    assert run_case(case) <= OPTIMIZER_RTOL


def test_every_alias_has_a_default_and_a_non_default_case():
    for name in ALIASES:
        labels = {c.label for c in CASES if c.name == name}
        assert "defaults" in labels and len(labels) >= 2, name


@pytest.mark.parametrize("name", ALIASES)
def test_same_state_classes_as_optax(name):
    lr = 1.0 if name == "adadelta" else 1e-2
    params = example_params()
    state, theirs = getattr(ours, name)(lr).init(params), getattr(optax, name)(lr).init(params)
    assert [type(s).__name__ for s in state] == [type(s).__name__ for s in theirs]
    assert [getattr(s, "_fields", ()) for s in state] == [getattr(s, "_fields", ()) for s in theirs]


@pytest.mark.parametrize("name", ALIASES)
def test_grads_of_another_tree_raise_naming_the_path(name):
    tx = getattr(ours, name)(1e-2)
    params = example_params()
    grads = dict(params, Dense_0={"kernel": params["Dense_0"]["kernel"]})  # no 'bias'
    with pytest.raises(ValueError, match=r"\['Dense_0'\]"):
        tx.update(grads, tx.init(params), params)


def test_rms_with_bias_correction_is_adam_without_first_moment():
    """Optax's note: scale_by_rms(eps_in_sqrt=False, bias_correction=True) == scale_by_adam(b1=0)."""
    rms = ours.chain(ours.scale_by_rms(decay=0.99, eps_in_sqrt=False, bias_correction=True), ours.scale(-1e-2))
    adam = ours.chain(ours.scale_by_adam(b1=0.0, b2=0.99), ours.scale(-1e-2))
    assert compare(rms, adam, compare_state=False) <= OPTIMIZER_RTOL  # ours against ours; states differ
