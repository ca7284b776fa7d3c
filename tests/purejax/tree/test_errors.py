"""purejax.tree's bad-input table: every public function and argument, refused with a message that
names the function and the argument (and, for trees, the key path).

Also: cyclic and very deep trees are refused at once (JAX crashes or raises `RecursionError`), a
tree exactly `MAX_DEPTH` (256) containers deep still works everywhere, and an exception raised by
a registered class's own function carries a note naming the class.
"""

import jax
import numpy as np
import pytest

import purejax.tree as pt
from tests._asserts import assert_refused

tu = jax.tree_util
MAX_DEPTH = 256  # purejax.tree.treedef.MAX_DEPTH


def _cycle():
    x = [1]
    x.append(x)
    return x


def _cyclic_dict():
    d = {"a": {"b": 1}}
    d["a"]["c"] = d
    return d


def _nested(depth, leaf=1):
    for _ in range(depth):
        leaf = [leaf]
    return leaf


class NotAPair:
    def __init__(self, v):
        self.v = v


class DictChildren:
    def __init__(self, v):
        self.v = v


class IntChildren:
    def __init__(self, v):
        self.v = v


class StrChildren:
    def __init__(self, v):
        self.v = v


class ContainsItself:
    def __init__(self):
        self.me = self


class ListAux:
    def __init__(self, v):
        self.v = v


class FailsToRebuild:
    def __init__(self, v):
        self.v = v


class FailsToFlatten:
    def __init__(self, v):
        self.v = v


def _boom(node):
    raise RuntimeError("boom")


pt.register_node(NotAPair, lambda n: n.v, lambda aux, ch: NotAPair(*ch))
pt.register_node(DictChildren, lambda n: ({"v": n.v}, None), lambda aux, ch: DictChildren(*ch))
pt.register_node(IntChildren, lambda n: (5, None), lambda aux, ch: IntChildren(*ch))
pt.register_node(StrChildren, lambda n: ("ab", None), lambda aux, ch: StrChildren(*ch))
pt.register_node(ContainsItself, lambda n: ((n.me,), None), lambda aux, ch: ContainsItself())
pt.register_node(ListAux, lambda n: ((n.v,), [1]), lambda aux, ch: ListAux(*ch))
pt.register_node(FailsToRebuild, lambda n: ((n.v,), None), lambda aux, ch: 1 / 0)
pt.register_node(FailsToFlatten, _boom, lambda aux, ch: FailsToFlatten(*ch))


class Fresh:  # registered inside a test row
    pass


TREE = {"a": [1, 2], "b": (3,)}
TD = pt.structure(TREE)
IS_LEAF_ROWS = [
    ("flatten", lambda **k: pt.flatten(TREE, **k)),
    ("leaves", lambda **k: pt.leaves(TREE, **k)),
    ("structure", lambda **k: pt.structure(TREE, **k)),
    ("flatten_with_path", lambda **k: pt.flatten_with_path(TREE, **k)),
    ("map", lambda **k: pt.map(lambda x: x, TREE, **k)),
    ("map_with_path", lambda **k: pt.map_with_path(lambda p, x: x, TREE, **k)),
    ("reduce", lambda **k: pt.reduce(lambda a, b: a, TREE, 0, **k)),
    ("all", lambda **k: pt.all(TREE, **k)),
]

