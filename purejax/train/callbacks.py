"""Callbacks for `purejax.train.fit`: Keras's hooks, and the callbacks its users reach for first.

    class Callback:                           # override any of the hooks
        on_train_begin(logs) / on_train_end(logs)
        on_epoch_begin(epoch, logs) / on_epoch_end(epoch, logs)       # logs: the epoch's metrics
        on_train_batch_begin(batch, logs) / on_train_batch_end(batch, logs)

    History            every epoch's logs, `history.history['val_loss'][epoch]` (fit returns it)
    EarlyStopping      stop when `monitor` has not improved by `min_delta` for `patience` epochs
    ModelCheckpoint    save state and history to a `CheckpointManager` each epoch (or only the best)
    CSVLogger          one CSV row per epoch; JSONLogger: the whole history as one JSON file
    ProgbarLogger      a plain text progress line per epoch (`fit(..., verbose=1)` adds it)

A callback sees the run through `self.model`, as in Keras: `self.model.state` is the current
`TrainState` (a callback may replace it), `self.model.stop_training = True` ends the run after
the epoch, `self.model.history` is the `History` so far (earlier epochs included when resuming).

Counterpart: `keras.callbacks` (keras/src/callbacks/: `callback.py`, `history.py`,
`early_stopping.py`, `model_checkpoint.py`, `csv_logger.py`, `progbar_logger.py`) and
`elegy.callbacks`, which copies Keras's.

Differences:
  The weights are `self.model.state`, an immutable `TrainState` that callbacks replace, where
  Keras's callbacks call `model.get_weights()` / `set_weights()`. `ModelCheckpoint` writes
  numbered checkpoints (`DIRECTORY/EPOCH.npz`, EPOCH counting completed epochs) of
  `{'state', 'history'}` through `purejax.checkpoint.CheckpointManager`, where Keras formats a
  file name per epoch and saves the model alone; `ModelCheckpoint.restore` reads one back to
  resume. No `on_test_*` / `on_predict_*` hooks, no `save_freq` in steps, no `BackupAndRestore`
  (resuming is `ModelCheckpoint.restore`). `JSONLogger` has no Keras counterpart (Keras writes JSON
  through a `LambdaCallback`).
"""

from __future__ import annotations

import csv
import json
import math
import os
import sys
import time
from typing import Any, cast

import numpy as np

from purejax.checkpoint.manager import CheckpointManager
from purejax.checks import check_bool, check_choice, check_int, check_number, check_path, fail


class Callback:
    """The hooks `fit` calls, each doing nothing; subclass it and override the ones you need.

    `fit` calls `set_model(run)` first; `self.model` is then the running fit (`state`,
    `stop_training`, `history`, `epochs`, `steps_per_epoch`). `logs` is a dict of floats: at an
    epoch's end its training means (`loss`, ...) and validation means (`val_loss`, ...); at a
    batch's end that batch's metrics.

    Counterpart: `keras.callbacks.Callback` (keras/src/callbacks/callback.py).
    """

    model: Any = None

    def set_model(self, model) -> None:
        self.model = model

    def on_train_begin(self, logs=None) -> None: ...

    def on_train_end(self, logs=None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs=None) -> None: ...

    def on_epoch_end(self, epoch: int, logs=None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs=None) -> None: ...

    def on_train_batch_end(self, batch: int, logs=None) -> None: ...


class History(Callback):
    """Every epoch's logs: `history.history = {'loss': [...], 'val_loss': [...]}`, `history.epoch = [0, 1, ...]`.

    `fit` always records one, after the other callbacks (so a metric a callback adds to the logs is
    recorded), and returns it; pass it back (`fit(..., history=history)`) to continue.

    Counterpart: `keras.callbacks.History` (keras/src/callbacks/history.py).
    """

    def __init__(self, history: dict | None = None):
        self.history: dict[str, list[float]] = {k: [float(v) for v in values] for k, values in (history or {}).items()}
        lengths = {len(values) for values in self.history.values()}
        if len(lengths) > 1:
            raise ValueError(f"purejax.train.History: every metric needs one value per epoch, got lengths {lengths}")
        self.epoch: list[int] = list(range(lengths.pop() if lengths else 0))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.history = self.including(logs)
        self.epoch.append(epoch)

    def including(self, logs: dict | None) -> dict[str, list[float]]:
        """The history as it is once `logs` (an epoch's) are recorded, without recording them.

        `fit` calls the History's hooks after every other callback's (Keras's order, so that what a
        callback adds to the logs is recorded); a callback that saves the history calls this.
        """
        epochs = len(self.epoch)
        names = [*self.history, *(k for k in logs or {} if k not in self.history)]
        return {k: [*self.history.get(k, [math.nan] * epochs), float((logs or {}).get(k, math.nan))] for k in names}

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, metrics={sorted(self.history)})"


