"""Parity of purejax.nn's linear, embedding, convolution and pooling layers against flax.linen.

Every case is a layer built once, `lambda nn, init: nn.Conv(4, (3, 3), kernel_init=init.normal())`,
with `(nn, init) = (OURS, purejax.nn.initializers)` and `(flax.linen, jax.nn.initializers)`. For
each case: `init` on the same key gives the same variables tree (collections, names, shapes,
dtypes) and values (ulp); then, with Flax's variables, the forward pass and the gradients of
`sum(sin(y))` with respect to params and (float) inputs agree, eagerly and under `jax.jit`.
Pooling cases are plain functions: forward and input gradients only. Relative differences are
`max|ours - theirs| / max|theirs|` per array.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable, Mapping
from typing import NamedTuple

import flax.linen as fnn
import flax.linen.pooling  # noqa: F401 -- min_pool is not re-exported by flax.linen; fnn.pooling needs the import
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from comparisons.parity.measures import (
    ERF_INV_ULP,
    FORWARD_RTOL,
    GRADIENT_RTOL,
    describe_rel,
    describe_ulp,
    scale_rel,
    tree_ulp,
)
from comparisons.parity.rows import Check, Row, by_name, check_tier, count, of, settings
from purejax.nn import (
    Conv,
    ConvTranspose,
    Dense,
    DenseGeneral,
    Embed,
    Layer,
    avg_pool,
    initializers,
    max_pool,
    min_pool,
    pool,
)

OURS = types.SimpleNamespace(
    Dense=Dense,
    DenseGeneral=DenseGeneral,
    Embed=Embed,
    Conv=Conv,
    ConvTranspose=ConvTranspose,
    pool=pool,
    avg_pool=avg_pool,
    max_pool=max_pool,
    min_pool=min_pool,
)


@dataclasses.dataclass(frozen=True)
class Tower(Layer):
    """A small model of the layers here: tied embedding, conv, two Dense, pooling."""

    def forward(self, scope, ids):
        embed = scope.child(OURS.Embed(11, 6), name="embed")
        h = embed(ids)  # [batch, time, 6]
        h = scope.child(OURS.Conv(8, (3,), padding="CAUSAL"), name="conv")(h)  # [batch, time, 8]
        h = scope.child(OURS.Dense(12))(h)  # Dense_0
        h = OURS.max_pool(h, (2,), strides=(2,))  # [batch, time / 2, 12]
        h = scope.child(OURS.DenseGeneral(3, axis=(-2, -1)), name="head")(h)  # [batch, 3]
        h = scope.child(OURS.Dense(6))(h)  # Dense_1
        return embed(h, attend=True)  # [batch, 11]


class FlaxTower(fnn.Module):
    """`Tower` written with `nn.compact`."""

    @fnn.compact
    def __call__(self, ids):
        embed = fnn.Embed(11, 6, name="embed")
        h = embed(ids)
        h = fnn.Conv(8, (3,), padding="CAUSAL", name="conv")(h)
        h = fnn.Dense(12)(h)
        h = fnn.max_pool(h, (2,), strides=(2,))
        h = fnn.DenseGeneral(3, axis=(-2, -1), name="head")(h)
        h = fnn.Dense(6)(h)
        return embed.attend(h)


class Case(NamedTuple):
    name: str  # the layer or function under test
    build: Callable  # (nn, init) -> layer, or for pooling a function x -> y
    shape: tuple  # input shape
    label: str = ""
    ids: int = 0  # > 0: integer inputs in [0, ids)
    ours_kw: Mapping = {}  # extra keywords of init/apply
    theirs_kw: Mapping = {}
    pool: bool = False
    max_ulp: int = ERF_INV_ULP


CASES = (
    Case("Dense", lambda nn, i: nn.Dense(5), (4, 3)),
    Case("Dense", lambda nn, i: nn.Dense(7, use_bias=False, kernel_init=i.normal(0.5)), (2, 3, 6), "no bias, normal"),
    Case("Dense", lambda nn, i: nn.Dense(4, dtype=jnp.bfloat16, bias_init=i.uniform(1.0)), (3, 5), "dtype=bfloat16"),
    Case("DenseGeneral", lambda nn, i: nn.DenseGeneral((2, 3)), (4, 5), "features=(2, 3)"),
    Case("DenseGeneral", lambda nn, i: nn.DenseGeneral(4, axis=(1, -1)), (2, 3, 5, 6), "axis=(1, -1)"),
    Case(
        "DenseGeneral",
        lambda nn, i: nn.DenseGeneral((2, 3), batch_dims=(0,), bias_init=i.normal(1.0)),
        (3, 4, 5),
        "batch_dims=(0,)",
    ),
    Case("Embed", lambda nn, i: nn.Embed(10, 4), (3, 5), ids=10),
    Case("Embed", lambda nn, i: nn.Embed(1, 3), (2, 4), "num_embeddings=1", ids=1),
    Case("Embed", lambda nn, i: nn.Embed(6, 4, embedding_init=i.uniform()), (7,), "uniform init", ids=6),
    Case(
        "Embed",
        lambda nn, i: nn.Embed(10, 4),
        (3, 4),
        "attend",
        ours_kw={"attend": True},
        theirs_kw={"method": "attend"},
    ),
    Case("Conv", lambda nn, i: nn.Conv(4, (3, 3)), (2, 8, 8, 3)),
    Case("Conv", lambda nn, i: nn.Conv(4, 3, strides=2, padding="VALID"), (2, 9, 3), "1-D, stride 2, VALID"),
    Case(
        "Conv",
        lambda nn, i: nn.Conv(6, (3, 3), padding="CIRCULAR", feature_group_count=3, kernel_dilation=2),
        (2, 7, 7, 3),
        "CIRCULAR, groups=3, dilation 2",
    ),
    Case("Conv", lambda nn, i: nn.Conv(4, (2,), padding="CAUSAL", kernel_dilation=2), (2, 10, 3), "CAUSAL"),
    Case(
        "Conv",
        lambda nn, i: nn.Conv(4, (3, 3), padding=((1, 2), (0, 1)), input_dilation=2, use_bias=False),
        (2, 5, 5, 3),
        "explicit pads, input_dilation 2",
    ),
    Case("Conv", lambda nn, i: nn.Conv(2, (2, 2, 2), padding=1, bias_init=i.normal(1.0)), (1, 4, 4, 4, 2), "3-D"),
    Case("Conv", lambda nn, i: nn.Conv(4, (3, 3), padding="REFLECT"), (7, 7, 3), "unbatched, REFLECT"),
    Case("Conv", lambda nn, i: nn.Conv(4, (3,), strides=(2,)), (2, 3, 8, 3), "2 batch axes"),
    Case("ConvTranspose", lambda nn, i: nn.ConvTranspose(4, (3, 3), strides=(2, 2)), (2, 5, 5, 3)),
    Case("ConvTranspose", lambda nn, i: nn.ConvTranspose(4, 3, strides=(2,), padding="VALID"), (2, 6, 3), "1-D, VALID"),
    Case(
        "ConvTranspose",
        lambda nn, i: nn.ConvTranspose(4, (3, 3), strides=(2, 2), padding="CIRCULAR", transpose_kernel=True),
        (2, 4, 4, 3),
        "CIRCULAR, transpose_kernel",
    ),
    Case(
        "ConvTranspose",
        lambda nn, i: nn.ConvTranspose(4, (4,), strides=(2,), padding="CIRCULAR"),
        (2, 5, 3),
        "CIRCULAR, even kernel",
    ),
    Case(
        "ConvTranspose",
        lambda nn, i: nn.ConvTranspose(3, (3, 3), kernel_dilation=(2, 1), padding=((1, 1), (2, 0))),
        (6, 6, 2),
        "unbatched, dilation, pads",
    ),
    Case("max_pool", lambda nn, i: lambda x: nn.max_pool(x, (2, 2), strides=(2, 2)), (2, 8, 8, 3), pool=True),
    Case("max_pool", lambda nn, i: lambda x: nn.max_pool(x, (3, 3), (2, 2), "SAME"), (2, 7, 7, 3), "SAME", pool=True),
    Case("min_pool", lambda nn, i: lambda x: nn.min_pool(x, (2, 2)), (3, 6, 6, 2), pool=True),
    Case(
        "avg_pool",
        lambda nn, i: lambda x: nn.avg_pool(x, (2, 2), padding=((1, 1), (0, 1))),
        (2, 6, 6, 3),
        "explicit pads",
        pool=True,
    ),
    Case(
        "avg_pool",
        lambda nn, i: lambda x: nn.avg_pool(x, (3,), padding="SAME", count_include_pad=False),
        (2, 9, 3),
        "SAME, count_include_pad=False",
        pool=True,
    ),
    Case(
        "avg_pool",
        lambda nn, i: lambda x: nn.avg_pool(x, (3, 3), (2, 2), "SAME", count_include_pad=False),
        (7, 7, 3),
        "unbatched, count_include_pad=False",
        pool=True,
    ),
    Case(
        "pool", lambda nn, i: lambda x: nn.pool(x, 0.0, lax.add, (2,), (1,), "VALID"), (2, 5, 3), "lax.add", pool=True
    ),
    Case(
        "composite",
        lambda nn, i: Tower() if nn is OURS else FlaxTower(),
        (2, 8),
        "Embed(tied)/conv/Dense_0/max_pool/head/Dense_1",
        ids=11,
    ),
)


def inputs(case: Case, seed: int = 0):
    """The case's input: integer ids or standard normal floats, from a NumPy generator."""
    rng = np.random.default_rng(seed)
    if case.ids:
        return jnp.asarray(rng.integers(0, case.ids, case.shape), jnp.int32)
    return jnp.asarray(rng.standard_normal(case.shape), jnp.float32)


