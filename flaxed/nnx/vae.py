"""The class-conditional VAE with Flax NNX and Optax: an encoder and a decoder module, `optax.adam`.

    mean, logvar = Encoder(flatten(image), one_hot(label))       # [batch, latent] each
    z = mean + exp(logvar / 2) * eps,  eps ~ N(0, I) from key    # reparameterisation
    logits = Decoder(z, one_hot(label))                          # [batch, 64]
    loss = sum(sigmoid BCE(logits, pixels)) + KL(N(mean, exp(logvar)) || N(0, I))

The noise comes from the key the loss is given (`jax.random.normal(key, ...)`), as in linen
and purejax, not from an `nnx.Rngs` the module keeps: the three sides draw the same `eps`.

Counterpart: `purejax/models/vae.py` (`DEFAULTS`, `NAME`, `check_batch` come from there) and
`flaxed/models/vae.py` (linen, `setup` with `encoder`/`decoder`). The data: the digits task.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`), so its values differ from linen's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from purejax.data.tasks import digits
from purejax.models.vae import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
pixel_mean_baseline = digits.pixel_mean_baseline
learning_goal = digits.generation_goal

PATHS = {  # NNX -> linen
    ("encoder", "linear1"): ("encoder", "Dense_0"),
    ("encoder", "linear2"): ("encoder", "Dense_1"),
    ("decoder", "linear1"): ("decoder", "Dense_0"),
    ("decoder", "linear2"): ("decoder", "Dense_1"),
}


class Encoder(nnx.Module):
    """`[pixels, one_hot(label)] -> Linear -> relu -> Linear -> (mean, logvar)`."""

    def __init__(self, hidden: int = 64, latent: int = 4, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(digits.PIXELS + digits.NUM_CLASSES, hidden, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, 2 * latent, rngs=rngs)

    def __call__(self, x, label):
        x = jnp.concatenate([x, jax.nn.one_hot(label, digits.NUM_CLASSES)], axis=-1)  # [batch, 64 + 10]
        x = nnx.relu(self.linear1(x))  # [batch, hidden]
        mean, logvar = jnp.split(self.linear2(x), 2, axis=-1)  # [batch, latent] x2
        return mean, logvar


class Decoder(nnx.Module):
    """`[z, one_hot(label)] -> Linear -> relu -> Linear`: pixel logits `[batch, 64]`."""

    def __init__(self, hidden: int = 64, latent: int = 4, *, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(latent + digits.NUM_CLASSES, hidden, rngs=rngs)
        self.linear2 = nnx.Linear(hidden, digits.PIXELS, rngs=rngs)

    def __call__(self, z, label):
        z = jnp.concatenate([z, jax.nn.one_hot(label, digits.NUM_CLASSES)], axis=-1)  # [batch, latent + 10]
        return self.linear2(nnx.relu(self.linear1(z)))  # [batch, 64]


class VAE(nnx.Module):
    """`(image, label, key) -> (logits, mean, logvar)`; `decode(z, label)` alone makes new digits."""

    def __init__(self, hidden: int = 64, latent: int = 4, *, rngs: nnx.Rngs):
        self.latent = latent
        self.encoder = Encoder(hidden, latent, rngs=rngs)
        self.decoder = Decoder(hidden, latent, rngs=rngs)

    def decode(self, z, label):
        return self.decoder(z, label)  # [batch, 64]

    def __call__(self, image, label, key):
        x = image.reshape(image.shape[0], digits.PIXELS)  # [batch, 64]
        mean, logvar = self.encoder(x, label)
        eps = jax.random.normal(key, mean.shape)  # [batch, latent]
        z = mean + jnp.exp(0.5 * logvar) * eps  # reparameterisation
        return self.decode(z, label), mean, logvar


def build(hidden: int = 64, latent: int = 4, *, rngs: nnx.Rngs | None = None) -> VAE:
    """The VAE, its arrays drawn from `rngs` (default `Rngs(0)`)."""
    return VAE(hidden, latent, rngs=nnx.Rngs(0) if rngs is None else rngs)


def to_variables(model: VAE) -> dict:
    """`{'params': {'encoder': {'Dense_0', 'Dense_1'}, 'decoder': {...}}}`, linen's layout."""
    return layout.to_variables(model, PATHS)


def from_variables(variables, **hparams) -> VAE:
    """The `VAE` holding linen-layout `variables`, bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, PATHS)


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def loss(model: VAE, batch, key, train: bool = True):
    """NNX's loss, a function of the module: `(-ELBO, {'reconstruction', 'kl'})`, `eps` from `key`."""
    image = jnp.asarray(batch["image"])
    logits, mean, logvar = model(image, jnp.asarray(batch["label"]), key)
    pixels = image.reshape(image.shape[0], digits.PIXELS)  # [batch, 64]
    reconstruction = optax.sigmoid_binary_cross_entropy(logits, pixels).sum(axis=-1).mean()
    kl = (0.5 * (jnp.exp(logvar) + mean**2 - 1.0 - logvar).sum(axis=-1)).mean()  # KL to N(0, I)
    return reconstruction + kl, {"reconstruction": reconstruction, "kl": kl}


def loss_fn(variables, batch, key, train: bool = True, **hparams):
    """`loss(from_variables(variables), ...)`, the contract's functional loss; `train` unused."""
    check_batch(batch)
    return loss(from_variables(variables, **hparams), batch, key, train)


def decode(variables, z, labels, **hparams):
    """Pixel logits `[n, 64]` for latents `z: [n, latent]` and `labels: [n]`."""
    return from_variables(variables, **hparams).decode(z, labels)


def sample(variables, key, labels, **hparams):
    """New digits `float32[n, 8, 8, 1]` of classes `labels: [n]`, `z ~ N(0, I)` from `key`."""
    labels = jnp.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"{NAME}: sample expects labels of shape [n], got {list(labels.shape)}")
    model = from_variables(variables, **hparams)
    z = jax.random.normal(key, (labels.shape[0], model.latent))  # [n, latent]
    return nnx.sigmoid(model.decode(z, labels)).reshape(-1, 8, 8, 1)  # [n, 8, 8, 1]


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "NAME",
    "PATHS",
    "VAE",
    "Decoder",
    "Encoder",
    "build",
    "check_batch",
    "decode",
    "eval_batches",
    "example_batch",
    "from_variables",
    "init",
    "learning_goal",
    "load_data",
    "loss",
    "loss_fn",
    "optimizer",
    "pixel_mean_baseline",
    "sample",
    "to_variables",
    "train_batches",
]
