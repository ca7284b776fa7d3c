"""Memory-light second moments: Adafactor's factored RMS and SM3's cover of maxima.

Adam keeps one second-moment number per parameter. For a matrix `[n, m]` these two keep `n + m`:

    factored RMS (Adafactor): V ~ R C^T / sum(R),  R = row means of g**2, C = column means
    SM3:                      nu(i, j) = min(mu_row(i), mu_col(j)) + g(i, j)**2

Counterpart: `optax.scale_by_factored_rms`, `optax.FactoredState` (optax/_src/factorized.py);
`optax.scale_by_sm3`, `optax.ScaleBySM3State` (optax/_src/transform.py).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.optim.base import NO_PARAMS_MSG, GradientTransformation
from purejax.optim.tree_math import abs_sq, check_same_structure, safe_increment, update_moment, zeros_like


def decay_rate_pow(i, exponent=0.8) -> jax.Array:
    """Adafactor's second-moment decay `1 - (i + 1)**(-exponent)`: 0 at first, rising towards 1."""
    t = jnp.array(i + 1, jnp.float32)
    return 1.0 - t ** (-exponent)


def factored_dims(shape: tuple, factored: bool, min_dim_size_to_factor: int) -> tuple[int, int] | None:
    """The two largest axes `(d1, d0)` (d0 the largest) if both are >= `min_dim_size_to_factor`."""
    if not factored or len(shape) < 2:
        return None
    sorted_dims = np.argsort(shape)
    if shape[sorted_dims[-2]] < min_dim_size_to_factor:
        return None
    return int(sorted_dims[-2]), int(sorted_dims[-1])


def shape_without(shape: tuple, axis: int) -> tuple:
    return shape[:axis] + shape[axis + 1:]


class FactoredState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; update steps so far
    v_row: Any  # like params; factored leaves: row statistics (largest axis d0 removed), else [1]
    v_col: Any  # like params; factored leaves: column statistics (axis d1 removed), else [1]
    v: Any  # like params; unfactored leaves: the full second moment, else [1]


def scale_by_factored_rms(factored: bool = True, decay_rate=0.8, step_offset=0, min_dim_size_to_factor: int = 128,
                          epsilon=1e-30, decay_rate_fn: Callable = decay_rate_pow) -> GradientTransformation:
    """Divide by a factored estimate of the gradients' root mean square (Adafactor's core).

    For a leaf whose two largest axes `d1, d0` both have at least `min_dim_size_to_factor`
    entries (say a matrix `[n, m]`):

        beta_t = decay_rate_fn(t - step_offset, decay_rate)        # 1 - (t + 1)**-0.8
        s = g**2 + epsilon                                         # squared gradient
        R_t = beta_t R_{t-1} + (1 - beta_t) mean(s, axis=d0)       # row statistics   [n]
        C_t = beta_t C_{t-1} + (1 - beta_t) mean(s, axis=d1)       # column statistics [m]
        u = g / sqrt(R_t / mean(R_t)) / sqrt(C_t)                  # V ~ outer(R, C) / mean(R)

    Every other leaf keeps a full `v_t = beta_t v_{t-1} + (1 - beta_t) s` and gets `g / sqrt(v_t)`.

    Args:
      factored: factor the second moment of leaves with two large axes.
      decay_rate: the exponent passed to `decay_rate_fn`.
      step_offset: subtracted from the step count (for fine-tuning from a later step).
      min_dim_size_to_factor: factor only if the second-largest axis is at least this long.
      epsilon: added to the squared gradient.
      decay_rate_fn: `(step, decay_rate) -> beta_t`.

    Returns:
      A `GradientTransformation` (needs params); state `FactoredState(count, v_row, v_col, v)`.

    Counterpart: `optax.scale_by_factored_rms` (optax/_src/factorized.py).

    References:
      Noam Shazeer, Mitchell Stern, *Adafactor: Adaptive Learning Rates with Sublinear Memory
      Cost*, ICML 2018. https://arxiv.org/abs/1804.04235
    """

    def init_leaf(param):
        shape, dtype = param.shape, param.dtype
        unused = jnp.zeros((1,), dtype=dtype)  # placeholder where a statistic is not kept
        dims = factored_dims(shape, factored, min_dim_size_to_factor)
        if dims is not None:
            d1, d0 = dims
            return (jnp.zeros(shape_without(shape, d0), dtype), jnp.zeros(shape_without(shape, d1), dtype), unused)
        return unused, unused, jnp.zeros_like(param)

    def init_fn(params):
        leaves, treedef = tree.flatten(params)
        v_row, v_col, v = zip(*[init_leaf(p) for p in leaves]) if leaves else ((), (), ())
        return FactoredState(count=jnp.zeros([], jnp.int32), v_row=tree.unflatten(treedef, list(v_row)),
                             v_col=tree.unflatten(treedef, list(v_col)), v=tree.unflatten(treedef, list(v)))

    def update_leaf(grad, v_row, v_col, v, param, step):
        shape, dtype = param.shape, param.dtype
        beta = decay_rate_fn(step - step_offset, decay_rate)  # decay of the second moment
        new_v_row = new_v_col = new_v = jnp.zeros((1,), dtype=dtype)
        grad_sqr = abs_sq(grad) + epsilon  # squared gradient, regularised
        dims = factored_dims(shape, factored, min_dim_size_to_factor)
        if dims is not None:
            d1, d0 = dims
            new_v_row = (beta * v_row + (1.0 - beta) * jnp.mean(grad_sqr, axis=d0)).astype(dtype)  # rows
            new_v_col = (beta * v_col + (1.0 - beta) * jnp.mean(grad_sqr, axis=d1)).astype(dtype)  # columns
            reduced_d1 = d1 - 1 if d1 > d0 else d1  # axis d1 inside v_row, which lost d0
            row_col_mean = jnp.mean(new_v_row, axis=reduced_d1, keepdims=True)  # mean(R)
            row_factor = (new_v_row / row_col_mean) ** -0.5  # 1 / sqrt(R / mean(R))
            col_factor = new_v_col ** -0.5  # 1 / sqrt(C)
            update = grad * jnp.expand_dims(row_factor, axis=d0) * jnp.expand_dims(col_factor, axis=d1)
        else:
            new_v = (beta * v + (1.0 - beta) * grad_sqr).astype(dtype)  # full second moment
            update = grad * new_v ** -0.5
        return update, new_v_row, new_v_col, new_v

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError(NO_PARAMS_MSG.format(name="scale_by_factored_rms"))
        check_same_structure("purejax.optim.scale_by_factored_rms", updates, state.v)
        grads, treedef = tree.flatten(updates)
        columns = [tree.flatten_up_to(treedef, t) for t in (state.v_row, state.v_col, state.v, params)]
        out = [update_leaf(*args, state.count) for args in zip(grads, *columns)]
        new_updates, v_row, v_col, v = ([tree.unflatten(treedef, list(c)) for c in zip(*out)] if out
                                        else [tree.unflatten(treedef, [])] * 4)
        return new_updates, FactoredState(safe_increment(state.count), v_row, v_col, v)

    return GradientTransformation(init_fn, update_fn)