def functions(case: Case, ours: bool) -> types.SimpleNamespace:
    """`init(key, x)`, `apply(variables, x)`, `grad(variables, x)` of one side (pooling: `apply`, `grad` of x)."""
    nn, init = (OURS, initializers) if ours else (fnn.pooling if case.pool else fnn, jax.nn.initializers)
    kw = case.ours_kw if ours else case.theirs_kw
    built = case.build(nn, init)
    if case.pool:
        return types.SimpleNamespace(apply=built, grad=jax.grad(lambda x: jnp.sum(jnp.sin(built(x)))))

    def apply(v, x):
        return built.apply(v, x, **kw)

    def loss(v, x):
        return jnp.sum(jnp.sin(apply(v, x).astype(jnp.float32)))

    return types.SimpleNamespace(
        init=lambda key, x: built.init(key, x, **kw),
        apply=apply,
        grad=jax.grad(loss, argnums=0 if case.ids else (0, 1)),
    )


def compare(case: Case, key, wrap: Callable = lambda f: f) -> dict:
    """Measures of one case: `init_ulp`, `forward_rel`, `grad_rel`; `wrap` is e.g. `jax.jit`.

    Outputs and gradients are measured against each array's scale (`measures.scale_rel`), which
    also checks that the two trees have the same paths, shapes and dtypes.
    """
    x = inputs(case)
    ours, theirs = functions(case, True), functions(case, False)
    if case.pool:
        return {
            "init_ulp": 0,
            "forward_rel": scale_rel(wrap(ours.apply)(x), wrap(theirs.apply)(x)),
            "grad_rel": scale_rel(wrap(ours.grad)(x), wrap(theirs.grad)(x)),
        }
    variables = wrap(theirs.init)(key, x)
    ours_variables = wrap(ours.init)(key, x)
    scale_rel(ours_variables, variables)  # the same paths, shapes and dtypes, or a ValueError naming the first
    return {
        "init_ulp": tree_ulp(ours_variables, variables),
        "forward_rel": scale_rel(wrap(ours.apply)(variables, x), wrap(theirs.apply)(variables, x)),
        "grad_rel": scale_rel(wrap(ours.grad)(variables, x), wrap(theirs.grad)(variables, x)),
    }


