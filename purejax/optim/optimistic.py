"""Optimistic gradient descent: step along the gradient extrapolated from the last two.

`scale_by_optimistic_gradient` is the building block, with the state
`ScaleByOptimisticGradientState(is_initial_step, previous_gradient)`;
`optimistic_gradient_descent` chains it with `scale_by_learning_rate`. The math is in
`optimistic_gradient_descent`'s docstring.

Counterpart: `optax.scale_by_optimistic_gradient`, `optax.ScaleByOptimisticGradientState`
(optax/_src/transform.py); `optax.optimistic_gradient_descent` (optax/_src/alias.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import check_same_structure, zeros_like


class ScaleByOptimisticGradientState(NamedTuple):
    is_initial_step: jax.Array  # shape=(), dtype=bool; no previous gradient yet
    previous_gradient: Any  # like params; g_{t-1}


@named
def scale_by_optimistic_gradient(alpha=1.0, beta=1.0) -> GradientTransformation:
    """The optimistic gradient: extrapolate from the last two gradients.

    The math is `optimistic_gradient_descent`'s without `-lr_t`. With `alpha = beta = 1` this is
    `2 g_t - g_{t-1}`: the gradient plus its latest change, a cheap stand-in for the extra
    gradient call of extragradient methods.

    Args:
      alpha: weight of the current gradient.
      beta: weight of the change `g_t - g_{t-1}` ("negative momentum").

    Returns:
      A `GradientTransformation`; state `ScaleByOptimisticGradientState(is_initial_step,
      previous_gradient)`.

    Counterpart: `optax.scale_by_optimistic_gradient` (optax/_src/transform.py).

    References:
      Aryan Mokhtari, Asuman Ozdaglar, Sarath Pattathil, *A Unified Analysis of Extra-gradient
      and Optimistic Gradient Methods for Saddle Point Problems: Proximal Point Approach*, 2019.
      https://arxiv.org/abs/1901.08511
    """
    w = where("scale_by_optimistic_gradient")
    for name, value in (("alpha", alpha), ("beta", beta)):
        check_number(w, name, value)

    def init_fn(params):
        return ScaleByOptimisticGradientState(is_initial_step=jnp.array(True), previous_gradient=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_optimistic_gradient", state, ScaleByOptimisticGradientState)
        check_same_structure("scale_by_optimistic_gradient", updates, state.previous_gradient)

        def f(g, prev):
            prev = jnp.where(state.is_initial_step, g, prev)  # first step: no history yet
            return (alpha + beta) * g - beta * prev  # current gradient + beta * change

        new_updates = tree.map(f, updates, state.previous_gradient)
        return new_updates, ScaleByOptimisticGradientState(is_initial_step=jnp.array(False), previous_gradient=updates)

    return GradientTransformation(init_fn, update_fn)


@named
def optimistic_gradient_descent(learning_rate: ScalarOrSchedule, alpha=1.0, beta=1.0) -> GradientTransformation:
    """Optimistic gradient descent: step along the gradient extrapolated from the last two.

        u_t = -lr_t ((alpha + beta) g_t - beta g_{t-1})    # g_{t-1} := g_t at the first step

    Converges in the last iterate on min-max games (e.g. bilinear), where plain gradient
    descent-ascent cycles or diverges.

    Args:
      learning_rate: a number or a schedule `count -> value`.
      alpha: weight of the current gradient.
      beta: weight of the change `g_t - g_{t-1}` (negative momentum).

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.optimistic_gradient_descent` (optax/_src/alias.py).

    References:
      Aryan Mokhtari, Asuman Ozdaglar, Sarath Pattathil, *A Unified Analysis of Extra-gradient
      and Optimistic Gradient Methods for Saddle Point Problems: Proximal Point Approach*, 2019.
      https://arxiv.org/abs/1901.08511

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.optimistic_gradient_descent(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.95, -1.95]
    """
    return chain(
        scale_by_optimistic_gradient(alpha=alpha, beta=beta), scale_by_learning_rate(check_learning_rate(learning_rate))
    )
