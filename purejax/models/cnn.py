"""A convolutional digits classifier with BatchNorm and Dropout, switched by a `train` flag.

    x = image                                        # [batch, S, S, 1], S = image_size (8)
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, S / 2, S / 2, features[0]]
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, S / 4, S / 4, features[1]]
    x = Dropout(relu(Dense(flatten(x))))             # [batch, hidden]
    logits = Dense(x)                                # [batch, 10]
    loss = mean(logsumexp(logits) - logits[label])   # softmax cross-entropy, integer labels

`image_size` is the side of the images the model takes: 8, the digits' own, by default; 16 or 32
for the digits enlarged with `digits.upscale(batch, 2 or 4)`, so the convolutions and the first
Dense grow with it (the sweep of `python -m comparisons bench --sweep` grows it with the channels).

`train` decides what the two stateful layers do:

    train=True:   BatchNorm normalizes with the batch's statistics and updates its running averages
                  (returned as `metrics['batch_stats']`); Dropout drops with the loss_fn's `key`
                  (`rngs={'dropout': key}`).
    train=False:  BatchNorm normalizes with the running averages (`use_running_average=True`), so an
                  example's logits do not depend on the rest of its batch; Dropout passes its inputs
                  through (`deterministic=True`); no key is needed.

The data are the digits task, `purejax/data/tasks/digits.py` (the split, batches and learning
goal of every digits classifier); its functions are bound here and in `flaxed/models/cnn.py`.

Shared with `flaxed/models/cnn.py` and `flaxed/nnx/cnn.py` (imported from here): `DEFAULTS`, `NAME`,
`check_batch`, `check_image_size`.

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
from purejax.checks import check_positive_int
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


def check_batch(batch, image_size: int = digits.IMAGE_SIZE) -> None:
    """Raise a ValueError naming the model, the expected `[B, image_size, image_size, 1]` and the actual shapes."""
    digits.check_digits(batch, NAME, image_size)


def check_image_size(image_size: int, features: Sequence[int]) -> int:
    """`image_size`, refused when the `len(features)` poolings would halve it to nothing.

    Each stage's 2x2 max pool halves the side (rounding down), so the flattened features need
    `image_size >= 2 ** len(features)`.
    """
    image_size = check_positive_int(NAME, "image_size", image_size)
    smallest = 2 ** len(features)
    if image_size < smallest:
        raise ValueError(
            f"{NAME}: image_size must be at least {smallest} for {len(features)} stages of 2x2 max pooling "
            f"(each halves the image), got {image_size}; pass fewer features or upscale the images "
            f"(purejax.data.tasks.digits.upscale)"
        )
    return image_size


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
      image_size: the side of the square images, in pixels (default 8, the digits'); `Dense_0`'s
        input width follows from it, `(image_size // 2 ** len(features)) ** 2 * features[-1]`.

    Call: `forward(scope, image, train)` with `image: float[batch, image_size, image_size, 1]`;
    returns `logits: [batch, 10]`.
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
    image_size: int = digits.IMAGE_SIZE  # the side of the square images

    def forward(self, scope: nn.Scope, image, train: bool):
        x = image  # [batch, image_size, image_size, 1]
        for features in self.features:
            x = scope.child(nn.Conv(features, kernel_size=(3, 3)))(x)  # [batch, h, w, features]
            x = scope.child(
                nn.BatchNorm(use_running_average=not train, momentum=self.momentum, axis_name=self.axis_name)
            )(x)
            x = nn.max_pool(nn.relu(x), window_shape=(2, 2), strides=(2, 2))  # [batch, h / 2, w / 2, features]
        x = x.reshape((x.shape[0], -1))  # [batch, (image_size / 4) ** 2 * features[-1]] for two stages
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        x = scope.child(nn.Dropout(self.dropout_rate, deterministic=not train))(x)  # [batch, hidden]
        return scope.child(nn.Dense(self.num_classes))(x)  # [batch, 10]


def build(
    features: Sequence[int] = (16, 32),
    hidden: int = 64,
    dropout_rate: float = 0.2,
    momentum: float = 0.9,
    axis_name: str | None = None,
    image_size: int = digits.IMAGE_SIZE,
) -> CNN:
    """The classifier; see `CNN` for the hyperparameters."""
    return CNN(
        features=tuple(features),
        hidden=hidden,
        dropout_rate=dropout_rate,
        momentum=momentum,
        axis_name=axis_name,
        image_size=check_image_size(image_size, features),
    )


def init(key, batch, **hparams) -> dict:
    """`{'params': ..., 'batch_stats': ...}` (running means 0, variances 1), Flax's for the same `key`.

    Built with `train=False`, as Flax's examples do: no dropout key is needed. The batch's images
    are `[B, image_size, image_size, 1]` (`hparams['image_size']`, 8 by default).
    """
    model = build(**hparams)
    check_batch(batch, model.image_size)
    return model.init(key, jnp.asarray(batch["image"]), train=False)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, metrics)` with BatchNorm and Dropout in `train` mode or not.

    Args:
      variables: `{'params': ..., 'batch_stats': ...}`.
      batch: `{'image': float[B, S, S, 1], 'label': int[B]}`, `S = image_size` (8 by default).
      key: the dropout key (`rngs={'dropout': key}`); needed when `train`, unused otherwise.
      train: True: batch statistics and dropout; False: running averages, no dropout.
      **hparams: `build`'s hyperparameters, the ones `init` was given (`image_size=32`, ...).

    Returns:
      `(loss, {'accuracy': ..., 'batch_stats': new running averages})` when `train`,
      `(loss, {'accuracy': ...})` otherwise.
    """
    model = build(**hparams)
    check_batch(batch, model.image_size)
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
    "check_image_size",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "train_batches",
]