class ScaleBySM3State(NamedTuple):
    mu: Any  # like params, each leaf a list: one accumulator per axis, mu[i] of shape [shape[i]]
    nu: Any  # like params; the momentum of the scaled updates


def scale_by_sm3(b1=0.9, b2=1.0, eps=1e-8) -> GradientTransformation:
    """SM3-II: per-axis maxima of accumulated squared gradients stand in for Adagrad's sums.

    For a leaf with axes `0..k-1`, accumulators `mu[a]` (one number per index along axis `a`):

        v(i) = (1 - b2) g(i)**2 + b2 min_a mu[a](i_a)       # b2 = 1: plain sum, as Adagrad
        u(i) = g(i) / sqrt(v(i) + eps),  0 where v(i) = 0   # Adagrad-like scaling
        mu[a](j) = max over i with i_a = j of v(i)          # cover by slices along axis a
        m_t = (1 - b1) u + b1 m_{t-1}                       # momentum (the returned update)

    Vectors and scalars keep a full accumulator (`mu = [v]`).

    Args:
      b1: momentum decay.
      b2: decay of the accumulated squared gradients; 1.0 sums them (the `1 - b2` factor then
        becomes 1).
      eps: added inside the square root.

    Returns:
      A `GradientTransformation`; state `ScaleBySM3State(mu, nu)`.

    Counterpart: `optax.scale_by_sm3` (optax/_src/transform.py).

    References:
      Rohan Anil, Vineet Gupta, Tomer Koren, Yoram Singer, *Memory-Efficient Adaptive
      Optimization*, NeurIPS 2019. https://arxiv.org/abs/1901.11150

    Differences:
      A scalar (0-d) parameter keeps one accumulator, `mu = [zeros(())]`; Optax stores `[]` for it
      and then fails with an `IndexError` on the first update.
    """

    def zeros_for_dims(p):
        if p.ndim == 0:
            return [jnp.zeros_like(p)]
        return [jnp.zeros((p.shape[a],), p.dtype) for a in range(p.ndim)]  # [shape[a]] per axis

    def init_fn(params):
        return ScaleBySM3State(mu=tree.map(zeros_for_dims, params), nu=zeros_like(params))

    def new_accumulator(g, mu):
        coeffs = ((1.0 - b2) if b2 != 1.0 else 1.0, b2)
        if g.ndim < 2:
            return coeffs[0] * g**2 + coeffs[1] * mu[0]
        expanded = [jnp.reshape(m, [1] * a + [g.shape[a]] + [1] * (g.ndim - a - 1)) for a, m in enumerate(mu)]
        return coeffs[0] * g**2 + coeffs[1] * functools.reduce(jnp.minimum, expanded)  # min over the cover

    def new_mu(v):
        if v.ndim < 2:
            return [v]
        return [jnp.max(v, axis=tuple(b for b in range(v.ndim) if b != a)) for a in range(v.ndim)]  # max per slice

    def update_fn(updates, state, params=None):
        del params
        check_same_structure("purejax.optim.scale_by_sm3", updates, state.nu)
        accum = tree.map(new_accumulator, updates, state.mu)  # v
        accum_inv_sqrt = tree.map(lambda t: jnp.where(t > 0, jax.lax.rsqrt(t + eps), 0.0), accum)
        scaled = tree.map(lambda g, a: g * a, updates, accum_inv_sqrt)  # u
        nu = update_moment(scaled, state.nu, b1, 1)  # momentum
        return nu, ScaleBySM3State(mu=tree.map(new_mu, accum), nu=nu)

    return GradientTransformation(init_fn, update_fn)
