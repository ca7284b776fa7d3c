"""Gradient accumulation with `optax.MultiSteps`, in the style of Optax's docs ("Gradient accumulation").

`MultiSteps(adam, every_k_schedule=k)` averages the gradients of k micro-batches and applies
Adam once every k calls of `update` (the other calls return zero updates). On k micro-batches of
size B / k it takes the same steps as Adam on batches of size B: the program trains both ways
on the digits and returns both runs' losses.
"""

import jax
import jax.numpy as jnp
import numpy as np
import purejax.optim as optax
from purejax import nn
from sklearn.datasets import load_digits


class MLP(nn.Module):
    """A simple multilayer perceptron model for image classification."""

    hidden_size: int = 64
    output_size: int = 10

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(features=self.hidden_size)(x)  # [batch, hidden]
        x = nn.relu(x)
        x = nn.Dense(features=self.output_size)(x)  # [batch, 10] logits
        return x


net = MLP()


def loss_fn(params, batch):
    logits = net.apply({"params": params}, batch["image"])
    return optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()


def build_train_step(optimizer):
    @jax.jit
    def train_step(params, opt_state, batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return params, opt_state, loss

    return train_step


def fit(optimizer, params, batches):
    """Run `optimizer` over `batches`; the final params and every batch's loss."""
    opt_state = optimizer.init(params)
    train_step = build_train_step(optimizer)
    losses = []
    for batch in batches:
        params, opt_state, loss = train_step(params, opt_state, batch)
        losses.append(float(loss))
    return params, losses


def get_batches(steps, batch_size, seed):
    """`steps` batches of digit images [batch, 64] in [0, 1] and their labels."""
    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))[: steps * batch_size]
    images = jnp.asarray(digits.data[order] / 16.0, jnp.float32)
    labels = jnp.asarray(digits.target[order], jnp.int32)
    return [
        {"image": images[i : i + batch_size], "label": labels[i : i + batch_size]}
        for i in range(0, len(order), batch_size)
    ]


def split_batch(batch, k):
    """One batch as `k` micro-batches, in order."""
    return [{name: x[i::k] for name, x in batch.items()} for i in range(k)]


def main(steps=5, batch_size=64, k=4, seed=0):
    """Adam on `steps` batches, then MultiSteps over k micro-batches of each; returns both runs' losses."""
    batches = get_batches(steps, batch_size, seed)
    params = net.init(jax.random.PRNGKey(seed), batches[0]["image"])["params"]
    optimizer = optax.adam(learning_rate=1e-2)
    big_params, big_losses = fit(optimizer, params, batches)
    micro_batches = [micro for batch in batches for micro in split_batch(batch, k)]
    new_optimizer = optax.MultiSteps(optimizer, every_k_schedule=k)
    small_params, small_losses = fit(new_optimizer, params, micro_batches)
    gaps = jax.tree_util.tree_map(lambda a, b: jnp.max(jnp.abs(a - b)), big_params, small_params)
    gap = max(jax.tree_util.tree_leaves(gaps))  # the two runs' parameters agree to float rounding
    return big_losses + small_losses + [float(gap)]


if __name__ == "__main__":
    print(main())
