"""Parity of purejax.nn's attention against flax.linen.attention: functions, masks, the layer, the cache.

Every case is written once, `lambda m: m.MultiHeadDotProductAttention(num_heads=2)`, with its call
arguments `lambda m: {'mask': m.make_causal_mask(IDS)}`, and built with `m = OURS` (purejax.nn)
and `m = THEIRS` (flax.linen). A layer case is initialized on both sides with the same key and
input (same variables expected, bitwise), then applied to Flax's variables with the same `rngs`
(same outputs, so the same dropout masks; gradients of `sum(sin(y))` w.r.t. the params and
`inputs_q`). A function case compares outputs and the gradients w.r.t. query, key and value; a
mask case, the masks bit for bit. `decode` runs the layer token by token with its 'cache' on
both sides: each step equals the full causal pass at that position, and the caches agree.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import NamedTuple

import flax.linen
import jax
import jax.numpy as jnp

import purejax.nn
from comparisons.parity.measures import (
    FORWARD_ATOL,
    FORWARD_RTOL,
    GRADIENT_ATOL,
    GRADIENT_RTOL,
    describe_rel,
    describe_ulp,
    tree_rel,
    tree_ulp,
)
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings

NAMES = (
    "MultiHeadDotProductAttention",
    "MultiHeadAttention",
    "SelfAttention",
    "dot_product_attention",
    "dot_product_attention_weights",
    "make_attention_mask",
    "make_causal_mask",
    "combine_masks",
)
OURS = SimpleNamespace(**{n: getattr(purejax.nn, n) for n in NAMES}, initializers=purejax.nn.initializers)
THEIRS = SimpleNamespace(**{n: getattr(flax.linen, n) for n in NAMES}, initializers=jax.nn.initializers)

KEY = jax.random.PRNGKey(0)  # params
DROPOUT = jax.random.PRNGKey(5)  # the 'dropout' stream, or a dropout_rng
SHAPE = (2, 5, 8)  # inputs_q: [batch, length, features]
IDS = jnp.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]])  # [batch, length]; 0 is padding
KV_IDS = jnp.array([[5, 0, 0], [9, 2, 6]])  # [batch, kv_length] of the cross-attention cases
HEADS = (2, 5, 2, 4)  # q, k, v of the function cases: [batch, length, heads, head_dim]


def _padding(m):
    return m.make_attention_mask(IDS > 0, IDS > 0)  # [batch, 1, length, length]


def _causal(m):
    return m.make_causal_mask(IDS)  # [batch, 1, length, length]


def _kv(shape=(2, 3, 6)):
    return jax.random.normal(jax.random.PRNGKey(2), shape)  # inputs_k of cross attention


class Case(NamedTuple):
    name: str  # the function or layer under test
    build: Callable  # m -> layer; for a function or mask case, m -> function of the inputs
    call: Callable = lambda m: {}  # m -> keyword arguments of init and apply (masks built with m)
    label: str = ""
    kind: str = "layer"  # "layer", "function" (q, k, v -> out), "mask" (no inputs, no gradients)
    dtype: object = jnp.float32  # the inputs' dtype
    rngs: bool = False  # apply with rngs={'dropout': DROPOUT}


MHA = "MultiHeadDotProductAttention"
LAYER_CASES = (
    Case(MHA, lambda m: m.MultiHeadDotProductAttention(num_heads=2)),
    Case(MHA, lambda m: m.MultiHeadDotProductAttention(num_heads=4), lambda m: {"mask": _padding(m)}, "padding mask"),
    Case(MHA, lambda m: m.MultiHeadDotProductAttention(num_heads=2), lambda m: {"mask": _causal(m)}, "causal mask"),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=2, qkv_features=16, out_features=3),
        lambda m: {"mask": m.combine_masks(_causal(m), _padding(m))},
        "causal and padding combined, qkv 16, out 3",
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=2, qkv_features=4),
        lambda m: {"inputs_k": _kv(), "mask": m.make_attention_mask(IDS > 0, KV_IDS > 0)},
        "cross attention, kv length 3 and width 6, padding mask",
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.3),
        lambda m: {"deterministic": False, "mask": _causal(m)},
        "dropout 0.3 from rngs, causal",
        rngs=True,
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=2, dropout_rate=0.5, broadcast_dropout=False),
        lambda m: {"deterministic": False, "dropout_rng": DROPOUT},
        "dropout 0.5 per element, dropout_rng",
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=4, normalize_qk=True),
        lambda m: {"mask": _causal(m)},
        "normalize_qk",
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(
            num_heads=2,
            use_bias=False,
            kernel_init=m.initializers.normal(0.5),
            out_kernel_init=m.initializers.zeros,
        ),
        label="no bias, normal(0.5) kernels, zero out kernel",
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=2, dtype=jnp.bfloat16),
        lambda m: {"mask": _causal(m)},
        "dtype=bfloat16",
    ),
    Case(
        MHA,
        lambda m: m.MultiHeadDotProductAttention(num_heads=2, dtype=jnp.bfloat16, force_fp32_for_softmax=True),
        lambda m: {"mask": _causal(m)},
        "bfloat16 inputs and dtype, force_fp32_for_softmax",
        dtype=jnp.bfloat16,
    ),
    Case("MultiHeadAttention", lambda m: m.MultiHeadAttention(num_heads=2), lambda m: {"mask": _causal(m)}),
    Case("SelfAttention", lambda m: m.SelfAttention(num_heads=2), lambda m: {"mask": _padding(m)}, "padding mask"),
)


def _bias():
    return 0.5 * jax.random.normal(jax.random.PRNGKey(4), (1, HEADS[2], HEADS[1], HEADS[1]))  # [1, heads, q, kv]


FUNCTION_CASES = (
    Case("dot_product_attention", lambda m: m.dot_product_attention, kind="function"),
    Case(
        "dot_product_attention",
        lambda m: functools.partial(m.dot_product_attention, mask=_causal(m), bias=_bias()),
        label="causal mask and bias",
        kind="function",
    ),
    Case(
        "dot_product_attention",
        lambda m: functools.partial(
            m.dot_product_attention, mask=_padding(m), dropout_rng=DROPOUT, dropout_rate=0.2, deterministic=False
        ),
        label="padding mask, dropout 0.2",
        kind="function",
    ),
    Case(
        "dot_product_attention",
        lambda m: functools.partial(m.dot_product_attention, mask=_causal(m)),
        label="bfloat16, causal",
        kind="function",
        dtype=jnp.bfloat16,
    ),
    Case(
        "dot_product_attention_weights",
        lambda m: lambda q, k, v: m.dot_product_attention_weights(q, k),
        kind="function",
    ),
    Case(
        "dot_product_attention_weights",
        lambda m: (
            lambda q, k, v: m.dot_product_attention_weights(
                q,
                k,
                mask=m.combine_masks(_causal(m), _padding(m)),
                dropout_rng=DROPOUT,
                dropout_rate=0.4,
                broadcast_dropout=False,
            )
        ),
        label="combined mask, dropout 0.4 per element",
        kind="function",
    ),
)
MASK_CASES = (
    Case("make_attention_mask", lambda m: lambda: _padding(m), kind="mask"),
    Case(
        "make_attention_mask",
        lambda m: lambda: m.make_attention_mask(IDS, KV_IDS, jnp.greater_equal, extra_batch_dims=1, dtype=jnp.int32),
        label="greater_equal, extra_batch_dims=1, int32",
        kind="mask",
    ),
    Case("make_causal_mask", lambda m: lambda: _causal(m), kind="mask"),
    Case(
        "make_causal_mask",
        lambda m: lambda: m.make_causal_mask(jnp.ones((3, 2, 4)), extra_batch_dims=2, dtype=jnp.bool_),
        label="two batch axes, extra_batch_dims=2, bool",
        kind="mask",
    ),
    Case("combine_masks", lambda m: lambda: m.combine_masks(_causal(m), None, _padding(m)), kind="mask"),
)
CASES = LAYER_CASES + FUNCTION_CASES + MASK_CASES


def case_id(i: int, case: Case) -> str:
    return f"{case.name}_{i}" + (f"_{case.label}" if case.label else "").replace(" ", "_").replace(",", "")


def _quiet(fn: Callable) -> Callable:
    """`fn` with SelfAttention's DeprecationWarning (both packages warn) silenced."""

    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return fn(*args, **kwargs)

    return run


