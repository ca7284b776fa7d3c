"""A variational autoencoder of scikit-learn's 8x8 digits, in the style of Flax's examples/vae.

An encoder to a Gaussian's mean and log-variance, the reparameterization trick with a key of
its own, a decoder to Bernoulli logits, and the ELBO as binary cross-entropy plus KL divergence.
The VAE builds its parts in `setup`; `generate` is a second method, run with `apply(method=)`.
"""

import jax
import jax.numpy as jnp
import numpy as np
import purejax.optim as optax
from purejax import nn
from purejax import train as train_state
from sklearn.datasets import load_digits


class Encoder(nn.Module):
    """VAE Encoder."""

    latents: int

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(128, name="fc1")(x)  # [batch, 128]
        x = nn.relu(x)
        mean_x = nn.Dense(self.latents, name="fc2_mean")(x)  # [batch, latents]
        logvar_x = nn.Dense(self.latents, name="fc2_logvar")(x)  # [batch, latents]
        return mean_x, logvar_x


class Decoder(nn.Module):
    """VAE Decoder."""

    @nn.compact
    def __call__(self, z):
        z = nn.Dense(128, name="fc1")(z)
        z = nn.relu(z)
        z = nn.Dense(64, name="fc2")(z)  # [batch, 64] logits of the pixels
        return z


class VAE(nn.Module):
    """Full VAE model."""

    latents: int = 8

    def setup(self):
        self.encoder = Encoder(self.latents)
        self.decoder = Decoder()

    def __call__(self, x, z_rng):
        mean, logvar = self.encoder(x)
        z = reparameterize(z_rng, mean, logvar)
        recon_x = self.decoder(z)
        return recon_x, mean, logvar

    def generate(self, z):
        return nn.sigmoid(self.decoder(z))


def reparameterize(rng, mean, logvar):
    std = jnp.exp(0.5 * logvar)
    eps = jax.random.normal(rng, logvar.shape)
    return mean + eps * std


@jax.vmap
def kl_divergence(mean, logvar):
    return -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar))


@jax.vmap
def binary_cross_entropy_with_logits(logits, labels):
    logits = nn.log_sigmoid(logits)
    return -jnp.sum(labels * logits + (1.0 - labels) * jnp.log(-jnp.expm1(logits)))


def compute_loss(params, batch, z_rng):
    recon_x, mean, logvar = VAE().apply({"params": params}, batch, z_rng)
    bce_loss = binary_cross_entropy_with_logits(recon_x, batch).mean()
    kld_loss = kl_divergence(mean, logvar).mean()
    return bce_loss + kld_loss


@jax.jit
def train_step(state, batch, z_rng):
    loss, grads = jax.value_and_grad(compute_loss)(state.params, batch, z_rng)
    return state.apply_gradients(grads=grads), loss


@jax.jit
def eval_f(params, images, z):
    loss = compute_loss(params, images, jax.random.PRNGKey(1))
    generated = VAE().apply({"params": params}, z, method=VAE.generate)  # [n, 64] pixels in (0, 1)
    return loss, generated


def main(steps=10, batch_size=64, seed=0):
    """Train for `steps` batches; returns their losses, then the test loss and the generated mean pixel."""
    images = jnp.asarray(load_digits().images.reshape(-1, 64) / 16.0, jnp.float32)  # [1797, 64]
    train_images, test_images = images[:1500], images[1500:]
    order = np.random.default_rng(seed).permutation(len(train_images))
    rng, init_rng, z_key, eval_rng = jax.random.split(jax.random.PRNGKey(seed), 4)
    params = VAE().init(init_rng, jnp.ones((1, 64)), z_key)["params"]
    state = train_state.TrainState.create(apply_fn=VAE().apply, params=params, tx=optax.adam(1e-3))
    losses = []
    for step in range(steps):
        batch = train_images[order[step * batch_size : (step + 1) * batch_size]]
        rng, z_rng = jax.random.split(rng)
        state, loss = train_step(state, batch, z_rng)
        losses.append(float(loss))
    z = jax.random.normal(eval_rng, (16, 8))
    test_loss, generated = eval_f(state.params, test_images, z)
    return losses + [float(test_loss), float(generated.mean())]


if __name__ == "__main__":
    print(main())
