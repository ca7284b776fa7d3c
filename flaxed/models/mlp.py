"""The digits MLP with Flax and Optax: an `@nn.compact` module of three `nn.Dense`, `optax.adam`.

    h1 = relu(flatten(image) @ W1 + b1)           # [batch, hidden]
    h2 = relu(h1 @ W2 + b2)                       # [batch, hidden]
    logits = h2 @ W3 + b3                         # [batch, 10]
    loss = mean(optax.softmax_cross_entropy_with_integer_labels(logits, label))

Counterpart: `purejax/models/mlp.py` (`DEFAULTS`, `NAME`, `check_batch` are imported from there).
The data, batches and learning goal are the task `purejax/data/tasks/digits.py`, bound here as
purejax's module binds them.
"""

from __future__ import annotations

import flax.linen as nn
import jax.numpy as jnp
import optax

from purejax.data.tasks import digits
from purejax.models.mlp import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal


class MLP(nn.Module):
    """`flatten -> Dense(hidden) -> relu -> Dense(hidden) -> relu -> Dense(num_classes)`."""

    hidden: int = 64
    num_classes: int = digits.NUM_CLASSES

    @nn.compact
    def __call__(self, image):
        x = image.reshape((image.shape[0], -1))  # [batch, 64]
        x = nn.relu(nn.Dense(self.hidden)(x))  # [batch, hidden]
        x = nn.relu(nn.Dense(self.hidden)(x))  # [batch, hidden]
        return nn.Dense(self.num_classes)(x)  # [batch, 10]


def build(hidden: int = 64) -> MLP:
    """The classifier with `hidden` units per hidden layer."""
    return MLP(hidden=hidden)


def init(key, batch, **hparams) -> dict:
    """`build(**hparams).init(key, image)`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]))


def accuracy(logits, labels):
    """`mean(argmax(logits) == label)`."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, {'accuracy': ...})` with `optax.softmax_cross_entropy_with_integer_labels`."""
    check_batch(batch)
    logits = build(**hparams).apply(variables, batch["image"])  # [batch, 10]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return loss, {"accuracy": accuracy(logits, batch["label"])}


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "MLP",
    "NAME",
    "accuracy",
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