# Per tier: the keys each case is initialized with, and how many of a row's settings run (None: all).
SIZES = {"quick": {"seeds": (0,), "settings": 1}, "full": {"seeds": (0, 1), "settings": None}}


def _row(name: str, cases: list, chosen: list, seeds: tuple) -> Row:
    worst = {"init_ulp": 0, "forward_rel": 0.0, "grad_rel": 0.0}
    ok = True
    for case in chosen:
        for seed in seeds:
            for wrap in (lambda f: f, jax.jit):
                with jax.default_matmul_precision("highest"):
                    m = compare(case, jax.random.PRNGKey(seed), wrap)
                worst = {k: max(worst[k], m[k]) for k in worst}
                ok &= m["init_ulp"] <= case.max_ulp
    ok &= worst["forward_rel"] <= FORWARD_RTOL and worst["grad_rel"] <= GRADIENT_RTOL
    pool = cases[0].pool
    module = "flax.linen.pooling" if pool else "flax.linen"
    what = "forward and input grads" if pool else "init, forward, grads of params and inputs"
    difference = f"forward {describe_rel(worst['forward_rel'])}; grads {describe_rel(worst['grad_rel'])}"
    if not pool:
        difference = f"init {describe_ulp(worst['init_ulp'])}; " + difference
    return Row(
        f"purejax.nn.{name}",
        f"{module}.{name}" if name != "composite" else "flax.linen (nn.compact model)",
        of(chosen, cases) + ("" if pool else f" x {count(len(seeds), 'keys')}") + f", {what}, eager and jit",
        difference,
        bool(ok),
        ulp=None if pool else worst["init_ulp"],
        rel=max(worst["forward_rel"], worst["grad_rel"]),
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per layer, pooling function and the composite model."""
    size = SIZES[check_tier(tier)]
    return [
        Check(
            f"purejax.nn.{name}", functools.partial(_row, name, cases, settings(cases, size["settings"]), size["seeds"])
        )
        for name, cases in by_name(CASES).items()
    ]


def assert_case(case: Case, key, wrap: Callable = lambda f: f) -> None:
    """Assert one case within its tolerances (the tests call this once per case, variant, platform)."""
    m = compare(case, key, wrap)
    assert m["init_ulp"] <= case.max_ulp, f"{case.name} {case.label}: init {m['init_ulp']} ulp apart"
    assert m["forward_rel"] <= FORWARD_RTOL, f"{case.name} {case.label}: forward rel {m['forward_rel']:.2e}"
    assert m["grad_rel"] <= GRADIENT_RTOL, f"{case.name} {case.label}: grads rel {m['grad_rel']:.2e}"
