"""Adan: Adam with a Nesterov-style moment of gradient *differences*.

`scale_by_adan` is the building block, with state `ScaleByAdanState(m, v, n, g, t)`; `adan`
chains it with decoupled weight decay and the learning rate. The math is in `adan`'s docstring.

Counterpart: `optax.scale_by_adan`, `optax.ScaleByAdanState` (optax/_src/transform.py);
`optax.adan` (optax/_src/alias.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    chain,
    check_state,
    named,
    where,
)
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.masking import MaskOrFn
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import bias_correction, check_same_structure, safe_increment, zeros_like


class ScaleByAdanState(NamedTuple):
    m: Any  # like params; EMA of the gradients
    v: Any  # like params; EMA of the gradient differences g_t - g_{t-1}
    n: Any  # like params; EMA of the squared (g_t + (1 - b2) (g_t - g_{t-1}))
    g: Any  # like params; the previous gradient
    t: jax.Array  # shape=(), dtype=int32; step count


def _ema(x, m, decay, square=False):
    return tree.map(lambda g, mm: (1 - decay) * (jnp.square(g) if square else g) + decay * mm, x, m)


@named
def scale_by_adan(b1=0.98, b2=0.92, b3=0.99, eps=1e-8, eps_root=0.0) -> GradientTransformation:
    """Adan's direction, `(m^ + (1 - b2) v^) / (sqrt(n^ + eps_root) + eps)` (see `adan`).

    Args:
      b1, b2, b3: decays of `m`, `v` and `n`.
      eps: added to the root.
      eps_root: added inside the root.

    Returns:
      A `GradientTransformation` with state `ScaleByAdanState(m, v, n, g, t)`.

    Counterpart: `optax.scale_by_adan` (optax/_src/transform.py).

    References:
      Xingyu Xie et al., *Adan: Adaptive Nesterov Momentum Algorithm*, 2022, Algorithm 1.
      https://arxiv.org/abs/2208.06677
    """
    w = where("scale_by_adan")
    for name, value in (("b1", b1), ("b2", b2), ("b3", b3), ("eps", eps), ("eps_root", eps_root)):
        check_number(w, name, value)

    def init_fn(params):
        z = zeros_like
        return ScaleByAdanState(m=z(params), v=z(params), n=z(params), g=z(params), t=jnp.zeros([], jnp.int32))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_adan", state, ScaleByAdanState)
        check_same_structure("scale_by_adan", updates, state.m)
        g = updates
        diff = tree.map(lambda x, p: jnp.where(state.t == 0, jnp.zeros_like(x), x - p), g, state.g)  # g_t - g_{t-1}
        m = _ema(g, state.m, b1)  # first moment
        v = _ema(diff, state.v, b2)  # moment of the differences
        n = _ema(tree.map(lambda x, d: x + (1 - b2) * d, g, diff), state.n, b3, square=True)  # second moment
        t = safe_increment(state.t)
        m_hat, v_hat, n_hat = bias_correction(m, b1, t), bias_correction(v, b2, t), bias_correction(n, b3, t)
        u = tree.map(lambda mh, vh, nh: (mh + (1 - b2) * vh) / (jnp.sqrt(nh + eps_root) + eps), m_hat, v_hat, n_hat)
        return u, ScaleByAdanState(m=m, v=v, n=n, g=g, t=t)

    return GradientTransformation(init_fn, update_fn)


@named
def adan(
    learning_rate: ScalarOrSchedule,
    b1=0.98,
    b2=0.92,
    b3=0.99,
    eps=1e-8,
    eps_root=1e-8,
    weight_decay: ScalarOrSchedule = 0.0,
    mask: MaskOrFn = None,
) -> GradientTransformationExtraArgs:
    """Adan: adaptive Nesterov momentum, estimated from gradient differences.

        d_t = g_t - g_{t-1}   (0 at the first step)
        m_t = b1 m_{t-1} + (1 - b1) g_t                             # first moment
        v_t = b2 v_{t-1} + (1 - b2) d_t                             # moment of the differences
        n_t = b3 n_{t-1} + (1 - b3) (g_t + (1 - b2) d_t)**2         # second moment
        u_t = -lr_t ((m^_t + (1 - b2) v^_t) / (sqrt(n^_t + eps_root) + eps) + weight_decay p_t)

    with `^` the bias corrections `/(1 - b**t)`.

    Args:
      learning_rate: a number or a schedule.
      b1, b2, b3: decays of `m`, `v`, `n`.
      eps, eps_root: added outside and inside the root.
      weight_decay: decoupled weight decay (a number or a schedule).
      mask: where to decay (a tree of bools or a function of params).

    Returns:
      A `GradientTransformationExtraArgs`; state `(ScaleByAdanState, EmptyState or MaskedState, scale state)`.

    Counterpart: `optax.adan` (optax/_src/alias.py).

    References:
      Xie et al., *Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing Deep Models*,
      2022. https://arxiv.org/abs/2208.06677

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adan(learning_rate=0.1)
      >>> updates, _ = opt.update({'w': jnp.array([0.5, -0.5])}, opt.init(params), params)
      >>> [round(u, 3) for u in updates['w'].tolist()]
      [-0.1, 0.1]
    """
    return chain(
        scale_by_adan(b1=b1, b2=b2, b3=b3, eps=eps, eps_root=eps_root),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
