"""A mixture density network with Flax and Optax: an MLP with three heads, mixture NLL, `optax.adam`.

    logits, means, log_stds = MDN(x)                                      # [batch, K] each
    loss = -mean logsumexp_k(log_softmax(logits)_k + log N(y; means_k, exp(log_stds_k)))

Counterpart: `purejax/models/mdn.py` (`DEFAULTS`, `NAME`, `check_batch` are imported from there).
The data, batches and learning goal are the task `purejax/data/tasks/inverse_sine.py`, bound here as
purejax's module binds them.
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from purejax.data.tasks import inverse_sine
from purejax.models.mdn import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/inverse_sine.py, shared by purejax and flaxed ---------

load_data = inverse_sine.load_data
train_batches = inverse_sine.train_batches
eval_batches = inverse_sine.eval_batches
example_batch = inverse_sine.example_batch
gaussian_baseline = inverse_sine.gaussian_baseline
learning_goal = inverse_sine.learning_goal


class MDN(nn.Module):
    """Two tanh layers, then the mixture's `logits`, `means` and `log_stds` heads, `[batch, K]` each."""

    components: int = 5
    hidden: int = 32

    @nn.compact
    def __call__(self, x):
        h = nn.tanh(nn.Dense(self.hidden)(x))  # [batch, hidden]
        h = nn.tanh(nn.Dense(self.hidden)(h))  # [batch, hidden]
        logits = nn.Dense(self.components, name="logits")(h)  # [batch, K]
        means = nn.Dense(self.components, name="means")(h)  # [batch, K]
        log_stds = nn.Dense(self.components, name="log_stds")(h)  # [batch, K]
        return logits, means, log_stds


def mixture_nll(logits, means, log_stds, y):
    """Per-example NLL of `y: [batch, 1]` under the mixture, `[batch]`, with `jax.nn`'s stable pieces."""
    z = (y - means) * jnp.exp(-log_stds)  # [batch, K]
    log_normal = -0.5 * z**2 - log_stds - inverse_sine.LOG_SQRT_2PI  # [batch, K]
    return -jax.nn.logsumexp(jax.nn.log_softmax(logits, axis=-1) + log_normal, axis=-1)  # [batch]


def build(components: int = 5, hidden: int = 32) -> MDN:
    """`MDN(components, hidden)`."""
    return MDN(components, hidden)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, x)`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["x"]))


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean NLL, {'nll': ...})`."""
    check_batch(batch)
    logits, means, log_stds = build(**hparams).apply(variables, jnp.asarray(batch["x"]))
    nll = mixture_nll(logits, means, log_stds, jnp.asarray(batch["y"])).mean()
    return nll, {"nll": nll}


def predict(variables, x, **hparams):
    """`(weights, means, stds)` of p(y | x), each `[n, K]`."""
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[1] != 1:
        raise ValueError(f"{NAME}: predict expects x of shape [n, 1], got {list(x.shape)}")
    logits, means, log_stds = build(**hparams).apply(variables, x)
    return jax.nn.softmax(logits, axis=-1), means, jnp.exp(log_stds)


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "MDN",
    "NAME",
    "build",
    "check_batch",
    "eval_batches",
    "example_batch",
    "gaussian_baseline",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "mixture_nll",
    "optimizer",
    "predict",
    "train_batches",
]
