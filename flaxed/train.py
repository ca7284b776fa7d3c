"""Flax's `TrainState` with BatchNorm statistics, and the same train and eval steps as purejax.

Counterpart of `purejax/train/`. The steps (`make_train_step`, `make_eval_step`) are plain JAX
(`value_and_grad` and `jit` around the model's `loss_fn`), so both packages share them; what
differs is the state class: Flax's `TrainState`, subclassed as Flax's examples do.
"""

from __future__ import annotations

from typing import Any

from flax.training import train_state

from purejax.train.steps import average_metrics, make_eval_step, make_train_step, model_variables


class TrainState(train_state.TrainState):
    """`flax.training.train_state.TrainState` plus the 'batch_stats' collection (None without BatchNorm)."""

    batch_stats: Any = None


__all__ = ["TrainState", "average_metrics", "make_eval_step", "make_train_step", "model_variables"]
