"""purejax.tree against jax.tree_util as a whole: the parity table's checks on fixed and generated trees.

The checks (`comparisons.parity.tables.tree.CHECKS`: flatten, unflatten, leaves, structure, map, paths,
reduce, all) span every module of the package, so they run here; each module's own semantics and
errors are in `test_<module>.py` beside this file.
"""

import collections

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import purejax.tree as pt
from comparisons.parity.tables.tree import CHECKS, FIXED_TREES, Pair, Point
from tests._asserts import assert_same_objects, assert_same_structure

tu = jax.tree_util


# -- generated trees ------------------------------------------------------------------------------
_leaf = st.one_of(
    st.integers(-5, 5), st.floats(-1, 1, allow_nan=False), st.text(max_size=2), st.builds(np.arange, st.integers(1, 3))
)
_str_keys = st.sampled_from(["a", "b", "kernel", "bias", "Dense_0", "z"])


def _containers(children):
    return st.one_of(
        st.none(),
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(_str_keys, children, max_size=3),
        st.dictionaries(st.integers(-3, 3), children, max_size=3),
        st.builds(Point, children, children),
        st.builds(Pair, children, children),
        st.dictionaries(_str_keys, children, max_size=3).map(lambda d: collections.OrderedDict(reversed(d.items()))),
        st.dictionaries(_str_keys, children, max_size=3).map(lambda d: collections.defaultdict(list, d)),
    )


trees = st.recursive(_leaf, _containers, max_leaves=12)


# -- the parity checks of the report, as tests: fixed trees and generated ones --------------------
@pytest.mark.parametrize("name,counterpart,what,agree", CHECKS, ids=[c[0] for c in CHECKS])
@pytest.mark.parametrize("tree", FIXED_TREES, ids=[f"tree{i}" for i in range(len(FIXED_TREES))])
def test_fixed_trees_agree(name, counterpart, what, agree, tree):
    assert agree(tree), f"purejax.tree.{name} differs from jax.tree_util.{counterpart} on {tree!r}"


@settings(max_examples=150, deadline=None)
@given(tree=trees)
def test_generated_trees_agree(tree):
    leaves, treedef = pt.flatten(tree)
    jleaves, jtreedef = tu.tree_flatten(tree)
    assert_same_objects(leaves, jleaves)
    assert_same_structure(treedef, jtreedef)
    rebuilt, jrebuilt = pt.unflatten(treedef, leaves), tu.tree_unflatten(jtreedef, jleaves)
    assert_same_structure(pt.structure(rebuilt), tu.tree_structure(jrebuilt))
    for name, _, _, agree in CHECKS:
        assert agree(tree), name


@settings(max_examples=60, deadline=None)
@given(tree=trees)
def test_is_leaf_agrees(tree):
    for is_leaf in (lambda x: x is None, lambda x: isinstance(x, tuple), lambda x: isinstance(x, dict)):
        leaves, treedef = pt.flatten(tree, is_leaf=is_leaf)
        jleaves, jtreedef = tu.tree_flatten(tree, is_leaf=is_leaf)
        assert_same_objects(leaves, jleaves)
        assert_same_structure(treedef, jtreedef)
