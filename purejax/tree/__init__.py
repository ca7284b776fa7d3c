"""Pytree utilities from scratch: flatten nested containers to leaves and back.

Counterpart: `jax.tree_util`. Same functions without the `tree_` prefix, as in `jax.tree`.
One concept per module, each importing only those above it:

    paths       DictKey, SequenceKey, GetAttrKey, FlattenedIndexKey: one key path entry each; keystr
    registry    which containers are nodes and how each comes apart; register_node, register_dataclass
    treedef     TreeDef, flatten, unflatten, leaves, structure; flatten_up_to (another tree read against one)
    ops         map, map_with_path, flatten_with_path, reduce, all
"""

from purejax.tree.ops import all, flatten_with_path, map, map_with_path, reduce
from purejax.tree.paths import DictKey, FlattenedIndexKey, GetAttrKey, SequenceKey, keystr
from purejax.tree.registry import register_dataclass, register_node
from purejax.tree.treedef import TreeDef, flatten, flatten_up_to, leaves, structure, unflatten

__all__ = [
    "DictKey",
    "FlattenedIndexKey",
    "GetAttrKey",
    "SequenceKey",
    "TreeDef",
    "all",
    "flatten",
    "flatten_up_to",
    "flatten_with_path",
    "keystr",
    "leaves",
    "map",
    "map_with_path",
    "reduce",
    "register_dataclass",
    "register_node",
    "structure",
    "unflatten",
]
