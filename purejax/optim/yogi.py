"""Yogi: Adam whose second moment changes additively, by at most (1 - b2) g**2 a step.

`scale_by_yogi` is the building block; it keeps Adam's state, `ScaleByAdamState(count, mu, nu)`,
both moments starting at `initial_accumulator_value`. `yogi` chains it with
`scale_by_learning_rate`; the math is in its docstring.

Counterpart: `optax.scale_by_yogi` (optax/_src/transform.py); `optax.yogi` (optax/_src/alias.py).
Same argument names, order and defaults.
"""

from __future__ import annotations

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.adam import ScaleByAdamState
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import (
    abs_sq,
    bias_correction,
    check_same_structure,
    divide_by_root,
    full_like,
    safe_increment,
    update_moment,
)


@named
def scale_by_yogi(b1=0.9, b2=0.999, eps=1e-3, eps_root=0.0, initial_accumulator_value=1e-6) -> GradientTransformation:
    """Yogi: Adam whose second moment moves toward `g**2` by a step of `(1 - b2) g**2`, by sign.

    The math is `yogi`'s without `-lr_t` (and with `eps_root` inside the root). Adam's
    `v_t - v_{t-1} = -(1 - b2)(v_{t-1} - g_t**2)` can shrink `v` fast when gradients become rare
    and large; Yogi's change is bounded by `(1 - b2) g_t**2`.

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
    w = where("scale_by_yogi")
    for name, value in (
        ("b1", b1),
        ("b2", b2),
        ("eps", eps),
        ("eps_root", eps_root),
        ("initial_accumulator_value", initial_accumulator_value),
    ):
        check_number(w, name, value)

    def init_fn(params):
        return ScaleByAdamState(
            count=jnp.zeros([], jnp.int32),
            mu=full_like(params, initial_accumulator_value),
            nu=full_like(params, initial_accumulator_value),
        )

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_yogi", state, ScaleByAdamState)
        check_same_structure("scale_by_yogi", updates, state.mu)
        mu = update_moment(updates, state.mu, b1, 1)  # first moment
        nu = tree.map(
            lambda g, v: v - (1 - b2) * jnp.sign(v - abs_sq(g)) * abs_sq(g), updates, state.nu
        )  # second moment, additive
        count_inc = safe_increment(state.count)
        mu_hat = bias_correction(mu, b1, count_inc)  # bias correction
        nu_hat = bias_correction(nu, b2, count_inc)  # bias correction
        return divide_by_root(mu_hat, nu_hat, eps, eps_root), ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@named
def yogi(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-3) -> GradientTransformation:
    """Yogi: Adam whose second moment changes additively, by at most (1 - b2) g**2 a step.

        v_t = v_{t-1} - (1 - b2) * sign(v_{t-1} - g_t**2) * g_t**2    # second moment
        u_t = -lr_t * m^_t / (sqrt(v^_t) + eps)                       # m, v start at 1e-6

    Args:
      learning_rate: a number or a schedule.
      b1, b2: scalars, decays of the two moments.
      eps: scalar outside the square root (1e-3, much larger than Adam's).

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.yogi` (optax/_src/alias.py).

    References:
      Manzil Zaheer et al., *Adaptive Methods for Nonconvex Optimization*, NeurIPS 2018.
      https://papers.nips.cc/paper/8186-adaptive-methods-for-nonconvex-optimization

    PyTorch: not in `torch.optim` (`torch-optimizer`'s Yogi starts its moments at 1e-6 as here).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.yogi(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.9, -1.9]
    """
    return chain(scale_by_yogi(b1=b1, b2=b2, eps=eps), scale_by_learning_rate(check_learning_rate(learning_rate)))
