"""Exercise `cosine_decay_schedule` (tour: docs/tour/05_optimizers.md): a learning rate that follows half a cosine.

Write `cosine_decay_schedule(init_value, decay_steps, alpha, exponent)`: a schedule, a function
from the step count to a value, as `optax.cosine_decay_schedule` makes it. The grader calls it on
every count from 0 to past `decay_steps`, under `jax.jit` and `jax.vmap`.

Use jax.numpy and jax.lax; the grader refuses a file that imports optax. Check your file with:

    python -m comparisons exercise cosine_decay_schedule --check exercises/cosine_decay_schedule.py
"""

from __future__ import annotations

import jax.numpy as jnp


def cosine_decay_schedule(init_value, decay_steps, alpha=0.0, exponent=1.0):
    """A schedule from `init_value` down to `alpha * init_value` over `decay_steps` steps (SGDR's cosine).

        t = min(count, decay_steps)
        cosine = 0.5 * (1 + cos(pi * t / decay_steps))          # 1 -> 0
        value = init_value * ((1 - alpha) * cosine**exponent + alpha)

    After `decay_steps` the value stays at `alpha * init_value`.

    Args:
      init_value: the value at count 0.
      decay_steps: how many steps the decay takes (a positive int).
      alpha: the final value as a fraction of `init_value`.
      exponent: the power of the cosine factor.

    Returns:
      `schedule(count) -> value`, for an int32 count (possibly traced).

    References:
      Loshchilov & Hutter, *SGDR: Stochastic Gradient Descent with Warm Restarts*, 2017,
      arXiv:1608.03983.
    """

    def schedule(count):
        t = jnp.minimum(count, float(decay_steps))  # stays at the end
        cosine = 0.5 * (1 + jnp.cos(jnp.pi * t / decay_steps))
        return init_value * ((1 - alpha) * cosine**exponent + alpha)

    return schedule
