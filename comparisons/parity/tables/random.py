"""Parity of purejax.random against jax.random: same key, same call, same bits.

Every case below is a call written once, `lambda m, key, shape: m.normal(key, shape)`, and run
with `m = purejax.random` and `m = flaxed.random` (which is `jax.random`) on fixed and random
keys and shapes, eagerly and under `jax.jit`. The measure is the distance in ulp (0 = bitwise).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

import flaxed.random
import purejax.random
from comparisons.parity.measures import ERF_INV_ULP, describe_ulp, ulp_distance
from comparisons.parity.rows import Check, Row, by_name, check_tier, count, of, settings

FIXED_SEEDS = (0, 1, 42, 2**31 - 1, -1)
SHAPES = ((3, 5), (), (1,), (7,), (2, 3, 4))  # the quick tier takes the first


class Case(NamedTuple):
    name: str  # the function under test
    call: Callable  # (module, key, shape) -> array
    max_ulp: int = 0
    label: str = ""  # what varies besides key and shape


def _logits(shape):
    return jnp.linspace(-2.0, 2.0, int(np.prod(shape)) * 5, dtype=jnp.float32).reshape(*shape, 5)


CASES = (
    Case("split", lambda m, k, s: m.split(k, 3)),
    Case("split", lambda m, k, s: m.split(k, (2, 2)), label="num=(2, 2)"),
    Case("fold_in", lambda m, k, s: m.fold_in(k, 12345)),
    Case("bits", lambda m, k, s: m.bits(k, s)),
    Case("bits", lambda m, k, s: m.bits(k, s, jnp.uint8), label="uint8"),
    Case("uniform", lambda m, k, s: m.uniform(k, s)),
    Case("uniform", lambda m, k, s: m.uniform(k, s, jnp.bfloat16, -2.0, 3.0), label="bfloat16 [-2, 3)"),
    Case("normal", lambda m, k, s: m.normal(k, s), ERF_INV_ULP),
    Case("normal", lambda m, k, s: m.normal(k, s, jnp.float16), ERF_INV_ULP, "float16"),
    Case("truncated_normal", lambda m, k, s: m.truncated_normal(k, -1.5, 2.0, s), ERF_INV_ULP),
    Case("truncated_normal", lambda m, k, s: m.truncated_normal(k, 2.0, 5.0, s), ERF_INV_ULP, "tail (2, 5)"),
    Case("bernoulli", lambda m, k, s: m.bernoulli(k, 0.3, s)),
    Case("bernoulli", lambda m, k, s: m.bernoulli(k, 1e-3, s, mode="high"), label="mode=high"),
    Case("randint", lambda m, k, s: m.randint(k, s, -5, 17)),
    Case("randint", lambda m, k, s: m.randint(k, s, 0, 256, jnp.uint8), label="uint8 [0, 256)"),
    Case("permutation", lambda m, k, s: m.permutation(k, 50)),
    Case("permutation", lambda m, k, s: m.permutation(k, jnp.arange(12.0).reshape(3, 4), axis=1), label="axis=1"),
    Case("categorical", lambda m, k, s: m.categorical(k, _logits(s))),
    Case(
        "categorical",
        lambda m, k, s: m.categorical(k, jnp.arange(6.0), shape=(3,), replace=False),
        label="replace=False",
    ),
    Case("gumbel", lambda m, k, s: m.gumbel(k, s)),
    Case("gumbel", lambda m, k, s: m.gumbel(k, s, mode="high"), label="mode=high"),
    Case("threefry_2x32", lambda m, k, s: m.threefry_2x32(k, jnp.arange(int(np.prod(s)) + 3, dtype=jnp.uint32))),
)


def seeds(n_random: int = 8) -> list[int]:
    """The fixed seeds and `n_random` more drawn from a NumPy generator seeded with 0."""
    drawn = np.random.default_rng(0).integers(-(2**31), 2**31, n_random)
    return list(FIXED_SEEDS) + [int(s) for s in drawn]


# Per tier: random seeds beside FIXED_SEEDS, how many of SHAPES each case runs on, and how many of a
# row's settings run (None: all).
SIZES = {
    "quick": {"random_seeds": 1, "shapes": 1, "settings": 1},
    "full": {"random_seeds": 8, "shapes": len(SHAPES), "settings": None},
}


def _max_ulp(case: Case, keys: list, shapes: tuple, jit: bool) -> int:
    worst = 0
    for shape in shapes:

        def ours(k, s=shape):
            return case.call(purejax.random, k, s)

        def theirs(k, s=shape):
            return case.call(flaxed.random, k, s)

        if jit:
            ours, theirs = jax.jit(ours), jax.jit(theirs)
        for key in keys:
            worst = max(worst, ulp_distance(ours(key), theirs(key)))
    return worst


def _seed_row(all_seeds: list) -> Row:
    ulp = max(ulp_distance(purejax.random.PRNGKey(s), jax.random.PRNGKey(s)) for s in all_seeds + [2**40 + 5])
    return Row(
        "purejax.random.PRNGKey",
        "jax.random.PRNGKey",
        f"{len(all_seeds) + 1} seeds",
        describe_ulp(ulp),
        ulp == 0,
        ulp=ulp,
    )


def _case_row(name: str, cases: list, chosen: list, all_seeds: list, shapes: tuple) -> Row:
    keys = [jax.random.PRNGKey(s) for s in all_seeds]
    ulp, ok = 0, True
    for case in chosen:
        case_ulp = max(_max_ulp(case, keys, shapes, jit=False), _max_ulp(case, keys, shapes, jit=True))
        ulp, ok = max(ulp, case_ulp), ok and case_ulp <= case.max_ulp
    labels = ", ".join(c.label or "defaults" for c in chosen)
    counterpart = "jax.extend.random" if name == "threefry_2x32" else "jax.random"
    return Row(
        f"purejax.random.{name}",
        f"{counterpart}.{name}",
        f"{of(chosen, cases)} ({labels}); {count(len(keys), 'keys')} x {count(len(shapes), 'shapes')}, eager and jit",
        describe_ulp(ulp),
        ok,
        ulp=ulp,
    )


def _erf_inv_row() -> Row:
    grid = jnp.linspace(-1.0, 1.0, 100_001, dtype=jnp.float32)
    ulp = max(
        ulp_distance(purejax.random.erf_inv(grid), jax.lax.erf_inv(grid)),
        ulp_distance(jax.jit(purejax.random.erf_inv)(grid), jax.jit(jax.lax.erf_inv)(grid)),
    )
    return Row(
        "purejax.random.erf_inv",
        "jax.lax.erf_inv",
        "100001 points on [-1, 1], eager and jit",
        describe_ulp(ulp),
        ulp <= ERF_INV_ULP,
        ulp=ulp,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per function (its settings), plus rows for `PRNGKey` and `erf_inv`."""
    size = SIZES[check_tier(tier)]
    all_seeds, shapes = seeds(size["random_seeds"]), SHAPES[: size["shapes"]]
    return (
        [Check("purejax.random.PRNGKey", functools.partial(_seed_row, all_seeds))]
        + [
            Check(
                f"purejax.random.{name}",
                functools.partial(_case_row, name, cases, settings(cases, size["settings"]), all_seeds, shapes),
            )
            for name, cases in by_name(CASES).items()
        ]
        + [Check("purejax.random.erf_inv", _erf_inv_row)]
    )
