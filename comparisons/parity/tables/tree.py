"""Parity of purejax.tree against jax.tree_util: same leaves, same structure, same paths.

Every check runs on a fixed set of trees (every container kind, nested, plus a Flax-style
variables tree) and on trees drawn at random from a seeded generator.
"""

from __future__ import annotations

import collections
import functools
import operator
import random as pyrandom
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import flaxed.tree
import purejax.tree
from comparisons.parity.measures import canonical_structure
from comparisons.parity.rows import Check, Row, check_tier

Point = collections.namedtuple("Point", ["x", "y"])


class Pair:
    """A user container registered with `purejax.tree.register_node` (and so with JAX)."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def __eq__(self, other):
        return type(other) is Pair and (self.first, self.second) == (other.first, other.second)

    def __repr__(self):
        return f"Pair({self.first!r}, {self.second!r})"


purejax.tree.register_node(Pair, lambda p: ((p.first, p.second), "pair"), lambda aux, ch: Pair(*ch))

FIXED_TREES = (
    1.0,
    None,
    [],
    {},
    (),
    [1, 2, 3],
    (1, (2, 3), [4, None]),
    {"b": 1, "a": [2, 3], "c": {"z": None, "y": (4,)}},
    {2: "int keys", 1: "sorted", 10: "numerically"},
    Point(1, [2, 3]),
    collections.OrderedDict([("z", 1), ("a", 2)]),
    collections.defaultdict(list, {"q": 1, "c": [2]}),
    [Pair(1, {"u": 2}), Pair(None, 3)],
    {
        "params": {"Dense_0": {"kernel": np.ones((3, 2)), "bias": np.zeros(2)}},
        "batch_stats": {"BatchNorm_0": {"mean": np.zeros(2), "var": np.ones(2)}},
    },
)


def random_tree(rng: pyrandom.Random, depth: int = 0) -> Any:
    """A random nested tree of every container kind, with numbered float leaves."""
    kind = rng.choice(
        ["leaf"] * (2 + depth)
        + ["none", "list", "tuple", "dict", "intdict", "namedtuple", "ordered", "default", "pair"]
    )
    size = rng.randint(0, 3)

    def child():
        return random_tree(rng, depth + 1)

    if kind == "leaf":
        return rng.choice([rng.random(), np.float32(rng.random()), np.arange(rng.randint(1, 3)), "text"])
    if kind == "none":
        return None
    if kind in ("list", "tuple"):
        items = [child() for _ in range(size)]
        return items if kind == "list" else tuple(items)
    if kind == "namedtuple":
        return Point(child(), child())
    if kind == "pair":
        return Pair(child(), child())
    keys = rng.sample(["a", "b", "kernel", "bias", "Dense_0", "z"] if kind != "intdict" else [3, 1, 2, 7], size)
    if kind == "ordered":
        return collections.OrderedDict((k, child()) for k in keys)
    if kind == "default":
        return collections.defaultdict(list, {k: child() for k in keys})
    return {k: child() for k in keys}


def trees(n_random: int = 200, seed: int = 0) -> list:
    rng = pyrandom.Random(seed)
    return list(FIXED_TREES) + [random_tree(rng) for _ in range(n_random)]


def _path_repr(path) -> tuple:
    return tuple((type(k).__name__, str(k)) for k in path)


def _same_tree(a, b) -> bool:
    """Equal structure (types and metadata) and identical leaves, judged by JAX."""
    (la, ta), (lb, tb) = jax.tree_util.tree_flatten(a), jax.tree_util.tree_flatten(b)
    return ta == tb and len(la) == len(lb) and all(x is y or np.array_equal(x, y) for x, y in zip(la, lb, strict=True))


def _truthy(x) -> bool:
    return bool(np.size(x) and np.all(np.asarray(x) != 0)) if not isinstance(x, str) else bool(x)


def _leaf_fn(x):
    return ("f", x) if not isinstance(x, str) else x.upper()


# Each check: (function, what it compares, predicate over one tree that is True on agreement).
def _flatten(t):
    (lo, to), (lj, tj) = purejax.tree.flatten(t), flaxed.tree.flatten(t)
    return (
        [id(x) for x in lo] == [id(x) for x in lj]
        and canonical_structure(to) == canonical_structure(tj)
        and (to.num_leaves, to.num_nodes) == (tj.num_leaves, tj.num_nodes)
    )


def _unflatten(t):
    leaves, treedef = purejax.tree.flatten(t)
    return _same_tree(purejax.tree.unflatten(treedef, leaves), flaxed.tree.unflatten(flaxed.tree.structure(t), leaves))


def _flatten_with_path(t):
    (po, _), (pj, _) = purejax.tree.flatten_with_path(t), flaxed.tree.flatten_with_path(t)
    return [(_path_repr(p), id(x)) for p, x in po] == [(_path_repr(p), id(x)) for p, x in pj]


def _keystr(t):
    paths = [p for p, _ in purejax.tree.flatten_with_path(t)[0]]
    jpaths = [p for p, _ in flaxed.tree.flatten_with_path(t)[0]]
    return all(
        purejax.tree.keystr(p) == flaxed.tree.keystr(q)
        and purejax.tree.keystr(p, simple=True, separator="/") == flaxed.tree.keystr(q, simple=True, separator="/")
        for p, q in zip(paths, jpaths, strict=True)
    )


def _map_with_path(t):
    def f(p, x, y):
        return (_path_repr(p), _leaf_fn(x), y)

    return _same_tree(purejax.tree.map_with_path(f, t, t), flaxed.tree.map_with_path(f, t, t))


CHECKS: tuple[tuple[str, str, str, Callable[[Any], bool]], ...] = (
    ("flatten", "tree_flatten", "leaves (same objects), structure, num_leaves/num_nodes", _flatten),
    ("unflatten", "tree_unflatten", "rebuilt types, metadata and leaves", _unflatten),
    (
        "leaves",
        "tree_leaves",
        "same objects in the same order",
        lambda t: [id(x) for x in purejax.tree.leaves(t)] == [id(x) for x in flaxed.tree.leaves(t)],
    ),
    (
        "structure",
        "tree_structure",
        "node types and metadata",
        lambda t: canonical_structure(purejax.tree.structure(t)) == canonical_structure(flaxed.tree.structure(t)),
    ),
    (
        "map",
        "tree_map",
        "over one and two trees",
        lambda t: (
            _same_tree(purejax.tree.map(_leaf_fn, t), flaxed.tree.map(_leaf_fn, t))
            and _same_tree(purejax.tree.map(lambda a, b: (a, b), t, t), flaxed.tree.map(lambda a, b: (a, b), t, t))
        ),
    ),
    ("flatten_with_path", "tree_flatten_with_path", "key classes and entries", _flatten_with_path),
    ("keystr", "keystr", "plain, and simple=True with a separator", _keystr),
    ("map_with_path", "tree_map_with_path", "over two trees", _map_with_path),
    (
        "reduce",
        "tree_reduce",
        "leaf count, with and without initializer",
        lambda t: (
            purejax.tree.reduce(lambda a, x: a + 1, t, 0) == flaxed.tree.reduce(lambda a, x: a + 1, t, 0)
            and (
                not flaxed.tree.leaves(t)
                or purejax.tree.reduce(operator.add, purejax.tree.map(lambda _: 1, t))
                == flaxed.tree.reduce(operator.add, flaxed.tree.map(lambda _: 1, t))
            )
        ),
    ),
    (
        "all",
        "tree_all",
        "truthiness of every leaf",
        lambda t: purejax.tree.all(purejax.tree.map(_truthy, t)) == flaxed.tree.all(flaxed.tree.map(_truthy, t)),
    ),
)


def _errors_agree() -> bool:
    """Both sides refuse the same bad input: mismatched map, wrong leaf count, unsortable keys."""
    bad = (
        lambda m: m.map(lambda a, b: a, {"params": {"kernel": 1, "bias": 2}}, {"params": {"kernel": 1}}),
        lambda m: m.map(lambda a, b: a, [1, 2], (1, 2)),
        lambda m: m.unflatten(m.structure([1, 2]), [1]),
        lambda m: m.leaves({1: "a", "b": 2}),
    )
    for call in bad:
        for m in (purejax.tree, flaxed.tree):
            try:
                call(m)
            except ValueError:
                continue
            return False
    return True


def _transforms_accept_registered() -> bool:
    """A class registered through purejax works under jit, grad and vmap."""
    p = Pair(jnp.arange(3.0), {"w": jnp.ones(3)})
    doubled = jax.jit(lambda q: purejax.tree.map(lambda x: 2 * x, q))(p)
    grads = jax.grad(lambda q: jnp.sum(q.first * q.second["w"]))(p)
    batched = jax.vmap(lambda q: q.first + q.second["w"])(p)
    return (
        type(doubled) is Pair
        and np.array_equal(doubled.first, 2 * p.first)
        and np.array_equal(grads.first, p.second["w"])
        and batched.shape == (3,)
    )


RANDOM_TREES = {"quick": 50, "full": 200}  # trees drawn beside FIXED_TREES, per tier


def _row(name: str, counterpart: str, what: str, agree: Callable[[Any], bool], n_random: int) -> Row:
    sample = trees(n_random)
    bad = [t for t in sample if not agree(t)]
    return Row(
        f"purejax.tree.{name}",
        f"jax.tree_util.{counterpart}",
        f"{what}; {len(FIXED_TREES)} fixed + {n_random} random trees",
        "identical" if not bad else f"{len(bad)} trees differ, first: {bad[0]!r:.60}",
        not bad,
        ulp=None if bad else 0,
    )


def _errors_row() -> Row:
    ok = _errors_agree()
    return Row(
        "purejax.tree (errors)",
        "jax.tree_util",
        "structure mismatch, leaf count, unsortable keys",
        "both raise ValueError" if ok else "differ",
        ok,
    )


def _register_row() -> Row:
    ok = _transforms_accept_registered()
    return Row(
        "purejax.tree.register_node",
        "jax.tree_util.register_pytree_node",
        "registered class under jit, grad, vmap",
        "identical" if ok else "differs",
        ok,
        ulp=0 if ok else None,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per function of `CHECKS` over the fixed and random trees, one for errors, one for registering."""
    n_random = RANDOM_TREES[check_tier(tier)]
    return [
        Check(f"purejax.tree.{name}", functools.partial(_row, name, counterpart, what, agree, n_random))
        for name, counterpart, what, agree in CHECKS
    ] + [Check("purejax.tree (errors)", _errors_row), Check("purejax.tree.register_node", _register_row)]
