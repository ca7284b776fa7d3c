"""Training: `TrainState` (Flax's, with optional `batch_stats`), jitted steps, and a Keras-style `fit`.

state       TrainState: step, params, tx, opt_state (and batch_stats) in one pytree
steps       make_train_step, make_eval_step, model_variables, average_metrics
callbacks   Callback, History, EarlyStopping, ModelCheckpoint, CSVLogger, JSONLogger, ProgbarLogger
fit         fit, evaluate, predict: the loop around a model's loss_fn, calling the callbacks
"""

from purejax.train.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    JSONLogger,
    ModelCheckpoint,
    ProgbarLogger,
)
from purejax.train.fit import FitRun, evaluate, fit, predict
from purejax.train.state import TrainState
from purejax.train.steps import average_metrics, make_eval_step, make_train_step, model_variables

__all__ = [
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "FitRun",
    "History",
    "JSONLogger",
    "ModelCheckpoint",
    "ProgbarLogger",
    "TrainState",
    "average_metrics",
    "evaluate",
    "fit",
    "make_eval_step",
    "make_train_step",
    "model_variables",
    "predict",
]
