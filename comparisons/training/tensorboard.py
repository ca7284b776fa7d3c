"""TensorBoard event files without TensorFlow: `fit`'s `TensorBoard` callback and `train --logdir`.

    fit(state, loss_fn, data, key=key, callbacks=[TensorBoard('logs/mlp')])  # logs/mlp/{train,validation}
    python -m comparisons train vae --logdir logs                           # logs/{purejax,flaxed,pictures}
    tensorboard --logdir logs

The writer is `tensorboardX.SummaryWriter` (the `tensorboard` extra), which writes TensorBoard's
event-file format (records of `Event` protocol buffers) with no TensorFlow; the `tensorboard`
package reads them (and `tensorboard.backend.event_processing.event_accumulator` does in the tests).

`StepProfiler(directory)` traces a few training steps with `jax.profiler` (`train --profile DIR`):
`DIR/plugins/profile/RUN/HOST.xplane.pb`, which TensorBoard's profile plugin
(`tensorboard-plugin-profile`) shows, and `HOST.trace.json.gz`, which Perfetto
(https://ui.perfetto.dev) opens as it is. It needs neither TensorFlow nor tensorboardX.

`write_pair(result, logdir, out, pictures)` lays a side-by-side run out for TensorBoard's charts:

    logdir/purejax   train/loss per step, eval/<metric> at the last step, the hyperparameters
    logdir/flaxed    the same tags: each chart draws both packages' curves, one colour per run
    logdir/pictures  the run's pictures (loss curves, VAE samples, MDN mixture) and text samples

Counterpart: `keras.callbacks.TensorBoard` (keras/src/callbacks/tensorboard.py) and
`elegy.callbacks.TensorBoard`; the seeds' TensorBoard chapter uses `flax.metrics.tensorboard.SummaryWriter`
(flax/metrics/tensorboard.py), which needs TensorFlow.

Differences:
  The callback writes scalars only (the epoch's and, with `update_freq` an int, every N-th batch's), no
  weight histograms, graphs, embeddings or profiles; the same run and tag names as Keras's
  (`train/epoch_loss`, `validation/epoch_loss`, `train/batch_loss`).
"""

from __future__ import annotations

import os
from typing import Any

from purejax.train import Callback

PICTURES = ("curves.png", "samples.png", "mixture.png")  # what `comparisons.training.figures` writes
SIDES = ("purejax", "flaxed")


def writer_class():
    """`tensorboardX.SummaryWriter`, or an ImportError that says what to install (checked before a run)."""
    try:
        from tensorboardX import SummaryWriter  # the optional tensorboard extra
    except ImportError as error:
        raise ImportError(
            "TensorBoard logs need tensorboardX (no TensorFlow): pip install 'purejax[tensorboard]'"
        ) from error
    return SummaryWriter


def summary_writer(logdir: str):
    """A `tensorboardX.SummaryWriter` for `logdir`, or an ImportError that says what to install."""
    return writer_class()(logdir=logdir)


def write_hparams(writer, hparams: dict, metric_tags: list[str]) -> None:
    """The HParams dashboard's session for this run: `hparams` and the tags of its result metrics."""
    from tensorboardX.summary import hparams as hparams_summary

    # The metric values are read from the run's own scalars under these tags; the dict's numbers are unused.
    experiment, start, end = hparams_summary(hparams, dict.fromkeys(metric_tags, 0.0))
    for summary in (experiment, start, end):
        writer.file_writer.add_summary(summary)


def write_pair(result: dict, logdir: str, out: str | None = None, pictures: list[str] = ()) -> list[str]:
    """Write a `train_pair` result as event files under `logdir`; returns the run directories.

    Args:
      result: what `comparisons.training.pair.train_pair` returns (the JSON part is enough).
      logdir: the TensorBoard log directory (runs `purejax`, `flaxed`, `pictures` below it).
      out: the folder holding the run's pictures, `pictures` the file names written there
        (PNG files become images, `samples.txt` text).
    """
    runs = []
    for side in SIDES:
        run_dir = os.path.join(logdir, side)
        with summary_writer(run_dir) as writer:
            losses = result[side]["loss"]
            for step, loss in enumerate(losses, start=1):  # step i: the loss after i updates
                writer.add_scalar("train/loss", loss, step)
            for name, value in result[side]["eval"].items():
                writer.add_scalar(f"eval/{name}", value, len(losses))
            hparams = {
                "model": result["model"],
                "package": side,
                "steps": result["steps"],
                "seed": result["seed"],
                "batch_size": result["batch_size"],
                "learning_rate": result["learning_rate"],
            }
            write_hparams(writer, hparams, ["train/loss", *(f"eval/{name}" for name in result[side]["eval"])])
        runs.append(run_dir)
    shown = [name for name in pictures if name in PICTURES or name.endswith(".txt")]
    if out is not None and shown:
        run_dir = os.path.join(logdir, "pictures")
        with summary_writer(run_dir) as writer:
            for name in shown:
                path = os.path.join(out, name)
                if name.endswith(".png"):
                    writer.add_image(f"pictures/{name[:-4]}", _read_png(path), result["steps"], dataformats="HWC")
                else:
                    with open(path) as file:
                        writer.add_text(f"pictures/{name[:-4]}", f"```\n{file.read()}\n```", result["steps"])
        runs.append(run_dir)
    return runs


