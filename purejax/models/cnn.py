"""A convolutional digits classifier with BatchNorm and Dropout, switched by a `train` flag.

    x = max_pool(relu(BatchNorm(Conv_3x3(image))))   # [batch, 4, 4, features[0]]
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, 2, 2, features[1]]
    x = Dropout(relu(Dense(flatten(x))))             # [batch, hidden]
    logits = Dense(x)                                # [batch, 10]
    loss = mean(logsumexp(logits) - logits[label])   # softmax cross-entropy, integer labels

`train` decides what the two stateful layers do:

    train=True:   BatchNorm normalizes with the batch's statistics and updates its running averages
                  (returned as `metrics['batch_stats']`); Dropout drops with the loss_fn's `key`
                  (`rngs={'dropout': key}`).
    train=False:  BatchNorm normalizes with the running averages (`use_running_average=True`), so an
                  example's logits do not depend on the rest of its batch; Dropout passes its inputs
                  through (`deterministic=True`); no key is needed.

The data are the digits task, `purejax/data/tasks/digits.py` (the split, batches and learning
goal of every digits classifier); its functions are bound here and in `flaxed/models/cnn.py`.

Shared with `flaxed/models/cnn.py` (imported from here): `DEFAULTS`, `NAME`, `check_batch`.

Counterpart: `flaxed/models/cnn.py` (`nn.Conv`, `nn.BatchNorm(use_running_average=not train)`,
`nn.Dropout(deterministic=not train)` in an `@nn.compact` module, `optax.adam`).

References:
  LeCun, Bottou, Bengio & Haffner, *Gradient-Based Learning Applied to Document Recognition*, 1998,
  https://doi.org/10.1109/5.726791
  Ioffe & Szegedy, *Batch Normalization*, 2015, https://arxiv.org/abs/1502.03167
  Srivastava et al., *Dropout: A Simple Way to Prevent Neural Networks from Overfitting*, 2014,
  https://jmlr.org/papers/v15/srivastava14a.html
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
from purejax import losses
from purejax.data.tasks import digits

NAME = "cnn"
DEFAULTS = {"steps": 150, "batch_size": 64, "learning_rate": 3e-3}


# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal
accuracy = digits.accuracy


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    digits.check_digits(batch, NAME)


# --- the model -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CNN(nn.Layer):
    """Two `Conv -> BatchNorm -> relu -> max_pool` stages, then `Dense -> relu -> Dropout -> Dense`.

    Attributes:
      features: filters of the two convolutions (default (16, 32)); 3x3 windows, 'SAME' padding.
      hidden: units of the dense hidden layer (default 64).
      dropout_rate: the probability of dropping a hidden unit while training (default 0.2).
      momentum: the BatchNorm running averages' decay (default 0.9).
      axis_name: under `pmap`, the device axis: BatchNorm then averages its statistics over
        every device, so N devices normalize as one device with the whole batch would.
      num_classes: outputs, one logit per class (default 10).

    Call: `forward(scope, image, train)` with `image: float[batch, 8, 8, 1]`; returns
    `logits: [batch, 10]`.
    Variables: 'params' `Conv_0`, `BatchNorm_0`, `Conv_1`, `BatchNorm_1`, `Dense_0`, `Dense_1`;
    'batch_stats' `BatchNorm_0`, `BatchNorm_1` (`mean`, `var`, each `[features[i]]`).

    Counterpart: `CNN` in `flaxed/models/cnn.py`, an `@nn.compact` `flax.linen.Module`.

    Differences:
      The BatchNorm momentum is 0.9 rather than Flax's 0.99, so the running averages forget their
      initial values (0 and 1) within the short default budget (0.9 ** 150 ~ 1e-7; 0.99 ** 150 ~ 0.22).
      PyTorch would write this `momentum=0.1`.
    """

    features: Sequence[int] = (16, 32)
    hidden: int = 64
    dropout_rate: float = 0.2
    momentum: float = 0.9
    num_classes: int = digits.NUM_CLASSES
    axis_name: str | None = None  # pmap's device axis: BatchNorm's statistics over every device

    def forward(self, scope: nn.Scope, image, train: bool):
        x = image  # [batch, 8, 8, 1]
        for features in self.features:
            x = scope.child(nn.Conv(features, kernel_size=(3, 3)))(x)  # [batch, h, w, features]
            x = scope.child(
                nn.BatchNorm(use_running_average=not train, momentum=self.momentum, axis_name=self.axis_name)
            )(x)
            x = nn.max_pool(nn.relu(x), window_shape=(2, 2), strides=(2, 2))  # [batch, h / 2, w / 2, features]
        x = x.reshape((x.shape[0], -1))  # [batch, 2 * 2 * features[-1]]
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        x = scope.child(nn.Dropout(self.dropout_rate, deterministic=not train))(x)  # [batch, hidden]
        return scope.child(nn.Dense(self.num_classes))(x)  # [batch, 10]


def build(
    features: Sequence[int] = (16, 32),
    hidden: int = 64,
    dropout_rate: float = 0.2,
    momentum: float = 0.9,
    axis_name: str | None = None,
) -> CNN:
    """The classifier; see `CNN` for the hyperparameters."""
    return CNN(
        features=tuple(features), hidden=hidden, dropout_rate=dropout_rate, momentum=momentum, axis_name=axis_name
    )


def init(key, batch, **hparams) -> dict:
    """`{'params': ..., 'batch_stats': ...}` (running means 0, variances 1), Flax's for the same `key`.

    Built with `train=False`, as Flax's examples do: no dropout key is needed.
    """
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]), train=False)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, metrics)` with BatchNorm and Dropout in `train` mode or not.

    Args:
      variables: `{'params': ..., 'batch_stats': ...}`.
      batch: `{'image': float[B, 8, 8, 1], 'label': int[B]}`.
      key: the dropout key (`rngs={'dropout': key}`); needed when `train`, unused otherwise.
      train: True: batch statistics and dropout; False: running averages, no dropout.

    Returns:
      `(loss, {'accuracy': ..., 'batch_stats': new running averages})` when `train`,
      `(loss, {'accuracy': ...})` otherwise.
    """
    check_batch(batch)
    model = build(**hparams)
    if not train:
        logits = model.apply(variables, batch["image"], train=False)  # [batch, 10]
        updates = {}
    else:
        if key is None:
            raise ValueError(f"{NAME}: training needs a key for dropout: loss_fn(variables, batch, key)")
        logits, updates = model.apply(
            variables, batch["image"], train=True, rngs={"dropout": key}, mutable=["batch_stats"]
        )  # [batch, 10]
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return loss, {"accuracy": accuracy(logits, batch["label"]), **updates}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """Adam with its default moments, `optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


__all__ = [
    "CNN",
    "DEFAULTS",
    "NAME",
    "build",
    "check_batch",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "train_batches",
]
