"""Lion: a step of equal size in every coordinate, along the sign of a momentum blend.

`scale_by_lion` is the building block, with the state `ScaleByLionState(count, mu)`: one moment,
where Adam keeps two. `lion` chains it with decoupled weight decay and `scale_by_learning_rate`;
the math is in its docstring.

Counterpart: `optax.scale_by_lion`, `optax.ScaleByLionState` (optax/_src/transform.py);
`optax.lion` (optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_dtype, check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import (
    canonical_dtype,
    cast_tree,
    check_same_structure,
    safe_increment,
    update_moment,
    zeros_like,
)

_SIGNS = {
    "hard": jnp.sign,  # the paper's sign
    "refined": lambda x: jnp.where(jnp.abs(x) < 1.0, x, jnp.sign(x)),  # linear near 0, then sign
}


class ScaleByLionState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # momentum, a tree like params (dtype mu_dtype if given)


@named
def scale_by_lion(
    b1=0.9, b2=0.99, mu_dtype=None, *, mode: str = "hard", smooth_beta: float = 1.0
) -> GradientTransformation:
    """Lion: the sign of an interpolation between momentum and gradient.

    The math is `lion`'s without the weight decay and `-lr_t`; `mode` replaces the sign.

    Args:
      b1: scalar, weight of the momentum in the step's direction.
      b2: scalar, decay of the momentum.
      mu_dtype: dtype of the momentum; None keeps the params'.
      mode: "hard" (sign), "smooth" (tanh(smooth_beta * c)) or "refined" (c where |c| < 1, else sign).
      smooth_beta: scalar slope for mode="smooth".

    Returns:
      A `GradientTransformation` with state `ScaleByLionState(count, mu)`.

    Counterpart: `optax.scale_by_lion` (optax/_src/transform.py).

    References:
      Xiangning Chen et al., *Symbolic Discovery of Optimization Algorithms*, 2023.
      https://arxiv.org/abs/2302.06675

    Differences:
      An unknown `mode` raises when the transformation is built; Optax raises at the first update.
    """
    w = where("scale_by_lion")
    for name, value in (("b1", b1), ("b2", b2), ("smooth_beta", smooth_beta)):
        check_number(w, name, value)
    mu_dtype = canonical_dtype(check_dtype(w, "mu_dtype", mu_dtype, optional=True))
    signs = dict(_SIGNS, smooth=lambda x: jnp.tanh(smooth_beta * x))
    if mode not in signs:
        raise ValueError(f"purejax.optim.scale_by_lion: mode must be one of {sorted(signs)}, got {mode!r}")
    sign = signs[mode]

    def init_fn(params):
        return ScaleByLionState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_lion", state, ScaleByLionState)
        check_same_structure("scale_by_lion", updates, state.mu)
        new_updates = tree.map(lambda g, m: sign((1.0 - b1) * g + b1 * m), updates, state.mu)  # direction
        mu = update_moment(updates, state.mu, b2, 1)  # momentum
        mu = cast_tree(mu, mu_dtype)
        return new_updates, ScaleByLionState(count=safe_increment(state.count), mu=mu)

    return GradientTransformation(init_fn, update_fn)


@named
def lion(
    learning_rate: ScalarOrSchedule,
    b1=0.9,
    b2=0.99,
    mu_dtype=None,
    weight_decay: ScalarOrSchedule = 1e-3,
    mask: Any | Callable[[Any], Any] | None = None,
) -> GradientTransformation:
    """Lion: a step of equal size in every coordinate, along the sign of a momentum blend.

        c_t = b1 * m_{t-1} + (1 - b1) * g_t                  # interpolation
        u_t = -lr_t * (sign(c_t) + weight_decay * p_t)       # decoupled weight decay
        m_t = b2 * m_{t-1} + (1 - b2) * g_t                  # momentum

    Use a learning rate 3-10x smaller than AdamW's and a weight decay 3-10x larger.

    Args:
      learning_rate: a number or a schedule.
      b1: scalar, weight of the momentum in the step; b2: scalar, decay of the momentum.
      mu_dtype: dtype of the momentum; None keeps the params'.
      weight_decay: a number or a schedule; mask: as in `adamw`.

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.lion` (optax/_src/alias.py).

    References:
      Xiangning Chen et al., *Symbolic Discovery of Optimization Algorithms*, NeurIPS 2023.
      https://arxiv.org/abs/2302.06675

    PyTorch: not in `torch.optim`; `lion-pytorch` applies the same decoupled decay
    (`p *= 1 - lr * wd`) with default `weight_decay` 0.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.lion(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.9, -1.9]
    """
    return chain(
        scale_by_lion(b1=b1, b2=b2, mu_dtype=mu_dtype),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
