"""Linear regression, the pure-function way: params are a dict, the loss a function of them.

    y_hat = x @ kernel + bias                     # [batch, 1]
    loss  = mean((y_hat - y) ** 2)                # mean squared error

The data are synthetic: `y = x @ w_true + b_true + 0.1 * eps`, drawn from a fixed key
(`purejax.data.linear_data`), so training should drive the loss toward the noise floor 0.01.

Shared with `flaxed/models/linear_regression.py` (imported from here): `DEFAULTS`, `load_data`,
`train_batches`, `eval_batches`, `example_batch`, `check_batch`, `learning_goal`.

Counterpart: `flaxed/models/linear_regression.py` (`flax.linen.Dense` and `optax.sgd`).
"""
from __future__ import annotations

import functools

import jax.numpy as jnp
import numpy as np

import purejax.nn as nn
import purejax.optim as optim
import purejax.random
from purejax import data as datasets
from purejax import losses

NAME = "linear_regression"
FEATURES = 3  # inputs per example
DATA_KEY = purejax.random.PRNGKey(42)  # the synthetic set is the same for everyone
DEFAULTS = {"steps": 200, "batch_size": 32, "learning_rate": 0.1}
NOISE_FLOOR = 0.1 ** 2  # the variance of the noise: no model can do better on average


# --- data (shared with flaxed) ---------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def load_data() -> dict:
    """`{'train': {'x': [1024, 3], 'y': [1024, 1]}, 'test': {... 256 examples}}`."""
    train, test = datasets.split(datasets.linear_data(DATA_KEY, n=1280, features=FEATURES), DATA_KEY)
    return {"train": train, "test": test}


def train_batches(key, batch_size: int):
    """Endless shuffled training batches `{'x': [B, 3], 'y': [B, 1]}`, a new order each epoch."""
    return datasets.batches(load_data()["train"], batch_size, key=key, epochs=None)


def eval_batches(batch_size: int):
    """The test split in order, the last batch possibly short."""
    return datasets.batches(load_data()["test"], batch_size, remainder="keep")


def example_batch(key, batch_size: int = 4) -> dict:
    """A batch of the model's format: `{'x': float32[B, 3], 'y': float32[B, 1]}`."""
    return next(train_batches(key, batch_size))


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    expected = {"x": ("B", FEATURES), "y": ("B", 1)}
    got = {k: tuple(np.shape(v)) for k, v in batch.items()} if isinstance(batch, dict) else type(batch).__name__
    if (not isinstance(batch, dict) or set(batch) != set(expected)
            or any(len(got[k]) != 2 or got[k][1] != expected[k][1] for k in expected)
            or got["x"][0] != got["y"][0]):
        raise ValueError(f"{NAME}: expected a batch {{'x': [B, {FEATURES}], 'y': [B, 1]}}, got {got}")


def learning_goal(eval_metrics: dict) -> tuple[bool, str]:
    """Learned when the test loss is within 50% of the noise floor."""
    loss = eval_metrics["loss"]
    return loss < 1.5 * NOISE_FLOOR, f"test mse {loss:.4f} < {1.5 * NOISE_FLOOR:.4f} (1.5 x noise variance)"


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


__all__ = ["DEFAULTS", "NAME", "build", "check_batch", "eval_batches", "example_batch", "init", "learning_goal",
           "load_data", "loss_fn", "optimizer", "predict", "train_batches"]
