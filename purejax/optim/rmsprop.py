"""RMSProp: divide each gradient by a running root mean square of its past values.

`scale_by_rms` is the building block, with the state `ScaleByRmsState(nu)` (or
`ScaleByRmsWithCountState(count, nu)` with bias correction); `scale_by_stddev` is centered
RMSProp's, dividing by a running standard deviation instead, with `ScaleByRStdDevState(mu, nu)`
(or `ScaleByRStdDevWithCountState`). `rmsprop` chains one of them with `scale_by_learning_rate`
and an optional momentum `trace`; the math is in its docstring. Unlike Adam there is no first
moment in the numerator, and by default no bias correction.

Counterpart: `optax.scale_by_rms`, `optax.scale_by_stddev` and their states
(optax/_src/transform.py); `optax.rmsprop` (optax/_src/alias.py). Same argument names, order and
defaults.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_number
from purejax.optim.base import GradientTransformation, chain, check_state, identity, named, where
from purejax.optim.transforms.momentum import trace
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import (
    abs_sq,
    check_same_structure,
    full_like,
    safe_increment,
    update_moment,
    update_moment_per_elem_norm,
    zeros_like,
)
from purejax.optim.tree_math import bias_correction as _bias_correction


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


def _inverse_root(eps, eps_in_sqrt):
    """1 / sqrt(x + eps) (eps inside the root) or 1 / (sqrt(x) + eps) (outside, as PyTorch)."""
    if eps_in_sqrt:
        return lambda x: jax.lax.rsqrt(x + eps)
    return lambda x: 1 / (jnp.sqrt(x) + eps)


@named
def scale_by_rms(
    decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt: bool = True, bias_correction: bool = False
) -> GradientTransformation:
    """Divide by the root of the EMA of squared gradients (RMSProp's scaling).

    The math is `rmsprop`'s without `-lr_t` and the momentum; with `bias_correction`, `v` is
    divided by `1 - decay**t` before the root.

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
    w = where("scale_by_rms")
    for name, value in (("decay", decay), ("eps", eps), ("initial_scale", initial_scale)):
        check_number(w, name, value)
    check_bool(w, "eps_in_sqrt", eps_in_sqrt)
    check_bool(w, "bias_correction", bias_correction)
    state_class = ScaleByRmsWithCountState if bias_correction else ScaleByRmsState
    scaling = _inverse_root(eps, eps_in_sqrt)

    def init_fn(params):
        nu = full_like(params, initial_scale)  # second moment
        if bias_correction:
            return ScaleByRmsWithCountState(count=jnp.zeros([], jnp.int32), nu=nu)
        return ScaleByRmsState(nu=nu)

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_rms", state, state_class)
        check_same_structure("scale_by_rms", updates, state.nu)
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


@named
def scale_by_stddev(
    decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt: bool = True, bias_correction: bool = False
) -> GradientTransformation:
    """Divide by a running standard deviation of the gradients (centered RMSProp).

    The math is `rmsprop`'s with `centered=True`, without `-lr_t` and the momentum.

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
    w = where("scale_by_stddev")
    for name, value in (("decay", decay), ("eps", eps), ("initial_scale", initial_scale)):
        check_number(w, name, value)
    check_bool(w, "eps_in_sqrt", eps_in_sqrt)
    check_bool(w, "bias_correction", bias_correction)
    state_class = ScaleByRStdDevWithCountState if bias_correction else ScaleByRStdDevState
    scaling = _inverse_root(eps, eps_in_sqrt)

    def init_fn(params):
        mu, nu = zeros_like(params), full_like(params, initial_scale)  # first, second moment
        if bias_correction:
            return ScaleByRStdDevWithCountState(count=jnp.zeros([], jnp.int32), mu=mu, nu=nu)
        return ScaleByRStdDevState(mu=mu, nu=nu)

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_stddev", state, state_class)
        check_same_structure("scale_by_stddev", updates, state.mu)
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


@named
def rmsprop(
    learning_rate: ScalarOrSchedule,
    decay=0.9,
    eps=1e-8,
    initial_scale=0.0,
    eps_in_sqrt: bool = True,
    centered: bool = False,
    momentum=None,
    nesterov: bool = False,
    bias_correction: bool = False,
) -> GradientTransformation:
    """RMSProp: divide each gradient by a running root mean square of its past values.

        v_t = decay * v_{t-1} + (1 - decay) * g_t**2       # second moment, v_0 = initial_scale
        s_t = sqrt(v_t + eps)                              # or sqrt(v_t) + eps if not eps_in_sqrt
        centered: m_t = decay * m_{t-1} + (1 - decay) * g_t,  s_t = sqrt(v_t - m_t**2 + eps)
        u_t = -lr_t * g_t / s_t                            # then, with momentum:
        b_t = momentum * b_{t-1} + u_t,  u_t <- b_t        # (nesterov: u_t + momentum * b_t)

    Args:
      learning_rate: a number or a schedule.
      decay: scalar, decay of the moments (PyTorch calls it `alpha`).
      eps: scalar added to the denominator.
      initial_scale: scalar starting value of v (PyTorch 0, TF1 1).
      eps_in_sqrt: put `eps` inside the square root (True) or outside (False, as PyTorch).
      centered: divide by the running standard deviation instead of the RMS.
      momentum: scalar decay of a momentum trace on the scaled step, or None for none.
      nesterov: Nesterov momentum (with `momentum`).
      bias_correction: divide the moments by `1 - decay**t`.

    Returns:
      A `GradientTransformation`; state `(ScaleByRmsState or ScaleByRStdDevState, scale state,
      TraceState or EmptyState)`.

    Counterpart: `optax.rmsprop` (optax/_src/alias.py).

    References:
      Geoffrey Hinton, *Neural Networks for Machine Learning*, lecture 6e, 2012.
      https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf
      Alex Graves, *Generating Sequences With Recurrent Neural Networks*, 2013 (centered).
      https://arxiv.org/abs/1308.0850

    PyTorch: `torch.optim.RMSprop` defaults to `alpha=0.99` (not 0.9) and puts eps *outside* the
    root (`eps_in_sqrt=False` here). Its momentum buffer accumulates `g / s` and is multiplied by
    the learning rate afterwards; here (as Optax) the momentum accumulates `-lr * g / s`, which is
    the same for a constant learning rate but not under a schedule.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.rmsprop(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.684, -1.684]
    """
    w = where("rmsprop")
    check_bool(w, "centered", centered)
    check_bool(w, "nesterov", nesterov)
    if momentum is not None:
        check_number(w, "momentum", momentum)
    block = scale_by_stddev if centered else scale_by_rms
    return chain(
        block(
            decay=decay, eps=eps, initial_scale=initial_scale, eps_in_sqrt=eps_in_sqrt, bias_correction=bias_correction
        ),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
        trace(decay=momentum, nesterov=nesterov) if momentum is not None else identity(),
    )
