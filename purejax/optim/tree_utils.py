"""`purejax.optim.tree`'s functions under Optax's older names: `tree_add`, `tree_norm`, ...

Counterpart: `optax.tree_utils` (optax/tree_utils/__init__.py).

Examples:
    >>> import jax.numpy as jnp
    >>> from purejax import optim
    >>> float(optim.tree_utils.tree_norm({'a': jnp.array([3.0, 4.0])}))
    5.0
"""

from purejax.optim import tree

tree_add = tree.add
tree_add_scale = tree.add_scale
tree_allclose = tree.allclose
tree_batch_shape = tree.batch_shape
tree_bias_correction = tree.bias_correction
tree_cast = tree.cast
tree_cast_like = tree.cast_like
tree_clip = tree.clip
tree_conj = tree.conj
tree_div = tree.div
tree_dtype = tree.dtype
tree_full_like = tree.full_like
tree_map_params = tree.map_params
tree_max = tree.max
tree_min = tree.min
tree_mul = tree.mul
tree_norm = tree.norm
tree_ones_like = tree.ones_like
tree_random_like = tree.random_like
tree_real = tree.real
tree_scale = tree.scale
tree_size = tree.size
tree_split_key_like = tree.split_key_like
tree_sub = tree.sub
tree_sum = tree.sum
tree_update_infinity_moment = tree.update_infinity_moment
tree_update_moment = tree.update_moment
tree_update_moment_per_elem_norm = tree.update_moment_per_elem_norm
tree_vdot = tree.vdot
tree_where = tree.where
tree_zeros_like = tree.zeros_like

__all__ = [
    "tree_add",
    "tree_add_scale",
    "tree_allclose",
    "tree_batch_shape",
    "tree_bias_correction",
    "tree_cast",
    "tree_cast_like",
    "tree_clip",
    "tree_conj",
    "tree_div",
    "tree_dtype",
    "tree_full_like",
    "tree_map_params",
    "tree_max",
    "tree_min",
    "tree_mul",
    "tree_norm",
    "tree_ones_like",
    "tree_random_like",
    "tree_real",
    "tree_scale",
    "tree_size",
    "tree_split_key_like",
    "tree_sub",
    "tree_sum",
    "tree_update_infinity_moment",
    "tree_update_moment",
    "tree_update_moment_per_elem_norm",
    "tree_vdot",
    "tree_where",
    "tree_zeros_like",
]
