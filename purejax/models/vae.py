"""A class-conditional variational autoencoder (VAE) of the 8x8 digits, from purejax alone.

    h            = relu(Dense([pixels, one_hot(label)]))              # encoder, [batch, hidden]
    mean, logvar = split(Dense(h), 2)                                 # q(z | x, y), [batch, latent] each
    z            = mean + exp(logvar / 2) * eps,  eps ~ N(0, I)       # reparameterisation
    logits       = Dense(relu(Dense([z, one_hot(label)])))            # decoder, [batch, 64]
    loss         = sum_pixels bce(logits, pixels) + KL(q(z | x, y) || N(0, I))   # mean over batch
    KL           = 0.5 * sum_latent (exp(logvar) + mean ** 2 - 1 - logvar)

The loss is the negative evidence lower bound (ELBO) with one sample of `z`; the noise `eps`
comes from the `key` given to `loss_fn`, so purejax and Flax draw the same `eps`. Pixels are grey
levels in [0, 1], used as the targets of a per-pixel sigmoid cross-entropy.

The data are the digits task, `purejax/data/tasks/digits.py`; its functions are bound here and
in `flaxed/models/vae.py`, the learning goal being the task's `generation_goal`: a test -ELBO below
`pixel_mean_baseline()`, the best loss a decoder reaches from the label alone.

Shared with `flaxed/models/vae.py` (imported from here): `DEFAULTS`, `NAME`, `check_batch`.

Counterpart: `flaxed/models/vae.py` (`flax.linen` modules with `setup`, `optax.adam`).

References:
  Kingma and Welling, *Auto-Encoding Variational Bayes*, 2013, https://arxiv.org/abs/1312.6114
  Sohn, Lee and Yan, *Learning Structured Output Representation using Deep Conditional
  Generative Models*, 2015 (the class-conditional VAE).

Differences:
  The seed adds a Dense projection of the label to the decoder's first layer only, and trains
  on squared error with the KL term weighted 0.5. Here the one-hot label is concatenated to the
  inputs of both encoder and decoder (q(z | x, y) and p(x | z, y), as Sohn et al.), and the loss
  is the whole negative ELBO: sigmoid cross-entropy and KL weighted 1.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
import purejax.random
from purejax import losses
from purejax.data.tasks import digits

NAME = "vae"
DEFAULTS = {"steps": 500, "batch_size": 64, "learning_rate": 1e-2}


# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
pixel_mean_baseline = digits.pixel_mean_baseline
learning_goal = digits.generation_goal


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes and dtypes."""
    digits.check_digits(batch, NAME)


# --- the model -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Encoder(nn.Layer):
    """`[pixels, one_hot(label)] -> (mean, logvar)` of q(z | x, y), each `[batch, latent]`."""

    hidden: int = 64
    latent: int = 4

    def forward(self, scope, x, label):
        x = jnp.concatenate([x, nn.one_hot(label, digits.NUM_CLASSES)], axis=-1)  # [batch, 64 + 10]
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        mean, logvar = jnp.split(scope.child(nn.Dense(2 * self.latent))(x), 2, axis=-1)  # [batch, latent] x2
        return mean, logvar


@dataclasses.dataclass(frozen=True)
class Decoder(nn.Layer):
    """`[z, one_hot(label)] -> logits` of the 64 pixels, `[batch, 64]`."""

    hidden: int = 64

    def forward(self, scope, z, label):
        z = jnp.concatenate([z, nn.one_hot(label, digits.NUM_CLASSES)], axis=-1)  # [batch, latent + 10]
        z = nn.relu(scope.child(nn.Dense(self.hidden))(z))  # [batch, hidden]
        return scope.child(nn.Dense(digits.PIXELS))(z)  # [batch, 64]


@dataclasses.dataclass(frozen=True)
class VAE(nn.Layer):
    """Encode, draw `z` with the reparameterisation trick, decode: `(logits, mean, logvar)`.

    Attributes:
      hidden: units of the encoder's and the decoder's hidden layer.
      latent: dimensions of `z`.

    Args (of `apply(variables, image, label, key)`):
      image: `float32[batch, 8, 8, 1]` in [0, 1].
      label: `int32[batch]`, the class each image is conditioned on.
      key: the PRNG key of the noise `eps ~ N(0, I)`, `[batch, latent]`.

    Returns: `logits: [batch, 64]`, `mean: [batch, latent]`, `logvar: [batch, latent]`.

    Counterpart: `flaxed.models.vae.VAE` (submodules `encoder` and `decoder`, made in `setup`).
    """

    hidden: int = 64
    latent: int = 4

    def forward(self, scope, image, label, key):
        x = image.reshape(image.shape[0], digits.PIXELS)  # [batch, 64]
        mean, logvar = scope.child(Encoder(self.hidden, self.latent), "encoder")(x, label)
        eps = purejax.random.normal(key, mean.shape)  # [batch, latent]
        z = mean + jnp.exp(0.5 * logvar) * eps  # reparameterisation, [batch, latent]
        return scope.child(Decoder(self.hidden), "decoder")(z, label), mean, logvar


def build(hidden: int = 64, latent: int = 4) -> VAE:
    """The VAE: params `{'encoder': {'Dense_0', 'Dense_1'}, 'decoder': {'Dense_0', 'Dense_1'}}`."""
    return VAE(hidden, latent)


def init(key, batch, **hparams) -> dict:
    """`{'params': ...}`, Flax's names and values for the same `key` (which also draws init's noise)."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]), jnp.asarray(batch["label"]), key)


def loss_fn(variables, batch, key, train: bool = True, **hparams):
    """`(-ELBO, {'reconstruction', 'kl'})`, each a mean over the batch; `train` is unused.

    The noise `eps` is `purejax.random.normal(key, [batch, latent])` in training and evaluation
    alike: the evaluation loss is the same one-sample estimate of -ELBO.
    """
    check_batch(batch)
    image = jnp.asarray(batch["image"])
    logits, mean, logvar = build(**hparams).apply(variables, image, jnp.asarray(batch["label"]), key)
    pixels = image.reshape(image.shape[0], digits.PIXELS)  # [batch, 64]
    reconstruction = losses.sigmoid_binary_cross_entropy(logits, pixels).sum(axis=-1).mean()
    kl = (0.5 * (jnp.exp(logvar) + mean**2 - 1.0 - logvar).sum(axis=-1)).mean()  # KL to N(0, I)
    return reconstruction + kl, {"reconstruction": reconstruction, "kl": kl}


def decode(variables, z, labels, **hparams):
    """The decoder alone: `z: [n, latent]`, `labels: int32[n]` -> pixel logits `[n, 64]`."""
    decoder = Decoder(build(**hparams).hidden)
    return decoder.apply({"params": variables["params"]["decoder"]}, z, labels)


def sample(variables, key, labels, **hparams):
    """New digits of the given classes: `z ~ N(0, I)` from `key`, decoded to pixel means.

    Args:
      variables: `{'params': ...}` of a VAE.
      key: PRNG key of `z = purejax.random.normal(key, [n, latent])`.
      labels: `int32[n]`, the class of each digit.

    Returns:
      `float32[n, 8, 8, 1]`, `sigmoid(logits)`: each pixel's mean grey level in [0, 1].
    """
    labels = jnp.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"{NAME}: sample expects labels of shape [n], got {list(labels.shape)}")
    z = purejax.random.normal(key, (labels.shape[0], build(**hparams).latent))  # [n, latent]
    return nn.sigmoid(decode(variables, z, labels, **hparams)).reshape(-1, 8, 8, 1)  # [n, 8, 8, 1]


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


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
