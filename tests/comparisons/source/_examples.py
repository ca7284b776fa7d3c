"""Two small sources, "ours" and "theirs", that the blocks and alignment tests cut and pair."""

LEFT = '''"""Ours: a short docstring."""
import jax.numpy as jnp


def helper(x):
    return x + 1


# the loss
def loss_fn(params, batch):
    return jnp.mean((params * batch - 1) ** 2)


class Model:
    features: int = 3
'''

RIGHT = '''"""Theirs.

A docstring three lines longer,
which pushes everything below it down.
"""
import flax.linen as nn
import jax.numpy as jnp
import optax


@jax.jit
def loss_fn(params, batch):
    """Same name, a longer body."""
    y = params * batch
    return optax.squared_error(y, 1.0).mean()


def only_theirs():
    pass


class Model(nn.Module):
    features: int = 3
'''
