"""purejax.tree's operations: `map` reads the other trees up to the first one's leaves, as jax.tree_util."""

import jax

import purejax.tree as pt

tu = jax.tree_util


def test_map_reads_other_trees_up_to_the_first():
    # below a leaf of the first tree, the others may hold whole subtrees (as jax.tree_util)
    ours = pt.map(lambda x, y: (x, y), [1, 2], [(3, 4), {"a": 5}])
    assert ours == tu.tree_map(lambda x, y: (x, y), [1, 2], [(3, 4), {"a": 5}])
