"""Stochastic gradient descent: plain, with heavy-ball or Nesterov momentum, or with annealed noise.

    sgd            = chain(trace(momentum, nesterov) | identity, scale_by_learning_rate(lr))
    noisy_sgd      = chain(add_noise(eta, gamma, key), scale_by_learning_rate(lr))

The blocks are shared ones (`purejax.optim.transforms.momentum.trace`,
`purejax.optim.transforms.adding.add_noise`); every `learning_rate` is a number or a schedule
`count -> value`. The math is in each alias's docstring.

Counterpart: `optax.sgd`, `optax.noisy_sgd` (optax/_src/alias.py).
"""

from __future__ import annotations

from typing import Any

from purejax.checks import check_bool, check_dtype, check_probability
from purejax.optim.base import GradientTransformation, chain, identity, named, where
from purejax.optim.transforms.adding import add_noise
from purejax.optim.transforms.momentum import trace
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate


@named
def sgd(
    learning_rate: ScalarOrSchedule, momentum=None, nesterov: bool = False, accumulator_dtype: Any | None = None
) -> GradientTransformation:
    """Stochastic gradient descent, with optional heavy-ball or Nesterov momentum.

        u_t = -lr_t g_t                                   # no momentum
        m_t = g_t + mu m_{t-1}                            # momentum buffer, m_0 = 0
        u_t = -lr_t m_t                                   # heavy ball
        u_t = -lr_t (g_t + mu m_t)                        # Nesterov

    Args:
      learning_rate: a number or a schedule `count -> value`.
      momentum: `mu` in [0, 1]; `None` for no momentum (and no state for it).
      nesterov: use the Nesterov form.
      accumulator_dtype: dtype of the momentum buffer; `None` keeps the params' dtype.

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.sgd` (optax/_src/alias.py).

    References:
      Ilya Sutskever, James Martens, George Dahl, Geoffrey Hinton, *On the importance of
      initialization and momentum in deep learning*, ICML 2013.
      http://proceedings.mlr.press/v28/sutskever13.pdf

    Differences:
      Same as `torch.optim.SGD(lr, momentum, nesterov=...)` with its default `dampening=0`: the
      buffer sums raw gradients and the learning rate multiplies it afterwards, so changing the
      learning rate rescales the whole remembered velocity at once. (Sutskever et al. write
      `v_t = mu v_{t-1} - lr g_t`, with the learning rate inside the buffer; the two agree only for
      a constant learning rate.) PyTorch's `dampening` (`m_t = mu m_{t-1} + (1 - dampening) g_t`)
      and `weight_decay` (L2 added to the gradient) have no counterpart here; chain
      `add_decayed_weights` first for the latter. A `momentum` outside [0, 1], the range Optax
      documents, is refused (Optax accepts it and diverges).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.sgd(learning_rate=0.1, momentum=0.9)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.95, -1.95]
    """
    check_learning_rate(learning_rate)
    w = where("sgd")
    if momentum is not None:
        check_probability(w, "momentum", momentum, hint="e.g. momentum=0.9, or None for none")
    check_bool(w, "nesterov", nesterov)
    check_dtype(w, "accumulator_dtype", accumulator_dtype, optional=True)
    momentum_tx = (
        trace(decay=momentum, nesterov=nesterov, accumulator_dtype=accumulator_dtype)
        if momentum is not None
        else identity()
    )
    return chain(momentum_tx, scale_by_learning_rate(learning_rate))


@named
def noisy_sgd(
    learning_rate: ScalarOrSchedule, eta=0.01, gamma=0.55, key=None, *, seed: int | None = None
) -> GradientTransformation:
    """SGD on gradients with annealed Gaussian noise added.

        sigma_t**2 = eta / t**gamma,  t = 1, 2, ...       # annealed noise variance
        u_t = -lr_t (g_t + sigma_t z_t),  z_t ~ N(0, I)   # z drawn from the state's key

    Args:
      learning_rate: a number or a schedule `count -> value`.
      eta: the noise variance at the first step.
      gamma: the variance's decay exponent.
      key: an int seed or a raw `uint32[2]` key; required.
      seed: Optax's deprecated spelling of an int `key` (a `DeprecationWarning`, as in Optax).

    Returns:
      A `GradientTransformation`; the same key gives bit-for-bit the same noise as Optax.

    Counterpart: `optax.noisy_sgd` (optax/_src/alias.py).

    References:
      Arvind Neelakantan et al., *Adding Gradient Noise Improves Learning for Very Deep
      Networks*, 2015. https://arxiv.org/abs/1511.06807

    Differences:
      `key` (or the deprecated `seed`) is required (Optax falls back to key 0 with a warning).
      PyTorch has no noisy SGD.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.noisy_sgd(learning_rate=0.1, key=0)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.948, -1.942]
    """
    return chain(add_noise(eta, gamma, key, seed=seed), scale_by_learning_rate(check_learning_rate(learning_rate)))
