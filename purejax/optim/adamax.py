"""Adamax: Adam with the infinity norm in place of the root mean square.

`scale_by_adamax` is the building block; it keeps Adam's state, `ScaleByAdamState(count, mu, nu)`,
with `nu` the exponentially weighted infinity norm. `adamax` chains it with
`scale_by_learning_rate`; the math is in its docstring.

Counterpart: `optax.scale_by_adamax` (optax/_src/transform.py); `optax.adamax`
(optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number
from purejax.optim.adam import ScaleByAdamState
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.masking import MaskOrFn
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import bias_correction, check_same_structure, safe_increment, update_moment, zeros_like


@named
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
    w = where("scale_by_adamax")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps)):
        check_number(w, name, value)

    def init_fn(params):
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_adamax", state, ScaleByAdamState)
        check_same_structure("scale_by_adamax", updates, state.mu)
        count_inc = safe_increment(state.count)
        mu = update_moment(updates, state.mu, b1, 1)  # first moment
        nu = tree.map(
            lambda g, v: None if g is None else jnp.maximum(jnp.abs(g) + eps, b2 * v),
            updates,
            state.nu,
            is_leaf=lambda x: x is None,
        )  # infinity norm
        mu_hat = bias_correction(mu, b1, count_inc)  # bias correction (first moment only)
        return tree.map(lambda m, v: m / v, mu_hat, nu), ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@named
def adamax(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8) -> GradientTransformation:
    """Adamax: Adam with the infinity norm in place of the root mean square.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                  # first moment
        v_t = max(|g_t| + eps, b2 * v_{t-1})                 # infinity norm (no bias correction)
        u_t = -lr_t * m_t / (1 - b1**t) / v_t                # update

    Args:
      learning_rate: a number or a schedule.
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the infinity norm.
      eps: scalar added to |g|.

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.adamax` (optax/_src/alias.py).

    References:
      Kingma and Ba, *Adam: A Method for Stochastic Optimization*, 2014, section 7.1.
      https://arxiv.org/abs/1412.6980

    PyTorch: `torch.optim.Adamax` is the same rule (eps inside the max, lr default 2e-3); its
    `weight_decay` is L2.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adamax(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.9, -1.9]
    """
    return chain(scale_by_adamax(b1=b1, b2=b2, eps=eps), scale_by_learning_rate(check_learning_rate(learning_rate)))


@named
def adamaxw(
    learning_rate: ScalarOrSchedule,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    weight_decay: ScalarOrSchedule = 1e-4,
    mask: MaskOrFn = None,
) -> GradientTransformation:
    """AdamaxW: Adamax with decoupled weight decay, added after the infinity-norm scaling.

        u_t = -lr_t * (m_t / (1 - b1**t) / v_t + weight_decay * p_t)

    Args:
      learning_rate, b1, b2, eps: as `adamax`.
      weight_decay: a number or a schedule; multiplied by the learning rate too.
      mask: a tree of booleans like params (or a prefix), or `params -> tree`; decay where True.

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.adamaxw` (optax/_src/alias.py).

    References:
      Loshchilov and Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
      https://arxiv.org/abs/1711.05101

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adamaxw(learning_rate=0.1, weight_decay=0.1)
      >>> updates, _ = opt.update({'w': jnp.array([0.5, -0.5])}, opt.init(params), params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.89, -1.88]
    """
    return chain(
        scale_by_adamax(b1=b1, b2=b2, eps=eps),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
