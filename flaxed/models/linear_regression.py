"""Linear regression with Flax and Optax: `nn.Dense(1)`, mean squared error, `optax.sgd`.

    y_hat = x @ kernel + bias                     # [batch, 1]
    loss  = mean((y_hat - y) ** 2)

Counterpart: `purejax/models/linear_regression.py` (`DEFAULTS`, `NAME`, `check_batch` are imported
from there). The data, batches and learning goal are the task `purejax/data/tasks/linear.py`, bound
here as purejax's module binds them.
"""

from __future__ import annotations

import flax.linen as nn
import jax.numpy as jnp
import optax

from purejax.data.tasks import linear
from purejax.models.linear_regression import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/linear.py, shared by purejax and flaxed ---------------

load_data = linear.load_data
train_batches = linear.train_batches
eval_batches = linear.eval_batches
example_batch = linear.example_batch
learning_goal = linear.learning_goal


def build() -> nn.Dense:
    """One `nn.Dense(1)` layer: params `{'kernel': [3, 1], 'bias': [1]}`."""
    return nn.Dense(1)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, x)`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["x"]))


def predict(params: dict, x):
    """`Dense.apply`, `[B, 3] -> [B, 1]`."""
    return build().apply({"params": params}, x)  # [batch, 1]


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean squared error, {'mse': ...})` with `optax.squared_error`."""
    check_batch(batch)
    y_hat = predict(variables["params"], batch["x"])  # [batch, 1]
    loss = optax.squared_error(y_hat, batch["y"]).mean()
    return loss, {"mse": loss}


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.sgd(learning_rate)`."""
    return optax.sgd(learning_rate)


__all__ = [
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
    "predict",
    "train_batches",
]
