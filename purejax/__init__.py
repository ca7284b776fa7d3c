"""purejax: what Flax, Optax, `jax.random` and `jax.tree_util` do, rebuilt from JAX primitives.

Each submodule mirrors one counterpart: `purejax.tree` (`jax.tree_util`), `purejax.random`
(`jax.random`). See the README for the table of components and how their parity is measured.
"""
from purejax import random, tree

__version__ = "0.1.0"
__all__ = ["random", "tree"]