ROWS = [
    # -- is_leaf: not callable, or answering something else than a bool (every function that takes it)
    *[
        (f"{n}-is_leaf-True", lambda c=c: c(is_leaf=True), TypeError, (f"purejax.tree.{n}:", "is_leaf"))
        for n, c in IS_LEAF_ROWS
    ],
    (
        "flatten-is_leaf-answers-str",
        lambda: pt.flatten([1], is_leaf=lambda x: "yes"),
        TypeError,
        ("purejax.tree.flatten:", "is_leaf must return True or False", "str 'yes'"),
    ),
    (
        "leaves-is_leaf-answers-array",
        lambda: pt.leaves([np.ones(2)], is_leaf=lambda x: np.ones(2)),
        TypeError,
        ("purejax.tree.leaves:", "is_leaf must return True or False"),
    ),
    # -- tree: a container inside itself, nesting past MAX_DEPTH (every function that flattens)
    (
        "flatten-tree-cycle",
        lambda: pt.flatten(_cycle()),
        ValueError,
        ("purejax.tree.flatten:", "tree must not contain itself", "list at [1]", "at <root>"),
    ),
    (
        "leaves-tree-cycle-deeper",
        lambda: pt.leaves(_cyclic_dict()),
        ValueError,
        ("purejax.tree.leaves:", "tree must not contain itself", "dict at ['a']['c']"),
    ),
    (
        "structure-tree-cycle",
        lambda: pt.structure(_cycle()),
        ValueError,
        ("purejax.tree.structure:", "tree must not contain itself"),
    ),
    (
        "map-tree-cycle",
        lambda: pt.map(lambda x: x, _cycle()),
        ValueError,
        ("purejax.tree.map:", "tree must not contain itself"),
    ),
    (
        "map_with_path-tree-cycle",
        lambda: pt.map_with_path(lambda p, x: x, _cycle()),
        ValueError,
        ("purejax.tree.map_with_path:", "tree must not contain itself"),
    ),
    (
        "flatten_with_path-tree-cycle",
        lambda: pt.flatten_with_path(_cycle()),
        ValueError,
        ("purejax.tree.flatten_with_path:", "tree must not contain itself"),
    ),
    (
        "reduce-tree-cycle",
        lambda: pt.reduce(lambda a, b: a, _cycle(), 0),
        ValueError,
        ("purejax.tree.reduce:", "tree must not contain itself"),
    ),
    ("all-tree-cycle", lambda: pt.all(_cycle()), ValueError, ("purejax.tree.all:", "tree must not contain itself")),
    (
        "flatten-registered-cycle",
        lambda: pt.flatten(ContainsItself()),
        ValueError,
        ("purejax.tree.flatten:", "tree must not contain itself", "ContainsItself at [<flat index 0>]"),
    ),
    (
        "flatten-tree-too-deep",
        lambda: pt.flatten(_nested(MAX_DEPTH + 1)),
        ValueError,
        ("purejax.tree.flatten:", "tree must be at most 256 containers deep", "[0][0][0]"),
    ),
    (
        "leaves-tree-100000-deep",
        lambda: pt.leaves(_nested(100_000)),
        ValueError,
        ("purejax.tree.leaves:", "tree must be at most 256 containers deep"),
    ),
    (
        "map-tree-too-deep",
        lambda: pt.map(lambda x: x, _nested(1000)),
        ValueError,
        ("purejax.tree.map:", "at most 256 containers deep"),
    ),
    # -- map, map_with_path: f; the other trees
    ("map-f-None", lambda: pt.map(None, [1]), TypeError, ("purejax.tree.map:", "f must be callable", "got None")),
    ("map-f-int-no-leaves", lambda: pt.map(1, []), TypeError, ("purejax.tree.map:", "f must be callable", "int 1")),
    (
        "map-rest-differs",
        lambda: pt.map(lambda a, b: a, [1, 2], [1, 2, 3]),
        ValueError,
        ("purejax.tree.map:", "tree 1 differs from tree 0 at <root>", "list of 2 vs list of 3"),
    ),
    (
        "map-rest-differs-deep",
        lambda: pt.map(lambda a, b: a, {"p": {"k": 1, "b": 2}}, {"p": {"k": 1}}),
        ValueError,
        ("purejax.tree.map:", "tree 1", "at ['p']", "['b', 'k'] vs ['k']"),
    ),
    (
        "map_with_path-f-str",
        lambda: pt.map_with_path("f", [1]),
        TypeError,
        ("purejax.tree.map_with_path:", "f must be callable"),
    ),
    (
        "map_with_path-rest-differs",
        lambda: pt.map_with_path(lambda p, a, b: a, [1], (1,)),
        ValueError,
        ("purejax.tree.map_with_path:", "tree 1 differs from tree 0", "list of 1 vs tuple of 1"),
    ),
    # -- reduce: function, initializer
    (
        "reduce-function-None",
        lambda: pt.reduce(None, [1, 2]),
        TypeError,
        ("purejax.tree.reduce:", "function must be callable"),
    ),
    (
        "reduce-initializer-missing-no-leaves",
        lambda: pt.reduce(lambda a, b: a + b, [None, {}]),
        TypeError,
        ("purejax.tree.reduce:", "initializer must be given"),
    ),
    # -- all: a leaf without one truth value
    (
        "all-tree-array-leaf",
        lambda: pt.all({"w": [True, np.ones(3)]}),
        ValueError,
        ("purejax.tree.all:", "every leaf must have one truth value", "float64 array [3]", "['w'][1]"),
    ),
    # -- unflatten: treedef, leaves
    (
        "unflatten-treedef-list",
        lambda: pt.unflatten([1, 2], [1, 2]),
        TypeError,
        ("purejax.tree.unflatten:", "treedef must be a purejax.tree.TreeDef", "list"),
    ),
    (
        "unflatten-treedef-jax",
        lambda: pt.unflatten(tu.tree_structure([1]), [1]),
        TypeError,
        ("purejax.tree.unflatten:", "treedef must be", "PyTreeDef is not one"),
    ),
    (
        "unflatten-leaves-None",
        lambda: pt.unflatten(TD, None),
        TypeError,
        ("purejax.tree.unflatten:", "leaves must be an iterable", "got None"),
    ),
    (
        "unflatten-leaves-too-few",
        lambda: pt.unflatten(TD, [1]),
        ValueError,
        ("purejax.tree.unflatten:", "expects 3 leaves, got 1"),
    ),
    # -- TreeDef: node_type, aux, children; its unflatten and flatten_up_to
    (
        "TreeDef-node_type-int",
        lambda: pt.TreeDef(5),
        TypeError,
        ("purejax.tree.TreeDef:", "node_type must be", "int 5"),
    ),
    (
        "TreeDef-node_type-unregistered",
        lambda: pt.TreeDef(Fresh),
        TypeError,
        ("purejax.tree.TreeDef:", "node_type must be a pytree container class"),
    ),
    (
        "TreeDef-children-not-treedefs",
        lambda: pt.TreeDef(list, None, (1,)),
        TypeError,
        ("purejax.tree.TreeDef:", "children[0] must be a TreeDef", "int 1"),
    ),
    (
        "TreeDef-children-of-a-leaf",
        lambda: pt.TreeDef(None, None, (pt.structure(1),)),
        ValueError,
        ("purejax.tree.TreeDef:", "children must be empty for a leaf"),
    ),
    (
        "TreeDef-aux-unhashable",
        lambda: hash(pt.structure(ListAux(1))),
        TypeError,
        ("purejax.tree.TreeDef:", "aux_data must be hashable", "list [1]", "ListAux"),
    ),
    (
        "TreeDef.unflatten-leaves-int",
        lambda: TD.unflatten(3),
        TypeError,
        ("purejax.tree.TreeDef.unflatten:", "leaves must be an iterable"),
    ),
    (
        "TreeDef.flatten_up_to-tree",
        lambda: TD.flatten_up_to({"a": [1], "b": (3,)}),
        ValueError,
        ("purejax.tree.flatten_up_to: tree at ['a']", "list of 2 vs list of 1"),
    ),
    # -- flatten_up_to: treedef, tree, where
    (
        "flatten_up_to-treedef-list",
        lambda: pt.flatten_up_to([1], [1]),
        TypeError,
        ("purejax.tree.flatten_up_to:", "treedef must be a purejax.tree.TreeDef"),
    ),
    (
        "flatten_up_to-tree-leaf-for-node",
        lambda: pt.flatten_up_to(TD, {"a": 1, "b": (3,)}),
        ValueError,
        ("purejax.tree.flatten_up_to: tree at ['a']", "list of 2 vs a leaf of type int"),
    ),
    (
        "flatten_up_to-where-int",
        lambda: pt.flatten_up_to(TD, TREE, 3),
        TypeError,
        ("purejax.tree.flatten_up_to:", "where must be a str"),
    ),
    # -- keystr: keys, simple, separator
    (
        "keystr-keys-str",
        lambda: pt.keystr("abc"),
        TypeError,
        ("purejax.tree.keystr:", "keys must be a key path", "str 'abc'"),
    ),
    (
        "keystr-keys-ints",
        lambda: pt.keystr((1, 2)),
        TypeError,
        ("purejax.tree.keystr:", "keys[0] must be a DictKey", "int 1"),
    ),
    (
        "keystr-simple-str",
        lambda: pt.keystr((pt.SequenceKey(0),), simple="yes"),
        TypeError,
        ("purejax.tree.keystr:", "simple must be True or False"),
    ),
    (
        "keystr-separator-int",
        lambda: pt.keystr((pt.SequenceKey(0),), separator=1),
        TypeError,
        ("purejax.tree.keystr:", "separator must be a str"),
    ),
    # -- the key path entries
    (
        "DictKey-key-unhashable",
        lambda: pt.DictKey([1]),
        TypeError,
        ("purejax.tree.DictKey:", "key must be hashable", "list [1]"),
    ),
    (
        "SequenceKey-idx-str",
        lambda: pt.SequenceKey("0"),
        TypeError,
        ("purejax.tree.SequenceKey:", "idx must be", "str '0'"),
    ),
    (
        "SequenceKey-idx-negative",
        lambda: pt.SequenceKey(-1),
        ValueError,
        ("purejax.tree.SequenceKey:", "idx must be a non-negative integer"),
    ),
    (
        "GetAttrKey-name-int",
        lambda: pt.GetAttrKey(1),
        TypeError,
        ("purejax.tree.GetAttrKey:", "name must be a str", "int 1"),
    ),
    (
        "FlattenedIndexKey-key-float",
        lambda: pt.FlattenedIndexKey(1.0),
        TypeError,
        ("purejax.tree.FlattenedIndexKey:", "key must be", "float 1.0"),
    ),
    # -- register_node: cls, flatten_fn, unflatten_fn; and what a registered flatten_fn returns
    (
        "register_node-cls-instance",
        lambda: pt.register_node(Fresh(), lambda n: ((), None), lambda a, c: Fresh()),
        TypeError,
        ("purejax.tree.register_node:", "cls must be a class"),
    ),
    (
        "register_node-cls-twice",
        lambda: pt.register_node(NotAPair, lambda n: ((), None), lambda a, c: None),
        ValueError,
        ("purejax.tree.register_node:", "cls must be", "NotAPair", "already registered"),
    ),
    (
        "register_node-flatten_fn-None",
        lambda: pt.register_node(Fresh, None, lambda a, c: Fresh()),
        TypeError,
        ("purejax.tree.register_node:", "flatten_fn must be callable", "got None"),
    ),
    (
        "register_node-unflatten_fn-int",
        lambda: pt.register_node(Fresh, lambda n: ((), None), 3),
        TypeError,
        ("purejax.tree.register_node:", "unflatten_fn must be callable", "int 3"),
    ),
    (
        "flatten_fn-returns-not-a-pair",
        lambda: pt.leaves(NotAPair(5)),
        TypeError,
        (
            "purejax.tree.leaves:",
            "flatten_fn registered for NotAPair",
            "must return a pair (children, aux_data)",
            "int 5",
        ),
    ),
    (
        "flatten_fn-returns-a-triple",
        lambda: pt.map(lambda x: x, [NotAPair((1, 2, 3))]),
        TypeError,
        ("purejax.tree.map:", "flatten_fn registered for NotAPair", "tuple (1, 2, 3)"),
    ),
    (
        "flatten_fn-children-int",
        lambda: pt.flatten(IntChildren(1)),
        TypeError,
        ("purejax.tree.flatten:", "flatten_fn registered for IntChildren", "children as a list or tuple", "int 5"),
    ),
    (
        "flatten_fn-children-dict",
        lambda: pt.structure(DictChildren(1)),
        TypeError,
        ("purejax.tree.structure:", "flatten_fn registered for DictChildren", "dict"),
    ),
    (
        "flatten_fn-children-str",
        lambda: pt.flatten_with_path(StrChildren(1)),
        TypeError,
        ("purejax.tree.flatten_with_path:", "flatten_fn registered for StrChildren", "str 'ab'"),
    ),
]


