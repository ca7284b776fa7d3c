"""A convolutional classifier of scikit-learn's 8x8 digits, in the style of Flax's examples/mnist.

Two convolutions with average pooling, two dense layers, SGD with momentum, a jitted step that
returns the gradients and the loss, and a `TrainState` that applies them.
"""

import jax
import jax.numpy as jnp
import numpy as np
import purejax.optim as optax
from purejax import nn
from purejax import train as train_state
from sklearn.datasets import load_digits


class CNN(nn.Module):
    """A simple CNN model."""

    @nn.compact
    def __call__(self, x):
        x = nn.Conv(features=16, kernel_size=(3, 3))(x)  # [batch, 8, 8, 16]
        x = nn.relu(x)
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))  # [batch, 4, 4, 16]
        x = nn.Conv(features=32, kernel_size=(3, 3))(x)  # [batch, 4, 4, 32]
        x = nn.relu(x)
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))  # [batch, 2, 2, 32]
        x = x.reshape((x.shape[0], -1))  # flatten: [batch, 128]
        x = nn.Dense(features=64)(x)
        x = nn.relu(x)
        x = nn.Dense(features=10)(x)  # [batch, 10] logits
        return x


@jax.jit
def apply_model(state, images, labels):
    """Computes gradients, loss and accuracy for a single batch."""

    def loss_fn(params):
        logits = state.apply_fn({"params": params}, images)
        one_hot = jax.nn.one_hot(labels, 10)
        loss = jnp.mean(optax.softmax_cross_entropy(logits=logits, labels=one_hot))
        return loss, logits

    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
    (loss, logits), grads = grad_fn(state.params)
    accuracy = jnp.mean(jnp.argmax(logits, -1) == labels)
    return grads, loss, accuracy


@jax.jit
def update_model(state, grads):
    return state.apply_gradients(grads=grads)


def get_datasets():
    """The digits as float images in [0, 1] with a channel axis, and their labels."""
    digits = load_digits()
    images = jnp.asarray(digits.images[..., None] / 16.0, jnp.float32)  # [1797, 8, 8, 1]
    labels = jnp.asarray(digits.target, jnp.int32)  # [1797]
    return images, labels


def create_train_state(rng, learning_rate, momentum):
    """Creates initial `TrainState`."""
    cnn = CNN()
    params = cnn.init(rng, jnp.ones([1, 8, 8, 1]))["params"]
    tx = optax.sgd(learning_rate, momentum)
    return train_state.TrainState.create(apply_fn=cnn.apply, params=params, tx=tx)


def main(steps=10, batch_size=64, seed=0):
    """Train for `steps` batches; returns the loss of each."""
    images, labels = get_datasets()
    order = np.random.default_rng(seed).permutation(len(labels))
    rng = jax.random.PRNGKey(seed)
    state = create_train_state(rng, learning_rate=0.1, momentum=0.9)
    losses = []
    for step in range(steps):
        batch = order[step * batch_size : (step + 1) * batch_size]
        grads, loss, _ = apply_model(state, images[batch], labels[batch])
        state = update_model(state, grads)
        losses.append(float(loss))
    return losses


if __name__ == "__main__":
    print(main())
