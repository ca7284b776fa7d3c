"""Hyperparameters kept in the optimizer state, so they can follow a schedule or be changed by hand.

    tx = inject_hyperparams(sgd)(learning_rate=linear_schedule(0.1, 0.0, 100))
    state.hyperparams == {'learning_rate': 0.1 at step 0, ...}

At every `update` each scheduled hyperparameter is evaluated at its own step count, the inner
transformation is rebuilt with the numbers (`sgd(learning_rate=0.099)`) and applied, and the
numbers are stored in `state.hyperparams`, where they can be logged, or overwritten for the
numeric (unscheduled) ones. Booleans and non-numeric arguments stay fixed (static).

Counterpart: `optax.inject_hyperparams`, `optax.InjectStatefulHyperparamsState`,
`optax.InjectHyperparamsState` (optax/schedules/_inject.py).

Differences:
  `update` takes no `**extra_args`, so stateful schedules are called and updated without them.
  The returned object is a plain `GradientTransformation`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Protocol, runtime_checkable

import jax
import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.checks import check_callable, check_dtype, describe
from purejax.optim.base import GradientTransformation, check_state, named, where
from purejax.optim.tree_math import safe_increment


class InjectHyperparamsState(NamedTuple):
    """Kept for compatibility, as in Optax; `inject_hyperparams` returns the stateful state below."""

    count: jax.Array  # shape=(), dtype=int32
    hyperparams: dict[str, Any]
    inner_state: Any


class InjectStatefulHyperparamsState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; updates so far
    hyperparams: dict[str, Any]  # name -> the value used by the last update (scalars)
    hyperparams_states: dict[str, Any]  # name -> the schedule's state, for scheduled ones
    inner_state: Any  # the inner transformation's state


@runtime_checkable
class StatefulSchedule(Protocol):
    """A schedule with its own state: `init() -> s`, `update(s) -> s`, `__call__(s) -> value`."""

    def init(self) -> Any: ...

    def update(self, state: Any, **extra_args) -> Any: ...

    def __call__(self, state: Any, **extra_args) -> Any: ...


class WrappedScheduleState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32


class WrappedSchedule:
    """A plain schedule `count -> value` as a `StatefulSchedule` whose state is the count."""

    def __init__(self, schedule_fn: Callable[[Any], Any]):
        self.schedule_fn = check_callable(
            "purejax.optim.WrappedSchedule", "schedule_fn", schedule_fn, "pass a schedule count -> value"
        )

    def init(self) -> WrappedScheduleState:
        return WrappedScheduleState(count=jnp.zeros([], jnp.int32))

    def update(self, state: WrappedScheduleState, **extra_args) -> WrappedScheduleState:
        del extra_args
        return WrappedScheduleState(count=safe_increment(state.count))

    def __call__(self, state: WrappedScheduleState, **extra_args):
        del extra_args
        return self.schedule_fn(state.count)


def _convert_floats(x, dtype):
    """Floats (Python or weakly typed) become `dtype` arrays; strongly typed arrays and ints stay."""
    if isinstance(x, jax.Array) and not getattr(x, "weak_type", False):
        return x
    current_dtype = x.dtype if hasattr(x, "dtype") else type(x)
    if jnp.issubdtype(current_dtype, jnp.floating):
        return jnp.asarray(x, dtype=dtype)
    return x


def _highest_dtype(params: Any):
    """The widest dtype among the leaves (float32 for an empty tree), as `optax.tree.dtype(t, 'highest')`."""
    dtypes = [jnp.asarray(x).dtype for x in tree.leaves(params)]
    if not dtypes:
        return jnp.asarray([]).dtype

    def higher(d1, d2):
        promoted = jnp.promote_types(d1, d2)
        if promoted not in (d1, d2):
            raise ValueError(
                f"{where('inject_hyperparams')}: params mix {d1} and {d2}, neither of "
                "which promotes to the other; pass hyperparam_dtype"
            )
        return promoted

    return functools.reduce(higher, dtypes)


@named
def inject_hyperparams(
    inner_factory: Callable[..., GradientTransformation], static_args: str | Iterable[str] = (), hyperparam_dtype=None
) -> Callable[..., GradientTransformation]:
    """Wrap a factory so that its numeric arguments live in the state and may be schedules.

    Each argument of `inner_factory` is sorted once, when the wrapped factory is called:
      - in `static_args`, or a bool, or not a number: fixed, passed as given;
      - a `StatefulSchedule`, or any other callable: a schedule, evaluated each step;
      - a number or array: stored in `state.hyperparams`, may be overwritten there.

    Args:
      inner_factory: a function returning a `GradientTransformation`, e.g. `sgd`, `adam`.
      static_args: names of arguments never to treat as schedules (e.g. a callable that is not
        a schedule).
      hyperparam_dtype: the dtype of float hyperparameters; None for the params' widest dtype.

    Returns:
      A function with `inner_factory`'s signature returning a `GradientTransformation` with
      state `InjectStatefulHyperparamsState(count, hyperparams, hyperparams_states, inner_state)`.

    Counterpart: `optax.inject_hyperparams` (optax/schedules/_inject.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.inject_hyperparams(optim.sgd)(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> state.hyperparams['learning_rate'] = jnp.array(0.01)  # a new rate, same optimizer and state
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(u, 4) for u in updates['w'].tolist()]
      [-0.005, 0.005]
    """
    w = where("inject_hyperparams")
    check_callable(w, "inner_factory", inner_factory, "pass the optimizer's factory uncalled, e.g. purejax.optim.adam")
    if not isinstance(static_args, str) and not (
        isinstance(static_args, (list, tuple, set, frozenset)) and all(isinstance(a, str) for a in static_args)
    ):
        raise TypeError(
            f"{w}: static_args must be an argument name or a list of them, got {describe(static_args)}; "
            "e.g. static_args=('min_dim_size_to_factor',)"
        )
    check_dtype(w, "hyperparam_dtype", hyperparam_dtype, optional=True)
    static_args = {static_args} if isinstance(static_args, str) else set(static_args)
    inner_signature = inspect.signature(inner_factory)
    if not static_args.issubset(inner_signature.parameters):
        raise ValueError(
            f"{w}: static_args must name parameters of inner_factory; "
            f"got {sorted(static_args)}, inner_factory takes {list(inner_signature.parameters)}"
        )

    @functools.wraps(inner_factory)
    def wrapped_transform(*args, **kwargs) -> GradientTransformation:
        bound_arguments = inner_signature.bind(*args, **kwargs)
        bound_arguments.apply_defaults()

        sched_hps, numeric_hps, other_hps = {}, {}, {}
        for name, value in bound_arguments.arguments.items():
            if name in static_args or isinstance(value, bool):
                other_hps[name] = value
            elif isinstance(value, StatefulSchedule):
                sched_hps[name] = value
            elif callable(value):
                sched_hps[name] = WrappedSchedule(value)
            elif isinstance(value, (int, float, jax.Array, np.ndarray)):
                numeric_hps[name] = value
            else:
                other_hps[name] = value

        def init_fn(params):
            dtype = _highest_dtype(params) if hyperparam_dtype is None else hyperparam_dtype
            hparams = {k: jnp.asarray(_convert_floats(v, dtype)) for k, v in numeric_hps.items()}
            hparams_states = {k: f.init() for k, f in sched_hps.items()}
            hparams.update({k: _convert_floats(f(hparams_states[k]), dtype) for k, f in sched_hps.items()})
            return InjectStatefulHyperparamsState(
                count=jnp.zeros([], jnp.int32),
                hyperparams=hparams,
                hyperparams_states=hparams_states,
                inner_state=inner_factory(**other_hps, **hparams).init(params),
            )

        def update_fn(updates, state, params=None):
            check_state("inject_hyperparams", state, InjectStatefulHyperparamsState)
            dtype = _highest_dtype(params) if hyperparam_dtype is None else hyperparam_dtype
            hparams = {k: _convert_floats(v, dtype) for k, v in state.hyperparams.items()}
            # scheduled values at this step, then each schedule's state one step on
            hparams.update({k: _convert_floats(f(state.hyperparams_states[k]), dtype) for k, f in sched_hps.items()})
            hyperparams_states = {k: f.update(state.hyperparams_states[k]) for k, f in sched_hps.items()}
            updates, inner_state = inner_factory(**other_hps, **hparams).update(updates, state.inner_state, params)
            return updates, InjectStatefulHyperparamsState(
                count=safe_increment(state.count),
                hyperparams=hparams,
                hyperparams_states=hyperparams_states,
                inner_state=inner_state,
            )

        return GradientTransformation(init_fn, update_fn)

    return wrapped_transform