def _function_inputs(case: Case) -> tuple:
    keys = jax.random.split(jax.random.PRNGKey(1), 3)
    return tuple(jax.random.normal(k, HEADS).astype(case.dtype) for k in keys)  # q, k, v


def _sides(case: Case, transform: Callable) -> tuple:
    """Each side's `(run, variables)`: `run(variables, x) -> (output, gradients)`, one compiled function.

    The gradients are those of `sum(sin(y))`: w.r.t. q, k, v for a function, else w.r.t. the params
    and `inputs_q`. A function's variables are `{}`.
    """
    sides = []
    for m in (OURS, THEIRS):
        built, call = case.build(m), case.call(m)
        if case.kind == "function":

            def loss(qkv, f=built):
                y = f(*qkv)
                return jnp.sum(jnp.sin(y.astype(jnp.float32))), y

            def run(v, qkv, loss=loss):
                (_, y), grads = jax.value_and_grad(loss, has_aux=True)(qkv)
                return y, grads

            sides.append((transform(run), {}))
            continue
        rngs = {"dropout": DROPOUT} if case.rngs else {}

        def loss(params, x, layer=built, call=call, rngs=rngs):
            y = _quiet(layer.apply)({"params": params}, x, rngs=rngs, **call)
            return jnp.sum(jnp.sin(y.astype(jnp.float32))), y

        def run(v, x, loss=loss):
            (_, y), grads = jax.value_and_grad(loss, argnums=(0, 1), has_aux=True)(v["params"], x)
            return y, grads

        x = jax.random.normal(jax.random.PRNGKey(1), SHAPE).astype(case.dtype)
        sides.append((transform(run), _quiet(built.init)(KEY, x, **call)))
    return tuple(sides)


