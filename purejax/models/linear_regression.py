"""Linear regression, the pure-function way: params are a dict, the loss a function of them.

    y_hat = x @ kernel + bias                     # [batch, 1]
    loss  = mean((y_hat - y) ** 2)                # mean squared error

The data are synthetic: `y = x @ w_true + b_true + 0.1 * eps`, drawn from a fixed key (the task
`purejax/data/tasks/linear.py`), so training should drive the loss toward the noise floor 0.01.
The task's functions are bound here and in `flaxed/models/linear_regression.py`.

Shared with `flaxed/models/linear_regression.py` (imported from here): `DEFAULTS`, `NAME`,
`check_batch`.

Counterpart: `flaxed/models/linear_regression.py` (`flax.linen.Dense` and `optax.sgd`).
"""

from __future__ import annotations

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
from purejax import losses
from purejax.data.tasks import linear

NAME = "linear_regression"
DEFAULTS = {"steps": 200, "batch_size": 32, "learning_rate": 0.1}


# --- data: the task purejax/data/tasks/linear.py, shared by purejax and flaxed ---------------

load_data = linear.load_data
train_batches = linear.train_batches
eval_batches = linear.eval_batches
example_batch = linear.example_batch
learning_goal = linear.learning_goal


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    linear.check_linear(batch, NAME)


# --- the model -------------------------------------------------------------------------------


def build() -> nn.Dense:
    """One `Dense(1)` layer: params `{'kernel': [3, 1], 'bias': [1]}`."""
    return nn.Dense(1)


def init(key, batch, **hparams) -> dict:
    """`{'params': {'kernel': [3, 1], 'bias': [1]}}`, Flax's keys and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["x"]))


def predict(params: dict, x):
    """The regressor as a pure function of a dict: `x @ kernel + bias`, `[B, 3] -> [B, 1]`."""
    return x @ params["kernel"] + params["bias"][None, :]  # [batch, 1]


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean squared error, {'mse': ...})`; `key` and `train` are unused (no randomness)."""
    check_batch(batch)
    y_hat = predict(variables["params"], batch["x"])  # [batch, 1]
    loss = losses.squared_error(y_hat, batch["y"]).mean()
    return loss, {"mse": loss}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """Plain gradient descent, `optim.sgd(learning_rate)`."""
    return optim.sgd(learning_rate)


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
