"""A multilayer perceptron that classifies 8x8 handwritten digits, the seeds' first Flax classifier.

    h1 = relu(flatten(image) @ W1 + b1)           # [batch, hidden]
    h2 = relu(h1 @ W2 + b2)                       # [batch, hidden]
    logits = h2 @ W3 + b3                         # [batch, 10]
    loss = mean(logsumexp(logits) - logits[label])  # softmax cross-entropy, integer labels

The data are scikit-learn's digits, the task `purejax/data/tasks/digits.py`: 1,438 training
and 359 test images `float32[8, 8, 1]` in [0, 1], labels 0..9. Its `load_data`, batches and
learning goal are bound here, one line each, and `flaxed/models/mlp.py` binds the same ones.

Shared with `flaxed/models/mlp.py` (imported from here): `DEFAULTS`, `NAME`, `check_batch`.

Counterpart: `flaxed/models/mlp.py` (`flax.linen.Dense` in an `@nn.compact` module, `optax.adam`).

References:
  Rumelhart, Hinton & Williams, *Learning representations by back-propagating errors*, 1986,
  https://doi.org/10.1038/323533a0
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
from purejax import losses
from purejax.data.tasks import digits

NAME = "mlp"
DEFAULTS = {"steps": 300, "batch_size": 64, "learning_rate": 3e-3}


# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal
check_digits = digits.check_digits  # the digits batch check, given a model's name
accuracy = digits.accuracy


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    check_digits(batch, NAME)


# --- the model -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MLP(nn.Layer):
    """`flatten -> Dense(hidden) -> relu -> Dense(hidden) -> relu -> Dense(num_classes)`.

    Attributes:
      hidden: units of each hidden layer (default 64).
      num_classes: outputs, one logit per class (default 10).

    Call: `forward(scope, image)` with `image: float[batch, 8, 8, 1]`; returns `logits: [batch, 10]`.
    Variables: `{'params': {'Dense_0': {'kernel': [64, hidden], 'bias': [hidden]}, 'Dense_1': ...,
    'Dense_2': {'kernel': [hidden, 10], 'bias': [10]}}}`.

    Counterpart: `MLP` in `flaxed/models/mlp.py`, an `@nn.compact` `flax.linen.Module`.
    """

    hidden: int = 64
    num_classes: int = digits.NUM_CLASSES

    def forward(self, scope: nn.Scope, image):
        x = image.reshape((image.shape[0], -1))  # [batch, 64]
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        return scope.child(nn.Dense(self.num_classes))(x)  # [batch, 10]


def build(hidden: int = 64) -> MLP:
    """The classifier with `hidden` units per hidden layer."""
    return MLP(hidden=hidden)


def init(key, batch, **hparams) -> dict:
    """`{'params': {'Dense_0', 'Dense_1', 'Dense_2'}}`, Flax's keys and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]))


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, {'accuracy': ...})`; `key` and `train` are unused (no randomness)."""
    check_batch(batch)
    logits = build(**hparams).apply(variables, batch["image"])  # [batch, 10]
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return loss, {"accuracy": accuracy(logits, batch["label"])}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """Adam with its default moments, `optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "MLP",
    "NAME",
    "accuracy",
    "build",
    "check_batch",
    "check_digits",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "train_batches",
]
