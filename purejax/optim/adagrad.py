"""Adagrad: divide by the root of the sum of *all* squared gradients so far.

`scale_by_rss` (root of the sum of squares) is the building block, with the state
`ScaleByRssState(sum_of_squares)`; `adagrad` chains it with `scale_by_learning_rate`. The math is
in `adagrad`'s docstring.

Counterpart: `optax.scale_by_rss`, `optax.ScaleByRssState` (optax/_src/transform.py);
`optax.adagrad` (optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import abs_sq, check_same_structure, full_like


class ScaleByRssState(NamedTuple):
    sum_of_squares: Any  # running sum of g**2, a tree like params


@named
def scale_by_rss(initial_accumulator_value=0.1, eps=1e-7) -> GradientTransformation:
    """Divide by the root of the *sum* of all squared gradients so far (Adagrad's scaling).

    The math is `adagrad`'s without `-lr_t`.

    Args:
      initial_accumulator_value: scalar starting value of G, >= 0.
      eps: scalar added inside the square root.

    Returns:
      A `GradientTransformation` with state `ScaleByRssState(sum_of_squares)`.

    Counterpart: `optax.scale_by_rss` (optax/_src/transform.py).

    References:
      John Duchi, Elad Hazan, Yoram Singer, *Adaptive Subgradient Methods for Online Learning and
      Stochastic Optimization*, JMLR 2011. https://jmlr.org/papers/v12/duchi11a.html
    """
    w = where("scale_by_rss")
    for name, value in (("initial_accumulator_value", initial_accumulator_value), ("eps", eps)):
        check_number(w, name, value)

    def init_fn(params):
        return ScaleByRssState(sum_of_squares=full_like(params, initial_accumulator_value))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_rss", state, ScaleByRssState)
        check_same_structure("scale_by_rss", updates, state.sum_of_squares)
        sum_of_squares = tree.map(lambda g, t: abs_sq(g) + t, updates, state.sum_of_squares)
        inv_sqrt = tree.map(lambda t: jnp.where(t > 0, jax.lax.rsqrt(t + eps), 0.0), sum_of_squares)
        updates = tree.map(lambda s, g: s * g, inv_sqrt, updates)
        return updates, ScaleByRssState(sum_of_squares=sum_of_squares)

    return GradientTransformation(init_fn, update_fn)


@named
def adagrad(learning_rate: ScalarOrSchedule, initial_accumulator_value=0.1, eps=1e-7) -> GradientTransformation:
    """Adagrad: divide by the root of the sum of *all* squared gradients so far.

        G_t = G_{t-1} + g_t**2                     # sum of squares, G_0 = initial_accumulator_value
        u_t = -lr_t * g_t / sqrt(G_t + eps)        # (0 where G_t = 0)

    Steps only shrink: rare features keep large steps, frequent ones get small steps.

    Args:
      learning_rate: a number or a schedule.
      initial_accumulator_value: scalar, the starting value of G.
      eps: scalar inside the square root.

    Returns:
      A `GradientTransformation`; state `(ScaleByRssState, scale state)`.

    Counterpart: `optax.adagrad` (optax/_src/alias.py).

    References:
      John Duchi, Elad Hazan, Yoram Singer, *Adaptive Subgradient Methods for Online Learning and
      Stochastic Optimization*, JMLR 2011. https://jmlr.org/papers/v12/duchi11a.html

    PyTorch: `torch.optim.Adagrad` starts G at 0 (not 0.1), puts eps=1e-10 *outside* the root
    (`g / (sqrt(G) + eps)`), and offers an `lr_decay` that divides the learning rate by
    `1 + (t - 1) * lr_decay`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adagrad(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.915, -1.915]
    """
    return chain(
        scale_by_rss(initial_accumulator_value=initial_accumulator_value, eps=eps),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
