"""COCOB-Backprop: learning-rate-free optimization by coin betting, one bettor per coordinate.

Each coordinate bets a fraction of its "wealth" (its initial scale `eps` plus the rewards won so
far) on the sign of the accumulated negative gradients; the bet is the step. The state keeps,
per coordinate:

    L_t = max(L_{t-1}, |g_t|)                        # the largest gradient seen (starts at eps)
    G_t = G_{t-1} + |g_t|                            # the sum of absolute gradients
    R_t = max(R_{t-1} - g_t (w_t - w_0), 0)          # the reward (winnings)
    C_t = C_{t-1} - g_t                              # the sum of negative gradients
    w_{t+1} = w_0 + C_t / (L_t max(G_t + L_t, alpha L_t)) (L_t + R_t)

and the update is `w_{t+1} - w_t`.

Counterpart: `optax.contrib.scale_by_cocob`, `optax.contrib.cocob`, `optax.contrib.COCOBState`
(optax/contrib/_cocob.py). Same arithmetic in the same order.

References:
  Orabona and Tommasi, *Training Deep Networks without Learning Rates Through Coin Betting*,
  NeurIPS 2017. https://arxiv.org/abs/1705.07795
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim import tree as otree
from purejax.optim.base import GradientTransformation, chain, check_params, check_state, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.masking import MaskOrFn
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import check_same_structure


class COCOBState(NamedTuple):
    init_particles: Any  # like params; w_0
    cumulative_gradients: Any  # like params; C, the sum of negative gradients
    scale: Any  # like params; L, the largest |gradient| (starts at eps)
    subgradients: Any  # like params; G, the sum of |gradient|
    reward: Any  # like params; R, the winnings


@named(name="contrib.scale_by_cocob")
def scale_by_cocob(alpha=100.0, eps=1e-8) -> GradientTransformation:
    """COCOB-Backprop's step (see the module): the bet of each coordinate's bettor.

    Args:
      alpha: bounds the fraction of the wealth bet early on (larger: more cautious).
      eps: the initial scale `L_0` of every coordinate.

    Returns:
      A `GradientTransformation` with state `COCOBState`; `update` needs `params`.

    Counterpart: `optax.contrib.scale_by_cocob` (optax/contrib/_cocob.py).
    """
    check_number(where("contrib.scale_by_cocob"), "alpha", alpha)
    check_number(where("contrib.scale_by_cocob"), "eps", eps, minimum=0.0)

    def init_fn(params):
        init_adapt = otree.zeros_like(params)
        init_scale = otree.scale(eps, otree.ones_like(params))
        return COCOBState(
            init_particles=params,
            cumulative_gradients=init_adapt,
            scale=init_scale,
            subgradients=init_adapt,
            reward=init_adapt,
        )

    def update_fn(updates, state, params=None):
        check_state("contrib.scale_by_cocob", state, COCOBState)
        check_params("contrib.scale_by_cocob", params, updates)
        check_same_structure("contrib.scale_by_cocob", updates, state.scale)
        init_particles, cumulative_grads, scale, subgradients, reward = state
        scale = tree.map(lambda L, c: jnp.maximum(L, jnp.abs(c)), scale, updates)  # largest |gradient|
        subgradients = tree.map(lambda G, c: G + jnp.abs(c), subgradients, updates)  # sum of |gradient|
        reward = tree.map(
            lambda R, c, p, p0: jnp.maximum(R - c * (p - p0), 0), reward, updates, params, init_particles
        )  # winnings
        cumulative_grads = tree.map(lambda C, c: C - c, cumulative_grads, updates)  # sum of -gradient
        new_updates = tree.map(
            lambda p, p0, C, L, G, R: -p + (p0 + C / (L * jnp.maximum(G + L, alpha * L)) * (L + R)),
            params,
            init_particles,
            cumulative_grads,
            scale,
            subgradients,
            reward,
        )  # the bet, as a step from p
        return new_updates, COCOBState(init_particles, cumulative_grads, scale, subgradients, reward)

    return GradientTransformation(init_fn, update_fn)


@named(name="contrib.cocob")
def cocob(
    learning_rate: ScalarOrSchedule = 1.0,
    alpha=100.0,
    eps=1e-8,
    weight_decay=0.0,
    mask: MaskOrFn = None,
) -> GradientTransformation:
    """COCOB-Backprop: weight decay added to the gradients, scaled by `learning_rate` (no sign flip), then the bet.

    Args:
      learning_rate: a multiplier of the gradients (1.0: none); a number or a schedule.
      alpha, eps: as `scale_by_cocob`.
      weight_decay: L2 weight decay added to the gradients.
      mask: where to decay (a tree of bools or a function of params).

    Returns:
      A `GradientTransformation`; state `(EmptyState or MaskedState, scale state, COCOBState)`;
      `update` needs `params`.

    Counterpart: `optax.contrib.cocob` (optax/contrib/_cocob.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax.optim import contrib
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = contrib.cocob()
      >>> updates, _ = opt.update({'w': jnp.array([0.5, -0.5])}, opt.init(params), params)
      >>> [round(u, 4) for u in updates['w'].tolist()]
      [-0.01, 0.01]
    """
    return chain(
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(check_learning_rate(learning_rate), flip_sign=False),
        scale_by_cocob(alpha, eps),
    )
