"""The digits CNN with Flax and Optax: `nn.Conv`, `nn.BatchNorm`, `nn.Dropout` behind a `train` flag.

    x = image                                        # [batch, S, S, 1], S = image_size (8)
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, S / 2, S / 2, features[0]]
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, S / 4, S / 4, features[1]]
    x = Dropout(relu(Dense(flatten(x))))             # [batch, hidden]
    logits = Dense(x)                                # [batch, 10]

Training applies the model with `mutable=['batch_stats']` and `rngs={'dropout': key}`; evaluation
with neither (`use_running_average=True`, `deterministic=True`).

Counterpart: `purejax/models/cnn.py` (`DEFAULTS`, `NAME`, `check_batch`, `check_image_size` are
imported from there).
The data, batches and learning goal are the task `purejax/data/tasks/digits.py`, bound here as
purejax's module binds them.
"""

from __future__ import annotations

from collections.abc import Sequence

import flax.linen as nn
import jax.numpy as jnp
import optax

from purejax.data.tasks import digits
from purejax.models.cnn import DEFAULTS, NAME, check_batch, check_image_size

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal


class CNN(nn.Module):
    """Two `Conv -> BatchNorm -> relu -> max_pool` stages, then `Dense -> relu -> Dropout -> Dense`."""

    features: Sequence[int] = (16, 32)
    hidden: int = 64
    dropout_rate: float = 0.2
    momentum: float = 0.9
    num_classes: int = digits.NUM_CLASSES
    axis_name: str | None = None  # pmap's device axis: BatchNorm's statistics over every device
    image_size: int = digits.IMAGE_SIZE  # the side of the square images

    @nn.compact
    def __call__(self, image, train: bool):
        x = image  # [batch, image_size, image_size, 1]
        for features in self.features:
            x = nn.Conv(features, kernel_size=(3, 3))(x)  # [batch, h, w, features]
            x = nn.BatchNorm(use_running_average=not train, momentum=self.momentum, axis_name=self.axis_name)(x)
            x = nn.max_pool(nn.relu(x), window_shape=(2, 2), strides=(2, 2))  # [batch, h / 2, w / 2, features]
        x = x.reshape((x.shape[0], -1))  # [batch, (image_size / 4) ** 2 * features[-1]] for two stages
        x = nn.relu(nn.Dense(self.hidden)(x))  # [batch, hidden]
        x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)  # [batch, hidden]
        return nn.Dense(self.num_classes)(x)  # [batch, 10]


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
    """`build(**hparams).init(key, image, train=False)`: 'params' and 'batch_stats'."""
    model = build(**hparams)
    check_batch(batch, model.image_size)
    return model.init(key, jnp.asarray(batch["image"]), train=False)


def accuracy(logits, labels):
    """`mean(argmax(logits) == label)`."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, {'accuracy', ['batch_stats' when train]})`."""
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
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return loss, {"accuracy": accuracy(logits, batch["label"]), **updates}


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


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
