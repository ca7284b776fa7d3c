"""A small ResNet with Flax and Optax: `nn.Conv`, `nn.BatchNorm` (mutable 'batch_stats'), `optax.adam`.

    x                                                                  # [batch, S, S, 1], S = image_size (8)
    stem:   h = relu(BN(conv3x3(x)))                                   # [batch, S, S, 16]
    block:  h = relu(shortcut(h) + BN(conv3x3(relu(BN(conv3x3(h))))))
    head:   logits = Dense(10)(mean over height and width of h)        # [batch, 10]

Counterpart: `purejax/models/resnet.py` (`DEFAULTS`, `NAME`, `check_batch` are imported from there).
The data, batches and learning goal are the task `purejax/data/tasks/digits.py`, bound here as
purejax's module binds them.
"""

from __future__ import annotations

from collections.abc import Sequence

import flax.linen as nn
import jax.numpy as jnp
import optax

from purejax.data.tasks import digits
from purejax.models.resnet import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal


class ResNetBlock(nn.Module):
    """conv3x3-BN-relu-conv3x3-BN plus the shortcut (1x1 conv + BN when the shape changes), relu."""

    features: int
    strides: int = 1
    momentum: float = 0.9
    axis_name: str | None = None  # pmap's device axis: BatchNorm's statistics over every device

    @nn.compact
    def __call__(self, x, train: bool):
        def norm():
            return nn.BatchNorm(
                use_running_average=not train,
                momentum=self.momentum,
                axis_name=self.axis_name,
            )

        y = nn.Conv(self.features, (3, 3), self.strides, use_bias=False)(x)  # [batch, H / s, W / s, features]
        y = nn.relu(norm()(y))
        y = nn.Conv(self.features, (3, 3), use_bias=False)(y)
        y = norm()(y)
        if x.shape != y.shape:  # projection shortcut
            x = nn.Conv(self.features, (1, 1), self.strides, use_bias=False)(x)  # [batch, H / s, W / s, features]
            x = norm()(x)
        return nn.relu(x + y)


class ResNet(nn.Module):
    """Stem, residual blocks (stride 2 where the channels grow), global average pool, Dense."""

    stage_features: Sequence[int] = (16, 32)
    num_classes: int = digits.NUM_CLASSES
    momentum: float = 0.9
    axis_name: str | None = None  # pmap's device axis: BatchNorm's statistics over every device
    image_size: int = digits.IMAGE_SIZE  # the side of the square images (the batch check reads it)

    @nn.compact
    def __call__(self, x, train: bool = True):
        # [batch, image_size, image_size, 1] -> [batch, image_size, image_size, stage_features[0]]
        x = nn.Conv(self.stage_features[0], (3, 3), use_bias=False)(x)
        x = nn.relu(nn.BatchNorm(use_running_average=not train, momentum=self.momentum, axis_name=self.axis_name)(x))
        previous = self.stage_features[0]
        for features in self.stage_features:
            strides = 2 if features > previous else 1
            block = ResNetBlock(features, strides, self.momentum, self.axis_name)
            x = block(x, train)  # [batch, image_size / 2, image_size / 2, 32] at the end
            previous = features
        x = jnp.mean(x, axis=(1, 2))  # global average pool, [batch, 32]
        return nn.Dense(self.num_classes)(x)  # [batch, 10]


def build(**hparams) -> ResNet:
    """`ResNet(**hparams)`."""
    return ResNet(**hparams)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, image, train=False)`: 'params' and 'batch_stats'."""
    model = build(**hparams)
    check_batch(batch, model.image_size)
    return model.init(key, jnp.asarray(batch["image"]), train=False)


def predict(variables: dict, image, **hparams):
    """Logits `[B, 10]`, normalized with the running averages."""
    return build(**hparams).apply(variables, jnp.asarray(image), train=False)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(cross-entropy, {'accuracy', ['batch_stats']})` with `optax` and `mutable=['batch_stats']`."""
    model, image = build(**hparams), jnp.asarray(batch["image"])
    check_batch(batch, model.image_size)
    if train:
        logits, updates = model.apply(variables, image, train=True, mutable=["batch_stats"])  # [batch, 10]
    else:
        logits, updates = model.apply(variables, image, train=False), {}
    labels = jnp.asarray(batch["label"])
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    return loss, {"accuracy": accuracy, **updates}


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "NAME",
    "ResNet",
    "ResNetBlock",
    "build",
    "check_batch",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "predict",
    "train_batches",
]
