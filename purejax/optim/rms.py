"""Dividing by a running root-mean-square of the gradients: RMSProp, centered RMSProp, Adagrad, Adadelta.

    rms:      v_t = decay * v_{t-1} + (1 - decay) * g_t**2;     u_t = g_t / sqrt(v_t + eps)
    stddev:   also m_t = EMA of g;                              u_t = g_t / sqrt(v_t - m_t**2 + eps)
    rss:      G_t = G_{t-1} + g_t**2  (a sum, never forgets);   u_t = g_t / sqrt(G_t + eps)
    adadelta: u_t = sqrt(E[dx**2]_{t-1} + eps) / sqrt(E[g**2]_t + eps) * g_t   (units of x)

Unlike Adam, there is no first moment in the numerator (momentum, if any, is chained after), and
by default no bias correction.

Counterpart: `optax.scale_by_rms`, `scale_by_stddev`, `scale_by_rss`, `scale_by_adadelta` and
their states (optax/_src/transform.py).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.optim.base import GradientTransformation
from purejax.optim.tree_math import (
    abs_sq, bias_correction as _bias_correction, check_same_structure, full_like, safe_increment, update_moment,
    update_moment_per_elem_norm, zeros_like)


class ScaleByRmsState(NamedTuple):
    nu: Any  # second moment, a tree like params


class ScaleByRmsWithCountState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; used when bias_correction=True
    nu: Any  # second moment


class ScaleByRStdDevState(NamedTuple):
    mu: Any  # first moment
    nu: Any  # second moment


class ScaleByRStdDevWithCountState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; used when bias_correction=True
    mu: Any  # first moment
    nu: Any  # second moment


class ScaleByRssState(NamedTuple):
    sum_of_squares: Any  # running sum of g**2, a tree like params


class ScaleByAdaDeltaState(NamedTuple):
    e_g: Any  # E[g**2], EMA of squared gradients
    e_x: Any  # E[dx**2], EMA of squared updates


def _inverse_root(eps, eps_in_sqrt):
    """1 / sqrt(x + eps) (eps inside the root) or 1 / (sqrt(x) + eps) (outside, as PyTorch)."""
    if eps_in_sqrt:
        return lambda x: jax.lax.rsqrt(x + eps)
    return lambda x: 1 / (jnp.sqrt(x) + eps)


def scale_by_rms(decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt: bool = True,
                 bias_correction: bool = False) -> GradientTransformation:
    """Divide by the root of the EMA of squared gradients (RMSProp's scaling).

        v_t = decay * v_{t-1} + (1 - decay) * g_t**2        # second moment, v_0 = initial_scale
        v^_t = v_t / (1 - decay**t)                          # bias correction, only if asked
        u_t = g_t / sqrt(v^_t + eps)                         # or g_t / (sqrt(v^_t) + eps)

    Args:
      decay: scalar, decay of the second moment.
      eps: scalar added to the denominator.
      initial_scale: scalar starting value of v (PyTorch 0, TF1 1).
      eps_in_sqrt: put `eps` inside the square root (Optax's default) or outside (PyTorch's).
      bias_correction: divide v by `1 - decay**t` (then the state also counts steps).

    Returns:
      A `GradientTransformation` with state `ScaleByRmsState(nu)`, or
      `ScaleByRmsWithCountState(count, nu)` when `bias_correction`.

    Counterpart: `optax.scale_by_rms` (optax/_src/transform.py).

    References:
      Geoffrey Hinton, *Neural Networks for Machine Learning*, lecture 6e, 2012.
      https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf
    """
    scaling = _inverse_root(eps, eps_in_sqrt)

    def init_fn(params):
        nu = full_like(params, initial_scale)  # second moment
        if bias_correction:
            return ScaleByRmsWithCountState(count=jnp.zeros([], jnp.int32), nu=nu)
        return ScaleByRmsState(nu=nu)

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_rms.update", updates, state.nu)
        nu = update_moment_per_elem_norm(updates, state.nu, decay, 2)  # second moment
        if bias_correction:
            count_inc = safe_increment(state.count)
            nu_hat = _bias_correction(nu, decay, count_inc)  # bias correction
        else:
            nu_hat = nu
        updates = tree.map(lambda s, g: s * g, tree.map(scaling, nu_hat), updates)
        if bias_correction:
            return updates, ScaleByRmsWithCountState(count=count_inc, nu=nu)
        return updates, ScaleByRmsState(nu=nu)

    return GradientTransformation(init_fn, update_fn)


def scale_by_stddev(decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt: bool = True,
                    bias_correction: bool = False) -> GradientTransformation:
    """Divide by a running standard deviation of the gradients (centered RMSProp).

        m_t = decay * m_{t-1} + (1 - decay) * g_t           # first moment
        v_t = decay * v_{t-1} + (1 - decay) * g_t**2        # second moment, v_0 = initial_scale
        u_t = g_t / sqrt(v_t - m_t**2 + eps)                # or / (sqrt(v_t - m_t**2) + eps)

    Args:
      decay, eps, initial_scale, eps_in_sqrt: as `scale_by_rms` (scalars; a flag).
      bias_correction: correct both moments by `1 - decay**t`.

    Returns:
      A `GradientTransformation` with state `ScaleByRStdDevState(mu, nu)`, or
      `ScaleByRStdDevWithCountState(count, mu, nu)` when `bias_correction`.

    Counterpart: `optax.scale_by_stddev` (optax/_src/transform.py).

    References:
      Alex Graves, *Generating Sequences With Recurrent Neural Networks*, 2013, eq. 38-41.
      https://arxiv.org/abs/1308.0850
    """
    scaling = _inverse_root(eps, eps_in_sqrt)

    def init_fn(params):
        mu, nu = zeros_like(params), full_like(params, initial_scale)  # first, second moment
        if bias_correction:
            return ScaleByRStdDevWithCountState(count=jnp.zeros([], jnp.int32), mu=mu, nu=nu)
        return ScaleByRStdDevState(mu=mu, nu=nu)

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_stddev.update", updates, state.mu)
        mu = update_moment(updates, state.mu, decay, 1)  # first moment
        nu = update_moment_per_elem_norm(updates, state.nu, decay, 2)  # second moment
        if bias_correction:
            count_inc = safe_increment(state.count)
            mu_hat = _bias_correction(mu, decay, count_inc)  # bias correction
            nu_hat = _bias_correction(nu, decay, count_inc)
        else:
            mu_hat, nu_hat = mu, nu
        variance = tree.map(lambda m, n: n - abs_sq(m), mu_hat, nu_hat)  # E[g**2] - E[g]**2
        updates = tree.map(lambda s, g: s * g, tree.map(scaling, variance), updates)
        if bias_correction:
            return updates, ScaleByRStdDevWithCountState(count=count_inc, mu=mu, nu=nu)
        return updates, ScaleByRStdDevState(mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


def scale_by_rss(initial_accumulator_value=0.1, eps=1e-7) -> GradientTransformation:
    """Divide by the root of the *sum* of all squared gradients so far (Adagrad's scaling).

        G_t = G_{t-1} + g_t**2                              # sum of squares, G_0 = 0.1
        u_t = g_t / sqrt(G_t + eps)   where G_t > 0, else 0

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

    def init_fn(params):
        return ScaleByRssState(sum_of_squares=full_like(params, initial_accumulator_value))

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_rss.update", updates, state.sum_of_squares)
        sum_of_squares = tree.map(lambda g, t: abs_sq(g) + t, updates, state.sum_of_squares)
        inv_sqrt = tree.map(lambda t: jnp.where(t > 0, jax.lax.rsqrt(t + eps), 0.0), sum_of_squares)
        updates = tree.map(lambda s, g: s * g, inv_sqrt, updates)
        return updates, ScaleByRssState(sum_of_squares=sum_of_squares)

    return GradientTransformation(init_fn, update_fn)


def scale_by_adadelta(rho=0.9, eps=1e-6) -> GradientTransformation:
    """Adadelta: scale by the ratio of the RMS of past updates to the RMS of past gradients.

        E[g**2]_t  = rho * E[g**2]_{t-1} + (1 - rho) * g_t**2                 # gradient RMS
        dx_t       = sqrt(E[dx**2]_{t-1} + eps) / sqrt(E[g**2]_t + eps) * g_t # update
        E[dx**2]_t = rho * E[dx**2]_{t-1} + (1 - rho) * dx_t**2               # update RMS

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

    def init_fn(params):
        return ScaleByAdaDeltaState(e_g=zeros_like(params), e_x=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_adadelta.update", updates, state.e_g)
        e_g = update_moment(updates, state.e_g, rho, 2)  # gradient RMS
        updates = tree.map(lambda g, cur_e_g, prev_e_x: (jnp.sqrt(prev_e_x + eps) / jnp.sqrt(cur_e_g + eps)) * g,
                           updates, e_g, state.e_x)
        e_x = update_moment(updates, state.e_x, rho, 2)  # update RMS
        return updates, ScaleByAdaDeltaState(e_g=e_g, e_x=e_x)

    return GradientTransformation(init_fn, update_fn)
