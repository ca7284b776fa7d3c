"""D-Adaptation AdamW: Adam whose learning rate is an estimate of the distance to the solution.

The estimate `d` only grows; it is the ratio of a weighted sum of inner products of gradients with
past steps to the L1 norm of an exponential average of the (scaled) gradients:

    dlr_t  = d_t * lr_t * sqrt(1 - b2**t) / (1 - b1**t)             # the step size
    m_t    = b1 m_{t-1} + (1 - b1) dlr_t g_t                        # first moment, in step units
    v_t    = b2 v_{t-1} + (1 - b2) g_t**2                           # second moment
    s_t    = sqrt(b2) s_{t-1} + (1 - sqrt(b2)) dlr_t g_t            # the averaged gradients
    r_t    = sqrt(b2) r_{t-1} + (1 - sqrt(b2)) dlr_t <g_t, s_{t-1} / (sqrt(v_{t-1}) + eps)>
    d_{t+1} = max(d_t, r_t / ((1 - sqrt(b2)) ||s_t||_1))
    u_t    = -weight_decay dlr_t p_t - m_t / (sqrt(v_t) + eps)

Counterpart: `optax.contrib.dadapt_adamw`, `optax.contrib.DAdaptAdamWState`
(optax/contrib/_dadapt_adamw.py). Same arithmetic in the same order.

References:
  Defazio and Mishchenko, *Learning-Rate-Free Learning by D-Adaptation*, ICML 2023.
  https://arxiv.org/abs/2301.07733
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number, fail
from purejax.optim import tree as otree
from purejax.optim.base import GradientTransformationExtraArgs, check_params, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate
from purejax.optim.tree_math import check_same_structure, safe_increment


class DAdaptAdamWState(NamedTuple):
    exp_avg: Any  # like params; m, first moment in step units
    exp_avg_sq: Any  # like params; v, second moment
    grad_sum: Any  # like params; s, the averaged scaled gradients
    estim_lr: jax.Array  # shape=(), the params' lowest dtype; d, the distance estimate
    numerator_weighted: jax.Array  # shape=(), the params' lowest dtype; r
    count: jax.Array  # shape=(), dtype=int32


def _lowest_dtype(params: Any):
    """The dtype every leaf's dtype promotes from (float32 for a float32 tree), as `optax.tree.dtype(.., 'lowest')`."""
    dtypes = [jnp.asarray(x).dtype for x in tree.leaves(params)]
    lowest = dtypes[0] if dtypes else jnp.asarray([]).dtype
    for d in dtypes[1:]:
        if jnp.promote_types(lowest, d) == lowest:
            lowest = d
    return lowest


@named(name="contrib.dadapt_adamw")
def dadapt_adamw(
    learning_rate: ScalarOrSchedule = 1.0,
    betas: tuple = (0.9, 0.999),
    eps=1e-8,
    estim_lr0=1e-6,
    weight_decay=0.0,
) -> GradientTransformationExtraArgs:
    """D-Adaptation AdamW (see the module): Adam with a learning rate estimated on the fly.

    Args:
      learning_rate: a multiplier of the estimated step (1.0: none); a number or a schedule.
      betas: `(b1, b2)`, the decays of the two moments.
      eps: added to the root of the second moment.
      estim_lr0: the initial distance estimate `d_0` (small: it only grows).
      weight_decay: decoupled weight decay, scaled by the step size.

    Returns:
      A `GradientTransformationExtraArgs` with state `DAdaptAdamWState`; `update` needs `params`.

    Counterpart: `optax.contrib.dadapt_adamw` (optax/contrib/_dadapt_adamw.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax.optim import contrib
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = contrib.dadapt_adamw()
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> float(state.estim_lr), int(state.count)
      (9.999999974752427e-07, 1)
    """
    w = where("contrib.dadapt_adamw")
    check_learning_rate(learning_rate)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise fail(TypeError, w, "betas", "a pair (b1, b2)", betas, "write e.g. betas=(0.9, 0.999)")
    check_number(w, "betas[0]", betas[0])
    check_number(w, "betas[1]", betas[1])
    check_number(w, "eps", eps, minimum=0.0)
    check_number(w, "estim_lr0", estim_lr0, minimum=0.0)
    check_number(w, "weight_decay", weight_decay)

    def init_fn(params):
        params_dtype = _lowest_dtype(params)
        return DAdaptAdamWState(
            exp_avg=otree.zeros_like(params),
            exp_avg_sq=otree.zeros_like(params),
            grad_sum=otree.zeros_like(params),
            estim_lr=jnp.asarray(estim_lr0, dtype=params_dtype),
            numerator_weighted=jnp.zeros([], dtype=params_dtype),
            count=jnp.zeros([], jnp.int32),
        )

    def update_fn(updates, state, params=None, **extra_args):
        del extra_args
        check_state("contrib.dadapt_adamw", state, DAdaptAdamWState)
        check_params("contrib.dadapt_adamw", params, updates)
        check_same_structure("contrib.dadapt_adamw", updates, state.exp_avg)
        count = state.count
        beta1, beta2 = betas
        sb2 = beta2 ** (0.5)
        sched = learning_rate(count) if callable(learning_rate) else learning_rate
        grad_sum = state.grad_sum
        numerator_weighted = state.numerator_weighted
        count_inc = safe_increment(count)
        bc = ((1 - beta2**count_inc) ** 0.5) / (1 - beta1**count_inc)  # bias corrections
        dlr = state.estim_lr * sched * bc  # the step size
        dlr = dlr.astype(numerator_weighted.dtype)
        s_weighted = tree.map(lambda sk, eas: sk / (jnp.sqrt(eas) + eps), grad_sum, state.exp_avg_sq)
        numerator_acum = otree.vdot(updates, s_weighted)  # <g_t, s_{t-1} / (sqrt(v_{t-1}) + eps)>
        exp_avg = tree.map(lambda ea, g: beta1 * ea + (1 - beta1) * dlr * g, state.exp_avg, updates)  # first moment
        exp_avg_sq = tree.map(lambda eas, g: beta2 * eas + (1 - beta2) * g * g, state.exp_avg_sq, updates)  # second
        grad_sum = tree.map(lambda sk, g: sb2 * sk + (1 - sb2) * dlr * g, grad_sum, updates)  # averaged gradients
        grad_sum_l1 = otree.sum(tree.map(jnp.abs, grad_sum))
        numerator_weighted = sb2 * numerator_weighted + (1 - sb2) * dlr * numerator_acum
        d_estimate = numerator_weighted / ((1 - sb2) * grad_sum_l1)
        estim_lr = jnp.maximum(state.estim_lr, d_estimate)  # the distance estimate only grows
        p_update = tree.map(
            lambda ea, eas, p: -weight_decay * dlr * p - ea / (jnp.sqrt(eas) + eps), exp_avg, exp_avg_sq, params
        )
        return p_update, DAdaptAdamWState(exp_avg, exp_avg_sq, grad_sum, estim_lr, numerator_weighted, count_inc)

    return GradientTransformationExtraArgs(init_fn, update_fn)
