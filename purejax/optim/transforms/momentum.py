"""Momentum: remembering past updates with `trace` and `ema`.

    trace: m_t = g_t + decay * m_{t-1};  u_t = m_t   (or g_t + decay * m_t with Nesterov)
    ema:   m_t = (1 - decay) * g_t + decay * m_{t-1};  u_t = m_t / (1 - decay**t) if debiased

`trace` sums past updates with geometric weights (heavy ball); `ema` averages them, so its
scale does not grow as 1 / (1 - decay). Both start at zero, which is why `ema` can divide by
`1 - decay**t` to undo the start (bias correction, as in Adam).

Counterpart: `optax.trace`, `optax.TraceState`, `optax.ema`, `optax.EmaState`
(optax/transforms/_accumulation.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_dtype, check_number
from purejax.optim.base import GradientTransformation, check_state, named, where
from purejax.optim.tree_math import (
    bias_correction,
    canonical_dtype,
    cast_tree,
    check_same_structure,
    safe_increment,
    update_moment,
    zeros_like,
)


class TraceState(NamedTuple):
    trace: Any  # like params; the momentum buffer m


@named
def trace(decay, nesterov: bool = False, accumulator_dtype: Any | None = None) -> GradientTransformation:
    """Heavy-ball momentum: a decaying sum of past updates.

        m_t = g_t + decay * m_{t-1}                 # momentum buffer (no dampening)
        u_t = m_t                                   # heavy ball
        u_t = g_t + decay * m_t                     # Nesterov: look one step ahead

    Args:
      decay: the momentum coefficient, a number (e.g. 0.9).
      nesterov: use the Nesterov form above.
      accumulator_dtype: dtype of the stored buffer (e.g. `jnp.bfloat16` to save memory); `None`
        keeps the dtype of the params and updates.

    Returns:
      A `GradientTransformation` whose state is `TraceState(trace)`, `trace` shaped like params.

    Counterpart: `optax.trace` (optax/transforms/_accumulation.py).

    References:
      Boris Polyak, *Some methods of speeding up the convergence of iteration methods*, 1964.
      https://doi.org/10.1016/0041-5553(64)90137-5
      Ilya Sutskever, James Martens, George Dahl, Geoffrey Hinton, *On the importance of
      initialization and momentum in deep learning*, ICML 2013.
      http://proceedings.mlr.press/v28/sutskever13.pdf
    """
    w = where("trace")
    check_number(w, "decay", decay)
    check_bool(w, "nesterov", nesterov)
    accumulator_dtype = canonical_dtype(check_dtype(w, "accumulator_dtype", accumulator_dtype, optional=True))

    def init_fn(params):
        return TraceState(trace=zeros_like(params, dtype=accumulator_dtype))

    def update_fn(updates, state, params=None):
        del params
        check_state("trace", state, TraceState)
        check_same_structure("trace", updates, state.trace)

        def f(g, t):
            return g + decay * t  # gradient + decayed buffer

        new_trace = tree.map(
            lambda g, t: None if g is None else f(g, t), updates, state.trace, is_leaf=lambda x: x is None
        )
        updates = tree.map(f, updates, new_trace) if nesterov else new_trace
        return updates, TraceState(trace=cast_tree(new_trace, accumulator_dtype))

    return GradientTransformation(init_fn, update_fn)


class EmaState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; updates seen so far
    ema: Any  # like params; the moving average


@named
def ema(decay, debias: bool = True, accumulator_dtype: Any | None = None) -> GradientTransformation:
    """Exponential moving average of the updates, optionally bias-corrected.

        m_t = (1 - decay) * g_t + decay * m_{t-1}   # moving average
        u_t = m_t / (1 - decay**t)                  # bias correction (debias=True), t = 1, 2, ...

    Args:
      decay: the averaging coefficient in [0, 1).
      debias: divide by `1 - decay**t` so that early averages are not pulled towards zero.
      accumulator_dtype: dtype of the stored average; `None` keeps the params' dtype.

    Returns:
      A `GradientTransformation` whose state is `EmaState(count, ema)`.

    Counterpart: `optax.ema` (optax/transforms/_accumulation.py).
    """
    w = where("ema")
    check_number(w, "decay", decay)
    check_bool(w, "debias", debias)
    accumulator_dtype = canonical_dtype(check_dtype(w, "accumulator_dtype", accumulator_dtype, optional=True))

    def init_fn(params):
        return EmaState(count=jnp.zeros([], jnp.int32), ema=zeros_like(params, dtype=accumulator_dtype))

    def update_fn(updates, state, params=None):
        del params
        check_state("ema", state, EmaState)
        check_same_structure("ema", updates, state.ema)
        updates = new_ema = update_moment(updates, state.ema, decay, order=1)
        count = safe_increment(state.count)
        if debias:
            updates = bias_correction(new_ema, decay, count)
        return updates, EmaState(count=count, ema=cast_tree(new_ema, accumulator_dtype))

    return GradientTransformation(init_fn, update_fn)
