"""Pytree utilities, the library way: `jax.tree_util` under purejax.tree's names.

Twin of `purejax/tree/`. Nothing is implemented here; this module only names JAX's functions the
way purejax names its own, so the parity report and the tests can call both sides alike.
"""

from jax.tree_util import DictKey, FlattenedIndexKey, GetAttrKey, SequenceKey, keystr
from jax.tree_util import register_pytree_node as register_node
from jax.tree_util import tree_all as all
from jax.tree_util import tree_flatten as flatten
from jax.tree_util import tree_flatten_with_path as flatten_with_path
from jax.tree_util import tree_leaves as leaves
from jax.tree_util import tree_map as map
from jax.tree_util import tree_map_with_path as map_with_path
from jax.tree_util import tree_reduce as reduce
from jax.tree_util import tree_structure as structure
from jax.tree_util import tree_unflatten as unflatten

__all__ = [
    "DictKey",
    "FlattenedIndexKey",
    "GetAttrKey",
    "SequenceKey",
    "all",
    "flatten",
    "flatten_with_path",
    "keystr",
    "leaves",
    "map",
    "map_with_path",
    "reduce",
    "register_node",
    "structure",
    "unflatten",
]
