"""Assertions shared by the tests, on chex, with the tolerances DEVELOPERS.md states.

One helper asserts once; test bodies call these rather than repeating the comparison.
"""
from __future__ import annotations

import chex
import numpy as np

from comparisons.parity.measures import canonical_structure, ulp_distance

FORWARD_RTOL = 1e-5  # float32 forward passes
GRADIENT_RTOL = 1e-4  # gradients and multi-step training


def assert_bitwise(ours, theirs) -> None:
    """Same shapes, same dtypes, same bits, for whole pytrees of arrays."""
    chex.assert_trees_all_equal_shapes_and_dtypes(ours, theirs)
    chex.assert_trees_all_equal(ours, theirs)


def assert_within_ulp(ours, theirs, max_ulp: int) -> None:
    """Same shape and dtype, and no element more than `max_ulp` units in the last place apart."""
    chex.assert_equal_shape([np.asarray(ours), np.asarray(theirs)])
    ulp = ulp_distance(ours, theirs)
    assert ulp <= max_ulp, f"{ulp} ulp apart (allowed {max_ulp})"


def assert_same_structure(ours_treedef, theirs_treedef) -> None:
    """A purejax TreeDef and a JAX PyTreeDef describe the same structure, node for node."""
    assert canonical_structure(ours_treedef) == canonical_structure(theirs_treedef), (
        f"{ours_treedef!r} vs {theirs_treedef!r}")
    assert (ours_treedef.num_leaves, ours_treedef.num_nodes) == (theirs_treedef.num_leaves, theirs_treedef.num_nodes)


def assert_same_objects(ours: list, theirs: list) -> None:
    """Two leaf lists hold the very same objects in the same order."""
    assert [id(x) for x in ours] == [id(x) for x in theirs], f"{ours!r} vs {theirs!r}"