@pytest.mark.parametrize("call,error,fragments", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_is_refused(call, error, fragments):
    assert_refused(call, error, *fragments)


def test_a_refused_registration_registers_nothing():
    with pytest.raises(TypeError):
        pt.register_node(Fresh, lambda n: ((), None), 3)
    assert pt.leaves([Fresh]) == [Fresh]  # the class itself is still a leaf...
    assert pt.structure(Fresh()) == pt.structure(1)  # ...and so are its instances


@pytest.mark.parametrize(
    "call,where,note",
    [
        (
            lambda: pt.map(lambda x: x, FailsToRebuild(1)),
            "purejax.tree.map",
            "unflatten_fn registered for FailsToRebuild",
        ),
        (
            lambda: pt.unflatten(pt.structure(FailsToRebuild(1)), [2]),
            "purejax.tree.unflatten",
            "unflatten_fn registered for FailsToRebuild",
        ),
        (lambda: pt.leaves([FailsToFlatten(1)]), "purejax.tree.leaves", "flatten_fn registered for FailsToFlatten"),
    ],
)
def test_errors_inside_registered_functions_keep_their_type_and_name_the_class(call, where, note):
    """The user's own exception comes through unchanged, with a note naming the caller and the class."""
    with pytest.raises((ZeroDivisionError, RuntimeError)) as info:
        call()
    if hasattr(info.value, "add_note"):  # Python 3.11+
        notes = " ".join(getattr(info.value, "__notes__", []))
        assert where in notes and note in notes, notes


def test_max_depth_works_everywhere_and_matches_jax():
    """A tree exactly MAX_DEPTH containers deep: every operation, and the same leaves and structure as JAX."""
    deep = _nested(MAX_DEPTH)
    leaves, treedef = pt.flatten(deep)
    assert leaves == tu.tree_leaves(deep) == [1]
    assert treedef.num_nodes == tu.tree_structure(deep).num_nodes == MAX_DEPTH + 1
    assert treedef == pt.structure(_nested(MAX_DEPTH)) and hash(treedef) == hash(pt.structure(_nested(MAX_DEPTH)))
    assert treedef != pt.structure(_nested(MAX_DEPTH - 1))
    assert repr(treedef).count("[") == MAX_DEPTH
    assert pt.unflatten(treedef, [2]) == _nested(MAX_DEPTH, 2)
    assert pt.map(lambda a, b: a + b, deep, deep) == _nested(MAX_DEPTH, 2)
    assert pt.flatten_up_to(treedef, _nested(MAX_DEPTH, [5])) == [[5]]
    [(path, leaf)] = pt.flatten_with_path(deep)[0]
    assert len(path) == MAX_DEPTH and leaf == 1
    assert pt.leaves(_nested(MAX_DEPTH + 5), is_leaf=lambda x: x == [[[[[1]]]]]) == [[[[[[1]]]]]]


def test_shared_subtrees_are_not_cycles():
    """The same container twice side by side (a DAG, not a cycle) flattens as in JAX."""
    shared = [1, 2]
    tree = {"a": shared, "b": shared, "c": (shared, [shared])}
    assert pt.leaves(tree) == tu.tree_leaves(tree) == [1, 2] * 4
