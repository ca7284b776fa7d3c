"""What a parity row is: the report's unit, planned as a `Check` and measured into a `Row`.

A row says: this purejax component, against this counterpart, on these inputs, differed by this
much (`measures.py` says how that is measured), and whether that is within the stated tolerance.
Each table (`tables/`) plans its rows for a tier: "quick", the default report, runs fewer keys,
shapes, trees, settings and steps per row than "full" (`--full`), from the same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import NamedTuple

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
    """ "1 key", "2 keys": `noun` is the plural."""
    return f"{n} {noun[:-1] if n == 1 else noun}"


def of(chosen: list, cases: list, what: str = "settings") -> str:
    """ "3 settings", or "1 of 3 settings" when a tier runs fewer than the table has."""
    return count(len(chosen), what) if len(chosen) == len(cases) else f"{len(chosen)} of {len(cases)} {what}"
