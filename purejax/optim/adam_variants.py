"""Three repairs to Adam's denominator: AdaBelief, RAdam, Yogi.

    AdaBelief:  s_t = b2 * s_{t-1} + (1 - b2) * (g_t - m_t)**2 + eps_root    # belief: variance of g
    RAdam:      u_t = r_t * m^_t / (sqrt(v^_t) + eps) if rho_t >= threshold else m^_t
    Yogi:       v_t = v_{t-1} - (1 - b2) * sign(v_{t-1} - g_t**2) * g_t**2  # additive, by sign

Each keeps Adam's first moment and bias correction (see `purejax.optim.adam_family`).

Counterpart: `optax.scale_by_belief`, `optax.scale_by_radam`, `optax.scale_by_yogi`,
`optax.ScaleByBeliefState` (optax/_src/transform.py).
"""
from __future__ import annotations

import jax.numpy as jnp

from purejax import tree
from purejax.optim.adam_family import ScaleByAdamState, ScaleByBeliefState
from purejax.optim.base import GradientTransformation
from purejax.optim.tree_math import (
    abs_sq, adam_moments, bias_correction, check_same_structure, divide_by_root, nesterov_mu_hat, safe_increment,
    update_moment, update_moment_per_elem_norm, zeros_like)


def scale_by_belief(b1=0.9, b2=0.999, eps=1e-16, eps_root=1e-16, *,
                    nesterov: bool = False) -> GradientTransformation:
    """AdaBelief: Adam whose second moment is the EMA of `(g - m)**2`, not of `g**2`.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                            # first moment
        s_t = b2 * s_{t-1} + (1 - b2) * (g_t - m_t)**2 + eps_root      # belief (central moment)
        u_t = m^_t / (sqrt(s^_t) + eps)                                # hats: bias correction

    A gradient close to its prediction `m` gives a small `s` and so a large step.

    Args:
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the central second moment.
      eps: scalar added outside the square root.
      eps_root: scalar added to `s` at every step (it is stored in the state, as in Optax).
      nesterov: use Nadam's look-ahead first moment.

    Returns:
      A `GradientTransformation` with state `ScaleByBeliefState(count, mu, nu)`.

    Counterpart: `optax.scale_by_belief` (optax/_src/transform.py).

    References:
      Juntang Zhuang et al., *AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed
      Gradients*, NeurIPS 2020. https://arxiv.org/abs/2010.07468
    """

    def init_fn(params):
        return ScaleByBeliefState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_belief.update", updates, state.mu)
        mu = update_moment(updates, state.mu, b1, 1)  # first moment
        prediction_error = tree.map(lambda g, m: g - m, updates, mu)  # g_t - m_t
        nu = update_moment_per_elem_norm(prediction_error, state.nu, b2, 2)  # central second moment
        nu = tree.map(lambda v: v + eps_root, nu)
        count_inc = safe_increment(state.count)
        if nesterov:
            mu_hat = nesterov_mu_hat(mu, updates, b1, count_inc)
        else:
            mu_hat = bias_correction(mu, b1, count_inc)  # bias correction
        nu_hat = bias_correction(nu, b2, count_inc)  # bias correction
        updates = divide_by_root(mu_hat, nu_hat, eps, 0.0)
        return updates, ScaleByBeliefState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


def scale_by_radam(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, threshold=5.0, *,
                   nesterov: bool = False) -> GradientTransformation:
    """Rectified Adam: plain momentum until the second moment's variance is tractable.

        rho_inf = 2 / (1 - b2) - 1                                    # max length of the SMA
        rho_t   = rho_inf - 2 t b2**t / (1 - b2**t)                   # its length at step t
        r_t     = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        u_t     = r_t * m^_t / (sqrt(v^_t + eps_root) + eps)   if rho_t >= threshold
                  m^_t                                           otherwise

    Args:
      b1, b2, eps, eps_root: as `scale_by_adam` (scalars).
      threshold: scalar; below it the rectification is off (the paper uses 4, Optax 5).
      nesterov: use Nadam's look-ahead first moment.

    Returns:
      A `GradientTransformation` with state `ScaleByAdamState(count, mu, nu)`.

    Counterpart: `optax.scale_by_radam` (optax/_src/transform.py).

    References:
      Liyuan Liu et al., *On the Variance of the Adaptive Learning Rate and Beyond*, ICLR 2020.
      https://arxiv.org/abs/1908.03265
    """
    rho_inf = 2.0 / (1.0 - b2) - 1.0

    def init_fn(params):
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        mu, nu, count_inc = adam_moments("scale_by_radam", updates, state, b1, b2)
        b2t = b2**count_inc
        rho = rho_inf - 2 * count_inc * b2t / (1 - b2t)  # length of the approximated SMA
        if nesterov:
            mu_hat = nesterov_mu_hat(mu, updates, b1, count_inc)
        else:
            mu_hat = bias_correction(mu, b1, count_inc)  # bias correction
        nu_hat = bias_correction(nu, b2, count_inc)  # bias correction
        r = jnp.sqrt((rho - 4.0) * (rho - 2.0) * rho_inf
                     / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho))  # variance rectification
        rectified = tree.map(lambda m, v: r.astype(m.dtype) * m / (jnp.sqrt(v + eps_root) + eps),
                             mu_hat, nu_hat)
        updates = tree.map(lambda t, f: jnp.where(rho >= threshold, t, f), rectified, mu_hat)
        return updates, ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


def scale_by_yogi(b1=0.9, b2=0.999, eps=1e-3, eps_root=0.0,
                  initial_accumulator_value=1e-6) -> GradientTransformation:
    """Yogi: Adam whose second moment moves toward `g**2` by a step of `(1 - b2) g**2`, by sign.

        v_t = v_{t-1} - (1 - b2) * sign(v_{t-1} - g_t**2) * g_t**2     # second moment
        u_t = m^_t / (sqrt(v^_t + eps_root) + eps)                     # hats: bias correction

    Adam's `v_t - v_{t-1} = -(1 - b2)(v_{t-1} - g_t**2)` can shrink `v` fast when gradients
    become rare and large; Yogi's change is bounded by `(1 - b2) g_t**2`.

    Args:
      b1, b2, eps_root: as `scale_by_adam` (scalars).
      eps: scalar added outside the square root (default 1e-3, as the paper).
      initial_accumulator_value: scalar, the starting value of *both* moments.

    Returns:
      A `GradientTransformation` with state `ScaleByAdamState(count, mu, nu)`.

    Counterpart: `optax.scale_by_yogi` (optax/_src/transform.py).

    References:
      Manzil Zaheer et al., *Adaptive Methods for Nonconvex Optimization*, NeurIPS 2018.
      https://papers.nips.cc/paper/8186-adaptive-methods-for-nonconvex-optimization
    """

    def init_fn(params):
        full = lambda p: jnp.full_like(p, initial_accumulator_value)  # noqa: E731
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=tree.map(full, params),
                                nu=tree.map(full, params))

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_yogi.update", updates, state.mu)
        mu = update_moment(updates, state.mu, b1, 1)  # first moment
        nu = tree.map(lambda g, v: v - (1 - b2) * jnp.sign(v - abs_sq(g)) * abs_sq(g),
                      updates, state.nu)  # second moment, additive
        count_inc = safe_increment(state.count)
        mu_hat = bias_correction(mu, b1, count_inc)  # bias correction
        nu_hat = bias_correction(nu, b2, count_inc)  # bias correction
        return divide_by_root(mu_hat, nu_hat, eps, eps_root), ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)
