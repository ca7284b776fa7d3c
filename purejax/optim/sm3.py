"""SM3: Adagrad whose accumulators are shared along each axis (memory `n + m` for `[n, m]`).

`scale_by_sm3` is the building block, with the state `ScaleBySM3State(mu, nu)`: one accumulator
per axis, and a momentum; the math of the cover is in its docstring. `sm3` chains it with
`scale_by_learning_rate`.

Counterpart: `optax.scale_by_sm3`, `optax.ScaleBySM3State` (optax/_src/transform.py);
`optax.sm3` (optax/_src/alias.py).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import check_same_structure, update_moment, zeros_like


class ScaleBySM3State(NamedTuple):
    mu: Any  # like params, each leaf a list: one accumulator per axis, mu[i] of shape [shape[i]]
    nu: Any  # like params; the momentum of the scaled updates


@named
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
    w = where("scale_by_sm3")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps)):
        check_number(w, name, value)

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
        check_state("scale_by_sm3", state, ScaleBySM3State)
        check_same_structure("scale_by_sm3", updates, state.nu)
        accum = tree.map(new_accumulator, updates, state.mu)  # v
        accum_inv_sqrt = tree.map(lambda t: jnp.where(t > 0, jax.lax.rsqrt(t + eps), 0.0), accum)
        scaled = tree.map(lambda g, a: g * a, updates, accum_inv_sqrt)  # u
        nu = update_moment(scaled, state.nu, b1, 1)  # momentum
        return nu, ScaleBySM3State(mu=tree.map(new_mu, accum), nu=nu)

    return GradientTransformation(init_fn, update_fn)


@named
def sm3(learning_rate: ScalarOrSchedule, momentum=0.9) -> GradientTransformation:
    """SM3: Adagrad whose accumulators are shared along each axis (memory `n + m` for `[n, m]`).

        v(i, j) = min(mu_row(i), mu_col(j)) + g(i, j)**2         # cover-based accumulator
        mu_row(i) = max_j v(i, j),  mu_col(j) = max_i v(i, j)    # one number per row and column
        m_t = (1 - momentum) g / sqrt(v + 1e-8) + momentum m_{t-1}
        u_t = -lr m_t

    Args:
      learning_rate: a number (or, here also, a schedule `count -> value`).
      momentum: decay of the momentum of the scaled gradients.

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.sm3` (optax/_src/alias.py).

    References:
      Rohan Anil, Vineet Gupta, Tomer Koren, Yoram Singer, *Memory-Efficient Adaptive
      Optimization*, NeurIPS 2019. https://arxiv.org/abs/1901.11150

    Differences:
      Optax ends with `scale(-learning_rate)`, which takes numbers only; here a schedule is also
      accepted (then the last state is a `ScaleByScheduleState`). Scalar parameters work here (see
      `scale_by_sm3`). PyTorch ships no SM3.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.sm3(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.99, -1.99]
    """
    check_number(where("sm3"), "momentum", momentum)
    return chain(scale_by_sm3(momentum), scale_by_learning_rate(check_learning_rate(learning_rate)))
