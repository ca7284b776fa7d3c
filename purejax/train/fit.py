"""`fit`, `evaluate`, `predict`: a Keras-style training loop around any model's `loss_fn`.

    state, history = fit(state, loss_fn, train, key=key, batch_size=64, epochs=10,
                         validation_data=test, callbacks=[EarlyStopping(patience=2)])
    metrics = evaluate(state, loss_fn, test, key=key)          # {'loss': ..., 'accuracy': ...}
    logits = predict(state, apply, test['image'])              # apply(variables, x_batch) -> outputs

The loop, in full (what `fit` does besides calling the callbacks' hooks):

    k_shuffle, k_step, k_eval = split(key, 3)
    for epoch in range(initial_epoch, epochs):
        for batch in batches(train, fold_in(k_shuffle, epoch)):          # a new order each epoch
            state, metrics = train_step(state, batch, fold_in(k_step, state.step))
        logs = means of the epoch's metrics  +  val_ means of evaluate(validation_data)
        history.on_epoch_end(epoch, logs)

`loss_fn(variables, batch, key, train=True) -> (loss, metrics)` is the contract every model in
`purejax/models/` and `flaxed/models/` keeps, and `state` a `purejax.train.TrainState` or Flax's
(`flaxed.train.TrainState`, with an Optax `tx`): the steps are `make_train_step`/`make_eval_step`.
Every key derives from `key`, the epoch and the state's step count, so a run resumed from a
`ModelCheckpoint` takes the same steps as one that never stopped.

Data: a dict of arrays with one leading axis (`{'image': [n, 8, 8, 1], 'label': [n]}`), cut into
batches of `batch_size` (shuffled each epoch with `shuffle`; the last batch may be short), or a
callable `epoch -> iterable of batches` (e.g. `lambda epoch: model.train_batches(key, 64)`, with
`steps_per_epoch` for an endless one).

Counterpart: `keras.Model.fit` / `evaluate` / `predict` (keras/src/trainers/trainer.py,
keras/src/backend/jax/trainer.py) and Elegy's `Model.fit` (elegy/model/model_core.py), which
copies Keras's. Keras and Elegy hold the weights inside a `Model` object that `fit` mutates and
returns a `History`; Keras's JAX backend threads the weights through a jitted step as here.

References: François Chollet et al., *Keras: the `fit` method and callbacks*,
https://keras.io/api/models/model_training_apis/; Cristian Garcia et al., *Elegy*,
https://github.com/poets-ai/elegy.

Differences:
  Functional: `fit` takes and returns the `TrainState` (`state, history = fit(state, ...)`); Keras's
  `fit(x, y, ...)` mutates the model and returns the History. The data are one dict the
  `loss_fn` reads (inputs and labels together) rather than `x` and `y`; the loss and metrics are
  `loss_fn`'s, not `compile(loss=..., metrics=[...])`. `key` is required (shuffling and each step's
  randomness). Epoch metrics are means weighted by batch size, as Keras's. `history=` continues a
  History (initial_epoch is then its length), where Keras takes `initial_epoch` alone.
  `verbose` is 0 or 1 (1 adds a `ProgbarLogger`). No `class_weight`, `sample_weight`,
  `validation_split` or `validation_freq`; `predict` takes the forward function as an argument.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

import purejax.random
from purejax import tree
from purejax.checks import check_bool, check_callable, check_int, check_key, check_optional_int, describe, fail
from purejax.train.callbacks import Callback, History, ProgbarLogger
from purejax.train.steps import average_metrics, make_eval_step, make_train_step, model_variables


class FitRun:
    """What a callback sees as `self.model`: the run's state, history and stop flag.

    Attributes:
      state: the current `TrainState`; a callback may replace it (e.g. restoring the best weights).
      stop_training: set True to stop after the current epoch (Keras's `model.stop_training`).
      history: the `History`, earlier epochs of a resumed run included.
      epochs: the last epoch + 1 (`fit`'s `epochs`).
      steps_per_epoch: batches per epoch, or None when the data do not say.
    """

    def __init__(self, state, history: History, epochs: int, steps_per_epoch: int | None):
        self.state, self.history, self.epochs, self.steps_per_epoch = state, history, epochs, steps_per_epoch
        self.stop_training = False


def _check_data(where: str, name: str, data: Any) -> Any:
    """A callable, or a dict of arrays sharing their leading axis (checked here, before any step)."""
    if callable(data):
        return data
    if not isinstance(data, Mapping) or not data:
        raise fail(
            TypeError,
            where,
            name,
            "a dict of arrays such as {'image': [n, ...], 'label': [n]}, or a callable epoch -> batches",
            data,
            "Keras's fit(x, y) is fit(state, loss_fn, {'image': x, 'label': y}, ...) here",
        )
    sizes = {k: np.shape(v)[0] if np.ndim(v) else None for k, v in data.items()}
    if None in sizes.values() or len(set(sizes.values())) != 1:
        raise ValueError(f"{where}: every array of {name} needs the same leading (example) axis, got {sizes}")
    return data


def _size(data: Mapping) -> int:
    return int(np.shape(next(iter(data.values())))[0])


def _batches(data: Mapping, batch_size: int, order=None) -> Iterable[dict]:
    """`data` cut into batches of `batch_size` along the leading axis, in `order` if given (the last may be short)."""
    n = _size(data)
    index = np.arange(n) if order is None else np.asarray(order)  # [n]
    for start in range(0, n, batch_size):
        rows = index[start : start + batch_size]  # [batch]
        yield {k: np.asarray(v)[rows] for k, v in data.items()}


def _batch_size_of(batch: Mapping) -> int:
    leaves = tree.leaves(batch)
    return int(np.shape(leaves[0])[0]) if leaves and np.ndim(leaves[0]) else 1


@functools.lru_cache(maxsize=16)
def _steps(loss_fn: Callable) -> tuple[Callable, Callable]:
    """The jitted train and eval steps of `loss_fn`, made once: fitting again does not compile again."""
    return make_train_step(loss_fn), make_eval_step(loss_fn)


def evaluate(state, loss_fn: Callable, data, *, key, batch_size: int = 32) -> dict:
    """The loss and metrics of `loss_fn(..., train=False)` over `data`, means weighted by batch size.

    Args:
      state: a `TrainState` (purejax's or Flax's).
      loss_fn: `(variables, batch, key, train) -> (loss, metrics)`.
      data: a dict of arrays `[n, ...]` (batched in order), or a callable `() -> iterable of batches`.
      key: passed to every batch's `loss_fn` (models without randomness at test time ignore it).
      batch_size: examples per batch for a dict.

    Returns:
      `{'loss': float, **metrics}`.

    Counterpart: `keras.Model.evaluate(x, y, batch_size, return_dict=True)`.
    """
    where = "purejax.train.evaluate"
    check_key(where, "key", key)
    batch_size = check_int(where, "batch_size", batch_size, minimum=1)
    data = _check_data(where, "data", data)
    step = _steps(loss_fn)[1]
    history, sizes = [], []
    batches = cast(Iterable[dict], data()) if callable(data) else _batches(data, batch_size)
    for batch in batches:
        history.append(jax.device_get(step(state, batch, key)))
        sizes.append(_batch_size_of(batch))
    if not history:
        raise ValueError(f"{where}: data gave no batches")
    return average_metrics(history, sizes)


def predict(state, apply: Callable, x, *, batch_size: int = 32):
    """`apply(variables, x_batch)` over `x` in batches, the outputs concatenated along the first axis.

    Args:
      state: a `TrainState`; its `params` (and `batch_stats`) are the variables.
      apply: `(variables, x_batch) -> outputs` (any pytree of `[batch, ...]` arrays), e.g.
        `lambda v, x: model.build().apply(v, x)`; it is jitted here.
      x: an array `[n, ...]` or a dict of them.
      batch_size: examples per call.

    Returns:
      `apply`'s outputs for all `n` examples, `[n, ...]` each.

    Counterpart: `keras.Model.predict(x, batch_size)`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> from purejax.train import TrainState, predict
      >>> state = TrainState.create(apply_fn=None, params={'w': jnp.float32(2.0)}, tx=optim.sgd(0.1))
      >>> predict(state, lambda v, x: v['params']['w'] * x, jnp.arange(5.0), batch_size=2).tolist()
      [0.0, 2.0, 4.0, 6.0, 8.0]
    """
    where = "purejax.train.predict"
    check_callable(where, "apply", apply, "pass apply(variables, x_batch) -> outputs, e.g. model.apply")
    batch_size = check_int(where, "batch_size", batch_size, minimum=1)
    data = _check_data(where, "x", x if isinstance(x, Mapping) else {"x": x})
    step = jax.jit(apply)
    variables = model_variables(state)
    outputs = [step(variables, batch if isinstance(x, Mapping) else batch["x"]) for batch in _batches(data, batch_size)]
    return tree.map(lambda *parts: jnp.concatenate(parts, axis=0), *outputs)


def fit(
    state,
    loss_fn: Callable,
    data,
    *,
    key,
    batch_size: int = 32,
    epochs: int = 1,
    steps_per_epoch: int | None = None,
    validation_data=None,
    validation_batch_size: int | None = None,
    shuffle: bool = True,
    callbacks: Iterable[Callback] = (),
    verbose: int = 0,
    history: History | None = None,
    initial_epoch: int | None = None,
):
    """Train `state` on `data` for `epochs` epochs; returns `(state, history)`.

    Args:
      state: a `TrainState` (purejax's or Flax's) with the model's `params` and optimizer `tx`.
      loss_fn: `(variables, batch, key, train=True) -> (loss, metrics)`, a model's `loss_fn`.
      data: a dict of arrays `[n, ...]`, or a callable `epoch -> iterable of batches`.
      key: the root key: shuffling, every step's key (`fold_in(k_step, state.step)`) and evaluation.
      batch_size: examples per step for a dict of arrays.
      epochs: train until this epoch (counted from 0, so `epochs - initial_epoch` epochs run).
      steps_per_epoch: stop each epoch after this many batches (required for an endless callable).
      validation_data: evaluated after each epoch into `val_` metrics; a dict or a callable `() -> batches`.
      validation_batch_size: batch size for `validation_data` (default `batch_size`).
      shuffle: reorder a dict's examples each epoch (with `fold_in(k_shuffle, epoch)`).
      callbacks: `Callback` objects; their hooks run in this order, then the `History`'s.
      verbose: 1 adds a `ProgbarLogger` (a text line per epoch), 0 is silent.
      history: a `History` to continue (from `ModelCheckpoint.restore`); training starts at the
        epoch after its last.
      initial_epoch: the first epoch's number (default: the history's length, or 0).

    Returns:
      `(state, history)`: the trained state (after callbacks such as `EarlyStopping` with
      `restore_best_weights` have replaced it) and the `History` of every epoch's means.

    Examples:
      >>> import jax.numpy as jnp
      >>> import numpy as np
      >>> import purejax.random
      >>> from purejax import optim
      >>> from purejax.train import EarlyStopping, TrainState, fit
      >>> def loss_fn(variables, batch, key, train=True):  # y = w x, fitted to y = 3 x
      ...     error = batch['x'] * variables['params']['w'] - batch['y']
      ...     return jnp.mean(error**2), {}
      >>> x = np.linspace(-1, 1, 8, dtype=np.float32)
      >>> state = TrainState.create(apply_fn=None, params={'w': jnp.float32(0.0)}, tx=optim.sgd(0.5))
      >>> stop = EarlyStopping(monitor='loss', min_delta=1e-6)  # no validation data: watch the training loss
      >>> state, history = fit(state, loss_fn, {'x': x, 'y': 3 * x}, key=purejax.random.PRNGKey(0),
      ...                      batch_size=4, epochs=50, callbacks=[stop])
      >>> round(float(state.params['w']), 3), int(state.step), history.epoch[-1] == stop.stopped_epoch
      (3.0, 16, True)
    """
    where = "purejax.train.fit"
    check_callable(where, "loss_fn", loss_fn, "pass a model's loss_fn(variables, batch, key, train=True)")
    check_key(where, "key", key)
    batch_size = check_int(where, "batch_size", batch_size, minimum=1)
    epochs = check_int(where, "epochs", epochs, minimum=1)
    steps_per_epoch = check_optional_int(where, "steps_per_epoch", steps_per_epoch, minimum=1)
    data = _check_data(where, "data", data)
    if validation_data is not None:
        validation_data = _check_data(where, "validation_data", validation_data)
    validation_batch_size = check_optional_int(where, "validation_batch_size", validation_batch_size, minimum=1)
    check_bool(where, "shuffle", shuffle)
    verbose = check_int(where, "verbose", verbose, minimum=0)
    if history is not None and not isinstance(history, History):
        raise fail(TypeError, where, "history", "a purejax.train.History (or None)", history)
    history = history if history is not None else History()
    if initial_epoch is None:
        initial_epoch = len(history.epoch)
    initial_epoch = check_int(where, "initial_epoch", initial_epoch, minimum=0)
    if history.epoch and initial_epoch != len(history.epoch):
        raise ValueError(
            f"{where}: initial_epoch {initial_epoch} must follow the {len(history.epoch)} epochs of history; "
            "leave initial_epoch out to continue it"
        )
    callbacks = list(callbacks)
    for i, callback in enumerate(callbacks):
        if not isinstance(callback, Callback):
            raise fail(TypeError, where, f"callbacks[{i}]", "a purejax.train.Callback", callback)
    if verbose:
        callbacks.append(ProgbarLogger())
    steps = steps_per_epoch  # per epoch, for the callbacks: None when a callable does not say
    if not callable(data):
        steps = math.ceil(_size(data) / batch_size)
        steps = steps if steps_per_epoch is None else min(steps, steps_per_epoch)

    run = FitRun(state, history, epochs, steps)
    hooks = [*callbacks, history]  # Keras's order: the History records what the others added
    for callback in hooks:
        callback.set_model(run)
    train_step = _steps(loss_fn)[0]
    k_shuffle, k_step, k_eval = purejax.random.split(key, 3)
    for callback in hooks:
        callback.on_train_begin()
    logs: dict = {}
    for epoch in range(initial_epoch, epochs):
        for callback in hooks:
            callback.on_epoch_begin(epoch)
        batches: Iterable[dict]
        if callable(data):
            batches = cast(Iterable[dict], data(epoch))
        else:
            order = None
            if shuffle:
                order = np.asarray(purejax.random.permutation(purejax.random.fold_in(k_shuffle, epoch), _size(data)))
            batches = _batches(data, batch_size, order)
        metrics, sizes = [], []
        for i, batch in enumerate(batches):
            if steps_per_epoch is not None and i >= steps_per_epoch:
                break
            for callback in hooks:
                callback.on_train_batch_begin(i)
            step_key = purejax.random.fold_in(k_step, run.state.step)
            run.state, batch_metrics = train_step(run.state, batch, step_key)
            batch_logs = {k: float(v) for k, v in batch_metrics.items()}  # waits for the step
            metrics.append(batch_logs)
            sizes.append(_batch_size_of(batch))
            for callback in hooks:
                callback.on_train_batch_end(i, batch_logs)
        if not metrics:
            raise ValueError(f"{where}: epoch {epoch}: data gave no batches ({describe(data)})")
        logs = average_metrics(metrics, sizes)
        if validation_data is not None:
            val = evaluate(
                run.state,
                loss_fn,
                validation_data,
                key=k_eval,
                batch_size=validation_batch_size or batch_size,
            )
            logs.update({f"val_{k}": v for k, v in val.items()})
        for callback in hooks:
            callback.on_epoch_end(epoch, logs)
        if run.stop_training:
            break
    for callback in hooks:
        callback.on_train_end(logs)
    return run.state, history
