"""Parity of purejax.nn.initializers against jax.nn.initializers: same key, same shape, same array.

Every case is a builder call written once, `lambda m: m.variance_scaling(2.0, "fan_out", "normal")`,
run with `m = purejax.nn.initializers` and `m = jax.nn.initializers`; the two initializers are then
called on fixed and random keys and on each of the case's shapes, eagerly and under `jax.jit`.
The measure is the distance in ulp (0 = bitwise).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from comparisons.parity.measures import ERF_INV_ULP, describe_ulp, ulp_distance
from comparisons.parity.rows import Check, Row, by_name, check_tier, count, of, settings
from comparisons.parity.tables.random import seeds
from purejax.nn import initializers

DENSE = ((5, 7), (7, 5))  # [in, out]; both orders, so orthogonal makes columns and rows orthonormal
CONV = ((3, 3, 4, 8),)  # [h, w, in, out]


class Case(NamedTuple):
    name: str  # the builder under test
    build: Callable  # module -> init(key, shape, dtype)
    shapes: tuple = DENSE + CONV
    max_ulp: int = 0
    label: str = ""
    dtype: object = jnp.float32


def _plain(name):
    return lambda m: getattr(m, name)  # zeros and ones are initializers themselves


CASES = (
    Case("zeros", _plain("zeros")),
    Case("ones", _plain("ones"), label="bfloat16", dtype=jnp.bfloat16),
    Case("constant", lambda m: m.constant(-7.5)),
    Case("uniform", lambda m: m.uniform()),
    Case("uniform", lambda m: m.uniform(3.0), label="scale=3, float16", dtype=jnp.float16),
    Case("normal", lambda m: m.normal(), max_ulp=ERF_INV_ULP),
    Case("normal", lambda m: m.normal(0.5), max_ulp=ERF_INV_ULP, label="stddev=0.5"),
    Case("truncated_normal", lambda m: m.truncated_normal(), max_ulp=ERF_INV_ULP),
    Case(
        "truncated_normal",
        lambda m: m.truncated_normal(2.0, lower=-1.0, upper=3.0),
        max_ulp=ERF_INV_ULP,
        label="stddev=2, (-1, 3)",
    ),
    Case(
        "variance_scaling",
        lambda m: m.variance_scaling(2.0, "fan_out", "normal"),
        max_ulp=ERF_INV_ULP,
        label="fan_out normal",
    ),
    Case("variance_scaling", lambda m: m.variance_scaling(0.5, "fan_geo_avg", "uniform"), label="fan_geo_avg uniform"),
    Case(
        "variance_scaling",
        lambda m: m.variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis=(0, 1), out_axis=-1, batch_axis=2),
        shapes=CONV,
        max_ulp=ERF_INV_ULP,
        label="in_axis=(0, 1), batch_axis=2",
    ),
    Case(
        "variance_scaling",
        lambda m: m.variance_scaling(1.0, "fan_in", "uniform", in_axis=0, out_axis=(1, 2)),
        shapes=((4, 3, 5), (6, 2, 2)),
        label="in_axis=0, out_axis=(1, 2)",
    ),
    Case("lecun_normal", lambda m: m.lecun_normal(), max_ulp=ERF_INV_ULP),
    Case("lecun_uniform", lambda m: m.lecun_uniform()),
    Case("glorot_normal", lambda m: m.glorot_normal(), max_ulp=ERF_INV_ULP),
    Case("glorot_uniform", lambda m: m.glorot_uniform()),
    Case("xavier_uniform", lambda m: m.xavier_uniform(batch_axis=0), shapes=((3, 4, 5),), label="batch_axis=0"),
    Case("he_normal", lambda m: m.he_normal(), max_ulp=ERF_INV_ULP),
    Case("he_uniform", lambda m: m.he_uniform()),
    Case(
        "kaiming_normal",
        lambda m: m.kaiming_normal(in_axis=-1, out_axis=-2),
        max_ulp=ERF_INV_ULP,
        label="in_axis=-1, out_axis=-2",
    ),
    Case("orthogonal", lambda m: m.orthogonal(), shapes=DENSE + CONV + ((64, 32),)),
    Case("orthogonal", lambda m: m.orthogonal(scale=1.4, column_axis=0), label="scale=1.4, column_axis=0"),
)


def max_ulp(case: Case, keys: list, jit: bool, shapes: int | None = None) -> int:
    """The worst ulp distance of `case` over `keys` and the first `shapes` of the case's shapes (all
    by default; the first alone under jit: each jitted shape is a fresh compile of the whole Threefry
    pipeline, on both sides)."""
    ours, theirs = case.build(initializers), case.build(jax.nn.initializers)
    shapes = case.shapes[:shapes]
    if jit:
        ours, theirs = jax.jit(ours, static_argnums=(1, 2)), jax.jit(theirs, static_argnums=(1, 2))
        shapes = shapes[:1]
    worst = 0
    for shape in shapes:
        for key in keys:
            worst = max(worst, ulp_distance(ours(key, shape, case.dtype), theirs(key, shape, case.dtype)))
    return worst


# Per tier: random seeds beside parity.random's fixed ones, how many of a case's shapes run eagerly,
# and how many of a row's settings run (None: all).
SIZES = {
    "quick": {"random_seeds": 0, "shapes": 1, "settings": 1},
    "full": {"random_seeds": 4, "shapes": None, "settings": None},
}


def _row(name: str, cases: list, chosen: list, keys: list, shapes: int | None) -> Row:
    ulp, ok = 0, True
    for case in chosen:
        case_ulp = max(max_ulp(case, keys, jit=False, shapes=shapes), max_ulp(case, keys, jit=True))
        ulp, ok = max(ulp, case_ulp), ok and case_ulp <= case.max_ulp
    labels = ", ".join(c.label or "defaults" for c in chosen)
    eager = sorted({len(c.shapes[:shapes]) for c in chosen})
    return Row(
        f"purejax.nn.initializers.{name}",
        f"jax.nn.initializers.{name}",
        f"{of(chosen, cases)} ({labels}); {count(len(keys), 'keys')} x {'/'.join(map(str, eager))} shape(s) "
        "eager, x 1 under jit",
        describe_ulp(ulp),
        ok,
        ulp=ulp,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per initializer (its settings)."""
    size = SIZES[check_tier(tier)]
    keys = [jax.random.PRNGKey(s) for s in seeds(size["random_seeds"])]
    return [
        Check(
            f"purejax.nn.initializers.{name}",
            functools.partial(_row, name, cases, settings(cases, size["settings"]), keys, size["shapes"]),
        )
        for name, cases in by_name(CASES).items()
    ]
