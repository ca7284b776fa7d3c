"""Exercise `scale_by_adam` (tour: docs/tour/05_optimizers.md): Adam's moments and bias correction.

Write `scale_by_adam(b1, b2, eps, eps_root)`: Optax's building block of Adam, an `(init, update)`
pair (`GradientTransformation`) whose state is `ScaleByAdamState(count, mu, nu)`, as
`optax.scale_by_adam` computes it. (`optax.adam(lr)` is this block chained with a scaling by
`-lr`.) Params and updates are pytrees: `jax.tree_util.tree_map` walks them.

Use jax.numpy, jax.lax and jax.tree_util; the grader refuses a file that imports optax. Check your
file with:

    python -m comparisons exercise scale_by_adam --check exercises/scale_by_adam.py
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp


class GradientTransformation(NamedTuple):
    init: Callable  # params -> state
    update: Callable  # (updates, state, params=None) -> (updates, state)


class ScaleByAdamState(NamedTuple):
    count: Any  # shape=(), dtype=int32: steps taken
    mu: Any  # first moment, a tree like params
    nu: Any  # second moment, a tree like params


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0):
    """Adam's rescaling of the gradients (Kingma & Ba, *Adam*, 2015, arXiv:1412.6980).

    At step t = count + 1, for every leaf g of the updates:

        mu = b1 * mu + (1 - b1) * g              # first moment (a running mean)
        nu = b2 * nu + (1 - b2) * g**2           # second moment (a running mean of squares)
        mu_hat = mu / (1 - b1**t)                # bias correction: mu and nu start at 0
        nu_hat = nu / (1 - b2**t)
        update = mu_hat / (sqrt(nu_hat + eps_root) + eps)

    `init(params)` makes `ScaleByAdamState(count=0 (int32), mu=zeros like params, nu=zeros)`;
    `update(updates, state, params=None)` returns `(new updates, new state)` with `count + 1`.

    Args:
      b1, b2: decay rates of the first and second moments.
      eps: added to the root of the second moment (outside the square root).
      eps_root: added to the second moment inside the square root.

    Returns:
      `GradientTransformation(init, update)`.
    """

    def init(params):
        mu = jax.tree_util.tree_map(jnp.zeros_like, params)  # first moment
        nu = jax.tree_util.tree_map(jnp.zeros_like, params)  # second moment
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=mu, nu=nu)

    def update(updates, state, params=None):
        del params
        mu = jax.tree_util.tree_map(lambda g, m: (1 - b1) * g + b1 * m, updates, state.mu)
        nu = jax.tree_util.tree_map(lambda g, v: (1 - b2) * (g * g) + b2 * v, updates, state.nu)
        count = state.count + 1
        mu_hat = jax.tree_util.tree_map(lambda m: m / (1 - b1**count).astype(m.dtype), mu)  # bias correction
        nu_hat = jax.tree_util.tree_map(lambda v: v / (1 - b2**count).astype(v.dtype), nu)
        new = jax.tree_util.tree_map(lambda m, v: m / (jnp.sqrt(v + eps_root) + eps), mu_hat, nu_hat)
        return new, ScaleByAdamState(count=count, mu=mu, nu=nu)

    return GradientTransformation(init, update)
