"""Sign descent: step by the sign of the gradient (signSGD), or of its moving average (Signum).

    scale_by_sign : u = sign(g)
    sign_sgd      : u_t = -lr_t * sign(g_t)
    signum        : m_t = beta * m_{t-1} + (1 - beta) * g_t;  u_t = -lr_t * sign(m_t)

Every coordinate moves by exactly the learning rate, whatever the gradient's size.

Counterpart: `optax.scale_by_sign` (optax/_src/transform.py); `optax.sign_sgd`, `optax.signum`
(optax/_src/alias.py).

References:
  Jeremy Bernstein et al., *signSGD: Compressed Optimisation for Non-Convex Problems*, ICML 2018.
  https://arxiv.org/abs/1802.04434
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_probability
from purejax.optim.base import (
    EmptyState,
    GradientTransformation,
    GradientTransformationExtraArgs,
    chain,
    check_state,
    init_empty_state,
    named,
    where,
)
from purejax.optim.transforms.momentum import ema
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate


@named
def scale_by_sign() -> GradientTransformation:
    """Replace every update by its sign: `u = sign(g)` (0 stays 0).

    Returns:
      A `GradientTransformation` with state `EmptyState()`.

    Counterpart: `optax.scale_by_sign` (optax/_src/transform.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.scale_by_sign()
      >>> tx.update(jnp.array([-3.0, 0.0, 0.5]), tx.init(None))[0].tolist()
      [-1.0, 0.0, 1.0]
    """

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_sign", state, EmptyState)
        return tree.map(jnp.sign, updates), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def sign_sgd(learning_rate: ScalarOrSchedule) -> GradientTransformationExtraArgs:
    """signSGD: `u_t = -lr_t * sign(g_t)`.

    Args:
      learning_rate: a number or a schedule.

    Returns:
      A `GradientTransformationExtraArgs`; state `(EmptyState(), scale state)`.

    Counterpart: `optax.sign_sgd` (optax/_src/alias.py).

    References:
      Bernstein et al., *signSGD*, 2018. https://arxiv.org/abs/1802.04434

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.sign_sgd(0.1)
      >>> tx.update(jnp.array([-3.0, 0.5]), tx.init(jnp.zeros(2)))[0].tolist()
      [0.10000000149011612, -0.10000000149011612]
    """
    return chain(scale_by_sign(), scale_by_learning_rate(check_learning_rate(learning_rate)))


@named
def signum(
    learning_rate: ScalarOrSchedule, beta=0.9, accumulator_dtype: Any | None = None
) -> GradientTransformationExtraArgs:
    """Signum: sign descent on a moving average of the gradients.

        m_t = beta * m_{t-1} + (1 - beta) * g_t     # momentum (not debiased: the sign ignores scale)
        u_t = -lr_t * sign(m_t)

    Args:
      learning_rate: a number or a schedule.
      beta: the moving average's decay.
      accumulator_dtype: dtype of `m`; `None` keeps the params' dtype.

    Returns:
      A `GradientTransformationExtraArgs`; state `(EmaState, EmptyState(), scale state)`.

    Counterpart: `optax.signum` (optax/_src/alias.py).

    References:
      Bernstein et al., *signSGD*, 2018, section 3. https://arxiv.org/abs/1802.04434

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.signum(0.1)
      >>> tx.update(jnp.array([-3.0, 0.5]), tx.init(jnp.zeros(2)))[0].tolist()
      [0.10000000149011612, -0.10000000149011612]
    """
    check_probability(where("signum"), "beta", beta)
    return chain(
        ema(beta, debias=False, accumulator_dtype=accumulator_dtype),
        scale_by_sign(),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
