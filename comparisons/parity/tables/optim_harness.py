"""Running a purejax optimizer and its Optax counterpart side by side, step for step.

Both start from the same parameters (a pytree of several shapes), take gradients of the same
non-quadratic loss (so the gradients depend on where the parameters went), and apply their own
`update` and `apply_updates`, each step jitted. After every step the updates and the parameters
are compared; at the end, the optimizer states too, leaf by leaf, where both hold arrays.

Used by the tests (`tests/purejax/optim/`) and by the parity report's optimizer rows.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import purejax.optim
from comparisons.parity.measures import OPTIMIZER_FLOOR, leaves_rel

STEPS = 50


def example_params(seed: int = 0) -> dict:
    """A small parameter tree: a matrix, a vector, a scalar and a 4-D kernel, float32."""
    rng = np.random.default_rng(seed)
    return {
        "Dense_0": {
            "kernel": jnp.asarray(rng.normal(size=(3, 4)), jnp.float32),
            "bias": jnp.asarray(rng.normal(size=(4,)), jnp.float32),
        },
        "scale": jnp.asarray(rng.normal(), jnp.float32),
        "Conv_0": {"kernel": jnp.asarray(rng.normal(size=(2, 2, 3, 5)), jnp.float32)},
    }


def loss(params: Any) -> jax.Array:
    """A smooth loss whose gradient depends on the parameters: sum of log(cosh(p - 0.5)) + p**4 / 20."""
    leaves = jax.tree_util.tree_leaves(params)
    return sum(jnp.sum(jnp.log(jnp.cosh(p - 0.5)) + 0.05 * p**4) for p in leaves)


_grad = jax.jit(jax.grad(loss))  # compiled once per parameter structure; both sides use it


class Trajectory(NamedTuple):
    updates: list  # one pytree per step
    params: list  # one pytree per step (after the update)
    state: Any  # the final optimizer state


def run(tx, apply_updates, params: Any, steps: int = STEPS, grad_transform=None, grad_fn=None) -> Trajectory:
    """Take `steps` jitted steps of `tx` from `params`.

    `grad_transform(step, grads) -> grads` may alter the gradients (e.g. inject a NaN);
    `grad_fn(params) -> grads` replaces the gradient of `loss` (e.g. per-example gradients).
    """
    grad_fn = _grad if grad_fn is None else grad_fn

    @jax.jit
    def step(params, state, grads):
        updates, state = tx.update(grads, state, params)
        return apply_updates(params, updates), state, updates

    state = tx.init(params)
    updates_seen, params_seen = [], []
    for i in range(steps):
        grads = grad_fn(params)
        if grad_transform is not None:
            grads = grad_transform(i, grads)
        params, state, updates = step(params, state, grads)
        updates_seen.append(updates)
        params_seen.append(params)
    return Trajectory(updates_seen, params_seen, state)


def state_arrays(state: Any) -> list:
    """The array leaves of a state, in order (both packages' NamedTuples flatten alike)."""
    return [x for x in jax.tree_util.tree_leaves(state) if hasattr(x, "shape")]


def compare(
    ours, theirs, steps: int = STEPS, params: Any = None, compare_state: bool = True, grad_transform=None
) -> float:
    """Max relative difference of updates, parameters (every step) and final state arrays."""
    params = example_params() if params is None else params
    a = run(ours, purejax.optim.apply_updates, params, steps, grad_transform)
    b = run(theirs, optax.apply_updates, params, steps, grad_transform)
    worst = max(leaves_rel(a.updates, b.updates, OPTIMIZER_FLOOR), leaves_rel(a.params, b.params, OPTIMIZER_FLOOR))
    if compare_state:
        sa, sb = state_arrays(a.state), state_arrays(b.state)
        worst = max(worst, leaves_rel(sa, sb, OPTIMIZER_FLOOR))
    return worst
