"""flaxed: the same components and models as purejax, written with JAX's own libraries, Flax and Optax.

Each module has the stem of its purejax twin, so the two can be read side by side:
`purejax/tree/` <-> `flaxed/tree.py` (jax.tree_util), `purejax/random/` <-> `flaxed/random.py`
(jax.random).
"""
