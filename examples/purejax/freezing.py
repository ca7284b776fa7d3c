"""Freezing parameters with `optax.multi_transform` and `optax.set_to_zero`, after Optax's docs.

A classifier of the digits whose layers are built in `setup`: a backbone (a list of two Dense
layers, named `backbone_0`, `backbone_1`) and a `head`. Each parameter gets a label from its
path, 'frozen' for the backbone and 'trainable' for the head; `multi_transform` sends the
trainable ones to Adam and the frozen ones to `set_to_zero`, so only the head learns.
"""

import jax
import jax.numpy as jnp
import numpy as np
import purejax.optim as optax
from purejax import nn
from purejax import train as train_state
from sklearn.datasets import load_digits


class Classifier(nn.Module):
    """A backbone of two Dense layers and a linear head."""

    features: int = 64
    num_classes: int = 10

    def setup(self):
        self.backbone = [nn.Dense(self.features), nn.Dense(self.features)]
        self.head = nn.Dense(self.num_classes)

    def __call__(self, x):
        for layer in self.backbone:
            x = nn.relu(layer(x))  # [batch, features]
        return self.head(x)  # [batch, classes] logits


def label_params(params):
    """'frozen' for every parameter under a backbone layer, 'trainable' for the rest."""
    return jax.tree_util.tree_map_with_path(
        lambda path, _: "frozen" if path[0].key.startswith("backbone") else "trainable", params
    )


@jax.jit
def train_step(state, images, labels):
    def loss_fn(params):
        logits = state.apply_fn({"params": params}, images)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


def largest_change(before, after):
    """The largest absolute change of any parameter between two trees."""
    changes = jax.tree_util.tree_map(lambda a, b: jnp.max(jnp.abs(a - b)), before, after)
    return float(max(jax.tree_util.tree_leaves(changes)))


def main(steps=10, batch_size=64, seed=0):
    """Train the head for `steps` batches; returns their losses, then how far backbone and head moved."""
    digits = load_digits()
    images = jnp.asarray(digits.data / 16.0, jnp.float32)  # [1797, 64]
    labels = jnp.asarray(digits.target, jnp.int32)
    order = np.random.default_rng(seed).permutation(len(labels))
    model = Classifier()
    params = model.init(jax.random.PRNGKey(seed), images[:1])["params"]
    tx = optax.multi_transform({"trainable": optax.adam(1e-2), "frozen": optax.set_to_zero()}, label_params(params))
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=tx)
    losses = []
    for step in range(steps):
        batch = order[step * batch_size : (step + 1) * batch_size]
        state, loss = train_step(state, images[batch], labels[batch])
        losses.append(float(loss))
    backbone = largest_change(
        {k: v for k, v in params.items() if k != "head"}, {k: v for k, v in state.params.items() if k != "head"}
    )
    head = largest_change(params["head"], state.params["head"])
    assert backbone == 0.0 < head, (backbone, head)
    return losses + [backbone, head]


if __name__ == "__main__":
    print(main())
