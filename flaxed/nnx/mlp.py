"""The digits MLP with Flax NNX and Optax: three `nnx.Linear` in an `nnx.Module`, `optax.adam`.

    h1 = relu(flatten(image) @ W1 + b1)           # [batch, hidden]
    h2 = relu(h1 @ W2 + b2)                       # [batch, hidden]
    logits = h2 @ W3 + b3                         # [batch, 10]
    loss = mean(optax.softmax_cross_entropy_with_integer_labels(logits, label))

An NNX module is an object that owns its arrays: `MLP(rngs=nnx.Rngs(0))` creates them at
construction (so each layer is told its input width), and `model(image)` reads them. The
contract's functions stay functional: `loss_fn(variables, ...)` makes the module from linen's
variables (`from_variables`), and `init` returns the module's arrays in linen's layout
(`to_variables`), so the three sides' variables compare as one tree.

Counterpart: `purejax/models/mlp.py` (`DEFAULTS`, `NAME`, `check_batch` are imported from there)
and `flaxed/models/mlp.py` (linen). The data are the task `purejax/data/tasks/digits.py`.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`: a counter per stream, in
  construction order), so its values differ from linen's for the same key; its tree does not.
"""

from __future__ import annotations

import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from purejax.data.tasks import digits
from purejax.models.mlp import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal

PATHS = {("linear1",): ("Dense_0",), ("linear2",): ("Dense_1",), ("linear3",): ("Dense_2",)}  # NNX -> linen


class MLP(nnx.Module):
    """`flatten -> Linear(hidden) -> relu -> Linear(hidden) -> relu -> Linear(num_classes)`."""

    def __init__(self, hidden: int = 64, num_classes: int = digits.NUM_CLASSES, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(digits.PIXELS, hidden, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, hidden, rngs=rngs)
        self.linear3 = nnx.Linear(hidden, num_classes, rngs=rngs)

    def __call__(self, image):
        x = image.reshape((image.shape[0], -1))  # [batch, 64]
        x = nnx.relu(self.linear1(x))  # [batch, hidden]
        x = nnx.relu(self.linear2(x))  # [batch, hidden]
        return self.linear3(x)  # [batch, 10]


def build(hidden: int = 64, *, rngs: nnx.Rngs | None = None) -> MLP:
    """The classifier with `hidden` units per hidden layer, its arrays drawn from `rngs` (default `Rngs(0)`)."""
    return MLP(hidden=hidden, rngs=nnx.Rngs(0) if rngs is None else rngs)


def to_variables(model: MLP) -> dict:
    """`{'params': {'Dense_0', 'Dense_1', 'Dense_2'}}`, linen's layout of `model`'s arrays."""
    return layout.to_variables(model, PATHS)


def from_variables(variables, **hparams) -> MLP:
    """The `MLP` holding linen-layout `variables` (bitwise: `to_variables(from_variables(v)) == v`)."""
    return layout.from_variables(lambda: build(**hparams), variables, PATHS)


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def accuracy(logits, labels):
    """`mean(argmax(logits) == label)`."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def loss(model: MLP, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `(mean softmax cross-entropy, {'accuracy': ...})`."""
    logits = model(jnp.asarray(batch["image"]))  # [batch, 10]
    value = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return value, {"accuracy": accuracy(logits, batch["label"])}


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss(from_variables(variables), ...)`: the contract's functional loss; `key`, `train` unused."""
    check_batch(batch)
    return loss(from_variables(variables, **hparams), batch, key, train)


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)` (in NNX: `nnx.Optimizer(model, optimizer(lr), wrt=nnx.Param)`)."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "MLP",
    "NAME",
    "PATHS",
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
    "to_variables",
    "train_batches",
]
