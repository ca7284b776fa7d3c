"""The optimizers chapter's exercises: `scale_by_adam`, `clip_by_global_norm`, `cosine_decay_schedule`, against Optax.

A transformation is run for a few jitted steps from the same params and gradients on both sides,
and every step's updates and state are compared, the state leaf by leaf in order (the learner's
`ScaleByAdamState` is not Optax's class, but has its fields): within the report's optimizer
tolerance (`rtol` 2e-5 against a floor of 1e-3), as the parity report holds Optax's optimizers.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from comparisons.exercises.exercise import FORWARD, OPTIMIZER, Case, Exercise

TREES = ("jax.tree_util", "jax.tree")  # the learner walks params with them: not the counterpart here


def _tree(seed: int, scale: float = 1.0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "b": (scale * rng.normal(size=(3,))).astype(np.float32),
        "w": (scale * rng.normal(size=(2, 3))).astype(np.float32),
    }


def _run(tx, params, grads) -> dict:
    """Every step's `{'updates', 'state'}` of `tx` (an (init, update) pair) on `grads`, update jitted."""
    init, update = tx
    state = init(params)
    step = jax.jit(update)
    steps = {}
    for t, g in enumerate(grads, 1):
        updates, state = step(g, state, params)
        steps[f"step {t}"] = {"updates": updates, "state": state}
    return steps


# -- scale_by_adam -----------------------------------------------------------------------------
def _adam_inputs(steps: int = 1, seed: int = 0, scale: float = 1.0, **hyper) -> dict:
    grads = [_tree(seed + 1 + t, scale) for t in range(steps)]
    return {
        "hyper": {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "eps_root": 0.0, **hyper},
        "params": _tree(seed),
        "grads": grads,
    }


ADAM_HINT = (
    "mu = b1 * mu + (1 - b1) * g; nu = b2 * nu + (1 - b2) * g**2; with t = count + 1: "
    "update = (mu / (1 - b1**t)) / (sqrt(nu / (1 - b2**t) + eps_root) + eps); the state keeps count + 1, mu, nu"
)


def _adam_cases() -> list[Case]:
    return [
        Case(
            "one step, the defaults",
            _adam_inputs(),
            "at step 1 the bias-corrected moments are g and g**2, so the update is about g / |g| = +-1: "
            "divide mu by 1 - b1**t and nu by 1 - b2**t, with t = count + 1 (count starts at 0)",
        ),
        Case(
            "three steps: the moments and the count carry over",
            _adam_inputs(3, seed=1),
            "return the new mu, nu and count + 1 in the state, and use the incremented count for the bias correction",
        ),
        Case(
            "eps=0.1: where eps goes",
            _adam_inputs(2, seed=2, eps=0.1),
            "eps is added after the square root: sqrt(nu_hat + eps_root) + eps (eps_root goes inside)",
        ),
        Case(
            "eps_root=0.01: inside the square root",
            _adam_inputs(2, seed=3, eps_root=0.01),
            "eps_root is added to nu_hat inside the square root: sqrt(nu_hat + eps_root) + eps",
        ),
        Case(
            "b1=0.5, b2=0.8: which decay goes where",
            _adam_inputs(3, seed=4, b1=0.5, b2=0.8),
            "b1 decays the first moment (mu), b2 the second (nu, the mean of g**2)",
        ),
    ]


def _adam_strategy():
    from hypothesis import strategies as st  # imported here: only grading needs hypothesis

    return st.builds(
        lambda steps, seed, scale, b1, b2, eps: _adam_inputs(steps, seed, scale, b1=b1, b2=b2, eps=eps),
        st.integers(1, 3),
        st.integers(0, 100),
        st.sampled_from([1e-3, 1.0, 100.0]),
        st.sampled_from([0.0, 0.5, 0.9]),
        st.sampled_from([0.9, 0.99, 0.999]),
        st.sampled_from([1e-8, 1e-3, 0.5]),
    )


SCALE_BY_ADAM = Exercise(
    name="scale_by_adam",
    chapter="05_optimizers",
    summary="Adam's moments and bias correction, as optax.scale_by_adam computes them",
    counterpart="optax.scale_by_adam",
    functions=("scale_by_adam",),
    expected=lambda hyper, params, grads: _run(optax.scale_by_adam(**hyper), params, grads),
    attempt=lambda m, hyper, params, grads: _run(m.scale_by_adam(**hyper), params, grads),
    cases=_adam_cases,
    hint=ADAM_HINT,
    strategy=_adam_strategy,
    tolerance=OPTIMIZER,
    allowed=TREES,
    examples=6,
)


# -- clip_by_global_norm -----------------------------------------------------------------------
def _clip_inputs(max_norm: float, seed: int = 0, scale: float = 1.0) -> dict:
    return {"max_norm": max_norm, "params": _tree(seed), "grads": [_tree(seed + 1, scale)]}


