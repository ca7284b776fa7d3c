"""Transfer learning: pretrain the digits CNN on 0-4, freeze its backbone, train a new head on 5-9.

    1 pretrain   CNN(num_classes=5) on digits 0-4, every parameter, BatchNorm in training mode
                 -> save the variables (purejax.checkpoint), restore them into a fresh tree
    2 frozen     replace the head (Dense_0, Dense_1) with a fresh one; train on 15 digits 5-9 with
                 multi_transform({'head': adam(lr), 'backbone': set_to_zero()}, param_labels)
                 and the model in inference mode (BatchNorm's running averages, no dropout)
    3 fine-tune  every parameter with adam(finetune_learning_rate), still in inference mode
    scratch      the baseline: the same CNN, head and batches, every parameter from a random init

The backbone is the feature extractor, `Conv_0, BatchNorm_0, Conv_1, BatchNorm_1`; the head is
`Dense_0 -> relu -> Dropout -> Dense_1`. Freezing has two parts, because a BatchNorm has two kinds
of state:

    params       set_to_zero() turns the backbone's updates into zeros, so p + 0 = p: bitwise unchanged
                 (but for a parameter of exactly -0.0, which becomes +0.0)
    batch_stats  the model runs with train=False (use_running_average=True), so the running means and
                 variances are read, never updated, and no 'batch_stats' comes back from loss_fn

The fine-tuning phase keeps BatchNorm in inference mode too, as Keras's transfer-learning guide
advises: 15 digits are too few to re-estimate the statistics the backbone was trained with.

The data are the transfer task, `purejax/data/tasks/digits_transfer.py` (the source digits 0-4, the
few-shot target 5-9); its target functions are bound here as a model's task is.

Shared with `flaxed/models/transfer.py` (imported from here): `DEFAULTS`, `NAME`, `check_batch`,
`BACKBONE`, `HEAD`, `param_labels`, `steps_to`.

Not one of `purejax.models.MODELS`: it is a three-phase program over the `cnn` model, with two
tasks and three optimizers, so it has no single `optimizer(learning_rate)` or training budget;
`python -m comparisons train transfer` runs it (`comparisons/training/transfer.py`).

Counterpart: `flaxed/models/transfer.py` (`optax.multi_transform`, `optax.set_to_zero`, Orbax's
checkpoints, Flax's `TrainState`); the transfer-learning chapter of the seeds' tutorial book
(a pretrained backbone frozen through Optax's `multi_transform`).

References:
  Yosinski, Clune, Bengio & Lipson, *How transferable are features in deep neural networks?*, 2014,
  https://arxiv.org/abs/1411.1792
  Chollet, *Transfer learning & fine-tuning* (Keras guide), 2020,
  https://keras.io/guides/transfer_learning/

Examples:
  >>> import purejax.random
  >>> params = init(purejax.random.PRNGKey(0), example_batch(None))["params"]
  >>> param_labels(params)["Conv_0"], param_labels(params)["Dense_1"]
  ('backbone', 'head')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import cast

import jax.numpy as jnp
import numpy as np

import purejax.optim as optim
import purejax.random
from purejax import checkpoint, losses
from purejax.data.tasks import digits, digits_transfer
from purejax.models import cnn
from purejax.train import TrainState, make_eval_step, make_train_step

NAME = "transfer"
DEFAULTS = {
    "pretrain_steps": 100,  # CNN on digits 0-4: 100% source test accuracy
    "pretrain_learning_rate": 3e-3,  # the cnn model's
    "batch_size": 64,  # pretraining batches; the target's 15 digits are one batch
    "steps": 60,  # the frozen phase (and the from-scratch baseline)
    "learning_rate": 1e-2,  # the new head's Adam (and the baseline's)
    "finetune_steps": 40,
    "finetune_learning_rate": 1e-4,  # every parameter, 100x lower
}
BACKBONE = ("Conv_0", "BatchNorm_0", "Conv_1", "BatchNorm_1")  # frozen: the feature extractor
HEAD = ("Dense_0", "Dense_1")  # replaced and trained


# --- data: the task purejax/data/tasks/digits_transfer.py (the target, digits 5-9) -----------

load_data = digits_transfer.load_data
train_batches = digits_transfer.train_batches
eval_batches = digits_transfer.eval_batches
example_batch = digits_transfer.example_batch
learning_goal = digits_transfer.learning_goal


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    digits.check_digits(batch, NAME)


# --- the model: the digits CNN with a 5-way head ---------------------------------------------


def build(**hparams) -> cnn.CNN:
    """`cnn.CNN(num_classes=5, **hparams)`: two Conv-BatchNorm stages, then the Dense head."""
    return cnn.CNN(**{"num_classes": digits_transfer.NUM_CLASSES, **hparams})


def init(key, batch, **hparams) -> dict:
    """`{'params': ..., 'batch_stats': ...}` of the 5-way CNN, Flax's for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]), train=False)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean cross-entropy, {'accuracy', ['batch_stats' when train]})`, as `cnn.loss_fn` with 5 classes.

    Args:
      variables: `{'params': ..., 'batch_stats': ...}`.
      batch: `{'image': float[B, 8, 8, 1], 'label': int[B] in 0..4}`.
      key: the dropout key; needed when `train`.
      train: True: batch statistics (returned as `metrics['batch_stats']`) and dropout.

    Returns:
      The loss and the metrics.
    """
    check_batch(batch)
    model = build(**hparams)
    if train:
        if key is None:
            raise ValueError(f"{NAME}: training needs a key for dropout: loss_fn(variables, batch, key)")
        logits, updates = model.apply(
            variables, batch["image"], train=True, rngs={"dropout": key}, mutable=["batch_stats"]
        )  # [batch, 5]
    else:
        logits, updates = model.apply(variables, batch["image"], train=False), {}  # [batch, 5]
    labels = jnp.asarray(batch["label"])
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return loss, {"accuracy": digits.accuracy(logits, labels), **updates}


def frozen_loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss_fn` in inference mode whatever `train` says: BatchNorm reads its averages, no dropout.

    The train step still differentiates it; no 'batch_stats' come back, so the step keeps the
    running averages as they are.
    """
    del train
    return loss_fn(variables, batch, key, train=False, **hparams)


