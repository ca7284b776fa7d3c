"""`RichProgress`: fit's progress on rich, the same live line as `train`'s and the report's.

    fit(state, loss_fn, data, key=key, epochs=5, callbacks=[RichProgress()])

Each epoch draws a bar with its running mean loss (`comparisons.display.Progress`: a live line on
a terminal, a plain line every tenth of the epoch elsewhere), then prints the epoch's metrics on a
line of their own. purejax's `ProgbarLogger` is the same idea in plain text (purejax depends on jax
and numpy only).

Counterpart: `keras.callbacks.ProgbarLogger` (keras/src/callbacks/progbar_logger.py), Keras's
`Progbar` (keras/src/utils/progbar.py).
"""

from __future__ import annotations

from comparisons import display
from purejax.train import Callback


class RichProgress(Callback):
    """A `fit` callback: a rich progress bar per epoch, then a line of the epoch's metrics.

    Args:
      stream: where to draw (default stderr, as the other progress lines).
    """

    def __init__(self, stream=None):
        self.stream = stream
        self.progress: display.Progress | None = None

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        total = self.model.steps_per_epoch or 1  # unknown for an endless callable without steps_per_epoch
        description = f"epoch {epoch + 1}/{self.model.epochs}"
        self.progress = display.Progress(total, stream=self.stream, description=description)
        self._loss, self._seen = 0.0, 0

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._seen += 1
        self._loss += float((logs or {}).get("loss", 0.0))
        if self.progress is not None:
            self.progress.update(self._seen, f"loss {self._loss / self._seen:.4f}")

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.progress is not None:
            self.progress.close()
            metrics = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
            self.progress.print(f"epoch {epoch + 1}/{self.model.epochs}  {self._seen} steps  {metrics}")
            self.progress = None
