"""Optimistic Adam: Adam's direction, extrapolated with the previous one (for min-max games).

    d_t = adam direction m^_t / (sqrt(v^_t + eps_root) + eps)
    u_t = -lr_t * ((alpha + beta) d_t - beta d_{t-1})              # optimistic_adam_v2
    u_t = -((lr + optimism) d_t - optimism d_{t-1})                # optimistic_adam (deprecated form)

Counterpart: `optax.optimistic_adam`, `optax.optimistic_adam_v2` (optax/_src/alias.py).

References:
  Constantinos Daskalakis et al., *Training GANs with Optimism*, ICLR 2018.
  https://arxiv.org/abs/1711.00141
"""

from __future__ import annotations

import warnings
from typing import Any

from purejax.checks import check_number
from purejax.optim.adam import scale_by_adam
from purejax.optim.base import GradientTransformationExtraArgs, chain, named, where
from purejax.optim.optimistic import scale_by_optimistic_gradient
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate


@named
def optimistic_adam_v2(
    learning_rate: ScalarOrSchedule,
    *,
    alpha=1.0,
    beta=1.0,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_root=0.0,
    mu_dtype: Any | None = None,
    nesterov: bool = True,
) -> GradientTransformationExtraArgs:
    """Optimistic Adam: `u_t = -lr_t ((alpha + beta) d_t - beta d_{t-1})`, `d` Adam's direction.

    Args:
      learning_rate: a number or a schedule.
      alpha, beta: the weights of the current and the previous direction.
      b1, b2, eps, eps_root, mu_dtype, nesterov: as `adam` (`nesterov` defaults to True here).

    Returns:
      A `GradientTransformationExtraArgs`; state `(ScaleByAdamState, ScaleByOptimisticGradientState, scale state)`.

    Counterpart: `optax.optimistic_adam_v2` (optax/_src/alias.py).

    References:
      Daskalakis et al., *Training GANs with Optimism*, 2018. https://arxiv.org/abs/1711.00141

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.optimistic_adam_v2(0.1)
      >>> updates, _ = tx.update(jnp.array([0.5]), tx.init(jnp.zeros(1)))
      >>> round(updates[0].item(), 3)
      -0.147
    """
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov),
        scale_by_optimistic_gradient(alpha=alpha, beta=beta),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )


@named
def optimistic_adam(
    learning_rate,
    optimism=None,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_root=0.0,
    mu_dtype: Any | None = None,
    *,
    nesterov: bool = True,
) -> GradientTransformationExtraArgs:
    """Optimistic Adam in Optax's older form: `u_t = -((lr + optimism) d_t - optimism d_{t-1})`.

    Deprecated in Optax in favour of `optimistic_adam_v2`; it warns the same way.

    Args:
      learning_rate: a number (no schedule).
      optimism: the weight of the correction; `None` means `learning_rate`.
      b1, b2, eps, eps_root, mu_dtype, nesterov: as `adam`.

    Returns:
      A `GradientTransformationExtraArgs`; state `(ScaleByAdamState, ScaleByOptimisticGradientState, EmptyState())`.

    Counterpart: `optax.optimistic_adam` (optax/_src/alias.py).

    References:
      Daskalakis et al., *Training GANs with Optimism*, 2018. https://arxiv.org/abs/1711.00141

    Examples:
      >>> import warnings
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> with warnings.catch_warnings():
      ...     warnings.simplefilter('ignore')
      ...     tx = optim.optimistic_adam(0.1)
      >>> updates, _ = tx.update(jnp.array([0.5]), tx.init(jnp.zeros(1)))
      >>> round(updates[0].item(), 3)
      -0.147
    """
    warnings.warn(
        "purejax.optim.optimistic_adam is deprecated (as optax.optimistic_adam is); use optimistic_adam_v2",
        DeprecationWarning,
        stacklevel=3,  # the caller of `named`'s wrapper
    )
    if callable(learning_rate):
        raise ValueError(
            f"{where('optimistic_adam')}: learning_rate must be a number, got a schedule; "
            "use optimistic_adam_v2(schedule, ...) for schedules"
        )
    check_number(where("optimistic_adam"), "learning_rate", learning_rate, hint="write e.g. learning_rate=1e-3")
    if optimism is not None:
        check_number(where("optimistic_adam"), "optimism", optimism, hint="write e.g. optimism=1e-3, or None")
    optimism = learning_rate if optimism is None else optimism
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov),
        scale_by_optimistic_gradient(alpha=learning_rate, beta=optimism),
        scale_by_learning_rate(1.0),  # only flips the sign
    )
