"""The pytrees chapter's exercise: `tree_flatten` (with `tree_unflatten`), against `jax.tree_util`.

A result is `{'leaves', 'rebuilt', 'relabelled'}`: the leaves, the tree unflattened from them, and
the tree unflattened from new leaves (`'leaf0'`, `'leaf1'`, ...). Leaves are compared as objects
(the same object, or an equal value of the same type), trees by type and structure, because a
tree's leaves need not be arrays.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from comparisons.exercises.exercise import Case, Exercise
from comparisons.exercises.grading import describe_value


class Point(NamedTuple):
    x: Any
    y: Any


def _relabel(count: int) -> list[str]:
    return [f"leaf{i}" for i in range(count)]


def _expected(tree):
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    return {
        "leaves": leaves,
        "rebuilt": jax.tree_util.tree_unflatten(treedef, leaves),
        "relabelled": jax.tree_util.tree_unflatten(treedef, _relabel(len(leaves))),
    }


def _attempt(module, tree):
    leaves, treedef = module.tree_flatten(tree)
    count = len(jax.tree_util.tree_leaves(tree))  # the relabelled tree gets as many leaves as JAX finds
    return {
        "leaves": list(leaves),
        "rebuilt": module.tree_unflatten(treedef, list(leaves)),
        "relabelled": module.tree_unflatten(treedef, _relabel(count)),
    }


def _same(a: Any, b: Any) -> bool:
    """The same tree: containers of the same types (dict keys equal), leaves the same objects or equal values."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "shape"):
        return a is b
    return a == b


def _compare(want: dict, got: dict) -> list[str] | None:
    w, g = want["leaves"], got["leaves"]
    if len(w) != len(g):
        return [
            f"tree_flatten's leaves: expected {len(w)} leaves, got {len(g)}",
            f"  expected  {describe_value(w)}   (jax.tree_util.tree_flatten)",
            f"  got       {describe_value(g)}",
        ]
    for i, (x, y) in enumerate(zip(w, g, strict=True)):
        if not _same(x, y):
            return [
                f"tree_flatten's leaves differ first at position {i}:",
                f"  expected  {describe_value(w)}   (jax.tree_util.tree_flatten)",
                f"  got       {describe_value(g)}",
                f"  at [{i}]: expected {describe_value(x)}, got {describe_value(y)}",
            ]
    for part, what in (("rebuilt", "the tree from its own leaves"), ("relabelled", "the tree from new leaves")):
        if not _same(want[part], got[part]):
            return [
                f"tree_unflatten(treedef, leaves) does not rebuild {what}:",
                f"  expected  {describe_value(want[part])}   (jax.tree_util.tree_unflatten)",
                f"  got       {describe_value(got[part])}",
                "  (types must match too: a tuple stays a tuple, a NamedTuple its own class)",
            ]
    return None


def _cases() -> list[Case]:
    return [
        Case("a flat list", {"tree": [1, 2, 3]}, "a list's leaves are its elements, in order"),
        Case(
            "a dict, keys sorted",
            {"tree": {"b": 1, "a": 2, "c": {"z": 3, "y": 4}}},
            "jax.tree_util visits a dict's values in the order of sorted(d), not in insertion order",
        ),
        Case(
            "None is an empty node, not a leaf",
            {"tree": {"a": None, "b": (1, None), "c": 2}},
            "None has no leaves: it flattens to [] and unflattens back to None",
        ),
        Case(
            "tuples stay tuples, lists stay lists",
            {"tree": ((1, 2), [3, (4,)])},
            "remember each container's type in the treedef and rebuild with it",
        ),
        Case(
            "a NamedTuple is rebuilt as its own class",
            {"tree": Point(x=1, y=[2, 3])},
            "a NamedTuple is a tuple: keep type(node) in the treedef and rebuild with type(node)(*children)",
        ),
        Case(
            "empty containers",
            {"tree": {"a": [], "b": (), "c": {}, "d": 5}},
            "an empty container has no leaves but is still a node: it must come back",
        ),
        Case(
            "arrays and strings are leaves",
            {"tree": {"w": jnp.ones((2, 3)), "name": "dense", "n": 3.5}},
            "only dicts, lists, tuples and None are nodes: a string is a leaf (do not iterate over it)",
        ),
    ]


def _strategy():
    from hypothesis import strategies as st  # imported here: only grading needs hypothesis

    leaves = st.integers(0, 99) | st.sampled_from(["a", "bc"]) | st.none()
    keys = st.sampled_from(["a", "b", "c", "w", "z"])

    def extend(children):
        return (
            st.lists(children, max_size=3)
            | st.lists(children, max_size=3).map(tuple)
            | st.dictionaries(keys, children, max_size=3)
            | st.builds(Point, children, children)
        )

    return st.fixed_dictionaries({"tree": st.recursive(leaves, extend, max_leaves=8)})


TREE_FLATTEN = Exercise(
    name="tree_flatten",
    chapter="01_pytrees",
    summary="flatten a pytree to its leaves and rebuild it, as jax.tree_util does",
    counterpart="jax.tree_util",
    functions=("tree_flatten", "tree_unflatten"),
    expected=_expected,
    attempt=_attempt,
    cases=_cases,
    hint="compare your leaves' order with jax.tree_util.tree_leaves on this input",
    strategy=_strategy,
    compare=_compare,
    examples=40,
)