# --- freezing: a label per parameter, one optimizer per label ---------------------------------


def param_labels(params: dict) -> dict:
    """`{'Conv_0': 'backbone', ..., 'Dense_1': 'head'}`: a label for each top-level subtree of `params`."""
    unknown = set(params) - set(BACKBONE) - set(HEAD)
    if unknown:
        raise ValueError(
            f"{NAME}.param_labels: params has layers {sorted(unknown)} in neither BACKBONE {BACKBONE} nor HEAD "
            f"{HEAD}; pass the params of transfer.init (the 5-way CNN), or label those layers yourself: "
            "multi_transform(transforms, {'Dense_2': 'head', ...})"
        )
    return {name: "backbone" if name in BACKBONE else "head" for name in params}


def frozen_optimizer(params: dict, learning_rate: float) -> optim.GradientTransformation:
    """`multi_transform({'head': adam(learning_rate), 'backbone': set_to_zero()}, param_labels(params))`."""
    return optim.multi_transform(
        {"head": optim.adam(learning_rate), "backbone": optim.set_to_zero()}, param_labels(params)
    )


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`: pretraining, fine-tuning and the from-scratch baseline."""
    return optim.adam(learning_rate)


def replace_head(variables: dict, key, batch) -> dict:
    """`variables` with a fresh head: `HEAD`'s params from `init(key, batch)`, the backbone's kept."""
    fresh = init(key, batch)["params"]
    params = {name: fresh[name] if name in HEAD else value for name, value in variables["params"].items()}
    return {"params": params, "batch_stats": variables["batch_stats"]}


# --- the program -------------------------------------------------------------------------------


def _phase(state, loss: Callable, batches, steps: int, test: dict, key, on_step) -> tuple:
    """`steps` train steps; after each, the loss and the accuracy on the whole `test` split."""
    train_step, eval_step = make_train_step(loss), make_eval_step(loss_fn)
    history = {"loss": [], "accuracy": []}
    for step in range(steps):
        state, metrics = train_step(state, next(batches), purejax.random.fold_in(key, step))
        history["loss"].append(float(metrics["loss"]))
        history["accuracy"].append(float(eval_step(state, test, None)["accuracy"]))
        if on_step is not None:
            on_step(step, history["loss"][-1], history["accuracy"][-1])
    return state, history


def transfer(key, directory, on_step=None, **budget) -> dict:
    """Run the three phases and the from-scratch baseline; return their curves and variables.

    Args:
      key: the root key: init, the new head, data order and per-step keys derive from it.
      directory: where the pretrained checkpoint is written (`DIRECTORY/pretrained.npz`).
      on_step: optional `(phase, step, loss, accuracy) -> None`, after every step.
      **budget: overrides of `DEFAULTS` (`pretrain_steps=30`, `learning_rate=3e-3`, ...).

    Returns:
      `{'pretrain' | 'frozen' | 'finetune' | 'scratch': {'loss': [...], 'accuracy': [...]},
        'variables': {'pretrained' (restored from the checkpoint), 'frozen', 'finetuned', 'scratch'},
        'checkpoint': path}`; accuracies are on the source's test digits for 'pretrain', the
      target's otherwise.
    """
    unknown = set(budget) - set(DEFAULTS)
    if unknown:
        raise TypeError(
            f"{NAME}.transfer: unknown budget {sorted(unknown)}; the budget is {sorted(DEFAULTS)}, e.g. "
            "transfer(key, directory, steps=30)"
        )
    b = {**DEFAULTS, **budget}
    k_init, k_head, k_source, k_target, k_step = purejax.random.split(key, 5)
    keys = dict(zip(("pretrain", "frozen", "finetune", "scratch"), purejax.random.split(k_step, 4), strict=True))
    source, target = digits_transfer.load_source(), load_data()
    n_target = len(target["train"]["label"])

    def report(phase):
        callback = on_step
        return None if callback is None else lambda *args: callback(phase, *args)

    # 1 pretrain on digits 0-4, save, restore into a fresh tree (the checkpoint's structure)
    first = digits_transfer.source_example_batch(k_source, b["batch_size"])
    variables = init(k_init, first)
    state = TrainState.create(apply_fn=None, tx=optimizer(b["pretrain_learning_rate"]), **variables)
    state, pretrain = _phase(
        state,
        loss_fn,
        digits_transfer.source_train_batches(k_source, b["batch_size"]),
        b["pretrain_steps"],
        source["test"],
        keys["pretrain"],
        report("pretrain"),
    )
    path = checkpoint.save(
        os.path.join(directory, "pretrained.npz"), {"params": state.params, "batch_stats": state.batch_stats}
    )
    pretrained = cast(dict, checkpoint.restore(path, target=variables))  # the tree of `variables`

    # 2 a new head, trained alone: the backbone's updates set to zero, BatchNorm in inference mode
    variables = replace_head(pretrained, k_head, first)
    state = TrainState.create(apply_fn=None, tx=frozen_optimizer(variables["params"], b["learning_rate"]), **variables)
    state, frozen = _phase(
        state,
        frozen_loss_fn,
        train_batches(k_target, n_target),
        b["steps"],
        target["test"],
        keys["frozen"],
        report("frozen"),
    )
    frozen_variables = {"params": state.params, "batch_stats": state.batch_stats}

    # 3 fine-tune every parameter at a lower learning rate, BatchNorm still in inference mode
    state = TrainState.create(apply_fn=None, tx=optimizer(b["finetune_learning_rate"]), **frozen_variables)
    state, finetune = _phase(
        state,
        frozen_loss_fn,
        train_batches(purejax.random.fold_in(k_target, 1), n_target),
        b["finetune_steps"],
        target["test"],
        keys["finetune"],
        report("finetune"),
    )
    finetuned = {"params": state.params, "batch_stats": state.batch_stats}

    # the baseline: the same head and batches as phase 2, the backbone random and trained too
    variables = init(k_head, first)
    state = TrainState.create(apply_fn=None, tx=optimizer(b["learning_rate"]), **variables)
    state, scratch = _phase(
        state,
        loss_fn,
        train_batches(k_target, n_target),
        b["steps"],
        target["test"],
        keys["scratch"],
        report("scratch"),
    )
    return {
        "pretrain": pretrain,
        "frozen": frozen,
        "finetune": finetune,
        "scratch": scratch,
        "variables": {
            "pretrained": pretrained,
            "frozen": frozen_variables,
            "finetuned": finetuned,
            "scratch": {"params": state.params, "batch_stats": state.batch_stats},
        },
        "checkpoint": path,
    }


def steps_to(accuracy: list, goal: float = digits_transfer.GOAL_ACCURACY) -> int | None:
    """The first step (1-based) whose test accuracy reaches `goal`, or None if none does.

    Examples:
      >>> steps_to([0.5, 0.8, 0.9, 0.86], goal=0.85)
      3
    """
    (reached,) = np.nonzero(np.asarray(accuracy) >= goal)
    return int(reached[0]) + 1 if reached.size else None


__all__ = [
    "BACKBONE",
    "DEFAULTS",
    "HEAD",
    "NAME",
    "build",
    "check_batch",
    "eval_batches",
    "example_batch",
    "frozen_loss_fn",
    "frozen_optimizer",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "param_labels",
    "replace_head",
    "steps_to",
    "train_batches",
]