def _monitor_op(where: str, monitor: str, mode: str):
    """`mode`'s comparison `better(a, b)` and the worst value; 'auto' is max for accuracies and AUCs, else min."""
    check_choice(where, "mode", mode, ("auto", "min", "max"))
    if mode == "auto":
        mode = "max" if monitor.endswith(("acc", "accuracy", "auc")) else "min"
    return (np.less, np.inf) if mode == "min" else (np.greater, -np.inf)


def _check_monitor(where: str, monitor: Any) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise fail(TypeError, where, "monitor", "a metric name such as 'val_loss'", monitor)
    return monitor


def _monitored(where: str, monitor: str, logs: dict | None) -> float:
    """`logs[monitor]`, or a KeyError listing what the logs hold and how to get validation metrics."""
    if monitor not in (logs or {}):
        hint = " (pass validation_data to fit for val_ metrics)" if monitor.startswith("val_") else ""
        raise KeyError(f"{where}: monitor {monitor!r} is not among the epoch's metrics {sorted(logs or {})}{hint}")
    return float((logs or {})[monitor])


class EarlyStopping(Callback):
    """Stop training when `monitor` has stopped improving.

    An epoch improves when `current - min_delta < best` (mode min) or `current - min_delta > best`
    (mode max). After `patience` epochs in a row without improvement, `fit` stops at the end of that
    epoch. With `restore_best_weights`, the run ends with the parameters (and BatchNorm statistics)
    of the best epoch; the step count and optimizer state stay those of the last epoch, as Keras
    restores the weights only.

    Args:
      monitor: the metric to watch (default 'val_loss'; 'loss' without validation data).
      min_delta: the smallest change that counts as an improvement (its absolute value is used).
      patience: epochs without improvement before stopping (default 0: stop at the first).
      mode: 'min', 'max' or 'auto' (max for names ending in acc, accuracy or auc; else min).
      baseline: a value to beat: until an epoch beats it, `wait` is not reset.
      restore_best_weights: end with the best epoch's parameters.
      start_from_epoch: epochs to wait before watching at all (a warm-up).

    Attributes (after fit): `stopped_epoch` (0 if it never stopped), `best`, `best_epoch`, `wait`.

    Counterpart: `keras.callbacks.EarlyStopping` (keras/src/callbacks/early_stopping.py), same
    arguments and defaults; `elegy.callbacks.EarlyStopping`.

    Differences:
      No `verbose`. Restoring the best weights replaces `params` (and `batch_stats`) in the state, where
      Keras calls `set_weights`. A monitor missing from the logs raises KeyError naming what the
      logs hold; Keras warns and goes on, so a misspelt monitor silently never stops the run.
      `mode='auto'` goes by the name, as Keras 2 did (max for names ending in acc, accuracy or auc,
      else min); Keras 3 asks the compiled metric for its direction and refuses a name it cannot
      place. An unknown `mode` is refused; Keras warns and falls back to 'auto'.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ):
        where = "purejax.train.EarlyStopping"
        self.monitor = _check_monitor(where, monitor)
        self.min_delta = abs(float(check_number(where, "min_delta", min_delta)))
        self.patience = check_int(where, "patience", patience, minimum=0)
        self.monitor_op, self._worst = _monitor_op(where, monitor, mode)
        self.baseline = None if baseline is None else float(check_number(where, "baseline", baseline))
        self.restore_best_weights = check_bool(where, "restore_best_weights", restore_best_weights)
        self.start_from_epoch = check_int(where, "start_from_epoch", start_from_epoch, minimum=0)

    def _is_improvement(self, value: float, reference: float) -> bool:
        delta = -self.min_delta if self.monitor_op is np.less else self.min_delta
        return bool(self.monitor_op(value - delta, reference))

    def on_train_begin(self, logs=None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = self._worst, None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        current = _monitored("purejax.train.EarlyStopping", self.monitor, logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _weights(self.model.state)  # the first watched epoch, until one beats it
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _weights(self.model.state)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.state = self.model.state.replace(**self.best_weights)


def _weights(state) -> dict:
    """What Keras calls the weights: the parameters and, when the state has them, BatchNorm statistics."""
    weights = {"params": state.params}
    if getattr(state, "batch_stats", None) is not None:
        weights["batch_stats"] = state.batch_stats
    return weights


class ModelCheckpoint(Callback):
    """Save the state and history to `DIRECTORY/EPOCH.npz` after each epoch, or only the best.

    The file holds `{'state': {'step', 'params', 'opt_state'[, 'batch_stats']}, 'history': {metric:
    [epochs]}}`: the state's arrays by field, so purejax's `TrainState` and Flax's (with Optax
    states) are both saved, and restored into a state of the same kind.

    EPOCH counts completed epochs (1 after the first). With `save_best_only`, an epoch is saved only
    when `monitor` beats every epoch before it (earlier epochs of a resumed run included), so the
    latest checkpoint is the best; `max_to_keep=1` then keeps the best alone.

    Resuming: `state, history = ModelCheckpoint.restore(directory, state)` reads the latest (or
    `step`) checkpoint back into `state`'s structure; `fit(state, ..., history=history)` continues
    from the epoch after it, and with the same `key` and data its steps are those of a run that was
    never interrupted, bit for bit (each step's key is `fold_in(key, state.step)`, each epoch's
    shuffle `fold_in(key, epoch)`).

    Args:
      directory: the checkpoint directory (created if missing).
      monitor: the metric `save_best_only` compares (default 'val_loss').
      save_best_only: save only improving epochs.
      mode: 'min', 'max' or 'auto', as `EarlyStopping`.
      max_to_keep: how many checkpoints the `CheckpointManager` keeps (None: all).

    Counterpart: `keras.callbacks.ModelCheckpoint` (keras/src/callbacks/model_checkpoint.py);
    `elegy.callbacks.ModelCheckpoint`. The files: `purejax.checkpoint.CheckpointManager`.

    Differences:
      A directory of numbered checkpoints instead of a formatted `filepath`; the history is saved with
      the state so that a resumed run continues it; no `save_weights_only` (the whole `TrainState`
      is saved), `save_freq` (every epoch) or `initial_value_threshold`.
    """

    def __init__(
        self,
        directory,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        max_to_keep: int | None = None,
    ):
        where = "purejax.train.ModelCheckpoint"
        self.manager = CheckpointManager(check_path(where, "directory", directory), max_to_keep=max_to_keep)
        self.monitor = _check_monitor(where, monitor)
        self.save_best_only = check_bool(where, "save_best_only", save_best_only)
        self.monitor_op, self._worst = _monitor_op(where, monitor, mode)
        self.saved: list[int] = []  # the checkpoint steps this run wrote

    def on_train_begin(self, logs=None) -> None:
        earlier = self.model.history.history.get(self.monitor, [])  # a resumed run's epochs count too
        self.best = self._worst
        for value in earlier:
            if self.monitor_op(value, self.best):
                self.best = value

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.save_best_only:
            current = _monitored("purejax.train.ModelCheckpoint", self.monitor, logs)
            if not self.monitor_op(current, self.best):
                return
            self.best = current
        history = {k: np.asarray(v, np.float64) for k, v in self.model.history.including(logs).items()}  # [epochs]
        self.manager.save(epoch + 1, {"state": _arrays(self.model.state), "history": history})
        self.saved.append(epoch + 1)

    @staticmethod
    def restore(directory, state, step: int | None = None):
        """`(state, history)` from checkpoint `step` (None: the latest) in `directory`.

        Args:
          directory: a `ModelCheckpoint`'s directory.
          state: a `TrainState` of the same structure (e.g. a freshly created one); its `apply_fn` and
            `tx` are kept, the arrays come from the file.
          step: the checkpoint to read (epochs completed), default the latest.

        Returns:
          The restored state, and a `History` of the epochs up to the checkpoint.
        """
        manager = CheckpointManager(check_path("purejax.train.ModelCheckpoint.restore", "directory", directory))
        saved = cast(dict, manager.restore(step))  # plain dicts: the history's length is read first
        history: dict = saved["history"]  # {metric: [epochs]}
        restored = cast(dict, manager.restore(step, target={"state": _arrays(state), "history": history}))
        state = state.replace(**restored["state"])
        return state, History({k: np.asarray(v).tolist() for k, v in history.items()})


def _arrays(state) -> dict:
    """The state's array fields by name: what a checkpoint holds, for purejax's `TrainState` and Flax's alike.

    Flax's `TrainState` is a pytree to JAX, not to `purejax.tree`; its fields (and an Optax state,
    NamedTuples) are, so both packages' states are saved and restored through the same dict.
    """
    fields = {"step": state.step, "params": state.params, "opt_state": state.opt_state}
    if getattr(state, "batch_stats", None) is not None:
        fields["batch_stats"] = state.batch_stats
    return fields


class CSVLogger(Callback):
    """One CSV row per epoch: `epoch,loss,...`, the columns those of the first epoch's logs, sorted.

    Args:
      filename: the CSV file.
      separator: the column separator (default ',').
      append: add to an existing file (a resumed run) instead of overwriting it.

    Counterpart: `keras.callbacks.CSVLogger` (keras/src/callbacks/csv_logger.py), same arguments.
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        where = "purejax.train.CSVLogger"
        self.filename = os.fspath(check_path(where, "filename", filename))
        if not isinstance(separator, str) or len(separator) != 1:
            raise fail(TypeError, where, "separator", "one character such as ','", separator)
        self.separator, self.append = separator, check_bool(where, "append", append)
        self.keys: list[str] | None = None

    def on_train_begin(self, logs=None) -> None:
        existing = self.append and os.path.isfile(self.filename) and os.path.getsize(self.filename) > 0
        if existing:
            with open(self.filename, newline="") as file:
                self.keys = next(csv.reader(file, delimiter=self.separator))[1:]
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # closed at train end
        self._writer = csv.writer(self._file, delimiter=self.separator)
        self._header_written = existing

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if not self._header_written:
            self._writer.writerow(["epoch", *self.keys])
            self._header_written = True
        self._writer.writerow([epoch, *(repr(float(logs[k])) if k in logs else "NA" for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs=None) -> None:
        self._file.close()


class JSONLogger(Callback):
    """The whole history as one JSON object `{'epoch': [...], 'loss': [...], ...}`, rewritten each epoch.

    Args:
      filename: the JSON file; it always holds every epoch so far (earlier ones of a resumed run too).

    Counterpart: none in Keras or Elegy (Keras's documentation writes JSON lines with a
    `LambdaCallback`).
    """

    def __init__(self, filename):
        self.filename = os.fspath(check_path("purejax.train.JSONLogger", "filename", filename))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        history = self.model.history
        with open(self.filename, "w") as file:
            json.dump({"epoch": [*history.epoch, epoch], **history.including(logs)}, file, indent=1)


class ProgbarLogger(Callback):
    """A plain text progress line: `epoch 3/10  12/12 steps  2.1 s  loss 0.1234  val_loss 0.2345`.

    On a terminal the line is rewritten after each step (`\\r`); elsewhere (a file, a notebook's
    captured output) one line per epoch is printed.

    Args:
      stream: where to write (default `sys.stdout`).

    Counterpart: `keras.callbacks.ProgbarLogger` (keras/src/callbacks/progbar_logger.py), which
    `fit(verbose=1)` adds as here.

    Differences:
      Text only, no bar drawn from block characters; metrics are the epoch's means so far.
    """

    def __init__(self, stream=None):
        self.stream = stream

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._epoch, self._start, self._sums, self._seen = epoch, time.perf_counter(), {}, 0

    def _line(self, steps: int, logs: dict) -> str:
        total = self.model.steps_per_epoch
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in logs.items())
        return (
            f"epoch {self._epoch + 1}/{self.model.epochs}  {steps}/{total if total else '?'} steps  "
            f"{time.perf_counter() - self._start:.1f} s  {metrics}"
        )

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._seen += 1
        for k, v in (logs or {}).items():
            self._sums[k] = self._sums.get(k, 0.0) + float(v)
        isatty = getattr(self.stream or sys.stdout, "isatty", None)
        if isatty is not None and isatty():
            self._write("\r" + self._line(self._seen, {k: v / self._seen for k, v in self._sums.items()}))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        isatty = getattr(self.stream or sys.stdout, "isatty", None)
        self._write(("\r" if isatty is not None and isatty() else "") + self._line(self._seen, logs or {}) + "\n")
