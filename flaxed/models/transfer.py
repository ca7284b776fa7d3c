"""Transfer learning with Flax and Optax: pretrain, Orbax checkpoint, new head, `optax.multi_transform`.

    1 pretrain   CNN(num_classes=5) on digits 0-4 -> orbax save, restore into a fresh tree
    2 frozen     a new head; optax.multi_transform({'head': adam, 'backbone': set_to_zero()}, labels),
                 the model applied with train=False (BatchNorm's running averages, no dropout)
    3 fine-tune  every parameter with adam(finetune_learning_rate), still train=False
    scratch      the baseline: the same CNN, head and batches, every parameter from a random init

Counterpart: `purejax/models/transfer.py` (`DEFAULTS`, `NAME`, `check_batch`, `BACKBONE`, `HEAD`,
`param_labels`, `steps_to` are imported from there). The data are the task
`purejax/data/tasks/digits_transfer.py`, bound here as purejax's module binds them.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import jax.numpy as jnp
import optax

import purejax.random
from flaxed import checkpoint
from flaxed.models import cnn
from flaxed.train import TrainState, make_eval_step, make_train_step
from purejax.data.tasks import digits_transfer
from purejax.models.transfer import BACKBONE, DEFAULTS, HEAD, NAME, check_batch, param_labels, steps_to

# --- data: the task purejax/data/tasks/digits_transfer.py (the target, digits 5-9) -----------

load_data = digits_transfer.load_data
train_batches = digits_transfer.train_batches
eval_batches = digits_transfer.eval_batches
example_batch = digits_transfer.example_batch
learning_goal = digits_transfer.learning_goal


def build(**hparams) -> cnn.CNN:
    """`cnn.CNN(num_classes=5, **hparams)`."""
    return cnn.CNN(**{"num_classes": digits_transfer.NUM_CLASSES, **hparams})


def init(key, batch, **hparams) -> dict:
    """`build().init(key, image, train=False)`: 'params' and 'batch_stats'."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]), train=False)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(cross-entropy, {'accuracy', ['batch_stats']})` with `mutable=['batch_stats']` when `train`."""
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
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    return loss, {"accuracy": accuracy, **updates}


def frozen_loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss_fn(..., train=False)` whatever `train` says: BatchNorm's statistics are only read."""
    del train
    return loss_fn(variables, batch, key, train=False, **hparams)


def frozen_optimizer(params: dict, learning_rate: float) -> optax.GradientTransformation:
    """`optax.multi_transform({'head': adam, 'backbone': set_to_zero()}, param_labels(params))`."""
    return optax.multi_transform(
        {"head": optax.adam(learning_rate), "backbone": optax.set_to_zero()}, param_labels(params)
    )


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


def replace_head(variables: dict, key, batch) -> dict:
    """`variables` with `HEAD`'s params from `init(key, batch)`, the backbone's kept."""
    fresh = init(key, batch)["params"]
    params = {name: fresh[name] if name in HEAD else value for name, value in variables["params"].items()}
    return {"params": params, "batch_stats": variables["batch_stats"]}


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
    """The three phases and the baseline, as `purejax.models.transfer.transfer`, with Orbax's checkpoint."""
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

    # 1 pretrain on digits 0-4, save with Orbax, restore into a fresh tree
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
        os.path.join(directory, "pretrained"), {"params": state.params, "batch_stats": state.batch_stats}
    )
    pretrained = checkpoint.restore(path, target=variables)

    # 2 a new head, trained alone: optax.set_to_zero on the backbone, BatchNorm in inference mode
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