def compare(case: Case, transform: Callable = lambda f: f) -> dict:
    """`{'variables', 'output', 'gradients'}`, each `(ours, theirs)`; `transform` (e.g. `jax.jit`) wraps the calls."""
    if case.kind == "mask":
        ours, theirs = (transform(case.build(m))() for m in (OURS, THEIRS))
        return {"variables": ({}, {}), "output": (ours, theirs), "gradients": ((), ())}
    (our_run, ours_v), (their_run, theirs_v) = _sides(case, transform)
    x = _function_inputs(case) if case.kind == "function" else jax.random.normal(jax.random.PRNGKey(1), SHAPE)
    x = x if case.kind == "function" else x.astype(case.dtype)
    (our_y, our_g), (their_y, their_g) = our_run(theirs_v, x), their_run(theirs_v, x)
    return {"variables": (ours_v, theirs_v), "output": (our_y, their_y), "gradients": (our_g, their_g)}


# Cached decoding: the layer's settings, and the length of the cache (the input given to init).
DECODE_SETTINGS = (
    ({"num_heads": 2}, 6),
    ({"num_heads": 4, "qkv_features": 16, "out_features": 5, "normalize_qk": True}, 4),
)


def decode(m, settings: dict, length: int, jit: bool = False) -> dict:
    """One package's cached decoding against its own full causal pass.

    Returns `{'steps': [batch, length, out] (token by token with the cache), 'full': the causal
    pass over the whole sequence, 'cache': the final cache, 'variables': what init returned}`.
    """
    x = jax.random.normal(jax.random.PRNGKey(1), (2, length, 6))  # [batch, length, features]
    layer = m.MultiHeadDotProductAttention(decode=True, **settings)
    variables = layer.init(KEY, x)  # the cache is [batch, length, heads, head_dim]
    full = m.MultiHeadDotProductAttention(**settings).apply(
        {"params": variables["params"]}, x, mask=m.make_causal_mask(jnp.ones(x.shape[:-1]))
    )

    def step(cache, token):
        return layer.apply({"params": variables["params"], "cache": cache}, token, mutable=["cache"])

    step = jax.jit(step) if jit else step
    cache, outputs = variables["cache"], []
    for t in range(length):
        y, changed = step(cache, x[:, t : t + 1])  # y: [batch, 1, out]
        cache = changed["cache"]
        outputs.append(y)
    return {"steps": jnp.concatenate(outputs, axis=1), "full": full, "cache": cache, "variables": variables}


