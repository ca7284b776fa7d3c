"""Pytree utilities from scratch: flatten nested containers to leaves and back.

Counterpart: `jax.tree_util`. Same functions without the `tree_` prefix, as in `jax.tree`.
"""
from purejax.tree.ops import all, flatten_up_to, flatten_with_path, map, map_with_path, reduce
from purejax.tree.paths import DictKey, FlattenedIndexKey, GetAttrKey, SequenceKey, keystr
from purejax.tree.registry import register_node
from purejax.tree.treedef import TreeDef, flatten, leaves, structure, unflatten

__all__ = [
    "DictKey", "FlattenedIndexKey", "GetAttrKey", "SequenceKey", "TreeDef",
    "all", "flatten", "flatten_up_to", "flatten_with_path", "keystr", "leaves", "map",
    "map_with_path", "reduce", "register_node", "structure", "unflatten",
]
