"""The digits CNN with Flax NNX and Optax: `nnx.Conv`, `nnx.BatchNorm`, `nnx.Dropout`, `optax.adam`.

    x = image                                        # [batch, S, S, 1], S = image_size (8)
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, S / 2, S / 2, features[0]]
    x = max_pool(relu(BatchNorm(Conv_3x3(x))))       # [batch, S / 4, S / 4, features[1]]
    x = Dropout(relu(Linear(flatten(x))))            # [batch, hidden]
    logits = Linear(x)                               # [batch, 10]

NNX switches the stateful layers with the module's mode instead of a `train` argument:
`model.train()` (batch statistics, updated in place in the `nnx.BatchStat` attributes; dropout on)
and `model.eval()` (running averages; dropout off). The running averages are part of the module;
`loss_fn` hands them back in linen's layout as `metrics['batch_stats']`.

`nnx.Linear` is given its input width when it is built, before any image is seen, so the model
needs `image_size` to size the first one: `(image_size // 2 ** len(features)) ** 2 * features[-1]`
(linen's and purejax's `Dense` infer it from their first input).

Dropout's key: `nnx.Dropout(rate, rngs=rngs)` forks a stream of its own at construction (NNX's
idiom; the fork takes one count of the key counter, as purejax's `rng_rule='nnx'` does), but the
key it drops with comes at call time: `model(image, key)` gives it the
stream `linen_stream(key, 'Dropout_0')`, whose first key is the one linen's `Dropout_0` draws from
`rngs={'dropout': key}`, so all three sides drop the same units (NNX's own rule would draw
`fold_in(key, count)`).

Counterpart: `purejax/models/cnn.py` (`DEFAULTS`, `NAME`, `check_batch`, `check_image_size` come from there) and
`flaxed/models/cnn.py` (linen). The data: the digits task.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`), so its values differ from linen's.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from flaxed.nnx.linen_rngs import linen_stream
from purejax.data.tasks import digits
from purejax.models.cnn import DEFAULTS, NAME, check_batch, check_image_size

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal


class CNN(nnx.Module):
    """Two `Conv -> BatchNorm -> relu -> max_pool` stages, then `Linear -> relu -> Dropout -> Linear`."""

    def __init__(
        self,
        features: Sequence[int] = (16, 32),
        hidden: int = 64,
        dropout_rate: float = 0.2,
        momentum: float = 0.9,
        num_classes: int = digits.NUM_CLASSES,
        axis_name: str | None = None,  # pmap's device axis: BatchNorm's statistics over every device
        image_size: int = digits.IMAGE_SIZE,  # the side of the square images
        *,
        rngs: nnx.Rngs,
    ):
        self.image_size = check_image_size(image_size, features)
        self.convs, self.norms = nnx.List(), nnx.List()
        previous = 1  # grey levels
        for width in features:  # in call order: Conv_i, then BatchNorm_i
            self.convs.append(nnx.Conv(previous, width, kernel_size=(3, 3), rngs=rngs))
            self.norms.append(nnx.BatchNorm(width, momentum=momentum, axis_name=axis_name, rngs=rngs))
            previous = width
        side = image_size // 2 ** len(features)  # each stage's max pool halves the image
        self.linear1 = nnx.Linear(side * side * previous, hidden, rngs=rngs)
        self.dropout = nnx.Dropout(dropout_rate, rngs=rngs)  # forks a stream of its own, as NNX's idiom does
        self.linear2 = nnx.Linear(hidden, num_classes, rngs=rngs)

    def __call__(self, image, key=None):
        x = image  # [batch, image_size, image_size, 1]
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = norm(conv(x))  # [batch, h, w, features]
            x = nnx.max_pool(nnx.relu(x), window_shape=(2, 2), strides=(2, 2))  # [batch, h / 2, w / 2, features]
        x = x.reshape((x.shape[0], -1))  # [batch, side * side * features[-1]]
        x = nnx.relu(self.linear1(x))  # [batch, hidden]
        x = self.dropout(x, rngs=None if key is None else linen_stream(key, "Dropout_0"))  # [batch, hidden]
        return self.linear2(x)  # [batch, 10]


def paths(features: Sequence[int] = (16, 32), **_) -> dict:
    """`{NNX module path: linen module path}` for `CNN(features)`."""
    table = {("linear1",): ("Dense_0",), ("linear2",): ("Dense_1",)}
    for i in range(len(features)):
        table[("convs", i)] = (f"Conv_{i}",)
        table[("norms", i)] = (f"BatchNorm_{i}",)
    return table


def build(
    features: Sequence[int] = (16, 32),
    hidden: int = 64,
    dropout_rate: float = 0.2,
    momentum: float = 0.9,
    axis_name: str | None = None,
    image_size: int = digits.IMAGE_SIZE,
    *,
    rngs: nnx.Rngs | None = None,
) -> CNN:
    """The classifier, its arrays drawn from `rngs` (default `Rngs(0)`); see `CNN`."""
    rngs = nnx.Rngs(0) if rngs is None else rngs
    return CNN(tuple(features), hidden, dropout_rate, momentum, axis_name=axis_name, image_size=image_size, rngs=rngs)


def to_variables(model: CNN) -> dict:
    """`{'params': {'Conv_i', 'BatchNorm_i', 'Dense_0', 'Dense_1'}, 'batch_stats': {'BatchNorm_i'}}`."""
    return layout.to_variables(model, paths(features=tuple(model.convs)))


def from_variables(variables, **hparams) -> CNN:
    """The `CNN` holding linen-layout `variables`, running averages included, bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, paths(**hparams))


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    model = build(**hparams, rngs=nnx.Rngs(key))
    check_batch(batch, model.image_size)
    return to_variables(model)


def accuracy(logits, labels):
    """`mean(argmax(logits) == label)`."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def loss(model: CNN, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `model.train()` or `model.eval()`, then cross-entropy."""
    if train and key is None:
        raise ValueError(f"{NAME}: training needs a key for dropout: loss_fn(variables, batch, key)")
    model.train() if train else model.eval()
    logits = model(jnp.asarray(batch["image"]), key if train else None)  # [batch, 10]
    value = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return value, {"accuracy": accuracy(logits, batch["label"])}


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
    "CNN",
    "DEFAULTS",
    "NAME",
    "accuracy",
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
    "to_variables",
    "train_batches",
]
