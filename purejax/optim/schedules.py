"""Schedules: functions from the step count to a hyperparameter value, `count -> value`.

    constant     : v(t) = I
    polynomial   : v(t) = (I - E) * (1 - clip(t - B, 0, T) / T)**P + E       (linear: P = 1)
    piecewise    : v(t) = I * prod of the scales s_i whose boundary b_i <= t
    exponential  : v(t) = I * r**((t - B) / T)   for t > B, else I             (floored if staircase)
    cosine decay : v(t) = I * ((1 - a) * (0.5 * (1 + cos(pi * min(t, T) / T)))**p + a)

and the same glued end to end, warmup then decay, and SGDR's warm restarts:

    join_schedules([f0, f1, f2], [b1, b2]):
        v(t) = f0(t)          for t < b1
               f1(t - b1)     for b1 <= t < b2      # each piece counts from its own start
               f2(t - b2)     for t >= b2

    warmup_cosine_decay_schedule      = join([linear(I -> peak, W), cosine(peak -> end, D - W)], [W])
    warmup_exponential_decay_schedule = join([linear(I -> peak, W), exponential(peak, ...)], [W])
    sgdr_schedule([kw0, kw1, ...])    = join([warmup_cosine(**kw0), ...], running sums of decay_steps)

A schedule is a plain function, so it works eagerly on Python ints and under `jit` on an int32
counter (the `count` that `scale_by_schedule` and `inject_hyperparams` keep in their state).

Counterpart: `optax.constant_schedule`, `optax.polynomial_schedule`, `optax.linear_schedule`,
`optax.piecewise_constant_schedule`, `optax.exponential_decay`, `optax.cosine_decay_schedule`,
`optax.warmup_cosine_decay_schedule`, `optax.warmup_exponential_decay_schedule`,
`optax.sgdr_schedule` (optax/schedules/_schedule.py); `optax.join_schedules`
(optax/schedules/_join.py).

Every argument is checked where the schedule is made, and the error names the schedule the user
called (`warmup_cosine_decay_schedule`, not the `cosine_decay_schedule` inside it).

Differences:
  Optax logs (absl, INFO) when it turns a degenerate schedule into a constant one
  (`transition_steps <= 0`, `decay_rate == 0`) or clamps a negative `transition_begin`;
  purejax does the same silently. Step counts (`transition_steps`, `transition_begin`,
  `decay_steps`, `warmup_steps`, boundaries) must be integers: Optax also takes floats
  (`decay_steps=1e4`, or `10.5`); write `10_000`. Values must be real numbers (Optax fails later
  on a string, or multiplies by a bool), `staircase` a bool (`'no'` is truthy), `decay_rate`
  non-negative (a negative rate gives NaN between the stairs in Optax), `warmup_steps`
  non-negative, `join_schedules`' boundaries one fewer than the schedules and non-decreasing
  (Optax takes any, and a wrong count fails only when the schedule is called).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import jax.numpy as jnp

from purejax.checks import check_bool, check_int, check_number, check_probability, fail
from purejax.optim.base import named, where

Schedule = Callable[[Any], Any]


def _steps(name: str, value: Any, *, minimum: int | None = None) -> int:
    """A step count: a Python or NumPy integer (a float, even a whole one, is refused)."""
    hint = f"write {int(value)}" if isinstance(value, float) and value.is_integer() else ""
    return check_int(where("schedule"), name, value, minimum=minimum, hint=hint)


def _values(**values: Any) -> None:
    """Each a real number or a 0-d array."""
    for name, value in values.items():
        check_number(where("schedule"), name, value)


def _boundaries_and_scales(value: Any) -> None:
    """`None` or a dict `{boundary step (int): scale (a non-negative number)}`."""
    if value is not None and not isinstance(value, Mapping):
        raise fail(
            TypeError,
            where("schedule"),
            "boundaries_and_scales",
            "a dict {boundary step: scale}",
            value,
            "write e.g. {1000: 0.1, 2000: 0.1}",
        )
    for boundary, scale in (value or {}).items():
        _steps(f"boundaries_and_scales key {boundary!r}", boundary)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) and not hasattr(scale, "dtype"):
            raise fail(TypeError, where("schedule"), f"boundaries_and_scales[{boundary!r}]", "a number", scale)
    negative = {b: s for b, s in (value or {}).items() if not s >= 0.0}
    if negative:
        raise ValueError(
            f"{where('schedule')}: boundaries_and_scales expects non-negative scale factors, got {negative}"
        )


@named
def constant_schedule(value) -> Schedule:
    """The schedule that always returns `value`.

    Args:
      value: the value, a number or an array.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.constant_schedule` (optax/schedules/_schedule.py).
    """
    if not hasattr(value, "dtype") or isinstance(value, bool):
        check_number(where("constant_schedule"), "value", value)
    elif not (jnp.issubdtype(value.dtype, jnp.floating) or jnp.issubdtype(value.dtype, jnp.integer)):
        raise fail(TypeError, where("constant_schedule"), "value", "a number or an array of numbers", value)
    return lambda count: value


@named
def polynomial_schedule(init_value, end_value, power, transition_steps: int, transition_begin: int = 0) -> Schedule:
    """Go from `init_value` to `end_value` along a polynomial of degree `power`.

        v(t) = (I - E) * (1 - clip(t - B, 0, T) / T)**P + E

    so `v = I` up to step `B = transition_begin` and `v = E` from step `B + T` on.

    Args:
      init_value: `I`, the value before and at the start of the transition.
      end_value: `E`, the value at and after its end.
      power: `P`, the polynomial's degree (1 is linear).
      transition_steps: `T`, the length of the transition; `T <= 0` gives the constant `I`.
      transition_begin: `B`, the step at which the transition starts; negative counts as 0.

    Returns:
      A function `count -> value` (scalar count, scalar value).

    Counterpart: `optax.polynomial_schedule` (optax/schedules/_schedule.py).
    """
    _values(init_value=init_value, end_value=end_value, power=power)
    _steps("transition_steps", transition_steps)
    _steps("transition_begin", transition_begin)
    if transition_steps <= 0:
        return lambda count: init_value
    transition_begin = max(transition_begin, 0)

    def schedule(count):
        count = jnp.clip(count - transition_begin, 0, transition_steps)  # steps into the transition
        frac = 1 - count / transition_steps  # 1 at the start, 0 at the end
        return (init_value - end_value) * (frac**power) + end_value

    return schedule


@named
def linear_schedule(init_value, end_value, transition_steps: int, transition_begin: int = 0) -> Schedule:
    """Go linearly from `init_value` to `end_value` over `transition_steps` steps.

    `polynomial_schedule` with `power=1`:  v(t) = (I - E) * (1 - clip(t - B, 0, T) / T) + E.

    Args:
      init_value: `I`.
      end_value: `E`.
      transition_steps: `T`; `T <= 0` gives the constant `I`.
      transition_begin: `B`, the step at which the transition starts.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.linear_schedule` (optax/schedules/_schedule.py).
    """
    return polynomial_schedule(
        init_value=init_value,
        end_value=end_value,
        power=1,
        transition_steps=transition_steps,
        transition_begin=transition_begin,
    )


@named
def piecewise_constant_schedule(init_value, boundaries_and_scales: dict[int, float] | None = None) -> Schedule:
    """Start at `init_value`; at each boundary step multiply the value by that boundary's scale.

        v(t) = I * prod_{i : b_i <= t} s_i

    Args:
      init_value: `I`, the value before the first boundary.
      boundaries_and_scales: `{b_i: s_i}`; every scale must be non-negative.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.piecewise_constant_schedule` (optax/schedules/_schedule.py).
    """
    check_number(where("piecewise_constant_schedule"), "init_value", init_value)
    _boundaries_and_scales(boundaries_and_scales)

    def schedule(count):
        v = init_value
        if boundaries_and_scales is not None:
            for threshold, scale in sorted(boundaries_and_scales.items()):
                indicator = jnp.maximum(0.0, jnp.sign(threshold - count))  # 1 before the boundary, else 0
                v = v * indicator + (1 - indicator) * scale * v
        return v

    return schedule


@named
def exponential_decay(
    init_value,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value=None,
) -> Schedule:
    """Multiply `init_value` by `decay_rate` every `transition_steps` steps, smoothly or in stairs.

        p    = (t - B) / T                    (floor(p) if staircase)
        v(t) = I * r**p    if t > B,   I otherwise
        v(t) = max(v(t), E) if r < 1,  min(v(t), E) if r >= 1        (when end_value E is given)

    Args:
      init_value: `I`.
      transition_steps: `T`; `T <= 0` gives the constant `I`.
      decay_rate: `r`; `r == 0` gives the constant `I`.
      transition_begin: `B`, the step at which decay starts; negative counts as 0.
      staircase: decay in whole steps of `T` rather than continuously.
      end_value: `E`, a lower bound when `r < 1`, an upper bound otherwise; None for no bound.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.exponential_decay` (optax/schedules/_schedule.py).
    """
    _values(init_value=init_value)
    _steps("transition_steps", transition_steps)
    check_number(where("exponential_decay"), "decay_rate", decay_rate, minimum=0)
    _steps("transition_begin", transition_begin)
    check_bool(where("exponential_decay"), "staircase", staircase)
    if end_value is not None:
        _values(end_value=end_value)
    if transition_steps <= 0 or decay_rate == 0:
        return lambda count: init_value
    transition_begin = max(transition_begin, 0)
    clip_fn = jnp.maximum if decay_rate < 1.0 else jnp.minimum

    def schedule(count):
        decreased_count = count - transition_begin
        p = decreased_count / transition_steps  # number of decay periods elapsed
        if staircase:
            p = jnp.floor(p)
        decayed_value = jnp.where(decreased_count <= 0, init_value, init_value * jnp.power(decay_rate, p))
        if end_value is not None:
            decayed_value = clip_fn(decayed_value, end_value)
        return decayed_value

    return schedule


@named
def cosine_decay_schedule(init_value, decay_steps: Any, alpha=0.0, exponent=1.0) -> Schedule:
    """Decay `init_value` along half a cosine to `alpha * init_value` over `decay_steps` steps.

        c(t) = 0.5 * (1 + cos(pi * min(t, T) / T))        # 1 at t = 0, 0 from t = T on
        v(t) = I * ((1 - alpha) * c(t)**exponent + alpha)

    Args:
      init_value: `I`.
      decay_steps: `T`, must be positive.
      alpha: the final value as a fraction of `I`.
      exponent: the power of the cosine factor.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.cosine_decay_schedule` (optax/schedules/_schedule.py).

    References:
      Ilya Loshchilov, Frank Hutter, *SGDR: Stochastic Gradient Descent with Warm Restarts*,
      ICLR 2017. https://arxiv.org/abs/1608.03983
    """
    _values(init_value=init_value, alpha=alpha, exponent=exponent)
    if isinstance(decay_steps, int) and not isinstance(decay_steps, bool) and decay_steps <= 0:
        raise ValueError(f"{where('cosine_decay_schedule')}: decay_steps must be positive, got {decay_steps!r}")
    decay_steps = _steps("decay_steps", decay_steps, minimum=1)
    # Python ints become floats, so a large count does not overflow int32 under jit (as Optax).
    decay_steps = float(decay_steps) if isinstance(decay_steps, int) else decay_steps

    def schedule(count):
        count = float(count) if isinstance(count, int) else count
        count = jnp.minimum(count, decay_steps)
        cosine_decay = 0.5 * (1 + jnp.cos(jnp.pi * count / decay_steps))
        decayed = (1 - alpha) * cosine_decay**exponent + alpha
        return init_value * decayed

    return schedule


@named
def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run `schedules[0]` until `boundaries[0]`, then `schedules[1]` restarted from 0, and so on.

    Args:
      schedules: `n` schedules; each sees the steps since its own boundary.
      boundaries: `n - 1` non-decreasing step counts at which to switch to the next schedule.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.join_schedules` (optax/schedules/_join.py).
    """
    w = where("join_schedules")
    if not isinstance(schedules, (list, tuple)) or not schedules:
        raise fail(TypeError, w, "schedules", "a non-empty list of schedules", schedules)
    for i, member in enumerate(schedules):
        if not callable(member):
            raise fail(TypeError, w, f"schedules[{i}]", "a schedule count -> value", member)
    if not isinstance(boundaries, (list, tuple)):
        raise fail(TypeError, w, "boundaries", "a list of step counts", boundaries)
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(
            f"{w}: boundaries must hold one step fewer than schedules ({len(schedules) - 1}), got "
            f"{len(boundaries)}: {list(boundaries)!r}; boundaries[i] is where schedules[i + 1] starts"
        )
    for i, boundary in enumerate(boundaries):
        _steps(f"boundaries[{i}]", boundary)
        if i and boundary < boundaries[i - 1]:
            raise fail(ValueError, w, "boundaries", "non-decreasing step counts", list(boundaries))

    def schedule(step):
        output = schedules[0](step)
        for boundary, next_schedule in zip(boundaries, schedules[1:], strict=True):
            output = jnp.where(step < boundary, output, next_schedule(step - boundary))
        return output

    return schedule


@named
def warmup_cosine_decay_schedule(
    init_value, peak_value, warmup_steps: int, decay_steps: int, end_value=0.0, exponent=1.0
) -> Schedule:
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
    _values(init_value=init_value, peak_value=peak_value, end_value=end_value, exponent=exponent)
    _steps("warmup_steps", warmup_steps, minimum=0)
    _steps("decay_steps", decay_steps)
    if decay_steps <= warmup_steps:
        raise ValueError(
            f"{where('warmup_cosine_decay_schedule')}: decay_steps must be greater than warmup_steps "
            f"({warmup_steps}), got {decay_steps}; decay_steps is the length of the whole schedule, warmup included"
        )
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value  # end as a fraction of peak
    schedules = [
        linear_schedule(init_value=init_value, end_value=peak_value, transition_steps=warmup_steps),
        cosine_decay_schedule(
            init_value=peak_value, decay_steps=decay_steps - warmup_steps, alpha=alpha, exponent=exponent
        ),
    ]
    return join_schedules(schedules, [warmup_steps])


@named
def warmup_exponential_decay_schedule(
    init_value,
    peak_value,
    warmup_steps: int,
    transition_steps: int,
    decay_rate,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value=None,
) -> Schedule:
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
    _values(init_value=init_value, peak_value=peak_value)
    _steps("warmup_steps", warmup_steps, minimum=0)
    schedules = [
        linear_schedule(init_value=init_value, end_value=peak_value, transition_steps=warmup_steps),
        exponential_decay(
            init_value=peak_value,
            transition_steps=transition_steps,
            decay_rate=decay_rate,
            transition_begin=transition_begin,
            staircase=staircase,
            end_value=end_value,
        ),
    ]
    return join_schedules(schedules, [warmup_steps])


@named
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
    w = where("sgdr_schedule")
    if isinstance(cosine_kwargs, Mapping) or not isinstance(cosine_kwargs, Iterable):
        raise fail(TypeError, w, "cosine_kwargs", "a list of dicts, one per cycle", cosine_kwargs)
    arguments = inspect.signature(warmup_cosine_decay_schedule).parameters
    boundaries, schedules, step = [], [], 0
    for i, kwargs in enumerate(cosine_kwargs):
        if not isinstance(kwargs, Mapping):
            raise fail(
                TypeError, w, f"cosine_kwargs[{i}]", "a dict of warmup_cosine_decay_schedule's arguments", kwargs
            )
        unknown = sorted(set(kwargs) - set(arguments), key=str)
        if unknown:
            raise TypeError(
                f"{w}: cosine_kwargs[{i}] has unknown key(s) {unknown}; the keys are "
                f"warmup_cosine_decay_schedule's arguments {list(arguments)}"
            )
        for required in ("decay_steps", "init_value", "peak_value", "warmup_steps"):
            if required not in kwargs:
                what = " (the cycle's length)" if required == "decay_steps" else ""
                raise ValueError(f"{w}: cosine_kwargs[{i}] must hold {required!r}{what}, got keys {sorted(kwargs)}")
        try:
            schedules.append(warmup_cosine_decay_schedule(**kwargs))
        except (TypeError, ValueError) as error:  # name the cycle
            raise type(error)(f"{error} (in cosine_kwargs[{i}])") from None
        step += kwargs["decay_steps"]
        boundaries.append(step)  # where this cycle ends
    if not schedules:
        raise fail(ValueError, w, "cosine_kwargs", "a non-empty list (one dict per cycle)", cosine_kwargs)
    return join_schedules(schedules, boundaries[:-1])


@named
def warmup_constant_schedule(init_value, peak_value, warmup_steps: int) -> Schedule:
    """Rise linearly from `init_value` to `peak_value` over `warmup_steps`, then stay there.

        v(t) = I + (peak - I) * min(t, W) / W

    Args:
      init_value: `I`, the value at step 0.
      peak_value: the value from step `W` on.
      warmup_steps: `W`, the length of the warmup.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.warmup_constant_schedule` (optax/schedules/_schedule.py).

    Examples:
      >>> from purejax import optim
      >>> s = optim.warmup_constant_schedule(0.0, 1.0, 4)
      >>> [float(s(t)) for t in (0, 2, 4, 10)]
      [0.0, 0.5, 1.0, 1.0]
    """
    _values(init_value=init_value, peak_value=peak_value)
    _steps("warmup_steps", warmup_steps, minimum=0)
    return linear_schedule(init_value=init_value, end_value=peak_value, transition_steps=warmup_steps)


@named
def piecewise_interpolate_schedule(
    interpolate_type: str, init_value, boundaries_and_scales: dict[int, float] | None = None
) -> Schedule:
    """Join the values `I, I*s_1, I*s_1*s_2, ...` at the boundaries `0, b_1, b_2, ...` by straight or cosine lines.

        v(t) = interp(v_{i}, v_{i+1}, (t - b_i) / (b_{i+1} - b_i))    for b_i <= t < b_{i+1}
        linear: interp(a, b, p) = a + (b - a) * p;   cosine: b + (a - b) / 2 * (cos(pi * p) + 1)

    and the last value after the last boundary.

    Args:
      interpolate_type: `'linear'` or `'cosine'`.
      init_value: `I`, the value at step 0.
      boundaries_and_scales: `{b_i: s_i}`, each scale non-negative, multiplying the value reached
        at `b_i`.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.piecewise_interpolate_schedule` (optax/schedules/_schedule.py).

    Examples:
      >>> from purejax import optim
      >>> s = optim.piecewise_interpolate_schedule('linear', 1.0, {4: 0.5})
      >>> [float(s(t)) for t in (0, 2, 4, 8)]
      [1.0, 0.75, 0.5, 0.5]
    """
    if interpolate_type == "linear":

        def interpolate(start, end, pct):
            return (end - start) * pct + start

    elif interpolate_type == "cosine":

        def interpolate(start, end, pct):
            return end + (start - end) / 2.0 * (jnp.cos(jnp.pi * pct) + 1)

    else:
        raise ValueError(
            f"{where('piecewise_interpolate_schedule')}: interpolate_type must be 'linear' or 'cosine', "
            f"got {interpolate_type!r}"
        )
    _values(init_value=init_value)
    _boundaries_and_scales(boundaries_and_scales)
    if boundaries_and_scales:
        boundaries, scales = zip(*sorted(boundaries_and_scales.items()), strict=True)
    else:
        boundaries, scales = (), ()

    def schedule(count):
        bounds = jnp.stack((0, *boundaries))  # [n + 1]
        values = jnp.cumprod(jnp.stack((init_value, *scales)))  # [n + 1], the value reached at each bound
        interval_sizes = jnp.maximum(bounds[1:] - bounds[:-1], 1)  # [n]
        indicator = jnp.logical_and(bounds[:-1] <= count, count < bounds[1:])  # [n], the piece t is in
        pct = (count - bounds[:-1]) / interval_sizes  # [n]
        interp_vals = interpolate(values[:-1], values[1:], pct)  # [n]
        return indicator.dot(interp_vals) + (bounds[-1] <= count) * values[-1]

    return schedule


def _onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor) -> None:
    """The arguments both one-cycle schedules share."""
    _steps("transition_steps", transition_steps, minimum=1)
    _values(peak_value=peak_value)
    check_probability(where("schedule"), "pct_start", pct_start)
    for name, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
        check_number(where("schedule"), name, value)
        if not hasattr(value, "dtype") and not value > 0:
            raise fail(ValueError, where("schedule"), name, "a positive number", value, "the values are divided by it")


@named
def linear_onecycle_schedule(
    transition_steps: int, peak_value, pct_start=0.3, pct_final=0.85, div_factor=25.0, final_div_factor=1e4
) -> Schedule:
    """The one-cycle policy with straight lines: up to `peak_value`, back down, then far below.

        0 -> pct_start*T:          peak / div_factor  ->  peak
        pct_start*T -> pct_final*T: peak  ->  peak / div_factor
        pct_final*T -> T:          peak / div_factor  ->  peak / div_factor / final_div_factor

    Args:
      transition_steps: `T`, the length of the cycle (> 0).
      peak_value: the largest value.
      pct_start, pct_final: where the rise ends and the fall ends, as fractions of `T`.
      div_factor: `peak / initial value`.
      final_div_factor: `initial value / final value`.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.linear_onecycle_schedule` (optax/schedules/_schedule.py).

    References:
      Leslie N. Smith, Nicholay Topin, *Super-Convergence*, 2017. https://arxiv.org/abs/1708.07120

    Examples:
      >>> from purejax import optim
      >>> s = optim.linear_onecycle_schedule(100, 1.0)
      >>> [round(float(s(t)), 3) for t in (0, 30, 85)]
      [0.04, 1.0, 0.04]
    """
    _onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor)
    check_probability(where("linear_onecycle_schedule"), "pct_final", pct_final)
    if pct_final <= pct_start:
        raise ValueError(
            f"{where('linear_onecycle_schedule')}: pct_final must be greater than pct_start, got pct_start="
            f"{pct_start} and pct_final={pct_final}; the fall ends after the rise, e.g. pct_start=0.3, pct_final=0.85"
        )
    return piecewise_interpolate_schedule(
        "linear",
        peak_value / div_factor,
        {
            int(pct_start * transition_steps): div_factor,
            int(pct_final * transition_steps): 1.0 / div_factor,
            transition_steps: 1.0 / final_div_factor,
        },
    )


@named
def cosine_onecycle_schedule(
    transition_steps: int, peak_value, pct_start=0.3, div_factor=25.0, final_div_factor=1e4
) -> Schedule:
    """The one-cycle policy with cosine curves: up to `peak_value`, then down to far below the start.

        0 -> pct_start*T:  peak / div_factor  ->  peak                                  (cosine)
        pct_start*T -> T:  peak  ->  peak / div_factor / final_div_factor               (cosine)

    Args:
      transition_steps: `T`, the length of the cycle (> 0).
      peak_value: the largest value.
      pct_start: where the rise ends, as a fraction of `T`.
      div_factor: `peak / initial value`.
      final_div_factor: `initial value / final value`.

    Returns:
      A function `count -> value`.

    Counterpart: `optax.cosine_onecycle_schedule` (optax/schedules/_schedule.py).

    References:
      Leslie N. Smith, Nicholay Topin, *Super-Convergence*, 2017. https://arxiv.org/abs/1708.07120

    Examples:
      >>> from purejax import optim
      >>> s = optim.cosine_onecycle_schedule(100, 1.0)
      >>> [round(float(s(t)), 3) for t in (0, 30, 100)]
      [0.04, 1.0, 0.0]
    """
    _onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor)
    return piecewise_interpolate_schedule(
        "cosine",
        peak_value / div_factor,
        {int(pct_start * transition_steps): div_factor, int(transition_steps): 1.0 / (div_factor * final_div_factor)},
    )
