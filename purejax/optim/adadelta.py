"""Adadelta: steps in the units of the parameters, from the ratio of two running RMS.

`scale_by_adadelta` is the building block, with the state `ScaleByAdaDeltaState(e_g, e_x)`, the
running averages of the squared gradients and of the squared updates; `adadelta` chains it after
an optional L2 weight decay and before `scale_by_learning_rate`. The math is in `adadelta`'s
docstring.

Counterpart: `optax.scale_by_adadelta`, `optax.ScaleByAdaDeltaState` (optax/_src/transform.py);
`optax.adadelta` (optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.masking import check_mask
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import check_same_structure, update_moment, zeros_like


class ScaleByAdaDeltaState(NamedTuple):
    e_g: Any  # E[g**2], EMA of squared gradients
    e_x: Any  # E[dx**2], EMA of squared updates


@named
def scale_by_adadelta(rho=0.9, eps=1e-6) -> GradientTransformation:
    """Adadelta: scale by the ratio of the RMS of past updates to the RMS of past gradients.

    The math is `adadelta`'s without the weight decay and `-lr_t`: the update is `dx_t`.

    Args:
      rho: scalar, decay of both running averages.
      eps: scalar inside both square roots (it also sets the first steps' size).

    Returns:
      A `GradientTransformation` with state `ScaleByAdaDeltaState(e_g, e_x)`.

    Counterpart: `optax.scale_by_adadelta` (optax/_src/transform.py).

    References:
      Matthew D. Zeiler, *ADADELTA: An Adaptive Learning Rate Method*, 2012.
      https://arxiv.org/abs/1212.5701
    """
    w = where("scale_by_adadelta")
    for name, value in (("rho", rho), ("eps", eps)):
        check_number(w, name, value)

    def init_fn(params):
        return ScaleByAdaDeltaState(e_g=zeros_like(params), e_x=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_adadelta", state, ScaleByAdaDeltaState)
        check_same_structure("scale_by_adadelta", updates, state.e_g)
        e_g = update_moment(updates, state.e_g, rho, 2)  # gradient RMS
        updates = tree.map(
            lambda g, cur_e_g, prev_e_x: (jnp.sqrt(prev_e_x + eps) / jnp.sqrt(cur_e_g + eps)) * g,
            updates,
            e_g,
            state.e_x,
        )
        e_x = update_moment(updates, state.e_x, rho, 2)  # update RMS
        return updates, ScaleByAdaDeltaState(e_g=e_g, e_x=e_x)

    return GradientTransformation(init_fn, update_fn)


@named
def adadelta(
    learning_rate: ScalarOrSchedule | None = None,
    rho=0.9,
    eps=1e-6,
    weight_decay=0.0,
    weight_decay_mask: Any | Callable[[Any], Any] | None = None,
) -> GradientTransformation:
    """Adadelta: steps in the units of the parameters, from the ratio of two running RMS.

        g_t <- g_t + weight_decay * p_t                                       # L2 (before scaling)
        E[g**2]_t  = rho * E[g**2]_{t-1} + (1 - rho) * g_t**2
        dx_t       = sqrt(E[dx**2]_{t-1} + eps) / sqrt(E[g**2]_t + eps) * g_t
        E[dx**2]_t = rho * E[dx**2]_{t-1} + (1 - rho) * dx_t**2
        u_t = -lr_t * dx_t

    Args:
      learning_rate: a number, a schedule, or None. None means *no* scaling at all, not even the
        minus sign (as in Optax): the updates then point up the gradient, so pass a learning rate
        (PyTorch's default is 1.0) to descend.
      rho: scalar, decay of both averages.
      eps: scalar inside both square roots.
      weight_decay: a number or a schedule, added to the gradient before the scaling (L2).
      weight_decay_mask: as `mask` in `adamw`.

    Returns:
      A `GradientTransformation`; state `(weight-decay state, ScaleByAdaDeltaState, scale state)`.

    Counterpart: `optax.adadelta` (optax/_src/alias.py).

    References:
      Matthew D. Zeiler, *ADADELTA: An Adaptive Learning Rate Method*, 2012.
      https://arxiv.org/abs/1212.5701

    PyTorch: `torch.optim.Adadelta` has the same rule and defaults (rho 0.9, eps 1e-6, L2 weight
    decay) with `lr=1.0`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adadelta(learning_rate=1.0)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.997, -1.997]
    """
    check_learning_rate(learning_rate, optional=True)  # None: no scaling at all, as in Optax
    check_mask(where("adadelta"), "weight_decay_mask", weight_decay_mask)
    return chain(
        add_decayed_weights(weight_decay, mask=weight_decay_mask),
        scale_by_adadelta(rho=rho, eps=eps),
        scale_by_learning_rate(learning_rate),
    )
