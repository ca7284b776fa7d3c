"""Transfer learning, `purejax/models/transfer.py` beside `flaxed/models/transfer.py`.

- the frozen phase leaves the backbone's params and BatchNorm statistics bitwise unchanged, in
  both packages, while the new head moves (and without the freezing the same step moves both);
- the whole program (pretrain, checkpoint, restore, new head, frozen, fine-tune, the from-scratch
  baseline) agrees between the packages step for step, on a short budget;
- at the default budget (seed 0) the transferred head reaches the goal accuracy in fewer steps
  than the same model trained from scratch on the same 15 digits.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import purejax.random
import purejax.tree
from comparisons.parity.measures import TRAINING_RTOL
from comparisons.training.transfer import backbone, train_transfer
from flaxed.models import transfer as flaxed_transfer
from flaxed.train import TrainState as FlaxTrainState
from purejax.models import transfer
from purejax.train import TrainState, make_train_step
from tests._asserts import assert_bitwise, assert_refused

SIDES = [
    pytest.param(transfer, TrainState, id="purejax"),
    pytest.param(flaxed_transfer, FlaxTrainState, id="flaxed"),
]


def _differs(a, b) -> bool:
    """Some leaf of `a` is not bitwise equal to `b`'s."""
    return any(not np.array_equal(x, y) for x, y in zip(purejax.tree.leaves(a), purejax.tree.leaves(b), strict=True))


@pytest.mark.parametrize("module, state_class", SIDES)
def test_frozen_phase_leaves_the_backbone_bitwise_unchanged(module, state_class, key):
    batch = module.example_batch(key, batch_size=15)  # the target's 15 training digits
    k_pretrained, k_head, k_step = purejax.random.split(key, 3)
    pretrained = module.init(k_pretrained, batch)
    variables = module.replace_head(pretrained, k_head, batch)
    assert_bitwise(backbone(variables), backbone(pretrained))
    assert _differs(variables["params"]["Dense_1"], pretrained["params"]["Dense_1"])

    state = state_class.create(apply_fn=None, tx=module.frozen_optimizer(variables["params"], 1e-2), **variables)
    step = make_train_step(module.frozen_loss_fn)
    for i in range(2):
        state, _ = step(state, batch, purejax.random.fold_in(k_step, i))
    trained = {"params": state.params, "batch_stats": state.batch_stats}
    assert_bitwise(backbone(trained), backbone(pretrained))
    for name in module.HEAD:
        assert _differs(trained["params"][name], variables["params"][name]), name

    # the control: the same step without the freezing moves the backbone and its statistics
    state = state_class.create(apply_fn=None, tx=module.optimizer(1e-2), **variables)
    state, _ = make_train_step(module.loss_fn)(state, batch, k_step)
    assert _differs(state.params["Conv_0"], pretrained["params"]["Conv_0"])
    assert _differs(state.batch_stats, pretrained["batch_stats"])


def test_param_labels_cover_backbone_and_head(key):
    params = transfer.init(key, transfer.example_batch(key))["params"]
    labels = transfer.param_labels(params)
    assert sorted(k for k, v in labels.items() if v == "backbone") == sorted(transfer.BACKBONE)
    assert sorted(k for k, v in labels.items() if v == "head") == sorted(transfer.HEAD)
    with pytest.raises(ValueError, match="Dense_2"):
        transfer.param_labels({**params, "Dense_2": {}})


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Both packages' program at the default budget (fine-tuning shortened), from `PRNGKey(0)`."""
    directory = tmp_path_factory.mktemp("transfer")
    return directory, train_transfer(seed=0, directory=str(directory), finetune_steps=10)


def test_both_packages_agree_step_for_step(run):
    directory, result = run
    assert result["init_equal"]
    for phase, diff in result["max_rel_loss_diff"].items():
        assert diff <= TRAINING_RTOL, phase
        assert len(result["purejax"][phase]["loss"]) == len(result["flaxed"][phase]["loss"]) > 0
    for side in ("purejax", "flaxed"):
        assert result[side]["frozen_unchanged"] and result[side]["finetune_stats_unchanged"], side
    assert os.path.isfile(directory / "purejax" / "pretrained.npz")
    assert os.path.isdir(directory / "flaxed" / "pretrained")  # Orbax's directory
    # either package's restored checkpoint holds the same variables
    assert_bitwise(result["purejax"]["variables"]["pretrained"], result["flaxed"]["variables"]["pretrained"])
    assert result["ok"]


@pytest.mark.parametrize("side", ["purejax", "flaxed"])
def test_transfer_reaches_the_goal_in_fewer_steps_than_from_scratch(run, side):
    _, result = run
    frozen, scratch = (result[side]["steps_to_goal"][phase] for phase in ("frozen", "scratch"))
    assert frozen is not None and scratch is not None
    assert frozen < scratch, (frozen, scratch)
    assert transfer.learning_goal({"accuracy": result[side]["frozen"]["accuracy"][-1]})[0]
    assert result[side]["pretrain"]["accuracy"][-1] >= 0.95  # the backbone learned its own task


def test_flaxed_shares_the_task_and_the_labels():
    for name in ("DEFAULTS", "NAME", "check_batch", "BACKBONE", "HEAD", "param_labels", "steps_to", "load_data"):
        assert getattr(flaxed_transfer, name) is getattr(transfer, name), name
    for name in ("train_batches", "eval_batches", "example_batch", "learning_goal"):
        assert getattr(flaxed_transfer, name) is getattr(transfer, name), name
    for name in ("build", "init", "loss_fn", "frozen_loss_fn", "frozen_optimizer", "replace_head", "transfer"):
        assert getattr(flaxed_transfer, name) is not getattr(transfer, name), name


@pytest.mark.parametrize("module", [transfer, flaxed_transfer], ids=["purejax", "flaxed"])
def test_bad_input_is_refused_naming_the_program(module, tmp_path):
    assert_refused(
        lambda: module.transfer(purejax.random.PRNGKey(0), str(tmp_path), step=5),
        TypeError,
        "transfer.transfer",
        "'step'",
        "'steps'",
    )
    assert_refused(
        lambda: module.loss_fn({}, {"image": np.zeros((2, 8, 8)), "label": np.zeros(2, int)}),
        ValueError,
        "transfer",
        "[B, 8, 8, 1]",
    )