class StepProfiler:
    """An `on_step(step, ...)` hook that traces steps `first` to `first + count - 1` with `jax.profiler`.

    The trace starts after step `first - 1` has finished (so step 0's compiling stays out) and stops
    after step `first + count - 1`, or at `stop()` when the run ends sooner.

    Counterpart: `jax.profiler.trace(log_dir)` around a few steps, as the seeds' TensorBoard chapter
    does; Keras's `TensorBoard(profile_batch=(first, last))`.
    """

    def __init__(self, directory: str, first: int = 1, count: int = 5):
        self.directory, self.first, self.count, self.tracing = os.fspath(directory), first, count, False
        self.traced = 0  # steps inside the trace

    def __call__(self, step: int, *_) -> None:
        import jax  # the command imports JAX already; this module's other parts do not need it

        if step == self.first - 1 and not self.tracing:
            jax.profiler.start_trace(self.directory)
            self.tracing = True
        elif self.tracing:
            self.traced += 1
            if self.traced == self.count:
                self.stop()

    def stop(self) -> None:
        if self.tracing:
            import jax

            jax.profiler.stop_trace()
            self.tracing = False


def _read_png(path: str):
    """A PNG as `float32[height, width, 3]` in [0, 1] (matplotlib reads it; the alpha dropped)."""
    from matplotlib import image  # the plots extra: the pictures were drawn with it

    return image.imread(path)[..., :3]  # [height, width, 3]


class TensorBoard(Callback):
    """Write `fit`'s metrics as TensorBoard scalars: `log_dir/train` and `log_dir/validation`.

    After each epoch, each metric `m` goes to `train/epoch_m` and each `val_m` to
    `validation/epoch_m` (two runs, so TensorBoard draws training and validation in one chart), at
    step = the epoch. With `update_freq` an int N, every N-th batch's metrics go to
    `train/batch_m` at the global step.

    Args:
      log_dir: the directory of the two runs.
      update_freq: 'epoch', or an int N for batch-level scalars every N batches too.
      hparams: hyperparameters to show in the HParams dashboard (with the epoch metrics), or None.

    Counterpart: `keras.callbacks.TensorBoard(log_dir='logs', update_freq='epoch')`
    (keras/src/callbacks/tensorboard.py); `elegy.callbacks.TensorBoard`.

    Differences:
      Scalars (and hyperparameters) only: no `histogram_freq`, `write_graph`, `write_images`,
      `profile_batch` or `embeddings_freq`. Written by tensorboardX, not `tf.summary`.
    """

    def __init__(self, log_dir: str = "logs", update_freq: Any = "epoch", hparams: dict | None = None):
        if update_freq != "epoch" and not (isinstance(update_freq, int) and update_freq >= 1):
            raise ValueError(
                f"comparisons.training.tensorboard.TensorBoard: update_freq must be 'epoch' or a positive int, "
                f"got {update_freq!r}"
            )
        self.log_dir, self.update_freq, self.hparams = os.fspath(log_dir), update_freq, hparams

    def on_train_begin(self, logs=None) -> None:
        self.writers = {run: summary_writer(os.path.join(self.log_dir, run)) for run in ("train", "validation")}
        self._batches = 0

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._batches += 1
        if isinstance(self.update_freq, int) and self._batches % self.update_freq == 0:
            step = int(self.model.state.step)
            for name, value in (logs or {}).items():
                self.writers["train"].add_scalar(f"batch_{name}", value, step)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        for name, value in (logs or {}).items():
            run, name = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
            self.writers[run].add_scalar(f"epoch_{name}", value, epoch)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None) -> None:
        if self.hparams is not None:
            tags = [f"epoch_{name}" for name in self.model.history.history if not name.startswith("val_")]
            write_hparams(self.writers["train"], self.hparams, tags)
        for writer in self.writers.values():
            writer.close()
