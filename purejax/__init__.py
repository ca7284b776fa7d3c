"""purejax: what Flax, Optax, `jax.random` and `jax.tree_util` do, rebuilt from JAX primitives.

Each submodule mirrors one counterpart: `purejax.tree` (`jax.tree_util`), `purejax.random`
(`jax.random`), `purejax.nn` and `purejax.losses` (`flax.linen`, `jax.nn`, `optax.losses`),
`purejax.optim` (`optax`), `purejax.train` (Flax's `TrainState`), `purejax.checkpoint` (Orbax),
`purejax.summary` (`nn.tabulate`), `purejax.parallel` (`flax.jax_utils` and `pmap`),
`purejax.convert` (PyTorch LSTM/GRU weights), `purejax.data` and `purejax.models` (the seeds'
data and models). Only `tree` and `random` are imported here; import the others by name. See the
README for the table of components and how their parity is measured.
"""

from purejax import random, tree

__version__ = "0.1.0"
__all__ = ["random", "tree"]
