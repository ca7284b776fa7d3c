"""AdaBelief: Adam scaled by the spread of g around its prediction m, not by the size of g.

`scale_by_belief` is the building block, with the state `ScaleByBeliefState(count, mu, nu)`, `nu`
the EMA of `(g - m)**2`; `adabelief` chains it with `scale_by_learning_rate`. The math is in
`adabelief`'s docstring. It keeps Adam's first moment and bias correction.

Counterpart: `optax.scale_by_belief`, `optax.ScaleByBeliefState` (optax/_src/transform.py);
`optax.adabelief` (optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import (
    bias_correction,
    check_same_structure,
    divide_by_root,
    nesterov_mu_hat,
    safe_increment,
    update_moment,
    update_moment_per_elem_norm,
    zeros_like,
)


class ScaleByBeliefState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # first moment
    nu: Any  # second *central* moment: EMA of (g - m)**2


@named
def scale_by_belief(b1=0.9, b2=0.999, eps=1e-16, eps_root=1e-16, *, nesterov: bool = False) -> GradientTransformation:
    """AdaBelief: Adam whose second moment is the EMA of `(g - m)**2`, not of `g**2`.

    The math is `adabelief`'s without `-lr_t`. A gradient close to its prediction `m` gives a
    small `s` and so a large step.

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
    w = where("scale_by_belief")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps), ("eps_root", eps_root)):
        check_number(w, name, value)
    check_bool(w, "nesterov", nesterov)

    def init_fn(params):
        return ScaleByBeliefState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_belief", state, ScaleByBeliefState)
        check_same_structure("scale_by_belief", updates, state.mu)
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


@named
def adabelief(
    learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-16, eps_root=1e-16, *, nesterov: bool = False
) -> GradientTransformation:
    """AdaBelief: Adam scaled by the spread of g around its prediction m, not by the size of g.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                          # first moment
        s_t = b2 * s_{t-1} + (1 - b2) * (g_t - m_t)**2 + eps_root    # belief (central moment)
        u_t = -lr_t * m^_t / (sqrt(s^_t) + eps)                      # hats: bias correction

    Args:
      learning_rate: a number or a schedule.
      b1, b2: scalars, decays of the two moments.
      eps: scalar outside the square root; eps_root: scalar added to s every step.
      nesterov: use Nadam's look-ahead first moment.

    Returns:
      A `GradientTransformation`; state `(ScaleByBeliefState, scale state)`.

    Counterpart: `optax.adabelief` (optax/_src/alias.py).

    References:
      Juntang Zhuang et al., *AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed
      Gradients*, NeurIPS 2020. https://arxiv.org/abs/2010.07468

    PyTorch: not in `torch.optim`; the authors' `adabelief-pytorch` has the same eps placement
    and defaults, plus decoupled weight decay and an optional RAdam-style rectification.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adabelief(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.889, -1.889]
    """
    return chain(
        scale_by_belief(b1=b1, b2=b2, eps=eps, eps_root=eps_root, nesterov=nesterov),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