def measure_decode(settings: dict, length: int, jit: bool) -> tuple[int, float]:
    """`(ulp between the packages' steps, caches and variables; worst relative gap of steps to full pass)`."""
    ours, theirs = decode(OURS, settings, length, jit), decode(THEIRS, settings, length, jit)
    ulp = max(tree_ulp(ours[k], theirs[k]) for k in ("steps", "cache", "variables"))
    floor = FORWARD_ATOL / FORWARD_RTOL
    gap = max(tree_rel(side["steps"], side["full"], floor=floor) for side in (ours, theirs))
    return ulp, gap


def measure(case: Case, jit: bool) -> tuple[int, float, float]:
    """`(ulp of variables, relative error of outputs, relative error of gradients)` for one case."""
    got = compare(case, jax.jit if jit else (lambda f: f))
    out_ulp = tree_ulp(*got["output"]) if case.kind == "mask" else 0
    return (
        max(tree_ulp(*got["variables"]), out_ulp),
        tree_rel(*got["output"], floor=FORWARD_ATOL / FORWARD_RTOL),
        tree_rel(*got["gradients"], floor=GRADIENT_ATOL / GRADIENT_RTOL),
    )


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    with jax.default_matmul_precision("highest"):
        results = [measure(c, jit) for c in chosen for jit in (False, True)]
    ulp, out, grad = (max(r[i] for r in results) for i in range(3))
    kind = cases[0].kind
    what = {"layer": "init, outputs, grads", "function": "outputs, grads of q, k, v", "mask": "masks"}[kind]
    difference = {
        "layer": f"variables {describe_ulp(ulp)}; outputs {describe_rel(out)}; grads {describe_rel(grad)}",
        "function": f"outputs {describe_rel(out)}; grads {describe_rel(grad)}",
        "mask": describe_ulp(ulp),
    }[kind]
    return Row(
        f"purejax.nn.{name}",
        f"flax.linen.{name}",
        f"{of(chosen, cases)}: {what}; eager and jit",
        difference,
        ulp == 0 and out <= FORWARD_RTOL and grad <= GRADIENT_RTOL,
        ulp=ulp,
        rel=max(out, grad),
    )


def _decode_row(chosen: list) -> Row:
    with jax.default_matmul_precision("highest"):
        results = [measure_decode(s, n, jit) for s, n in chosen for jit in (False, True)]
    ulp, gap = max(r[0] for r in results), max(r[1] for r in results)
    return Row(
        "purejax.nn.MultiHeadDotProductAttention(decode=True)",
        "flax.linen.MultiHeadDotProductAttention(decode=True)",
        f"{of(chosen, list(DECODE_SETTINGS))}: token by token with the 'cache' vs the full causal pass, "
        "every position, both packages; eager and jit",
        f"steps, caches {describe_ulp(ulp)}; cached vs full {describe_rel(gap)}",
        ulp == 0 and gap <= FORWARD_RTOL,
        ulp=ulp,
        rel=gap,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per function, mask helper and layer, and one for cached decoding."""
    limit = SETTINGS[check_tier(tier)]
    rows = [
        Check(f"purejax.nn.{name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
    decode_settings = settings(list(DECODE_SETTINGS), limit)
    return rows + [
        Check("purejax.nn.MultiHeadDotProductAttention(decode=True)", functools.partial(_decode_row, decode_settings))
    ]
