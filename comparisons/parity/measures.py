"""What a parity row is, and how two results are measured against each other.

A row says: this purejax component, against this counterpart, on these inputs, differed by this
much, and whether that is within the stated tolerance. The measures are shared with the tests
(`tests/_asserts.py`) so that the report and the test suite judge alike.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

# The report's two tiers. Both run the same tables and give the same rows (the data-parallel
# section aside, which runs a representative subset of the models in "quick"); "quick" runs fewer
# keys, shapes, trees, settings and steps per row. Each section module says what its tiers run.
TIERS = ("quick", "full")


@dataclass
class Row:
    """One line of the parity report.

    `ulp` and `rel` are the measured differences the `difference` text describes, as numbers (None
    where the row has no such measure): the report's summary takes each section's worst of them.
    """

    component: str  # e.g. "purejax.random.normal"
    counterpart: str  # e.g. "jax.random.normal"
    check: str  # what was run, e.g. "13 keys x 5 shapes, eager and jit"
    difference: str  # "bitwise", "identical", "max 1 ulp", or the error
    ok: bool
    ulp: int | None = None  # the largest distance in units in the last place (0: bitwise)
    rel: float | None = None  # the largest relative difference
    seconds: float | None = None  # how long the check took (set by the report)

    def as_dict(self) -> dict:
        return asdict(self)


class Check(NamedTuple):
    """One row of the report, not yet run: what it compares, and the function that measures it."""

    component: str  # the row's component, shown while it runs
    run: Callable[[], Row]
    release: bool = False  # the rows after it use none of the programs it compiled: drop them after it


def check_tier(tier: str) -> str:
    """`tier` itself, or a ValueError naming the tiers."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; the tiers are {', '.join(TIERS)}")
    return tier


def by_name(cases) -> dict[str, list]:
    """A table's cases grouped by the component they test (`case.name`), in the table's order: one row each."""
    groups: dict[str, list] = {}
    for case in cases:
        groups.setdefault(case.name, []).append(case)
    return groups


def settings(cases: list, limit: int | None) -> list:
    """The first `limit` of a row's cases (all of them when `limit` is None): defaults come first."""
    return list(cases)[:limit]


def count(n: int, noun: str) -> str:
    """"1 key", "2 keys": `noun` is the plural."""
    return f"{n} {noun[:-1] if n == 1 else noun}"


def of(chosen: list, cases: list, what: str = "settings") -> str:
    """"3 settings", or "1 of 3 settings" when a tier runs fewer than the table has."""
    return count(len(chosen), what) if len(chosen) == len(cases) else f"{len(chosen)} of {len(cases)} {what}"


def ulp_distance(a: Any, b: Any) -> int:
    """The largest distance between `a` and `b` in units in the last place (0 = bitwise equal).

    Floats are compared through their bit patterns mapped to a monotone integer scale, so that
    neighbouring floats are 1 apart and -0.0 and 0.0 are 0 apart; two NaNs count as equal.
    Integers and booleans must be equal (any difference counts as 2**31). Shapes and dtypes must
    match.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise ValueError(f"cannot compare {a.dtype}{list(a.shape)} with {b.dtype}{list(b.shape)}")
    if a.size == 0:
        return 0
    if a.dtype.kind in "biu":
        return 0 if np.array_equal(a, b) else 2**31
    signed = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]  # f16/bf16, f32, f64
    lowest = int(np.iinfo(signed).min)

    def monotone(x):  # sign-magnitude bits -> two's-complement order
        i = x.view(signed).astype(object)
        return np.where(i < 0, lowest - i, i)

    dist = np.abs(monotone(a) - monotone(b))
    nan_a = np.isnan(a.astype(np.float64))
    dist = np.where(nan_a & np.isnan(b.astype(np.float64)), 0, dist)
    return int(dist.max())


def tree_ulp(ours: Any, theirs: Any) -> int:
    """The largest `ulp_distance` over the leaves of two pytrees; 2**31 if their structures differ."""
    import jax  # imported here: this module's other measures need only NumPy

    if jax.tree_util.tree_structure(ours) != jax.tree_util.tree_structure(theirs):
        return 2**31
    pairs = zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs))
    return max([ulp_distance(a, b) for a, b in pairs], default=0)


def trees_identical(ours: Any, theirs: Any) -> bool:
    """Same structure, shapes, dtypes and bits, leaf for leaf."""
    try:
        return tree_ulp(ours, theirs) == 0
    except ValueError:  # a leaf's shape or dtype differs
        return False


def tree_rel(ours: Any, theirs: Any, floor: float = 1e-6) -> float:
    """The largest `|a - b| / max(|b|, floor)` over the leaves (in float64); inf if structures differ."""
    import jax

    if jax.tree_util.tree_structure(ours) != jax.tree_util.tree_structure(theirs):
        return float("inf")
    rel = [np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
                  / np.maximum(np.abs(np.asarray(b, np.float64)), floor), initial=0.0)
           for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs))]
    return float(max(rel, default=0.0))


def describe_ulp(ulp: int) -> str:
    return "bitwise" if ulp == 0 else ("differs" if ulp >= 2**31 else f"max {ulp} ulp")


def describe_rel(rel: float) -> str:
    """A relative difference for the report: "bitwise" when it is exactly 0."""
    return "bitwise" if rel == 0 else f"max rel {rel:.1e}"


def canonical_structure(treedef: Any) -> Any:
    """A treedef as nested tuples `(type, metadata, children)`, `'*'` for a leaf.

    Works for purejax's `TreeDef` and JAX's `PyTreeDef` alike (both have `node_data()` and
    `children()`), so the two can be compared with `==`.
    """
    data = treedef.node_data()
    if data is None:
        return "*"
    node_type, aux = data
    if isinstance(aux, list):
        aux = tuple(aux)
    return (node_type, aux, tuple(canonical_structure(c) for c in treedef.children()))
