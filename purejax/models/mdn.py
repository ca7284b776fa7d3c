"""A mixture density network (MDN) for Bishop's inverse-sine problem, from purejax alone.

    h                         = tanh(Dense(tanh(Dense(x))))             # [batch, hidden]
    logits, means, log_stds   = Dense_K(h), Dense_K(h), Dense_K(h)       # [batch, K] each
    log p(y | x)              = logsumexp_k(log_softmax(logits)_k + log N(y; means_k, exp(log_stds_k)))
    loss                      = -mean_batch log p(y | x)                  # negative log-likelihood

The data are `x = y + 0.3 sin(2 pi y) + noise` with `y ~ uniform(0, 1)`; we predict `y` from
`x`, which has up to three values for one `x`, so a single Gaussian (or least squares) averages
the branches and fits none. A mixture of K Gaussians whose weights, means and widths depend on
`x` can put one component on each branch.

The data, their split, batches and learning goal are the task `purejax/data/tasks/inverse_sine.py`,
whose functions are bound here and in `flaxed/models/mdn.py`.

Shared with `flaxed/models/mdn.py` (imported from here): `DEFAULTS`, `NAME`, `check_batch`.

Counterpart: `flaxed/models/mdn.py` (`flax.linen` with `@nn.compact`, `optax.adam`).

References:
  Bishop, *Mixture Density Networks*, 1994, NCRG/94/004 (the problem and the model).

Differences:
  The seed stacks one `Linear(2)` (mean, scale) per component beside a softmax head for the
  weights, and takes `log` of a sum of `norm.pdf` values (guarded by a "safe log"). Here three
  `Dense(K)` heads give logits, means and log-widths, and the likelihood stays in log space
  (`log_softmax` + `logsumexp`), finite even where every density underflows to 0.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
from purejax.data.tasks import inverse_sine

NAME = "mdn"
# Adam at 1e-3 for 2000 steps: test NLL -1.16 (goal -0.77). At 3e-3 (1000 steps, -1.12) the
# trajectory amplified float rounding: 8 devices drifted to 2e-5 from one device in 50 steps, past
# the 1e-5 the parallel parity check allows (`python -m comparisons --only parallel`); at 1e-3
# they stay within 1.3e-6.
DEFAULTS = {"steps": 2000, "batch_size": 64, "learning_rate": 1e-3}


# --- data: the task purejax/data/tasks/inverse_sine.py, shared by purejax and flaxed ---------

load_data = inverse_sine.load_data
train_batches = inverse_sine.train_batches
eval_batches = inverse_sine.eval_batches
example_batch = inverse_sine.example_batch
gaussian_baseline = inverse_sine.gaussian_baseline
learning_goal = inverse_sine.learning_goal


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    inverse_sine.check_inverse_sine(batch, NAME)


# --- the model -------------------------------------------------------------------------------


def mixture_nll(logits, means, log_stds, y):
    """Per-example negative log-likelihood of `y` under a Gaussian mixture, stably.

        log N(y; m, s) = -0.5 ((y - m) / s) ** 2 - log s - log sqrt(2 pi)
        nll            = -logsumexp_k(log_softmax(logits)_k + log N(y; m_k, s_k))

    Both `log_softmax` and `logsumexp` subtract their maximum first, so no `exp` overflows and
    a point far from every component still gets a finite loss and gradient.

    Args:
      logits, means, log_stds: `[batch, K]`, the mixture's parameters.
      y: `[batch, 1]`, the targets.

    Returns:
      `[batch]`.

    Counterpart: `flaxed.models.mdn.mixture_nll` (`jax.nn.log_softmax`, `jax.nn.logsumexp`).
    """
    z = (y - means) * jnp.exp(-log_stds)  # standardised residual, [batch, K]
    log_normal = -0.5 * z**2 - log_stds - inverse_sine.LOG_SQRT_2PI  # log N(y | component k), [batch, K]
    return -nn.logsumexp(nn.log_softmax(logits, axis=-1) + log_normal, axis=-1)  # [batch]


@dataclasses.dataclass(frozen=True)
class MDN(nn.Layer):
    """An MLP whose three heads parameterise a K-component Gaussian mixture over `y`.

    Attributes:
      components: K, the number of Gaussians.
      hidden: units of each of the two tanh layers.

    Args (of `apply(variables, x)`):
      x: `float32[batch, 1]`.

    Returns: `logits, means, log_stds`, each `[batch, K]`.

    Counterpart: `flaxed.models.mdn.MDN`.
    """

    components: int = 5
    hidden: int = 32

    def forward(self, scope, x):
        h = nn.tanh(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        h = nn.tanh(scope.child(nn.Dense(self.hidden))(h))  # [batch, hidden]
        logits = scope.child(nn.Dense(self.components), "logits")(h)  # mixing weights, [batch, K]
        means = scope.child(nn.Dense(self.components), "means")(h)  # [batch, K]
        log_stds = scope.child(nn.Dense(self.components), "log_stds")(h)  # [batch, K]
        return logits, means, log_stds


def build(components: int = 5, hidden: int = 32) -> MDN:
    """The MDN: params `Dense_0`, `Dense_1` (trunk) and `logits`, `means`, `log_stds` (heads)."""
    return MDN(components, hidden)


def init(key, batch, **hparams) -> dict:
    """`{'params': ...}`, Flax's names and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["x"]))


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean NLL, {'nll': ...})`; `key` and `train` are unused (no randomness)."""
    check_batch(batch)
    logits, means, log_stds = build(**hparams).apply(variables, jnp.asarray(batch["x"]))
    nll = mixture_nll(logits, means, log_stds, jnp.asarray(batch["y"])).mean()
    return nll, {"nll": nll}


def predict(variables, x, **hparams):
    """The mixture p(y | x): `(weights, means, stds)`, each `[n, K]`, weights summing to 1.

    Args:
      variables: `{'params': ...}` of an MDN.
      x: `float32[n, 1]`.
    """
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[1] != 1:
        raise ValueError(f"{NAME}: predict expects x of shape [n, 1], got {list(x.shape)}")
    logits, means, log_stds = build(**hparams).apply(variables, x)
    return nn.softmax(logits, axis=-1), means, jnp.exp(log_stds)


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


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
