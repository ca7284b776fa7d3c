"""purejax.tree's TreeDef: unflatten rebuilds the containers, value semantics and repr, and the
errors that name where two trees differ."""

import collections

import pytest

import purejax.tree as pt
from comparisons.parity.tables.tree import Point


def test_unflatten_rebuilds_container_types():
    tree = {"p": Point(1, [2, None]), "o": collections.OrderedDict(z=3, a=4), "d": collections.defaultdict(list, x=5)}
    rebuilt = pt.unflatten(pt.structure(tree), pt.leaves(tree))
    assert type(rebuilt["p"]) is Point and type(rebuilt["o"]) is collections.OrderedDict
    assert rebuilt["d"].default_factory is list and list(rebuilt["o"]) == ["z", "a"]
    assert rebuilt == tree


def test_treedef_value_semantics_and_repr():
    a, b = pt.structure({"a": 1, "b": [2, None]}), pt.structure({"b": [7, None], "a": 8})
    assert a == b and hash(a) == hash(b) and a != pt.structure({"a": 1, "b": [2, 3]})
    assert repr(a) == "TreeDef({'a': *, 'b': [*, None]})"
    assert repr(pt.structure(Point(1, (2,)))) == "TreeDef(Point(x=*, y=(*,)))"
    assert a.num_leaves == 2 and a.unflatten([1, 2]) == {"a": 1, "b": [2, None]}


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda: pt.map(
                lambda a, b: a,
                {"params": {"Dense_0": {"kernel": 1, "bias": 2}}},
                {"params": {"Dense_0": {"kernel": 1}}},
            ),
            "at ['params']['Dense_0']: dict with keys ['bias', 'kernel'] vs ['kernel']",
        ),
        (lambda: pt.map(lambda a, b: a, [1, (2, 3)], [1, [2, 3]]), "at [1]: tuple of 2 vs list of 2"),
        (lambda: pt.map(lambda a, b: a, {"a": [1, 2]}, {"a": 3}), "at ['a']: list of 2 vs a leaf of type int"),
        (lambda: pt.map(lambda a, b: a, Point(1, 2), (1, 2)), "at <root>: Point of 2 vs tuple of 2"),
        (lambda: pt.unflatten(pt.structure([1, 2]), [1]), "expects 2 leaves, got 1"),
        (lambda: pt.leaves({1: "a", "b": 2}), "dictionary keys must be sortable"),
    ],
)
def test_errors_name_what_went_wrong(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
