"""Measuring the updates as they pass: the measurements live in the state, the updates go on unchanged.

    snapshot(name, f)            : state = SnapshotState({name: f(u)})
    monitor({name: f or tx})     : state = MonitorState({name: f(u) or tx(u)}, measure states)
    measure_with_ema(f, decay)   : f(u) -> an exponential moving average of it (as `ema`)

Put one in a chain where you want to look, e.g. after `clip_by_global_norm`, and read the numbers
from the optimizer state after a step, inside `jit`, with no callback.

Counterpart: `optax.snapshot`, `optax.SnapshotState`, `optax.monitor`, `optax.MonitorState`,
`optax.measure_with_ema` (optax/transforms/_monitoring.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from purejax.checks import check_callable, fail
from purejax.optim.base import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    chain,
    check_state,
    named,
    where,
    with_extra_args_support,
)
from purejax.optim.transforms.momentum import ema
from purejax.optim.transforms.stateless import stateless


class SnapshotState(NamedTuple):
    measurement: dict[str, Any]  # {name: the measure of the last updates (of params after init)}


class MonitorState(NamedTuple):
    measurements: dict[str, Any]  # {name: measurement}; empty after init
    measure_states: tuple  # one state per measure, in the order given


@named
def snapshot(measure_name: str, measure: Callable[[Any], Any]) -> GradientTransformation:
    """Keep `measure(updates)` in the state under `measure_name`; pass the updates on unchanged.

    Args:
      measure_name: the key of the measurement in `SnapshotState.measurement`.
      measure: `updates -> pytree`, e.g. `optim.tree.norm`.

    Returns:
      A `GradientTransformation` with state `SnapshotState({measure_name: value})`; after `init`
      it holds `measure(params)`.

    Counterpart: `optax.snapshot` (optax/transforms/_monitoring.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.chain(optim.clip_by_global_norm(1.0), optim.snapshot('norm', optim.tree.norm))
      >>> _, state = tx.update(jnp.array([3.0, 4.0]), tx.init(jnp.zeros(2)))
      >>> float(state[1].measurement['norm'])
      1.0
    """
    if not isinstance(measure_name, str):
        raise fail(TypeError, where("snapshot"), "measure_name", "a str", measure_name, "write e.g. 'norm'")
    check_callable(where("snapshot"), "measure", measure, "pass a function updates -> value, e.g. optim.tree.norm")

    def init_fn(params):
        return SnapshotState({measure_name: measure(params)})

    def update_fn(updates, state, params=None):
        del params
        check_state("snapshot", state, SnapshotState)
        return updates, SnapshotState({measure_name: measure(updates)})

    return GradientTransformation(init_fn, update_fn)


@named
def monitor(measures: dict[str, Any]) -> GradientTransformationExtraArgs:
    """Take several measurements of the updates; each is a function or a transformation.

    A function `f` measures `f(updates)`; a transformation `tx` measures the updates *it* returns
    (its own updates are discarded) and keeps its own state, e.g. `measure_with_ema(...)`.

    Args:
      measures: `{name: function or GradientTransformation}`.

    Returns:
      A `GradientTransformationExtraArgs` with state `MonitorState(measurements, measure_states)`.

    Counterpart: `optax.monitor` (optax/transforms/_monitoring.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.monitor({'norm': optim.tree.norm, 'ema': optim.measure_with_ema(optim.tree.norm, 0.5)})
      >>> _, state = tx.update(jnp.array([3.0, 4.0]), tx.init(jnp.zeros(2)))
      >>> float(state.measurements['norm']), float(state.measurements['ema'])
      (5.0, 5.0)
    """
    if not isinstance(measures, Mapping):
        raise fail(
            TypeError,
            where("monitor"),
            "measures",
            "a dict {name: function or transformation}",
            measures,
            "write e.g. measures={'norm': optim.tree.norm}",
        )
    wrapped = {}
    for name, measure in measures.items():
        if isinstance(measure, GradientTransformation):
            wrapped[name] = with_extra_args_support(measure)
        else:
            check_callable(where("monitor"), f"measures[{name!r}]", measure)
            wrapped[name] = with_extra_args_support(stateless(lambda u, _, m=measure: m(u)))
    names = tuple(wrapped)

    def init_fn(params):
        return MonitorState({}, tuple(wrapped[name].init(params) for name in names))

    def update_fn(updates, state, params=None, **extra_args):
        check_state("monitor", state, MonitorState)
        measurements, measure_states = {}, []
        for name, measure_state in zip(names, state.measure_states, strict=True):
            measurements[name], measure_state = wrapped[name].update(updates, measure_state, params, **extra_args)
            measure_states.append(measure_state)
        return updates, MonitorState(measurements, tuple(measure_states))

    return GradientTransformationExtraArgs(init_fn, update_fn)


@named
def measure_with_ema(
    measure: Callable[[Any], Any], decay, debias: bool = True, accumulator_dtype: Any | None = None
) -> GradientTransformationExtraArgs:
    """An exponential moving average of `measure(updates)`, as the *updates* of a transformation.

        m_t = decay * m_{t-1} + (1 - decay) * measure(u_t),   returned / (1 - decay**t) if debias

    Meant for `monitor`: its updates are the averaged measurement, not the gradients.

    Args:
      measure: `updates -> pytree`.
      decay: the EMA's decay, in [0, 1].
      debias: divide by `1 - decay**t` (the zero start's bias correction).
      accumulator_dtype: dtype of the average; `None` keeps the measurement's.

    Returns:
      A `GradientTransformationExtraArgs` with state `(EmptyState(), EmaState(count, ema))`.

    Counterpart: `optax.measure_with_ema` (optax/transforms/_monitoring.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.measure_with_ema(optim.tree.norm, decay=0.5, debias=False)
      >>> value, state = tx.update(jnp.array([3.0, 4.0]), tx.init(jnp.zeros(2)))
      >>> float(value)
      2.5
    """
    check_callable(where("measure_with_ema"), "measure", measure)
    base_ema = ema(decay, debias, accumulator_dtype)
    measurement_ema = base_ema._replace(init=lambda params: base_ema.init(measure(params)))
    return chain(stateless(lambda updates, _: measure(updates)), measurement_ema)
