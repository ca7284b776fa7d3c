"""Training: `TrainState` (Flax's, with optional `batch_stats`) and jitted train and eval steps."""

from purejax.train.state import TrainState
from purejax.train.steps import average_metrics, make_eval_step, make_train_step, model_variables

__all__ = ["TrainState", "average_metrics", "make_eval_step", "make_train_step", "model_variables"]
