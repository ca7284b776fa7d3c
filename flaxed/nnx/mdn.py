"""The mixture density network with Flax NNX and Optax: two tanh layers, three heads, `optax.adam`.

    h = tanh(Linear(tanh(Linear(x))))                          # [batch, hidden]
    logits, means, log_stds = Linear_k(h) for the three heads  # [batch, K] each
    p(y | x) = sum_k softmax(logits)_k N(y; means_k, exp(log_stds_k)^2)
    loss = mean(-log p(y | x))

Counterpart: `purejax/models/mdn.py` (`DEFAULTS`, `NAME`, `check_batch` come from there) and
`flaxed/models/mdn.py` (linen, whose `mixture_nll` this module uses: the likelihood is the same
function of the three heads). The data: `purejax/data/tasks/inverse_sine.py`.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`), so its values differ from linen's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.models.mdn import mixture_nll
from flaxed.nnx import variables as layout
from purejax.data.tasks import inverse_sine
from purejax.models.mdn import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/inverse_sine.py, shared by purejax and flaxed ---------

load_data = inverse_sine.load_data
train_batches = inverse_sine.train_batches
eval_batches = inverse_sine.eval_batches
example_batch = inverse_sine.example_batch
gaussian_baseline = inverse_sine.gaussian_baseline
learning_goal = inverse_sine.learning_goal

PATHS = {  # NNX -> linen
    ("linear1",): ("Dense_0",),
    ("linear2",): ("Dense_1",),
    ("logits",): ("logits",),
    ("means",): ("means",),
    ("log_stds",): ("log_stds",),
}


class MDN(nnx.Module):
    """`x -> tanh(Linear) -> tanh(Linear) -> (logits, means, log_stds)`, `components` of each."""

    def __init__(self, components: int = 5, hidden: int = 32, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(1, hidden, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, hidden, rngs=rngs)
        self.logits = nnx.Linear(hidden, components, rngs=rngs)
        self.means = nnx.Linear(hidden, components, rngs=rngs)
        self.log_stds = nnx.Linear(hidden, components, rngs=rngs)

    def __call__(self, x):
        h = nnx.tanh(self.linear1(x))  # [batch, hidden]
        h = nnx.tanh(self.linear2(h))  # [batch, hidden]
        return self.logits(h), self.means(h), self.log_stds(h)  # [batch, K] each


def build(components: int = 5, hidden: int = 32, *, rngs: nnx.Rngs | None = None) -> MDN:
    """The network, its arrays drawn from `rngs` (default `Rngs(0)`)."""
    return MDN(components, hidden, rngs=nnx.Rngs(0) if rngs is None else rngs)


def to_variables(model: MDN) -> dict:
    """`{'params': {'Dense_0', 'Dense_1', 'logits', 'means', 'log_stds'}}`, linen's layout."""
    return layout.to_variables(model, PATHS)


def from_variables(variables, **hparams) -> MDN:
    """The `MDN` holding linen-layout `variables`, bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, PATHS)


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def loss(model: MDN, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `(mean negative log-likelihood, {'nll': ...})`."""
    logits, means, log_stds = model(jnp.asarray(batch["x"]))
    nll = mixture_nll(logits, means, log_stds, jnp.asarray(batch["y"])).mean()
    return nll, {"nll": nll}


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss(from_variables(variables), ...)`, the contract's functional loss; `key`, `train` unused."""
    check_batch(batch)
    return loss(from_variables(variables, **hparams), batch, key, train)


def predict(variables, x, **hparams):
    """`(weights, means, stds)`, each `[n, K]`, for `x: [n, 1]`."""
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[1] != 1:
        raise ValueError(f"{NAME}: predict expects x of shape [n, 1], got {list(x.shape)}")
    logits, means, log_stds = from_variables(variables, **hparams)(x)
    return jax.nn.softmax(logits, axis=-1), means, jnp.exp(log_stds)


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "MDN",
    "NAME",
    "PATHS",
    "build",
    "check_batch",
    "eval_batches",
    "example_batch",
    "from_variables",
    "gaussian_baseline",
    "init",
    "learning_goal",
    "load_data",
    "loss",
    "loss_fn",
    "mixture_nll",
    "optimizer",
    "predict",
    "to_variables",
    "train_batches",
]
