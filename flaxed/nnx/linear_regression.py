"""Linear regression with Flax NNX and Optax: one `nnx.Linear(3, 1)`, `optax.sgd`.

    y_hat = x @ W + b                              # [batch, 1]
    loss = mean((y_hat - y) ** 2)                  # optax.squared_error

The model is the layer itself: `nnx.Linear` is an `nnx.Module` whose `kernel` and `bias` are
`nnx.Param` attributes, created at construction from `rngs`. Its linen twin is one `nn.Dense(1)`,
whose variables are `{'params': {'kernel', 'bias'}}` (no module name: the layer is the root), so
the conversion table maps NNX's root to linen's root.

Counterpart: `purejax/models/linear_regression.py` (`DEFAULTS`, `NAME`, `check_batch` come from
there) and `flaxed/models/linear_regression.py` (linen). The data: `purejax/data/tasks/linear.py`.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`), so its values differ from linen's.
"""

from __future__ import annotations

import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from purejax.data.tasks import linear
from purejax.models.linear_regression import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/linear.py, shared by purejax and flaxed ---------------

load_data = linear.load_data
train_batches = linear.train_batches
eval_batches = linear.eval_batches
example_batch = linear.example_batch
learning_goal = linear.learning_goal

PATHS = {(): ()}  # NNX -> linen: the layer is the root on both sides


def build(*, rngs: nnx.Rngs | None = None) -> nnx.Linear:
    """One `nnx.Linear(3, 1)`: `kernel: [3, 1]`, `bias: [1]`, drawn from `rngs` (default `Rngs(0)`)."""
    return nnx.Linear(linear.FEATURES, 1, rngs=nnx.Rngs(0) if rngs is None else rngs)


def to_variables(model: nnx.Linear) -> dict:
    """`{'params': {'kernel', 'bias'}}`, linen's layout of `model`'s arrays."""
    return layout.to_variables(model, PATHS)


def from_variables(variables, **hparams) -> nnx.Linear:
    """The `nnx.Linear` holding linen-layout `variables`, bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, PATHS)


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def predict(params: dict, x):
    """`nnx.Linear` holding `params`, `[B, 3] -> [B, 1]`."""
    return from_variables({"params": params})(jnp.asarray(x))  # [batch, 1]


def loss(model: nnx.Linear, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `(mean squared error, {'mse': ...})`."""
    value = optax.squared_error(model(jnp.asarray(batch["x"])), batch["y"]).mean()
    return value, {"mse": value}


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss(from_variables(variables), ...)`, the contract's functional loss; `key`, `train` unused."""
    check_batch(batch)
    return loss(from_variables(variables, **hparams), batch, key, train)


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.sgd(learning_rate)`."""
    return optax.sgd(learning_rate)


__all__ = [
    "DEFAULTS",
    "NAME",
    "PATHS",
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
    "predict",
    "to_variables",
    "train_batches",
]
