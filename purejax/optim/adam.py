"""Adam, Nadam and AdamW: step along the first moment, divided by the root of the second.

`scale_by_adam` is the building block, with the state `ScaleByAdamState(count, mu, nu)` (which
Adamax, RAdam and Yogi reuse, as in Optax). The optimizers users call chain it with
`scale_by_learning_rate` (which supplies the minus sign), so

    updates, state = adam(1e-3).update(grads, state)   # updates = -lr * m^ / (sqrt(v^) + eps)

`learning_rate` is a number or a schedule `count -> value` (count = updates taken so far).
`nadam` looks one step ahead with the first moment; `adamw` adds decoupled weight decay. The math
is in `adam`'s docstring. Adam's relatives, one file each, change one line: `amsgrad` divides by
the running *maximum* of v^, `adamax` by an exponentially weighted infinity norm, `adabelief` by
the variance of g around m (its "belief"), `radam` switches the division off while v^ is too
noisy, `yogi` grows v additively, by sign.

Counterpart: `optax.scale_by_adam`, `optax.ScaleByAdamState` (optax/_src/transform.py);
`optax.adam`, `optax.nadam`, `optax.adamw` (optax/_src/alias.py). Same argument names, order and
defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_dtype, check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import (
    adam_moments,
    bias_correction,
    canonical_dtype,
    cast_tree,
    divide_by_root,
    nesterov_mu_hat,
    zeros_like,
)


class ScaleByAdamState(NamedTuple):
    """State of Adam, and of Adamax, RAdam and Yogi, which reuse it (as Optax does)."""

    count: jax.Array  # shape=(), dtype=int32; steps taken
    mu: Any  # first moment, a tree like params (dtype mu_dtype if given)
    nu: Any  # second moment (Adamax: infinity norm), a tree like params


@named
def scale_by_adam(
    b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *, nesterov: bool = False
) -> GradientTransformation:
    """Rescale updates by Adam's bias-corrected moments: `u = m^ / (sqrt(v^ + eps_root) + eps)`.

    The math is `adam`'s without `-lr_t`; with `nesterov=True` the first moment looks one step
    ahead, as in `nadam`.

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
    w = where("scale_by_adam")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps), ("eps_root", eps_root)):
        check_number(w, name, value)
    mu_dtype = canonical_dtype(check_dtype(w, "mu_dtype", mu_dtype, optional=True))
    check_bool(w, "nesterov", nesterov)

    def init_fn(params):
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_adam", state, ScaleByAdamState)
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


@named
def adam(
    learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *, nesterov: bool = False
) -> GradientTransformation:
    """Adam: a step along the first moment, scaled per element by the root of the second.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                      # first moment
        v_t = b2 * v_{t-1} + (1 - b2) * g_t**2                   # second moment
        m^_t = m_t / (1 - b1**t),  v^_t = v_t / (1 - b2**t)      # bias correction, t = 1, 2, ...
        u_t = -lr_t * m^_t / (sqrt(v^_t + eps_root) + eps)        # update

    Args:
      learning_rate: a number or a schedule `count -> value`.
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the second moment.
      eps: scalar added outside the square root (as the paper).
      eps_root: scalar added inside the square root (for meta-gradients through Adam).
      mu_dtype: dtype of the first moment; None keeps the params'.
      nesterov: use Nadam's look-ahead first moment (see `nadam`).

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.adam` (optax/_src/alias.py).

    References:
      Diederik P. Kingma, Jimmy Ba, *Adam: A Method for Stochastic Optimization*, 2014.
      https://arxiv.org/abs/1412.6980

    PyTorch: `torch.optim.Adam` has the same eps placement, defaults and bias correction, but its
    `weight_decay` is L2 regularisation (added to g *before* the moments), equivalent to
    `chain(add_decayed_weights(wd), adam(lr))`, not to `adamw`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adam(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.9, -1.9]
    """
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )


