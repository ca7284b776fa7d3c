"""Two cheap alternatives to Adam's per-element second moment: Lion's sign, NovoGrad's layer norm.

    Lion:      u_t = sign(b1 * m_{t-1} + (1 - b1) * g_t);   m_t = b2 * m_{t-1} + (1 - b2) * g_t
    NovoGrad:  v_t = b2 * v_{t-1} + (1 - b2) * ||g_t||**2    # ONE number per parameter array
               m_t = b1 * m_{t-1} + g_t / (sqrt(v_t) + eps) + weight_decay * p_t

Lion keeps one moment and takes steps of equal size in every coordinate; NovoGrad keeps one
scalar second moment per layer (each leaf of the tree is a layer).

Counterpart: `optax.scale_by_lion`, `optax.scale_by_novograd`, `optax.ScaleByLionState`,
`optax.ScaleByNovogradState` (optax/_src/transform.py).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from purejax import tree
from purejax.optim.base import NO_PARAMS_MSG, GradientTransformation
from purejax.optim.tree_math import (
    canonical_dtype, cast_tree, check_same_structure, safe_increment, update_moment, zeros_like)

_SIGNS = {
    "hard": jnp.sign,  # the paper's sign
    "refined": lambda x: jnp.where(jnp.abs(x) < 1.0, x, jnp.sign(x)),  # linear near 0, then sign
}


class ScaleByLionState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # momentum, a tree like params (dtype mu_dtype if given)


class ScaleByNovogradState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # first moment, a tree like params
    nu: Any  # second moment: one scalar per leaf, shape=()


def scale_by_lion(b1=0.9, b2=0.99, mu_dtype=None, *, mode: str = "hard",
                  smooth_beta: float = 1.0) -> GradientTransformation:
    """Lion: the sign of an interpolation between momentum and gradient.

        c_t = b1 * m_{t-1} + (1 - b1) * g_t          # interpolation (uses b1)
        u_t = sign(c_t)                              # or tanh(smooth_beta * c_t), or clip-like
        m_t = b2 * m_{t-1} + (1 - b2) * g_t          # momentum (uses b2)

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
    mu_dtype = canonical_dtype(mu_dtype)
    signs = dict(_SIGNS, smooth=lambda x: jnp.tanh(smooth_beta * x))
    if mode not in signs:
        raise ValueError(f"purejax.optim.scale_by_lion: mode must be one of {sorted(signs)}, got {mode!r}")
    sign = signs[mode]

    def init_fn(params):
        return ScaleByLionState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype))

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_lion.update", updates, state.mu)
        new_updates = tree.map(lambda g, m: sign((1.0 - b1) * g + b1 * m), updates, state.mu)  # direction
        mu = update_moment(updates, state.mu, b2, 1)  # momentum
        mu = cast_tree(mu, mu_dtype)
        return new_updates, ScaleByLionState(count=safe_increment(state.count), mu=mu)

    return GradientTransformation(init_fn, update_fn)


def scale_by_novograd(b1=0.9, b2=0.25, eps=1e-8, eps_root=0.0, weight_decay=0.0,
                      mu_dtype=None) -> GradientTransformation:
    """NovoGrad: normalize each layer's gradient by an EMA of its squared norm, then add momentum.

        n_t = ||g_t||**2                                        # squared norm of the whole leaf
        v_t = n_1 at t = 1, else b2 * v_{t-1} + (1 - b2) * n_t  # second moment, per layer
        d_t = g_t / (sqrt(v_t + eps_root) + eps) + weight_decay * p_t
        m_t = d_1 at t = 1, else b1 * m_{t-1} + d_t             # first moment (no 1 - b1)
        u_t = m_t

    Args:
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the per-layer second moment.
      eps: scalar added outside the square root.
      eps_root: scalar added inside the square root.
      weight_decay: scalar; decay added to the normalized gradient (so it is momentum-smoothed).
      mu_dtype: dtype of the first moment; None keeps the params'.

    Returns:
      A `GradientTransformation` with state `ScaleByNovogradState(count, mu, nu)`; `update`
      needs `params`.

    Counterpart: `optax.scale_by_novograd` (optax/_src/transform.py).

    References:
      Boris Ginsburg et al., *Stochastic Gradient Methods with Layer-wise Adaptive Moments for
      Training of Deep Networks*, 2019. https://arxiv.org/abs/1905.11286
    """
    mu_dtype = canonical_dtype(mu_dtype)

    def init_fn(params):
        nu = tree.map(lambda p: jnp.asarray(0.0, dtype=p.dtype), params)  # shape=() per leaf
        return ScaleByNovogradState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype), nu=nu)

    def layer_norm_sq(g):
        return jnp.linalg.norm(g) ** 2  # ||g||**2 of one layer

    def normalize(g, p, v):
        return g / (jnp.sqrt(v + eps_root) + eps) + weight_decay * p  # g / sqrt(nu) + decay * p

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError(NO_PARAMS_MSG.format(name="scale_by_novograd"))
        check_same_structure("purejax.optim.scale_by_novograd.update", updates, state.mu)
        count_inc = safe_increment(state.count)
        first = count_inc == 1
        # Each branch computes its own norms, as Optax's lax.cond branches do: XLA then reduces
        # them the same way on both sides, which keeps the two bitwise equal.
        nu = lax.cond(first,  # second moment: the first ||g||**2 as is, then an EMA
                      lambda g, v: tree.map(lambda a, b: layer_norm_sq(a).astype(b.dtype), g, v),
                      lambda g, v: tree.map(lambda a, b: (1 - b2) * layer_norm_sq(a) + b2 * b, g, v),
                      updates, state.nu)
        mu = lax.cond(first,  # first moment: the first normalized gradient as is, then momentum
                      lambda g, p, m, v: tree.map(normalize, g, p, v),
                      lambda g, p, m, v: tree.map(lambda a, b: b1 * a + b, m, tree.map(normalize, g, p, v)),
                      updates, params, state.mu, nu)
        mu = cast_tree(mu, mu_dtype)
        return mu, ScaleByNovogradState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)
