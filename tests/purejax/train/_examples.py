"""What the train tests feed `TrainState` and the steps: a Dense(3 -> 2) model's parameters, and a state's
leaves as NumPy arrays."""

import jax
import jax.numpy as jnp
import numpy as np


def example_params() -> dict:
    """Dense(3 -> 2) parameters in Flax's layout, float32."""
    rng = np.random.default_rng(0)
    return {
        "Dense_0": {
            "kernel": jnp.asarray(rng.normal(size=(3, 2)), jnp.float32),
            "bias": jnp.asarray(rng.normal(size=(2,)), jnp.float32),
        }
    }


def leaves(state) -> list:
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(state)]
