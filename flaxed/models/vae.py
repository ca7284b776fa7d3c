"""A class-conditional VAE of the 8x8 digits with Flax and Optax, as the seed writes it.

    mean, logvar = encoder([pixels, one_hot(label)])
    z            = mean + exp(logvar / 2) * eps,  eps = jax.random.normal(key, ...)
    logits       = decoder([z, one_hot(label)])
    loss         = sum_pixels optax.sigmoid_binary_cross_entropy + KL(q(z | x, y) || N(0, I))

Counterpart: `purejax/models/vae.py` (`DEFAULTS`, `NAME`, `check_batch` are imported from there).
The data, batches and learning goal are the task `purejax/data/tasks/digits.py`, bound here as
purejax's module binds them.
"""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp
import optax

from purejax.data.tasks import digits
from purejax.models.vae import DEFAULTS, NAME, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
pixel_mean_baseline = digits.pixel_mean_baseline
learning_goal = digits.generation_goal


class Encoder(nn.Module):
    """`[pixels, one_hot(label)] -> (mean, logvar)`, each `[batch, latent]`."""

    hidden: int = 64
    latent: int = 4

    @nn.compact
    def __call__(self, x, label):
        x = jnp.concatenate([x, jax.nn.one_hot(label, digits.NUM_CLASSES)], axis=-1)  # [batch, 64 + 10]
        x = nn.relu(nn.Dense(self.hidden)(x))  # [batch, hidden]
        mean, logvar = jnp.split(nn.Dense(2 * self.latent)(x), 2, axis=-1)  # [batch, latent] x2
        return mean, logvar


class Decoder(nn.Module):
    """`[z, one_hot(label)] -> logits`, `[batch, 64]`."""

    hidden: int = 64

    @nn.compact
    def __call__(self, z, label):
        z = jnp.concatenate([z, jax.nn.one_hot(label, digits.NUM_CLASSES)], axis=-1)  # [batch, latent + 10]
        z = nn.relu(nn.Dense(self.hidden)(z))  # [batch, hidden]
        return nn.Dense(digits.PIXELS)(z)  # [batch, 64]


class VAE(nn.Module):
    """Encode, reparameterise with `key`, decode: `(logits, mean, logvar)`; `decode` for sampling."""

    hidden: int = 64
    latent: int = 4

    def setup(self):
        self.encoder = Encoder(self.hidden, self.latent)
        self.decoder = Decoder(self.hidden)

    def decode(self, z, label):
        return self.decoder(z, label)  # [batch, 64]

    def __call__(self, image, label, key):
        x = image.reshape(image.shape[0], digits.PIXELS)  # [batch, 64]
        mean, logvar = self.encoder(x, label)
        eps = jax.random.normal(key, mean.shape)  # [batch, latent]
        z = mean + jnp.exp(0.5 * logvar) * eps  # reparameterisation
        return self.decode(z, label), mean, logvar


def build(hidden: int = 64, latent: int = 4) -> VAE:
    """`VAE(hidden, latent)`."""
    return VAE(hidden, latent)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, image, label, key)`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]), jnp.asarray(batch["label"]), key)


def loss_fn(variables, batch, key, train: bool = True, **hparams):
    """`(-ELBO, {'reconstruction', 'kl'})` with `optax.sigmoid_binary_cross_entropy`."""
    check_batch(batch)
    image = jnp.asarray(batch["image"])
    logits, mean, logvar = build(**hparams).apply(variables, image, jnp.asarray(batch["label"]), key)
    pixels = image.reshape(image.shape[0], digits.PIXELS)  # [batch, 64]
    reconstruction = optax.sigmoid_binary_cross_entropy(logits, pixels).sum(axis=-1).mean()
    kl = (0.5 * (jnp.exp(logvar) + mean**2 - 1.0 - logvar).sum(axis=-1)).mean()
    return reconstruction + kl, {"reconstruction": reconstruction, "kl": kl}


def decode(variables, z, labels, **hparams):
    """`model.apply(variables, z, labels, method=VAE.decode)`: pixel logits `[n, 64]`."""
    return build(**hparams).apply(variables, z, labels, method=VAE.decode)


def sample(variables, key, labels, **hparams):
    """`z = jax.random.normal(key, [n, latent])` decoded to pixel means, `[n, 8, 8, 1]`."""
    labels = jnp.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"{NAME}: sample expects labels of shape [n], got {list(labels.shape)}")
    z = jax.random.normal(key, (labels.shape[0], build(**hparams).latent))  # [n, latent]
    return nn.sigmoid(decode(variables, z, labels, **hparams)).reshape(-1, 8, 8, 1)


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "NAME",
    "VAE",
    "Decoder",
    "Encoder",
    "build",
    "check_batch",
    "decode",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "pixel_mean_baseline",
    "sample",
    "train_batches",
]
