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
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import numpy as np
from jax import lax

import purejax.random


def model_variables(state, params=None) -> dict:
    """`{'params': ...}` plus `'batch_stats'` when the state (ours or Flax's subclass) holds them."""
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

    def train_step(state, batch, key):
        if axis_name is not None:
            key = purejax.random.fold_in(key, lax.axis_index(axis_name))  # each device its own randomness

        def objective(params):
            return loss_fn(model_variables(state, params), batch, key, train=True)

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

    def eval_step(state, batch, key):
        loss, metrics = loss_fn(model_variables(state), batch, key, train=False)
        metrics = {k: v for k, v in dict(metrics).items() if k != "batch_stats"}
        return {"loss": loss, **metrics}

    return jax.jit(eval_step) if jit else eval_step


def average_metrics(history: list[dict], weights=None) -> dict:
    """The mean of each metric over a list of per-batch metrics (weighted by `weights` if given)."""
    if not history:
        return {}
    weights = np.ones(len(history)) if weights is None else np.asarray(weights, np.float64)
    if weights.shape != (len(history),):
        raise ValueError(f"average_metrics: one weight per batch needed ({len(history)}), got {weights.shape[0]}")
    return {
        name: float(np.sum([float(m[name]) * w for m, w in zip(history, weights, strict=True)]) / np.sum(weights))
        for name in history[0]
    }
