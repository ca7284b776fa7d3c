"""A small residual network trained from scratch on the 8x8 digits, with BatchNorm's running averages.

    x                                                                  # [batch, S, S, 1], S = image_size (8)
    stem:   h = relu(BN(conv3x3(x)))                                   # [batch, S, S, 16]
    block:  y = BN(conv3x3(relu(BN(conv3x3(h)))))                      # residual branch
            s = h, or BN(conv1x1(h)) when the shape changes            # shortcut
            h = relu(s + y)
    head:   logits = Dense(10)(mean over height and width of h)        # [batch, 10]
    loss  = mean(softmax cross-entropy(logits, label))

The data are the digits task, `purejax/data/tasks/digits.py` (the split, batches and learning
goal of every digits classifier); its functions are bound here and in `flaxed/models/resnet.py`.
Two blocks: 16 channels at 8x8, then 32 channels at 4x4 (stride 2, projection shortcut).
`image_size` is the side of the images the model takes: 8, the digits' own, by default; 16 or 32
for the digits enlarged with `digits.upscale(batch, 2 or 4)`. The global average pool makes the
variables the same at every size; only the convolutions' work grows (the sweep of
`python -m comparisons bench --sweep` grows it with the channels), and the batch check reads it.
Training normalizes with the batch's statistics and returns the new running averages as
`metrics['batch_stats']`; evaluation (`train=False`) normalizes with those averages.

Shared with `flaxed/models/resnet.py` (imported from here): `DEFAULTS`, `NAME`, `check_batch`.

Counterpart: `flaxed/models/resnet.py` (`flax.linen.Conv`, `BatchNorm`, `Dense` and `optax.adam`),
modelled on the `ResNetBlock` of Flax's ImageNet example (examples/imagenet/models.py).

References:
  He, Zhang, Ren & Sun, *Deep Residual Learning for Image Recognition*, 2015,
  https://arxiv.org/abs/1512.03385
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
from purejax import losses
from purejax.data.tasks import digits

NAME = "resnet"
# Adam at 1e-3 reaches ~98% test accuracy in 150 steps. At 3e-3 it learns as fast, but the
# trajectory turns chaotic after ~30 steps: a gradient computed in a different order on 8
# devices (float rounding, 1e-7) grew to a 3.5e-3 loss difference by step 46; at 1e-3 it stays
# at 2e-7 (the parallel parity check, `python -m comparisons --only parallel`). A likely cause,
# not verified: BatchNorm leaves some gradient directions at rounding-noise size, and Adam's
# normalization turns noise into full-size steps.
DEFAULTS = {"steps": 150, "batch_size": 64, "learning_rate": 1e-3}


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


# --- the model -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ResNetBlock(nn.Layer):
    """A basic residual block: two 3x3 convolutions with BatchNorm, plus the input (projected if needed).

        y   = BN(conv3x3(relu(BN(conv3x3_strides(x)))))        # [batch, H / s, W / s, features]
        out = relu(x + y), or relu(BN(conv1x1_strides(x)) + y) when the shape changes

    Attributes:
      features: output channels.
      strides: the first convolution's (and the projection's) stride, 1 or 2.
      momentum: BatchNorm's running-average decay.
      axis_name: under `pmap`, the device axis over which BatchNorm averages its statistics.

    Call: `forward(scope, x, train)` with `x: [batch, H, W, C]`.

    Counterpart: `ResNetBlock` in Flax's examples/imagenet/models.py (our flaxed twin).

    Differences:
      The last BatchNorm's scale starts at ones, not zeros as in Flax's example (no
      "zero-init residual"): with two blocks the plain start trains as well.
    """

    features: int
    strides: int = 1
    momentum: float = 0.9
    axis_name: str | None = None  # pmap's device axis: BatchNorm's statistics over every device

    def forward(self, scope: nn.Scope, x, train: bool):
        def norm(h):
            return scope.child(
                nn.BatchNorm(use_running_average=not train, momentum=self.momentum, axis_name=self.axis_name)
            )(h)

        def conv(kernel, strides=1):
            return scope.child(nn.Conv(self.features, (kernel, kernel), strides, use_bias=False))

        y = nn.relu(norm(conv(3, self.strides)(x)))  # [batch, H / s, W / s, features]
        y = norm(conv(3)(y))
        if x.shape != y.shape:  # projection shortcut
            x = norm(conv(1, self.strides)(x))  # [batch, H / s, W / s, features]
        return nn.relu(x + y)


@dataclasses.dataclass(frozen=True)
class ResNet(nn.Layer):
    """Stem convolution, residual blocks, global average pooling and a linear classifier.

    Attributes:
      stage_features: channels of each block; a block whose channels grow uses stride 2.
      num_classes: outputs of the final Dense.
      momentum: BatchNorm's running-average decay (Flax's ImageNet example uses 0.9).
      axis_name: under `pmap`, the device axis over which BatchNorm averages its statistics.
      image_size: the side of the square images, in pixels (default 8, the digits'); the variables
        do not depend on it (global average pooling): `init` and `loss_fn` check the batch with it.

    Call: `forward(scope, x, train=True)` with `x: float32[batch, image_size, image_size, 1]`; returns logits
    `[batch, num_classes]`. Variables: 'params' (`Conv_0`, `BatchNorm_0`, `ResNetBlock_0..`,
    `Dense_0`) and 'batch_stats'.

    Counterpart: `ResNet` in flaxed/models/resnet.py.
    """

    stage_features: Sequence[int] = (16, 32)
    num_classes: int = digits.NUM_CLASSES
    momentum: float = 0.9
    axis_name: str | None = None  # pmap's device axis: BatchNorm's statistics over every device
    image_size: int = digits.IMAGE_SIZE  # the side of the square images

    def forward(self, scope: nn.Scope, x, train: bool = True):
        # [batch, image_size, image_size, 1] -> [batch, image_size, image_size, stage_features[0]]
        x = scope.child(nn.Conv(self.stage_features[0], (3, 3), use_bias=False))(x)
        x = nn.relu(
            scope.child(nn.BatchNorm(use_running_average=not train, momentum=self.momentum, axis_name=self.axis_name))(
                x
            )
        )
        previous = self.stage_features[0]
        for features in self.stage_features:
            strides = 2 if features > previous else 1
            block = ResNetBlock(features, strides, self.momentum, self.axis_name)
            x = scope.child(block)(x, train)  # [batch, image_size / 2, image_size / 2, 32] at the end
            previous = features
        x = jnp.mean(x, axis=(1, 2))  # global average pool, [batch, 32]
        return scope.child(nn.Dense(self.num_classes))(x)  # [batch, 10]


def build(**hparams) -> ResNet:
    """`ResNet(**hparams)`: `stage_features=(16, 32)`, `num_classes=10`, `momentum=0.9`, `image_size=8` by default."""
    return ResNet(**hparams)


def init(key, batch, **hparams) -> dict:
    """`{'params': ..., 'batch_stats': ...}`, Flax's keys and values for the same `key`.

    The batch's images are `[B, image_size, image_size, 1]` (`hparams['image_size']`, 8 by default).
    """
    model = build(**hparams)
    check_batch(batch, model.image_size)
    return model.init(key, jnp.asarray(batch["image"]), train=False)


def predict(variables: dict, image, **hparams):
    """Logits `[B, 10]` for `image: [B, image_size, image_size, 1]`, normalized with the running averages."""
    return build(**hparams).apply(variables, jnp.asarray(image), train=False)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(cross-entropy, {'accuracy', ['batch_stats']})`; `key` is unused (no randomness).

    With `train=True` the batch's statistics normalize and the updated running averages come
    back as `metrics['batch_stats']` (the train step stores them in the state).
    """
    model, image = build(**hparams), jnp.asarray(batch["image"])
    check_batch(batch, model.image_size)
    if train:
        logits, updates = model.apply(variables, image, train=True, mutable=["batch_stats"])  # [batch, 10]
    else:
        logits, updates = model.apply(variables, image, train=False), {}
    labels = jnp.asarray(batch["label"])
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return loss, {"accuracy": accuracy(logits, labels), **updates}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


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
