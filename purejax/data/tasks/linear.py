"""The linear task: noisy linear data drawn from a fixed key, for linear regression.

    data     x ~ N(0, I): float32[n, 3];  y = x @ w + b + 0.1 * eps: float32[n, 1]  (`linear_data`)
             with the true `w: [3, 1]` and `b: [1, 1]` drawn from the key too
    split    1,280 examples drawn with `DATA_KEY`, shuffled into 1,024 training and 256 test ones
    batches  {'x': float32[B, 3], 'y': float32[B, 1]}
    goal     a test mean squared error within 50% of the noise floor 0.1 ** 2 = 0.01

The model `linear_regression` trains on it; its purejax and flaxed modules bind the functions here.

Counterpart: none in Flax or Optax; the data are drawn with `purejax.random` (`jax.random`'s
samplers, rebuilt).
"""

from __future__ import annotations

import functools

import numpy as np

import purejax.random
from purejax.checks import check_key, check_metric, check_number, check_positive_int
from purejax.data.batching import split, task_batches

FEATURES = 3  # inputs per example
DATA_KEY = purejax.random.PRNGKey(42)  # the synthetic set is the same for everyone
NOISE_FLOOR = 0.1**2  # the variance of the noise: no model can do better on average


def linear_data(key, n: int = 256, features: int = 3, noise: float = 0.1) -> dict:
    """`{'x': float32[n, features], 'y': float32[n, 1]}` with `y = x @ w + b + noise * eps`.

    The true `w: [features, 1]` and `b: [1, 1]` are drawn from the key too (a standard normal).

    Args:
      key: a PRNG key (`uint32[2]`).
      n: examples, an integer >= 1. features: inputs per example, an integer >= 1.
      noise: the standard deviation of the noise, a number >= 0.
    """
    where = "purejax.data.linear_data"
    check_key(where, "key", key)
    n = check_positive_int(where, "n", n)
    features = check_positive_int(where, "features", features)
    check_number(where, "noise", noise, minimum=0)
    k_x, k_w, k_b, k_eps = purejax.random.split(key, 4)
    x = purejax.random.normal(k_x, (n, features))  # [n, features]
    w = purejax.random.normal(k_w, (features, 1))  # [features, 1]
    b = purejax.random.normal(k_b, (1, 1))  # [1, 1]
    y = x @ w + b + noise * purejax.random.normal(k_eps, (n, 1))  # [n, 1]
    return {"x": np.asarray(x), "y": np.asarray(y)}


@functools.lru_cache(maxsize=1)
def load_data() -> dict:
    """`{'train': {'x': [1024, 3], 'y': [1024, 1]}, 'test': {... 256 examples}}`."""
    train, test = split(linear_data(DATA_KEY, n=1280, features=FEATURES), DATA_KEY)
    return {"train": train, "test": test}


# Endless shuffled `{'x': [B, 3], 'y': [B, 1]}` batches of the training split, the test split in
# order (the last batch possibly short), and the first training batch.
train_batches, eval_batches, example_batch = task_batches(load_data)


def check_linear(batch, name: str) -> None:
    """Raise a ValueError naming model `name`, the expected and the actual shapes."""
    expected = {"x": ("B", FEATURES), "y": ("B", 1)}
    got: dict[str, tuple[int, ...]] | str = (
        {k: tuple(np.shape(v)) for k, v in batch.items()} if isinstance(batch, dict) else type(batch).__name__
    )
    if (
        isinstance(got, str)
        or set(batch) != set(expected)
        or any(len(got[k]) != 2 or got[k][1] != expected[k][1] for k in expected)
        or got["x"][0] != got["y"][0]
    ):
        raise ValueError(f"{name}: expected a batch {{'x': [B, {FEATURES}], 'y': [B, 1]}}, got {got}")


def learning_goal(eval_metrics: dict) -> tuple[bool, str]:
    """Learned when the test loss is within 50% of the noise floor."""
    loss = check_metric("purejax.data.tasks.linear.learning_goal", "eval_metrics", eval_metrics, "loss")
    return loss < 1.5 * NOISE_FLOOR, f"test mse {loss:.4f} < {1.5 * NOISE_FLOOR:.4f} (1.5 x noise variance)"


__all__ = [
    "DATA_KEY",
    "FEATURES",
    "NOISE_FLOOR",
    "check_linear",
    "eval_batches",
    "example_batch",
    "learning_goal",
    "linear_data",
    "load_data",
    "train_batches",
]