@named
def nadam(
    learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *, nesterov: bool = True
) -> GradientTransformation:
    """Nadam: Adam with Nesterov momentum, i.e. `adam(..., nesterov=True)`.

        m^_t = b1 * m_t / (1 - b1**(t+1)) + (1 - b1) * g_t / (1 - b1**t)   # look-ahead moment
        u_t  = -lr_t * m^_t / (sqrt(v^_t + eps_root) + eps)                 # v^_t as in Adam

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype: as `adam`.
      nesterov: True (this is `functools.partial(adam, nesterov=True)` in Optax).

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.nadam` (optax/_src/alias.py).

    References:
      Timothy Dozat, *Incorporating Nesterov Momentum into Adam*, ICLR workshop 2016.
      https://openreview.net/pdf?id=OM0jvwB8jIp57ZJjtNEZ

    PyTorch: `torch.optim.NAdam` also warms the momentum up with a schedule
    `mu_t = b1 * (1 - 0.5 * 0.96**(t * momentum_decay))`, which Optax (and we) do not; Dozat's
    extra `b2` factor in `v^` is omitted by both.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.nadam(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.853, -1.853]
    """
    return adam(learning_rate, b1, b2, eps, eps_root, mu_dtype, nesterov=nesterov)


@named
def adamw(
    learning_rate: ScalarOrSchedule,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_root=0.0,
    mu_dtype=None,
    weight_decay: ScalarOrSchedule = 1e-4,
    mask: Any | Callable[[Any], Any] | None = None,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    """AdamW: Adam with *decoupled* weight decay, added after the adaptive scaling.

        u_t = -lr_t * (m^_t / (sqrt(v^_t + eps_root) + eps) + weight_decay * p_t)

    The decay term is not divided by `sqrt(v^)`, so every weight decays at the same rate.

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype, nesterov: as `adam`.
      weight_decay: a number or a schedule; multiplied by the learning rate too.
      mask: a tree of booleans like params (or a prefix), or `params -> tree`; decay where True.

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.adamw` (optax/_src/alias.py).

    References:
      Ilya Loshchilov, Frank Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
      https://arxiv.org/abs/1711.05101

    PyTorch: `torch.optim.AdamW` computes the same thing (`p *= 1 - lr * wd`, then the Adam
    step) but its default `weight_decay` is 1e-2, not 1e-4. The paper multiplies the decay by the
    schedule multiplier only, not by the base learning rate.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adamw(learning_rate=0.1, weight_decay=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.89, -1.88]
    """
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )


@named
def nadamw(
    learning_rate: ScalarOrSchedule,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_root=0.0,
    mu_dtype=None,
    weight_decay: ScalarOrSchedule = 1e-4,
    mask: Any | Callable[[Any], Any] | None = None,
    *,
    nesterov: bool = True,
) -> GradientTransformation:
    """NadamW: AdamW with Nesterov's look-ahead first moment; `adamw(..., nesterov=True)`.

        u_t = -lr_t * (mu^_t / (sqrt(v^_t + eps_root) + eps) + weight_decay * p_t)
        mu^_t = b1 * m_t / (1 - b1**(t+1)) + (1 - b1) * g_t / (1 - b1**t)   # as `nadam`

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype, weight_decay, mask: as `adamw`.
      nesterov: True (the point of NadamW); False gives `adamw`.

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.nadamw` (optax/_src/alias.py, `functools.partial(adamw, nesterov=True)`).

    References:
      Timothy Dozat, *Incorporating Nesterov Momentum into Adam*, ICLR workshop 2016.
      https://openreview.net/pdf?id=OM0jvwB8jIp57ZJjtNEZ

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.nadamw(learning_rate=0.1)
      >>> updates, _ = opt.update({'w': jnp.array([0.5, -0.5])}, opt.init(params), params)
      >>> [round(u, 3) for u in updates['w'].tolist()]
      [-0.147, 0.147]
    """
    return adamw(learning_rate, b1, b2, eps, eps_root, mu_dtype, weight_decay, mask, nesterov=nesterov)
