"""The tree_flatten exercise: plausible mistakes fail, each with a message naming what differs."""

import pytest

MISTAKES = [
    pytest.param(
        "keys = sorted(tree)",
        "keys = list(tree)",
        ("a dict, keys sorted", "leaves differ first at position 0", "expected  [2, 1, 4, 3]", "sorted(d)"),
        id="insertion-order",
    ),
    pytest.param(
        "return treedef[1](*children)",
        "return tuple(children)",
        ("a NamedTuple is rebuilt as its own class", "expected  Point(x=1, y=[2, 3])", "got       (1, [2, 3])"),
        id="namedtuple-as-tuple",
    ),
    pytest.param(
        '    if tree is None:\n        return [], ("none",)\n',
        "",
        ("None is an empty node, not a leaf", "raised IndexError", "None has no leaves"),
        id="none-as-leaf",
    ),
]


@pytest.mark.parametrize(("old", "new", "fragments"), MISTAKES)
def test_tree_flatten_mistakes(assert_mistake_explained, old, new, fragments):
    assert_mistake_explained("tree_flatten", old, new, *fragments)
