"""A jitted train step and eval step for any model that has a `loss_fn`, and per-epoch averages.

Every model (`purejax/models/*.py`, `flaxed/models/*.py`) defines

    loss_fn(variables, batch, key, train=True) -> (loss, metrics)

with `metrics` a dict of scalars; with `train=True`, a model with BatchNorm also returns its new
running statistics as `metrics['batch_stats']`. From that one function:

    (loss, metrics), grads = value_and_grad(loss_fn, has_aux=True)(params)   # w.r.t. params only
    state' = state.apply_gradients(grads=grads, batch_stats=metrics.pop('batch_stats'))

The steps are plain JAX (`value_and_grad`, `jit`), so flaxed's models use them as they are, with
Flax's `TrainState`.

Counterpart: the `train_step` / `eval_step` functions of Flax's examples (e.g. examples/mnist/train.py).

What `loss_fn` returns is checked while the step is traced (its Python structure, shapes and
dtypes, never its values, so a jitted step runs exactly as before): `(loss, metrics)` with a
scalar floating `loss` and a dict of scalar metrics. A vector loss (forgot `.mean()`), a bare
loss without metrics, or `(metrics, loss)` the wrong way round each get an error that says so,
instead of JAX's message about `has_aux` or non-scalar outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

import purejax.random
from purejax.checks import check_bool, check_callable, describe, fail


def _check_loss_output(where: str, out: Any) -> tuple[Any, Mapping]:
    """`out` as `(loss, metrics)`: a scalar floating loss and a mapping of scalar metrics (static checks)."""
    write = "return loss, {'accuracy': ...} (or loss, {} with no metrics)"
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        got = describe(out) if not isinstance(out, (tuple, list)) else f"a {type(out).__name__} of {len(out)}"
        raise TypeError(f"{where}: loss_fn must return a pair (loss, metrics), got {got}; {write}")
    loss, metrics = out
    if isinstance(loss, Mapping):
        raise TypeError(f"{where}: loss_fn must return (loss, metrics) in that order, got (dict, ...); {write}")
    if not hasattr(loss, "shape") and not isinstance(loss, float):
        raise fail(TypeError, where, "the loss loss_fn returns", "a scalar array", loss, write)
    if jnp.shape(loss) != ():
        raise ValueError(
            f"{where}: the loss loss_fn returns must be a scalar (shape []), got shape {list(jnp.shape(loss))}; "
            "reduce it over the batch, e.g. loss.mean()"
        )
    if not jnp.issubdtype(jnp.result_type(loss), jnp.floating):
        raise TypeError(f"{where}: the loss loss_fn returns must be floating, got {jnp.result_type(loss)}")
    if not isinstance(metrics, Mapping):
        raise fail(TypeError, where, "the metrics loss_fn returns", "a dict of scalars", metrics, write)
    for name, value in metrics.items():
        if name != "batch_stats" and jnp.shape(value) != ():
            raise ValueError(
                f"{where}: metrics[{name!r}] from loss_fn must be a scalar, got shape {list(jnp.shape(value))}; "
                "reduce it over the batch"
            )
    return loss, metrics


def model_variables(state, params=None) -> dict:
    """`{'params': ...}` plus `'batch_stats'` when the state (ours or Flax's subclass) holds them."""
    if not hasattr(state, "params"):
        raise fail(
            TypeError,
            "purejax.train.model_variables",
            "state",
            "a TrainState (with .params)",
            state,
            "make one with TrainState.create(apply_fn=..., params=..., tx=...)",
        )
    variables = {"params": state.params if params is None else params}
    if getattr(state, "batch_stats", None) is not None:
        variables["batch_stats"] = state.batch_stats
    return variables


def make_train_step(
    loss_fn: Callable, *, jit: bool = True, donate: bool = False, axis_name: str | None = None
) -> Callable:
    """`train_step(state, batch, key) -> (state', metrics)`: one gradient step on `batch`.

    Args:
      loss_fn: `(variables, batch, key, train=True) -> (loss, metrics)`.
      jit: compile the step (default True).
      donate: let XLA reuse the old state's buffers for the new state (`donate_argnums=0`);
        the state passed in must not be used again.
      axis_name: for one device's step under `pmap` (or `vmap`) over this axis: the device draws
        its randomness from `fold_in(key, device index)`, and the gradients and metrics are
        averaged over the devices (`lax.pmean`) before the update, so every copy stays equal.

    Returns:
      The step; `metrics` holds `'loss'` and the model's metrics, as device scalars.
    """
    where = "purejax.train.make_train_step"
    check_callable(where, "loss_fn", loss_fn, "pass loss_fn(variables, batch, key, train=True) -> (loss, metrics)")
    check_bool(where, "jit", jit)
    check_bool(where, "donate", donate)
    if axis_name is not None and not isinstance(axis_name, str):
        raise fail(TypeError, where, "axis_name", "a str (the pmap/vmap axis) or None", axis_name)

    def train_step(state, batch, key):
        if not callable(getattr(state, "apply_gradients", None)):
            raise fail(TypeError, f"{where} step", "state", "a TrainState", state, "use TrainState.create(...)")
        if axis_name is not None:
            key = purejax.random.fold_in(key, lax.axis_index(axis_name))  # each device its own randomness

        def objective(params):
            return _check_loss_output(where, loss_fn(model_variables(state, params), batch, key, train=True))

        (loss, metrics), grads = jax.value_and_grad(objective, has_aux=True)(state.params)
        metrics = dict(metrics)
        changes = {}
        if "batch_stats" in metrics:
            changes["batch_stats"] = metrics.pop("batch_stats")
        if axis_name is not None:
            grads = lax.pmean(grads, axis_name)  # the full batch's gradient
            loss, metrics = lax.pmean((loss, metrics), axis_name)
        return state.apply_gradients(grads=grads, **changes), {"loss": loss, **metrics}

    return jax.jit(train_step, donate_argnums=0 if donate else ()) if jit else train_step


def make_eval_step(loss_fn: Callable, *, jit: bool = True) -> Callable:
    """`eval_step(state, batch, key) -> metrics`: the loss and metrics with `train=False`."""
    where = "purejax.train.make_eval_step"
    check_callable(where, "loss_fn", loss_fn, "pass loss_fn(variables, batch, key, train=True) -> (loss, metrics)")
    check_bool(where, "jit", jit)

    def eval_step(state, batch, key):
        loss, metrics = _check_loss_output(where, loss_fn(model_variables(state), batch, key, train=False))
        metrics = {k: v for k, v in dict(metrics).items() if k != "batch_stats"}
        return {"loss": loss, **metrics}

    return jax.jit(eval_step) if jit else eval_step


def average_metrics(history: list[dict], weights=None) -> dict:
    """The mean of each metric over a list of per-batch metrics (weighted by `weights` if given).

    Every batch must report the same metrics, each a scalar. `weights` (e.g. the batch sizes) must
    be finite, non-negative and not all zero: a mean over no weight is 0 / 0, which is refused
    rather than returned as NaN.
    """
    where = "purejax.train.average_metrics"
    if not isinstance(history, (list, tuple)):
        raise fail(TypeError, where, "history", "a list of per-batch metric dicts", history)
    if not history:
        return {}
    for i, metrics in enumerate(history):
        if not isinstance(metrics, Mapping):
            raise fail(TypeError, where, f"history[{i}]", "a dict of metrics", metrics)
        if set(metrics) != set(history[0]):
            missing, extra = sorted(set(history[0]) - set(metrics)), sorted(set(metrics) - set(history[0]))
            raise ValueError(
                f"{where}: history[{i}] must report the same metrics as history[0] {sorted(history[0])}, "
                f"but it lacks {missing} and adds {extra}"
            )
        for name, value in metrics.items():
            if isinstance(value, (str, bytes)) or np.size(value) != 1:
                raise fail(TypeError, where, f"history[{i}][{name!r}]", "a scalar", value)
    if weights is not None and (
        isinstance(weights, (str, bytes)) or not np.issubdtype(np.asarray(weights).dtype, np.number)
    ):
        raise fail(TypeError, where, "weights", "a list of numbers, one per batch", weights)
    weights = np.ones(len(history)) if weights is None else np.asarray(weights, np.float64)
    if weights.shape != (len(history),):
        raise ValueError(
            f"{where}: weights must hold one weight per batch ({len(history)}), got shape {list(weights.shape)}"
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not np.sum(weights) > 0:
        raise ValueError(
            f"{where}: weights must be finite, non-negative and not all zero, got {weights.tolist()}; "
            "a mean over a total weight of 0 is undefined (pass the batch sizes)"
        )
    return {
        name: float(np.sum([float(m[name]) * w for m, w in zip(history, weights, strict=True)]) / np.sum(weights))
        for name in history[0]
    }
