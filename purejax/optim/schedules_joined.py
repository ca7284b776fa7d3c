"""Schedules glued end to end: warmup then decay, and SGDR's warm restarts.

    join_schedules([f0, f1, f2], [b1, b2]):
        v(t) = f0(t)          for t < b1
               f1(t - b1)     for b1 <= t < b2      # each piece counts from its own start
               f2(t - b2)     for t >= b2

    warmup_cosine_decay_schedule      = join([linear(I -> peak, W), cosine(peak -> end, D - W)], [W])
    warmup_exponential_decay_schedule = join([linear(I -> peak, W), exponential(peak, ...)], [W])
    sgdr_schedule([kw0, kw1, ...])    = join([warmup_cosine(**kw0), ...], running sums of decay_steps)

Counterpart: `optax.join_schedules` (optax/schedules/_join.py),
`optax.warmup_cosine_decay_schedule`, `optax.warmup_exponential_decay_schedule`,
`optax.sgdr_schedule` (optax/schedules/_schedule.py).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import jax.numpy as jnp

from purejax.optim.schedules import Schedule, cosine_decay_schedule, exponential_decay, linear_schedule


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run `schedules[0]` until `boundaries[0]`, then `schedules[1]` restarted from 0, and so on.

    Args:
      schedules: `n` schedules; each sees the steps since its own boundary.
      boundaries: `n - 1` increasing step counts at which to switch to the next schedule.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.join_schedules` (optax/schedules/_join.py).
    """

    def schedule(step):
        output = schedules[0](step)
        for boundary, next_schedule in zip(boundaries, schedules[1:]):
            output = jnp.where(step < boundary, output, next_schedule(step - boundary))
        return output

    return schedule


def warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps: int, decay_steps: int,
                                 end_value=0.0, exponent=1.0) -> Schedule:
    """Rise linearly from `init_value` to `peak_value`, then fall along a cosine to `end_value`.

        v(t) = I + (peak - I) * t / W                                          for t < W
        v(t) = peak * ((1 - a) * (0.5 * (1 + cos(pi * (t - W) / (D - W))))**exponent + a)
                                                         for t >= W, a = end / peak

    Args:
      init_value: `I`, the value at step 0.
      peak_value: the value at the end of the warmup.
      warmup_steps: `W`, the length of the linear warmup.
      decay_steps: `D`, the length of the *whole* schedule, warmup included; must exceed `W`.
      end_value: the value from step `D` on.
      exponent: the power of the cosine factor.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.warmup_cosine_decay_schedule` (optax/schedules/_schedule.py).
    """
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value  # end as a fraction of peak
    schedules = [
        linear_schedule(init_value=init_value, end_value=peak_value, transition_steps=warmup_steps),
        cosine_decay_schedule(init_value=peak_value, decay_steps=decay_steps - warmup_steps,
                              alpha=alpha, exponent=exponent),
    ]
    return join_schedules(schedules, [warmup_steps])


def warmup_exponential_decay_schedule(init_value, peak_value, warmup_steps: int, transition_steps: int,
                                      decay_rate, transition_begin: int = 0, staircase: bool = False,
                                      end_value=None) -> Schedule:
    """Rise linearly from `init_value` to `peak_value`, then decay exponentially.

        v(t) = I + (peak - I) * t / W                       for t < W
        v(t) = exponential_decay(peak, T, r, B, staircase, E)(t - W)   for t >= W

    Args:
      init_value: `I`, the value at step 0.
      peak_value: the value at the end of the warmup.
      warmup_steps: `W`, the length of the linear warmup.
      transition_steps: `T`, see `exponential_decay`.
      decay_rate: `r`, see `exponential_decay`.
      transition_begin: `B`, steps after the warmup before decay starts.
      staircase: decay in whole steps of `T`.
      end_value: `E`, the bound the decay stops at; None for no bound.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.warmup_exponential_decay_schedule` (optax/schedules/_schedule.py).
    """
    schedules = [
        linear_schedule(init_value=init_value, end_value=peak_value, transition_steps=warmup_steps),
        exponential_decay(init_value=peak_value, transition_steps=transition_steps, decay_rate=decay_rate,
                          transition_begin=transition_begin, staircase=staircase, end_value=end_value),
    ]
    return join_schedules(schedules, [warmup_steps])


def sgdr_schedule(cosine_kwargs: Iterable[dict]) -> Schedule:
    """Stochastic gradient descent with warm restarts: warmup-cosine cycles, one after another.

    Cycle `i` is `warmup_cosine_decay_schedule(**cosine_kwargs[i])` and lasts its `decay_steps`
    steps; the next cycle restarts from its own `init_value` (the "warm restart").

    Args:
      cosine_kwargs: one dict of `warmup_cosine_decay_schedule` arguments per cycle; each must
        hold `decay_steps`.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.sgdr_schedule` (optax/schedules/_schedule.py).

    References:
      Ilya Loshchilov, Frank Hutter, *SGDR: Stochastic Gradient Descent with Warm Restarts*,
      ICLR 2017. https://arxiv.org/abs/1608.03983
    """
    boundaries, schedules, step = [], [], 0
    for i, kwargs in enumerate(cosine_kwargs):
        if "decay_steps" not in kwargs:
            raise ValueError(
                f"purejax.optim.sgdr_schedule: cosine_kwargs[{i}] must hold 'decay_steps' (the cycle's "
                f"length), got keys {sorted(kwargs)}"
            )
        schedules.append(warmup_cosine_decay_schedule(**kwargs))
        step += kwargs["decay_steps"]
        boundaries.append(step)  # where this cycle ends
    return join_schedules(schedules, boundaries[:-1])
