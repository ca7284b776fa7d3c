"""Adam and its family: step along the first moment, divided by the root of the second.

    m_t = b1 * m_{t-1} + (1 - b1) * g_t                 # first moment (mean of g)
    v_t = b2 * v_{t-1} + (1 - b2) * g_t**2              # second moment (mean of g**2)
    m^_t = m_t / (1 - b1**t),  v^_t = v_t / (1 - b2**t) # bias correction, t = 1, 2, ...
    u_t = m^_t / (sqrt(v^_t + eps_root) + eps)          # eps outside the root, eps_root inside

The relatives change one line each: AMSGrad divides by the running *maximum* of v^; Adamax by an
exponentially weighted infinity norm; AdaBelief by the variance of g around m (its "belief");
RAdam switches the division off while v^ is too noisy; Yogi grows v additively, by sign.

Counterpart: `optax.scale_by_adam`, `scale_by_amsgrad`, `scale_by_adamax`, `scale_by_belief`,
`scale_by_radam`, `scale_by_yogi` and their states (optax/_src/transform.py).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.optim.base import GradientTransformation
from purejax.optim.tree_math import (
    adam_moments, bias_correction, canonical_dtype, cast_tree, check_same_structure, divide_by_root, nesterov_mu_hat,
    safe_increment, update_moment, zeros_like)

class ScaleByAdamState(NamedTuple):
    """State of Adam, and of Adamax, RAdam and Yogi, which reuse it (as Optax does)."""

    count: jax.Array  # shape=(), dtype=int32; steps taken
    mu: Any  # first moment, a tree like params (dtype mu_dtype if given)
    nu: Any  # second moment (Adamax: infinity norm), a tree like params


class ScaleByAmsgradState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # first moment
    nu: Any  # second moment
    nu_max: Any  # running maximum of the (bias-corrected) second moment


class ScaleByBeliefState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # first moment
    nu: Any  # second *central* moment: EMA of (g - m)**2


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *,
                  nesterov: bool = False) -> GradientTransformation:
    """Rescale updates by Adam's bias-corrected moments: `u = m^ / (sqrt(v^ + eps_root) + eps)`.

    With `nesterov=True` (Nadam) the first moment looks one step ahead:
    `m^_t = b1 * m_t / (1 - b1**(t+1)) + (1 - b1) * g_t / (1 - b1**t)`.

    Args:
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the second moment.
      eps: scalar added to the denominator outside the square root.
      eps_root: scalar added inside the square root (non-zero when differentiating through Adam).
      mu_dtype: dtype of the first moment (e.g. bfloat16 to save memory); None keeps the params'.
      nesterov: use Nadam's look-ahead first moment.

    Returns:
      A `GradientTransformation` with state `ScaleByAdamState(count, mu, nu)`.

    Counterpart: `optax.scale_by_adam` (optax/_src/transform.py).

    References:
      Diederik P. Kingma, Jimmy Ba, *Adam: A Method for Stochastic Optimization*, 2014.
      https://arxiv.org/abs/1412.6980
      Timothy Dozat, *Incorporating Nesterov Momentum into Adam*, 2016.
      https://openreview.net/pdf?id=OM0jvwB8jIp57ZJjtNEZ
    """
    mu_dtype = canonical_dtype(mu_dtype)

    def init_fn(params):
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype),
                                nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        mu, nu, count_inc = adam_moments("scale_by_adam", updates, state, b1, b2)
        if nesterov:
            mu_hat = nesterov_mu_hat(mu, updates, b1, count_inc)
        else:
            mu_hat = bias_correction(mu, b1, count_inc)  # bias correction
        nu_hat = bias_correction(nu, b2, count_inc)  # bias correction (Dozat's extra b2 omitted, as Optax)
        updates = divide_by_root(mu_hat, nu_hat, eps, eps_root)
        nu = tree.map(lambda n, old: n.astype(old.dtype), nu, state.nu)
        return updates, ScaleByAdamState(count=count_inc, mu=cast_tree(mu, mu_dtype), nu=nu)

    return GradientTransformation(init_fn, update_fn)


def scale_by_amsgrad(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None,
                     bias_correction_mu: bool = True, bias_correction_nu: bool = True) -> GradientTransformation:
    """Adam divided by the running maximum of the second moment, so steps never grow back.

        v_max_t = max(v_max_{t-1}, v^_t)        # v^ bias-corrected unless bias_correction_nu=False
        u_t     = m^_t / (sqrt(v_max_t + eps_root) + eps)

    Args:
      b1, b2, eps, eps_root, mu_dtype: as `scale_by_adam` (scalars; a dtype).
      bias_correction_mu: correct the first moment (False matches the paper).
      bias_correction_nu: correct the second moment before the maximum (False matches the paper).

    Returns:
      A `GradientTransformation` with state `ScaleByAmsgradState(count, mu, nu, nu_max)`.

    Counterpart: `optax.scale_by_amsgrad` (optax/_src/transform.py).

    References:
      Sashank J. Reddi, Satyen Kale, Sanjiv Kumar, *On the Convergence of Adam and Beyond*, 2018.
      https://openreview.net/forum?id=ryQu7f-RZ
    """
    mu_dtype = canonical_dtype(mu_dtype)

    def init_fn(params):
        return ScaleByAmsgradState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype),
                                   nu=zeros_like(params), nu_max=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        mu, nu, count_inc = adam_moments("scale_by_amsgrad", updates, state, b1, b2)
        mu_hat = bias_correction(mu, b1, count_inc) if bias_correction_mu else mu
        nu_eff = bias_correction(nu, b2, count_inc) if bias_correction_nu else nu
        nu_max = tree.map(jnp.maximum, state.nu_max, nu_eff)  # long-term memory
        updates = divide_by_root(mu_hat, nu_max, eps, eps_root)
        return updates, ScaleByAmsgradState(count=count_inc, mu=cast_tree(mu, mu_dtype), nu=nu, nu_max=nu_max)

    return GradientTransformation(init_fn, update_fn)


def scale_by_adamax(b1=0.9, b2=0.999, eps=1e-8) -> GradientTransformation:
    """Adam with the infinity norm: `u_t = m^_t / v_t`, `v_t = max(|g_t| + eps, b2 * v_{t-1})`.

    The infinity norm needs no bias correction (a max of zeros and |g| is not shrunk toward 0).

    Args:
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the infinity norm.
      eps: scalar added to |g| (so v is never 0).

    Returns:
      A `GradientTransformation` with state `ScaleByAdamState(count, mu, nu)`.

    Counterpart: `optax.scale_by_adamax` (optax/_src/transform.py).

    References:
      Kingma and Ba, *Adam*, 2014, section 7.1. https://arxiv.org/abs/1412.6980
    """

    def init_fn(params):
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_adamax.update", updates, state.mu)
        count_inc = safe_increment(state.count)
        mu = update_moment(updates, state.mu, b1, 1)  # first moment
        nu = tree.map(lambda g, v: None if g is None else jnp.maximum(jnp.abs(g) + eps, b2 * v),
                      updates, state.nu, is_leaf=lambda x: x is None)  # infinity norm
        mu_hat = bias_correction(mu, b1, count_inc)  # bias correction (first moment only)
        return tree.map(lambda m, v: m / v, mu_hat, nu), ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)
