"""Training the NNX way: `nnx.Optimizer`, `nnx.value_and_grad`, `nnx.jit`, the model updated in place.

    model = MODULE.from_variables(variables)                     # or MODULE.build(rngs=nnx.Rngs(seed))
    optimizer = nnx.Optimizer(model, MODULE.optimizer(lr), wrt=nnx.Param)
    step = make_train_step(MODULE.loss)
    metrics = step(model, optimizer, batch, key)                 # model and optimizer change in place

`nnx.value_and_grad` differentiates with respect to the model's `nnx.Param`s; BatchNorm's
running averages (`nnx.BatchStat`) change during the forward pass and `nnx.jit` carries that
change out of the compiled step. purejax and linen do the same with pure functions:
`state' = state.apply_gradients(grads)` and `batch_stats` returned from `apply(mutable=...)`
(`purejax/train/steps.py`); `nnx.split`/`nnx.merge` is where the two meet: a model is a
`graphdef` (its structure) plus a `State` of arrays, and NNX's transforms split it on the way in
and merge it on the way out.

Counterpart: `purejax/train/steps.py` (`make_train_step`) and `flaxed/train.py` (linen's
`TrainState`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from flax import nnx


def create(module: ModuleType, variables, learning_rate: float, **hparams) -> tuple[nnx.Module, nnx.Optimizer]:
    """`(model, optimizer)`: `module.from_variables(variables, **hparams)` and an `nnx.Optimizer` on its params."""
    model = module.from_variables(variables, **hparams)
    return model, nnx.Optimizer(model, module.optimizer(learning_rate), wrt=nnx.Param)


class Trainer:
    """A model module's NNX model, its `nnx.Optimizer` and its step, with the variables in linen's layout.

    `trainer.step(batch, key) -> metrics` trains in place; `trainer.params` and
    `trainer.batch_stats` (None without BatchNorm) read the model through `module.to_variables`,
    so `purejax.train.model_variables(trainer)` and the evaluation steps take it like a `TrainState`.
    """

    def __init__(self, module: ModuleType, variables, learning_rate: float, **hparams):
        self.module = module
        self.model, self.optimizer = create(module, variables, learning_rate, **hparams)
        self.train_step = make_train_step(module.loss)

    def step(self, batch, key) -> dict:
        """One `nnx.jit` step on `batch`; the metrics as `purejax.train.make_train_step` returns them."""
        return self.train_step(self.model, self.optimizer, batch, key)

    @property
    def params(self):
        return self.module.to_variables(self.model)["params"]

    @property
    def batch_stats(self):
        return self.module.to_variables(self.model).get("batch_stats")


def make_train_step(loss: Callable) -> Callable:
    """`train_step(model, optimizer, batch, key) -> metrics`, jitted with `nnx.jit`, updating in place.

    Args:
      loss: `loss(model, batch, key, train) -> (loss, metrics)`, a model module's `loss`.

    Returns:
      The step; its metrics are `{'loss': ..., **metrics}`, as `purejax.train.make_train_step`'s.
    """

    @nnx.jit
    def train_step(model, optimizer, batch, key):
        def objective(model):
            return loss(model, batch, key, True)

        (value, metrics), grads = nnx.value_and_grad(objective, has_aux=True)(model)  # grads: the nnx.Params'
        optimizer.update(model, grads)  # params -= the optimizer's updates, in place
        return {"loss": value, **metrics}

    return train_step


__all__ = ["Trainer", "create", "make_train_step"]
