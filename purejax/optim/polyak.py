"""Polyak's step size: the step that would reach the optimal value `f_min` if the loss were linear.

    gamma_t = min((f(x_t) - f_min) / (||g_t||**2 + eps), max_learning_rate)   (0 if ||g||**2 + eps ~ 0)
    u_t = -gamma_t * scaling * g_t

`update` needs the loss, as a keyword: `tx.update(grads, state, params, value=loss)`. With
`variant='sps+'` the gap `f(x) - f_min` is clipped at 0.

Counterpart: `optax.scale_by_polyak` (optax/_src/transform.py); `optax.polyak_sgd`
(optax/_src/alias.py).

References:
  Boris Polyak, *Introduction to Optimization*, 1987. Nicolas Loizou et al., *Stochastic Polyak
  Step-size for SGD*, AISTATS 2021. https://arxiv.org/abs/2002.10542
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.checks import check_choice, check_number
from purejax.optim.base import (
    EmptyState,
    GradientTransformationExtraArgs,
    chain,
    check_state,
    init_empty_state,
    named,
    where,
)
from purejax.optim.sgd import sgd
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_scalar_or_schedule


@named
def scale_by_polyak(f_min=0.0, max_learning_rate=1.0, eps=0.0, variant: str = "sps") -> GradientTransformationExtraArgs:
    """Scale the updates by Polyak's step size `min((value - f_min) / (||u||**2 + eps), max_learning_rate)`.

    Args:
      f_min: a lower bound on the loss (its minimum, when known).
      max_learning_rate: the largest step size.
      eps: added to the squared norm.
      variant: `'sps'`, or `'sps+'` to clip the gap `value - f_min` at 0.

    Returns:
      A `GradientTransformationExtraArgs` with state `EmptyState()`; `update` takes `value=`.

    Counterpart: `optax.scale_by_polyak` (optax/_src/transform.py).

    References:
      Loizou et al., *Stochastic Polyak Step-size for SGD*, 2021. https://arxiv.org/abs/2002.10542
    """
    w = where("scale_by_polyak")
    check_number(w, "f_min", f_min)
    check_number(w, "max_learning_rate", max_learning_rate, minimum=0.0)
    check_number(w, "eps", eps, minimum=0.0)
    check_choice(w, "variant", variant, ("sps", "sps+"))

    def update_fn(updates, state, params=None, *, value=None, **extra_args):
        del params, extra_args
        check_state("scale_by_polyak", state, EmptyState)
        if value is None:
            raise TypeError(
                f"{where('scale_by_polyak')}: update needs the loss; call update(grads, state, params, value=loss)"
            )
        grad_sq_norm = jnp.array(sum(jnp.sum(jnp.square(u.real) + jnp.square(u.imag)) for u in tree.leaves(updates)))
        gap = jnp.array(value - f_min).astype(grad_sq_norm.dtype)
        if variant == "sps+":
            gap = jnp.maximum(gap, 0)
        step = jnp.where(
            grad_sq_norm + eps <= np.finfo(float).eps,  # no step on a zero gradient
            jnp.array(0.0),
            jnp.minimum(gap / (grad_sq_norm + eps), max_learning_rate),
        )
        return tree.map(lambda u: step * u, updates), state

    return GradientTransformationExtraArgs(init_empty_state, update_fn)


@named
def polyak_sgd(
    max_learning_rate=1.0, scaling: ScalarOrSchedule = 1.0, f_min=0.0, eps=0.0, variant: str = "sps"
) -> GradientTransformationExtraArgs:
    """SGD with Polyak's step size: `u_t = -scaling_t * min((f(x_t) - f_min) / (||g||**2 + eps), max_lr) * g_t`.

    Args:
      max_learning_rate: the largest Polyak step size.
      scaling: a number or a schedule multiplying the step.
      f_min: a lower bound on the loss.
      eps: added to the squared gradient norm.
      variant: `'sps'` or `'sps+'`.

    Returns:
      A `GradientTransformationExtraArgs`; `update(grads, state, params, value=loss)`.

    Counterpart: `optax.polyak_sgd` (optax/_src/alias.py).

    References:
      Loizou et al., *Stochastic Polyak Step-size for SGD*, 2021. https://arxiv.org/abs/2002.10542

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.polyak_sgd()
      >>> params = jnp.array([2.0])  # loss x**2 = 4, grad 4: step 4 / 16
      >>> updates, _ = tx.update(jnp.array([4.0]), tx.init(params), params, value=4.0)
      >>> updates.tolist()
      [-1.0]
    """
    check_scalar_or_schedule("scaling", scaling, where_=where("polyak_sgd"))
    return chain(
        sgd(learning_rate=scaling),
        scale_by_polyak(max_learning_rate=max_learning_rate, f_min=f_min, eps=eps, variant=variant),
    )