CLIP_HINT = (
    "norm = sqrt of the sum of g**2 over every element of every leaf (one norm for the whole tree); "
    "keep g when norm < max_norm, else (g / norm) * max_norm"
)


def _clip_cases() -> list[Case]:
    return [
        Case(
            "a small gradient passes unchanged",
            _clip_inputs(100.0),
            "when the global norm is below max_norm the updates are returned as they are",
        ),
        Case(
            "a large gradient is scaled down to norm max_norm",
            _clip_inputs(1.0, seed=1),
            "scale every leaf by the same factor max_norm / norm, with norm = sqrt(sum of g**2 over every element "
            "of every leaf), so that the clipped tree has norm max_norm",
        ),
        Case(
            "the norm is global, not per leaf",
            _clip_inputs(2.5, seed=2),
            "each leaf's own norm is below 2.5 here but the tree's is not: compute one norm over all leaves",
        ),
        Case(
            "a tiny max_norm",
            _clip_inputs(1e-3, seed=3, scale=10.0),
            CLIP_HINT,
        ),
    ]


def _clip_strategy():
    from hypothesis import strategies as st

    return st.builds(
        _clip_inputs, st.sampled_from([0.1, 1.0, 3.0, 10.0]), st.integers(0, 100), st.sampled_from([0.01, 1.0, 10.0])
    )


CLIP_BY_GLOBAL_NORM = Exercise(
    name="clip_by_global_norm",
    chapter="05_optimizers",
    summary="rescale all updates when their global norm exceeds max_norm, as optax does",
    counterpart="optax.clip_by_global_norm",
    functions=("clip_by_global_norm",),
    expected=lambda max_norm, params, grads: _run(optax.clip_by_global_norm(max_norm), params, grads),
    attempt=lambda m, max_norm, params, grads: _run(m.clip_by_global_norm(max_norm), params, grads),
    cases=_clip_cases,
    hint=CLIP_HINT,
    strategy=_clip_strategy,
    tolerance=OPTIMIZER,
    allowed=TREES,
    examples=6,
)


# -- cosine_decay_schedule ---------------------------------------------------------------------
def _schedule_values(schedule, decay_steps: int):
    counts = jnp.arange(decay_steps + 4, dtype=jnp.int32)  # 0 .. past the end
    return jax.jit(jax.vmap(schedule))(counts)


def _cosine_inputs(init_value: float, decay_steps: int, alpha: float = 0.0, exponent: float = 1.0) -> dict:
    return {"init_value": init_value, "decay_steps": decay_steps, "alpha": alpha, "exponent": exponent}


COSINE_HINT = (
    "t = min(count, decay_steps); cosine = 0.5 * (1 + cos(pi * t / decay_steps)); "
    "value = init_value * ((1 - alpha) * cosine**exponent + alpha)"
)


def _cosine_cases() -> list[Case]:
    return [
        Case(
            "0.1 down to 0 over 10 steps, and after",
            _cosine_inputs(0.1, 10),
            "the value at count 0 is init_value, at decay_steps 0, and it stays there after decay_steps "
            "(clamp the count with jnp.minimum)",
        ),
        Case(
            "alpha=0.2: the floor is alpha * init_value",
            _cosine_inputs(0.5, 8, alpha=0.2),
            "alpha is a fraction of init_value: init_value * ((1 - alpha) * cosine + alpha)",
        ),
        Case(
            "exponent=2",
            _cosine_inputs(1.0, 6, exponent=2.0),
            "the exponent applies to the cosine factor alone, before alpha is mixed in",
        ),
    ]


def _cosine_strategy():
    from hypothesis import strategies as st

    return st.builds(
        _cosine_inputs,
        st.sampled_from([1.0, 0.1, 3e-4]),
        st.sampled_from([1, 7, 20]),
        st.sampled_from([0.0, 0.1, 0.5]),
        st.sampled_from([1.0, 2.0, 0.5]),
    )


def _cosine(factory, init_value, decay_steps, alpha, exponent):
    return _schedule_values(factory(init_value, decay_steps, alpha=alpha, exponent=exponent), decay_steps)


COSINE_DECAY_SCHEDULE = Exercise(
    name="cosine_decay_schedule",
    chapter="05_optimizers",
    summary="a learning rate that follows half a cosine, as optax.cosine_decay_schedule makes it",
    counterpart="optax.cosine_decay_schedule",
    functions=("cosine_decay_schedule",),
    expected=lambda **inputs: _cosine(optax.cosine_decay_schedule, **inputs),
    attempt=lambda m, **inputs: _cosine(m.cosine_decay_schedule, **inputs),
    cases=_cosine_cases,
    hint=COSINE_HINT,
    strategy=_cosine_strategy,
    tolerance=FORWARD,
    examples=8,
)
