"""A small ResNet with Flax NNX and Optax: residual blocks of `nnx.Conv` and `nnx.BatchNorm`, `optax.adam`.

    x = relu(BatchNorm(Conv_3x3(image)))                       # the stem, [batch, S, S, 16], S = image_size (8)
    for each block:  y = BatchNorm(Conv(relu(BatchNorm(Conv(x)))))
                     x = relu(shortcut(x) + y)                 # shortcut: 1x1 Conv + BatchNorm when the shape changes
    logits = Linear(mean over height and width of x)           # [batch, 10]

linen decides the projection shortcut while running (`x.shape != y.shape`); an NNX module
creates its layers before seeing data, so `ResNetBlock` decides it from its widths and stride.
`model.train()` / `model.eval()` switch BatchNorm between batch statistics and running averages.
The global average pool sizes the `nnx.Linear` from the channels alone, so the layers are the same
at every `image_size`; the model keeps it for the batch check.

Counterpart: `purejax/models/resnet.py` (`DEFAULTS`, `NAME`, `check_batch` come from there) and
`flaxed/models/resnet.py` (linen). The data: the digits task.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`), so its values differ from linen's.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from purejax.data.tasks import digits
from purejax.models.resnet import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal


class ResNetBlock(nnx.Module):
    """conv3x3-BN-relu-conv3x3-BN plus the shortcut (1x1 conv + BN when the shape changes), relu."""

    def __init__(
        self, in_features: int, features: int, strides: int = 1, momentum: float = 0.9, axis_name=None, *, rngs
    ):
        def norm():
            return nnx.BatchNorm(features, momentum=momentum, axis_name=axis_name, rngs=rngs)

        self.conv1 = nnx.Conv(in_features, features, (3, 3), strides, use_bias=False, rngs=rngs)
        self.norm1 = norm()
        self.conv2 = nnx.Conv(features, features, (3, 3), use_bias=False, rngs=rngs)
        self.norm2 = norm()
        self.project = strides != 1 or in_features != features  # linen: x.shape != y.shape
        if self.project:
            self.shortcut = nnx.Conv(in_features, features, (1, 1), strides, use_bias=False, rngs=rngs)
            self.shortcut_norm = norm()

    def __call__(self, x):
        y = nnx.relu(self.norm1(self.conv1(x)))  # [batch, H / s, W / s, features]
        y = self.norm2(self.conv2(y))
        if self.project:  # projection shortcut
            x = self.shortcut_norm(self.shortcut(x))  # [batch, H / s, W / s, features]
        return nnx.relu(x + y)


class ResNet(nnx.Module):
    """Stem, residual blocks (stride 2 where the channels grow), global average pool, Linear."""

    def __init__(
        self,
        stage_features: Sequence[int] = (16, 32),
        num_classes: int = digits.NUM_CLASSES,
        momentum: float = 0.9,
        axis_name: str | None = None,
        image_size: int = digits.IMAGE_SIZE,  # the side of the square images (the batch check reads it)
        *,
        rngs: nnx.Rngs,
    ):
        self.image_size = image_size
        first = stage_features[0]
        self.conv = nnx.Conv(1, first, (3, 3), use_bias=False, rngs=rngs)
        self.norm = nnx.BatchNorm(first, momentum=momentum, axis_name=axis_name, rngs=rngs)
        self.blocks, previous = nnx.List(), first
        for features in stage_features:
            strides = 2 if features > previous else 1
            self.blocks.append(ResNetBlock(previous, features, strides, momentum, axis_name, rngs=rngs))
            previous = features
        self.linear = nnx.Linear(previous, num_classes, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.norm(self.conv(x)))  # [batch, image_size, image_size, 16]
        for block in self.blocks:
            x = block(x)  # [batch, image_size / 2, image_size / 2, 32] at the end
        x = jnp.mean(x, axis=(1, 2))  # global average pool, [batch, 32]
        return self.linear(x)  # [batch, 10]


def paths(stage_features: Sequence[int] = (16, 32), **_) -> dict:
    """`{NNX module path: linen module path}` for `ResNet(stage_features)`."""
    table = {("conv",): ("Conv_0",), ("norm",): ("BatchNorm_0",), ("linear",): ("Dense_0",)}
    names = {"conv1": "Conv_0", "norm1": "BatchNorm_0", "conv2": "Conv_1", "norm2": "BatchNorm_1"}
    names.update(shortcut="Conv_2", shortcut_norm="BatchNorm_2")
    for i in range(len(stage_features)):
        for ours, theirs in names.items():
            table[("blocks", i, ours)] = (f"ResNetBlock_{i}", theirs)
    return table


def build(**hparams) -> ResNet:
    """`ResNet(**hparams)`, its arrays drawn from `hparams['rngs']` (default `Rngs(0)`)."""
    return ResNet(**{"rngs": nnx.Rngs(0), **hparams})


def to_variables(model: ResNet) -> dict:
    """Linen's 'params' and 'batch_stats' of `model`."""
    return layout.to_variables(model, paths(stage_features=tuple(model.blocks)))


def from_variables(variables, **hparams) -> ResNet:
    """The `ResNet` holding linen-layout `variables`, running averages included, bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, paths(**hparams))


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    model = build(**hparams, rngs=nnx.Rngs(key))
    check_batch(batch, model.image_size)
    return to_variables(model)


def predict(variables: dict, image, **hparams):
    """Logits `[B, 10]`, normalized with the running averages (`model.eval()`)."""
    model = from_variables(variables, **hparams)
    model.eval()
    return model(jnp.asarray(image))


def loss(model: ResNet, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `(cross-entropy, {'accuracy'})`; `key` unused."""
    model.train() if train else model.eval()
    logits, labels = model(jnp.asarray(batch["image"])), jnp.asarray(batch["label"])  # [batch, 10], [batch]
    value = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return value, {"accuracy": jnp.mean(jnp.argmax(logits, axis=-1) == labels)}


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss(from_variables(variables), ...)`; when `train`, `metrics['batch_stats']`: the new averages."""
    model = from_variables(variables, **hparams)
    check_batch(batch, model.image_size)
    value, metrics = loss(model, batch, key, train)
    if train:
        metrics["batch_stats"] = to_variables(model)["batch_stats"]
    return value, metrics


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
    "from_variables",
    "init",
    "learning_goal",
    "load_data",
    "loss",
    "loss_fn",
    "optimizer",
    "paths",
    "predict",
    "to_variables",
    "train_batches",
]
