"""purejax.tree against jax.tree_util: fixed trees, hypothesis-generated trees, errors, registration."""
import collections

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import purejax.tree as pt
from comparisons.parity.tables.tree import CHECKS, FIXED_TREES, Pair, Point
from tests._asserts import assert_same_objects, assert_same_structure

tu = jax.tree_util

# -- generated trees ------------------------------------------------------------------------------
_leaf = st.one_of(st.integers(-5, 5), st.floats(-1, 1, allow_nan=False), st.text(max_size=2),
                  st.builds(np.arange, st.integers(1, 3)))
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


# -- semantics worth spelling out ------------------------------------------------------------------
@pytest.mark.parametrize("tree,expected_leaves", [
    (None, []),
    ({"b": 1, "a": 2}, [2, 1]),
    ({3: "c", 1: "a", 2: "b"}, ["a", "b", "c"]),
    (collections.OrderedDict([("b", 1), ("a", 2)]), [1, 2]),
    (collections.defaultdict(int, {"b": 1, "a": 2}), [2, 1]),
    (Point(y=1, x=2), [2, 1]),
    ([None, (None,), {}], []),
])
def test_leaf_order(tree, expected_leaves):
    assert pt.leaves(tree) == expected_leaves == tu.tree_leaves(tree)


def test_unflatten_rebuilds_container_types():
    tree = {"p": Point(1, [2, None]), "o": collections.OrderedDict(z=3, a=4), "d": collections.defaultdict(list, x=5)}
    rebuilt = pt.unflatten(pt.structure(tree), pt.leaves(tree))
    assert type(rebuilt["p"]) is Point and type(rebuilt["o"]) is collections.OrderedDict
    assert rebuilt["d"].default_factory is list and list(rebuilt["o"]) == ["z", "a"]
    assert rebuilt == tree


def test_map_reads_other_trees_up_to_the_first():
    # below a leaf of the first tree, the others may hold whole subtrees (as jax.tree_util)
    ours = pt.map(lambda x, y: (x, y), [1, 2], [(3, 4), {"a": 5}])
    assert ours == tu.tree_map(lambda x, y: (x, y), [1, 2], [(3, 4), {"a": 5}])


def test_treedef_value_semantics_and_repr():
    a, b = pt.structure({"a": 1, "b": [2, None]}), pt.structure({"b": [7, None], "a": 8})
    assert a == b and hash(a) == hash(b) and a != pt.structure({"a": 1, "b": [2, 3]})
    assert repr(a) == "TreeDef({'a': *, 'b': [*, None]})"
    assert repr(pt.structure(Point(1, (2,)))) == "TreeDef(Point(x=*, y=(*,)))"
    assert a.num_leaves == 2 and a.unflatten([1, 2]) == {"a": 1, "b": [2, None]}


def test_keystr_forms():
    [(path, _)], _ = pt.flatten_with_path({"params": {"Dense_0": [Point(0, 1)]}}, is_leaf=lambda x: isinstance(x, Point))
    assert pt.keystr(path) == "['params']['Dense_0'][0]"
    assert pt.keystr(path, simple=True, separator="/") == "params/Dense_0/0"


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("call,message", [
    (lambda: pt.map(lambda a, b: a, {"params": {"Dense_0": {"kernel": 1, "bias": 2}}},
                    {"params": {"Dense_0": {"kernel": 1}}}),
     "at ['params']['Dense_0']: dict with keys ['bias', 'kernel'] vs ['kernel']"),
    (lambda: pt.map(lambda a, b: a, [1, (2, 3)], [1, [2, 3]]), "at [1]: tuple of 2 vs list of 2"),
    (lambda: pt.map(lambda a, b: a, {"a": [1, 2]}, {"a": 3}), "at ['a']: list of 2 vs a leaf of type int"),
    (lambda: pt.map(lambda a, b: a, Point(1, 2), (1, 2)), "at <root>: Point of 2 vs tuple of 2"),
    (lambda: pt.unflatten(pt.structure([1, 2]), [1]), "expects 2 leaves, got 1"),
    (lambda: pt.leaves({1: "a", "b": 2}), "dictionary keys must be sortable"),
])
def test_errors_name_what_went_wrong(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_register_node_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        pt.register_node(Pair, lambda p: ((p.first, p.second), None), lambda aux, ch: Pair(*ch))


def test_registered_class_works_under_jit_grad_vmap():
    class Box:
        def __init__(self, value, label):
            self.value, self.label = value, label

    pt.register_node(Box, lambda b: ((b.value,), b.label), lambda label, ch: Box(ch[0], label))
    box = Box(jnp.arange(3.0), "weights")
    assert pt.leaves(box)[0] is box.value and tu.tree_leaves(box)[0] is box.value
    doubled = jax.jit(lambda b: pt.map(lambda x: 2 * x, b))(box)
    assert type(doubled) is Box and doubled.label == "weights"
    np.testing.assert_array_equal(doubled.value, 2 * box.value)
    grad = jax.grad(lambda b: jnp.sum(b.value**2))(box)
    np.testing.assert_array_equal(grad.value, 2 * box.value)
    assert jax.vmap(lambda b: b.value * 2)(box).shape == (3,)
