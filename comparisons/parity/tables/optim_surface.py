"""Parity of the rest of Optax's surface in purejax.optim: wrappers, transforms, small optimizers, helpers.

Three kinds of case, each a call written once and built with `m = purejax.optim` and `m = optax`:

- `Case`: a transformation, run for 50 jitted steps by `optim_harness.compare` (updates,
  parameters and final states within `OPTIMIZER_RTOL`). Transformations that need more than
  `(grads, state, params)` are adapted by a wrapper written once for both packages (`with_value`
  passes the loss as `value=`; `lookahead` runs on `LookaheadParams`).
- `ScheduleCase`: a schedule at every count 0..2*end+10 and far past the end, eagerly on Python
  ints and jitted (vmapped) on an int32 vector; bitwise.
- `FunctionCase`: a function of fixed arrays (tree math, moments, safe norms, clipping helpers,
  target updates, gradient scaling), eager and jitted, within `FORWARD_RTOL`.

`state_paths` lists an optimizer state's key paths and NamedTuple class names, so that the tests
can assert that purejax's states have Optax's exact pytree paths.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purejax.optim
from comparisons.parity.measures import (
    FORWARD_ATOL,
    FORWARD_RTOL,
    OPTIMIZER_FLOOR,
    OPTIMIZER_RTOL,
    describe_rel,
    describe_ulp,
    leaves_rel,
    ulp_distance,
)
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings
from comparisons.parity.tables.optim_harness import STEPS, compare, example_params, loss, run
from comparisons.parity.tables.optim_wrappers import inject_nan

ours = purejax.optim
MASK = {"Dense_0": {"kernel": True, "bias": False}, "scale": False, "Conv_0": {"kernel": True}}


def schedule(count):
    return 1e-2 / (1 + count)


class Case(NamedTuple):
    name: str
    build: Callable  # module -> GradientTransformation
    label: str = "defaults"
    grad_transform: Callable | None = None
    lookahead: bool = False  # run on LookaheadParams
    rank_promotion: bool = False  # the algorithm broadcasts a [1] state against each leaf (Optax's DoG)


def with_value(m, tx):
    """`tx` with `update(g, s, p)` calling `tx.update(g, s, p, value=loss(p))` (Polyak's step needs the loss)."""
    return m.GradientTransformation(tx.init, lambda g, s, p=None: tx.update(g, s, p, value=loss(p)))


def _sgd(m, lr=1e-2):
    return m.scale(-lr)


def _deprecated(build):
    def quiet(m):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return build(m)

    return quiet


CASES = (
    Case("with_extra_args_support", lambda m: m.chain(m.with_extra_args_support(m.scale(-0.1)))),
    Case("stateless", lambda m: m.chain(m.stateless(lambda u, p: m.tree.scale(-0.05, u)))),
    Case(
        "stateless_with_tree_map",
        lambda m: m.chain(m.stateless_with_tree_map(lambda u, p: -0.05 * u + 0.01 * p)),
        "f(u, p) = -0.05 u + 0.01 p",
    ),
    Case("named_chain", lambda m: m.named_chain(("clip", m.clip_by_global_norm(1.0)), ("adam", m.adam(1e-2)))),
    Case("flatten", lambda m: m.flatten(m.adam(1e-2))),
    Case("apply_every", lambda m: m.chain(m.apply_every(3), m.scale(-1e-2)), "k=3"),
    Case("lookahead", lambda m: m.lookahead(m.adam(1e-2), 5, 0.5), "adam, k=5, alpha=0.5", lookahead=True),
    Case(
        "lookahead",
        lambda m: m.lookahead(m.sgd(1e-2, momentum=0.9), 3, 0.3, reset_state=True),
        "sgd+momentum, k=3, reset_state",
        lookahead=True,
    ),
    Case("zero_nans", lambda m: m.chain(m.zero_nans(), m.scale(-1e-2)), "NaN grads injected", inject_nan),
    Case("keep_params_nonnegative", lambda m: m.chain(m.scale(-0.5), m.keep_params_nonnegative()), "lr 0.5"),
    Case("scale_by_sign", lambda m: m.chain(m.scale_by_sign(), m.scale(-1e-2))),
    Case("contrib.cocob", lambda m: m.contrib.cocob()),
    Case("contrib.cocob", lambda m: m.contrib.cocob(0.5, alpha=10.0, weight_decay=1e-3), "lr 0.5, alpha 10, decay"),
    Case("contrib.dadapt_adamw", lambda m: m.contrib.dadapt_adamw()),
    Case(
        "contrib.dadapt_adamw",
        lambda m: m.contrib.dadapt_adamw(m.linear_schedule(1.0, 0.1, 50), weight_decay=1e-2, estim_lr0=1e-4),
        "schedule, decay, estim_lr0 1e-4",
    ),
    Case("sign_sgd", lambda m: m.sign_sgd(1e-2)),
    Case("sign_sgd", lambda m: m.sign_sgd(schedule), "schedule"),
    Case("signum", lambda m: m.signum(1e-2)),
    Case("signum", lambda m: m.signum(schedule, beta=0.5, accumulator_dtype=jnp.bfloat16), "schedule, beta, bf16"),
    Case("nadamw", lambda m: m.nadamw(1e-2)),
    Case("nadamw", lambda m: m.nadamw(schedule, weight_decay=0.05, mask=MASK), "schedule, weight_decay, mask"),
    Case("adamaxw", lambda m: m.adamaxw(1e-2)),
    Case("adamaxw", lambda m: m.adamaxw(schedule, b1=0.8, weight_decay=0.05, mask=MASK), "schedule, b1, wd, mask"),
    Case("freeze", lambda m: m.chain(m.adam(1e-2), m.freeze(MASK))),
    Case("selective_transform", lambda m: m.selective_transform(m.adam(1e-2), freeze_mask=MASK)),
    Case("centralize", lambda m: m.chain(m.centralize(), m.scale(-1e-2))),
    Case("adaptive_grad_clip", lambda m: m.chain(m.adaptive_grad_clip(0.05), m.scale(-1e-1))),
    Case(
        "adaptive_grad_clip",
        lambda m: m.chain(m.adaptive_grad_clip(0.1, eps=0.5), m.scale(-1e-1)),
        "clipping 0.1, eps 0.5",
    ),
    Case(
        "conditionally_transform",
        lambda m: m.conditionally_transform(m.adam(1e-2), lambda step: step % 3 == 0),
        "every third step",
    ),
    Case(
        "conditionally_mask", lambda m: m.conditionally_mask(m.adam(1e-2), lambda step: step % 3 != 1), "step % 3 != 1"
    ),
    Case("snapshot", lambda m: m.chain(m.clip_by_global_norm(1.0), m.snapshot("norm", m.tree.norm), m.scale(-0.1))),
    Case(
        "monitor",
        lambda m: m.chain(m.monitor({"norm": m.tree.norm, "ema": m.measure_with_ema(m.tree.norm, 0.9)}), m.sgd(1e-2)),
        "a function and measure_with_ema",
    ),
    Case(
        "measure_with_ema",
        lambda m: m.chain(m.monitor({"ema": m.measure_with_ema(m.tree.norm, 0.5, debias=False)}), m.sgd(1e-2)),
        "decay 0.5, no debias",
    ),
    Case("normalize_by_update_norm", lambda m: m.chain(m.normalize_by_update_norm(), m.scale(-1e-2))),
    Case("normalize_by_update_norm", lambda m: m.chain(m.normalize_by_update_norm(0.5, 1e-3), m.scale(-1e-2)), "0.5"),
    Case("scale_by_adan", lambda m: m.chain(m.scale_by_adan(), m.scale(-1e-2))),
    Case("adan", lambda m: m.adan(1e-2)),
    Case("adan", lambda m: m.adan(schedule, b1=0.9, b3=0.95, weight_decay=0.05, mask=MASK), "schedule, b, wd"),
    Case("scale_by_rprop", lambda m: m.chain(m.scale_by_rprop(1e-2), m.scale(-1.0))),
    Case("rprop", lambda m: m.rprop(1e-2)),
    Case("rprop", lambda m: m.rprop(1e-3, eta_minus=0.3, eta_plus=1.5, max_step_size=0.05), "etas, max step"),
    Case("scale_by_polyak", lambda m: with_value(m, m.chain(m.scale_by_polyak(), m.scale(-0.1)))),
    Case("polyak_sgd", lambda m: with_value(m, m.polyak_sgd())),
    Case(
        "polyak_sgd",
        lambda m: with_value(m, m.polyak_sgd(max_learning_rate=0.1, scaling=schedule, f_min=1.0, variant="sps+")),
        "sps+, f_min, schedule",
    ),
    Case(
        "scale_by_distance_over_gradients",
        lambda m: m.chain(m.scale_by_distance_over_gradients(), m.scale(-1.0)),
        rank_promotion=True,
    ),
    Case(
        "scale_by_distance_over_gradients",
        lambda m: m.chain(m.scale_by_distance_over_gradients(reps_rel=1e-3, global_scale=0.5), m.scale(-1.0)),
        "reps_rel, global_scale",
        rank_promotion=True,
    ),
    Case("optimistic_adam", _deprecated(lambda m: m.optimistic_adam(1e-2))),
    Case("optimistic_adam", _deprecated(lambda m: m.optimistic_adam(1e-2, optimism=0.1, nesterov=False)), "optimism"),
    Case("optimistic_adam_v2", lambda m: m.optimistic_adam_v2(1e-2)),
    Case("optimistic_adam_v2", lambda m: m.optimistic_adam_v2(schedule, alpha=0.5, beta=2.0), "schedule, alpha, beta"),
)


def _lookahead_params(m, params):
    return m.LookaheadParams.init_synced(params)


def _lookahead_tx(m, tx):
    """Gradients are taken at both copies; lookahead wants those at the fast ones."""
    return m.GradientTransformation(tx.init, lambda g, s, p=None: tx.update(g.fast, s, p))


def run_case(case: Case, steps: int = STEPS) -> float:
    if case.rank_promotion:
        with jax.numpy_rank_promotion("allow"):
            return run_case(case._replace(rank_promotion=False), steps)
    if not case.lookahead:
        return compare(case.build(ours), case.build(optax), steps=steps, grad_transform=case.grad_transform)
    params = example_params()
    a = run(_lookahead_tx(ours, case.build(ours)), ours.apply_updates, _lookahead_params(ours, params), steps)
    b = run(_lookahead_tx(optax, case.build(optax)), optax.apply_updates, _lookahead_params(optax, params), steps)
    state_a, state_b = jax.tree_util.tree_leaves(a.state), jax.tree_util.tree_leaves(b.state)
    return max(
        leaves_rel(a.updates, b.updates, OPTIMIZER_FLOOR),
        leaves_rel(a.params, b.params, OPTIMIZER_FLOOR),
        leaves_rel(state_a, state_b, OPTIMIZER_FLOOR),
    )


def state_paths(state: Any) -> list[tuple[str, tuple[str, ...]]]:
    """Each leaf's key path and the class names of the NamedTuples on the way to it."""
    out = []

    def classes(path):
        names, node = [], state
        for key in path:
            if hasattr(node, "_fields"):
                names.append(type(node).__name__)
            node = (
                node[key.idx]
                if hasattr(key, "idx")
                else (getattr(node, key.name) if hasattr(key, "name") else node[key.key])
            )
        if hasattr(node, "_fields"):
            names.append(type(node).__name__)
        return tuple(names)

    for path, _ in jax.tree_util.tree_flatten_with_path(state)[0]:
        out.append((jax.tree_util.keystr(path), classes(path)))
    return out


class ScheduleCase(NamedTuple):
    name: str
    build: Callable  # module -> schedule
    end: int  # the last boundary
    label: str = "defaults"


SCHEDULE_CASES = (
    ScheduleCase("warmup_constant_schedule", lambda m: m.warmup_constant_schedule(0.0, 1.0, 20), 20),
    ScheduleCase("warmup_constant_schedule", lambda m: m.warmup_constant_schedule(0.5, 0.1, 7), 7, "decreasing"),
    ScheduleCase(
        "piecewise_interpolate_schedule",
        lambda m: m.piecewise_interpolate_schedule("linear", 1.0, {10: 0.5, 30: 0.1}),
        30,
        "linear",
    ),
    ScheduleCase(
        "piecewise_interpolate_schedule",
        lambda m: m.piecewise_interpolate_schedule("cosine", 0.3, {5: 3.0, 25: 0.0, 40: 1.0}),
        40,
        "cosine, a zero scale",
    ),
    ScheduleCase("linear_onecycle_schedule", lambda m: m.linear_onecycle_schedule(100, 1.0), 100),
    ScheduleCase(
        "linear_onecycle_schedule",
        lambda m: m.linear_onecycle_schedule(60, 0.5, pct_start=0.2, pct_final=0.7, div_factor=10.0),
        60,
        "pct_start, pct_final, div_factor",
    ),
    ScheduleCase("cosine_onecycle_schedule", lambda m: m.cosine_onecycle_schedule(100, 1.0), 100),
    ScheduleCase(
        "cosine_onecycle_schedule",
        lambda m: m.cosine_onecycle_schedule(50, 2.0, pct_start=0.5, final_div_factor=100.0),
        50,
        "pct_start, final_div_factor",
    ),
)
FAR = (10_000, 2**30)


def schedule_ulp(case: ScheduleCase) -> int:
    """Largest ulp distance, eager on Python ints and jitted on an int32 vector."""
    a, b = case.build(ours), case.build(optax)
    counts = list(range(2 * case.end + 10)) + list(FAR)
    eager = ulp_distance(np.stack([np.asarray(a(c)) for c in counts]), np.stack([np.asarray(b(c)) for c in counts]))
    vector = jnp.asarray(counts, jnp.int32)
    jitted = ulp_distance(np.asarray(jax.jit(jax.vmap(a))(vector)), np.asarray(jax.jit(jax.vmap(b))(vector)))
    return max(eager, jitted)


class FunctionCase(NamedTuple):
    name: str
    call: Callable  # module -> output pytree
    label: str = "defaults"


def _arrays(seed=1):
    rng = np.random.default_rng(seed)
    return {
        "a": jnp.asarray(rng.normal(size=(3, 4)), jnp.float32),
        "b": jnp.asarray(rng.normal(size=(5,)), jnp.float32),
        "c": jnp.asarray(rng.normal(size=(2, 2, 3, 4)), jnp.float32),
    }


X, Y = _arrays(1), _arrays(2)
BATCHED = {
    "a": jnp.asarray(np.random.default_rng(3).normal(size=(6, 3, 4)), jnp.float32),
    "b": jnp.tile(3 * X["b"], (6, 1)),
}  # [6, ...]: 6 examples


def _grad_of_scaled(m):
    return jax.grad(lambda x: jnp.sum(jnp.sin(m.scale_gradient(x, 0.3)) ** 2))(X["a"])


FUNCTION_CASES = (
    FunctionCase("incremental_update", lambda m: m.incremental_update(X, Y, 0.1)),
    FunctionCase("periodic_update", lambda m: (m.periodic_update(X, Y, 4, 2), m.periodic_update(X, Y, 5, 2))),
    FunctionCase("scale_gradient", _grad_of_scaled, "gradient of sum(sin(x)**2), scale 0.3"),
    FunctionCase("scale_gradient", lambda m: jax.grad(lambda x: jnp.sum(m.scale_gradient(x, 0.0) * x))(X["a"]), "0"),
    FunctionCase("per_example_layer_norm_clip", lambda m: m.per_example_layer_norm_clip(BATCHED, 1.0)),
    FunctionCase(
        "per_example_layer_norm_clip",
        lambda m: m.per_example_layer_norm_clip(BATCHED, 2.0, uniform=False),
        "uniform=False",
    ),
    FunctionCase("safe_norm", lambda m: (m.safe_norm(X["a"], 0.5), m.safe_norm(X["a"] * 0, 1e-3, axis=1))),
    FunctionCase(
        "safe_norm", lambda m: jax.grad(lambda x: m.safe_norm(x, 1e-3, ord=1, axis=0).sum())(X["a"] * 0), "grad at 0"
    ),
    FunctionCase(
        "safe_root_mean_squares",
        lambda m: (m.safe_root_mean_squares(X["c"], 0.1), m.safe_root_mean_squares(X["b"] * 0, 0.1)),
    ),
    FunctionCase(
        "safe_int32_increment",
        lambda m: (m.safe_int32_increment(jnp.int32(3)), m.safe_int32_increment(jnp.int32(2**31 - 1))),
    ),
    FunctionCase("update_moment", lambda m: m.update_moment(X, Y, 0.9, 2)),
    FunctionCase("update_moment_per_elem_norm", lambda m: m.update_moment_per_elem_norm(X, Y, 0.99, 2)),
    FunctionCase("update_infinity_moment", lambda m: m.update_infinity_moment(X, Y, 0.9, 1e-3)),
    FunctionCase("bias_correction", lambda m: m.bias_correction(X, 0.9, jnp.int32(3))),
    FunctionCase("tree_map_params", lambda m: m.tree_map_params(m.adam(1e-2), lambda p: p + 1.0, m.adam(1e-2).init(X))),
    FunctionCase(
        "tree",
        lambda m: (
            m.tree.add(X, Y, X),
            m.tree.sub(X, Y),
            m.tree.mul(X, Y),
            m.tree.div(X, Y),
            m.tree.scale(2.0, X),
            m.tree.add_scale(X, 0.5, Y),
            m.tree.vdot(X, Y),
            m.tree.sum(X),
            m.tree.max(X),
            m.tree.min(X),
            m.tree.norm(X),
            m.tree.norm(X, ord=1),
            m.tree.norm(X, ord="inf"),
            m.tree.norm(X, squared=True),
            m.tree.zeros_like(X),
            m.tree.ones_like(X),
            m.tree.full_like(X, 3.0),
            m.tree.clip(X, -0.5, 0.5),
            m.tree.where(True, X, Y),
            m.tree.conj(X),
            m.tree.real(X),
            m.tree.batch_shape(X, (2,)),
            m.tree.cast(X, jnp.bfloat16),
            m.tree.cast_like(X, m.tree.cast(Y, jnp.float16)),
            jnp.asarray(m.tree.size(X)),
            jnp.asarray(m.tree.allclose(X, X)),
        ),
        "add, sub, mul, div, scale, add_scale, vdot, sum, max, min, norm (2, 1, inf, squared), *_like, clip, "
        "where, conj, real, batch_shape, cast, cast_like, size, allclose",
    ),
    FunctionCase("tree", lambda m: m.tree.random_like(jnp.array([0, 42], jnp.uint32), X), "random_like (normal)"),
    FunctionCase(
        "unitwise_norm",
        lambda m: (
            [m.transforms.unitwise_norm(x) for x in (X["a"], X["b"], X["c"])]
            + [m.transforms.unitwise_norm(X["c"], axis=(0, 3))]
        ),
    ),
    FunctionCase("unitwise_clip", lambda m: m.transforms.unitwise_clip(jnp.abs(X["a"]), jnp.abs(Y["a"]), X["a"])),
    *[
        FunctionCase("projections", call, label)
        for label, call in (
            ("projection_non_negative", lambda m: m.projections.projection_non_negative(X)),
            ("projection_box", lambda m: m.projections.projection_box(X, m.tree.full_like(X, -0.5), Y)),
            ("projection_hypercube", lambda m: m.projections.projection_hypercube(X["a"], 0.5)),
            ("projection_simplex", lambda m: m.projections.projection_simplex(X, 2.0)),
            ("projection_l1_sphere", lambda m: m.projections.projection_l1_sphere(X, 2.0)),
            ("projection_l1_ball", lambda m: m.projections.projection_l1_ball(X, 2.0)),
            ("projection_l2_sphere", lambda m: m.projections.projection_l2_sphere(X, 2.0)),
            ("projection_l2_ball", lambda m: m.projections.projection_l2_ball(X, 2.0)),
            ("projection_linf_ball", lambda m: m.projections.projection_linf_ball(X, 0.5)),
            ("projection_vector", lambda m: m.projections.projection_vector(X, Y)),
            ("projection_hyperplane", lambda m: m.projections.projection_hyperplane(X, Y, 1.0)),
            ("projection_halfspace", lambda m: m.projections.projection_halfspace(X, Y, -1.0)),
        )
    ],
)


def function_rel(case: FunctionCase) -> float:
    """Largest relative difference, eager and jitted."""
    floor = FORWARD_ATOL / FORWARD_RTOL
    leaves = jax.tree_util.tree_leaves  # states compare leaf by leaf: their classes are each package's own
    eager = leaves_rel(leaves(case.call(ours)), leaves(case.call(optax)), floor)
    jitted = leaves_rel(leaves(jax.jit(lambda: case.call(ours))()), leaves(jax.jit(lambda: case.call(optax))()), floor)
    return max(eager, jitted)


SETTINGS = {"quick": 1, "full": None}


def _row(name, cases, chosen, measure, check, tolerance, describe, ulp=False) -> Row:
    diff = max(measure(case) for case in chosen)
    return Row(
        f"purejax.optim.{name}",
        f"optax.{name}",
        f"{of(chosen, cases)} ({'; '.join(c.label for c in chosen)}); {check}",
        describe(diff),
        diff <= tolerance,
        ulp=diff if ulp else None,
        rel=None if ulp else diff,
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per component: transformations (50 jitted steps), schedules (bitwise), functions."""
    limit = SETTINGS[check_tier(tier)]
    rows = []
    for name, cases in by_name(CASES).items():
        check = f"{STEPS} jitted steps, updates, params and final state"
        rows.append(
            Check(
                f"purejax.optim.{name}",
                functools.partial(
                    _row, name, cases, settings(cases, limit), run_case, check, OPTIMIZER_RTOL, describe_rel
                ),
            )
        )
    for name, cases in by_name(SCHEDULE_CASES).items():
        check = "every count to 2*end+10 and far past, eager and jit"
        rows.append(
            Check(
                f"purejax.optim.{name}",
                functools.partial(
                    _row, name, cases, settings(cases, limit), schedule_ulp, check, 0, describe_ulp, True
                ),
            )
        )
    for name, cases in by_name(FUNCTION_CASES).items():
        check = "fixed float32 trees, eager and jit"
        rows.append(
            Check(
                f"purejax.optim.{name}",
                functools.partial(
                    _row, name, cases, settings(cases, limit), function_rel, check, FORWARD_RTOL, describe_rel
                ),
            )
        )
    return rows
