"""`CheckpointManager`: numbered checkpoints in one directory, the oldest dropped beyond `max_to_keep`.

    manager = CheckpointManager('ckpts', max_to_keep=3)
    manager.save(step, state)                          # ckpts/STEP.npz, written atomically
    state = manager.restore(target=state)              # the latest step; restore(step, target) for another
    manager.latest_step(), manager.all_steps()         # 40, [20, 30, 40]

A step is saved only above every saved step. The oldest files beyond `max_to_keep` are deleted
only after the new one has been written and renamed into place, so a failed save deletes nothing.
Temporary files of unfinished saves (`.STEP.npz.XXXX.tmp`) are not steps.

Counterpart: `orbax.checkpoint.CheckpointManager(directory, options=CheckpointManagerOptions(
max_to_keep=...))` with `save(step, args=StandardSave(tree))`, `restore(step,
args=StandardRestore(target))`, `latest_step()`, `all_steps()`
(orbax/checkpoint/checkpoint_manager.py); `flaxed/checkpoint.py` wraps it.

References: Orbax documentation, *Checkpointing*, https://orbax.readthedocs.io.

Differences:
  `max_to_keep` is an argument, not an options object. Saves are synchronous (nothing to
  `wait_until_finished` or `close`). A step at or below the latest raises ValueError, where Orbax
  skips the save and returns False; `save` returns the file it wrote. One file per step, where Orbax
  writes a directory per step.
"""

from __future__ import annotations

import os
import re

import numpy as np

from purejax.checkpoint.npz import restore, save

_STEP_FILE = re.compile(r"(\d+)\.npz")


class CheckpointManager:
    """Checkpoints `DIRECTORY/STEP.npz`, keeping the latest `max_to_keep`.

    Args:
      directory: where the checkpoints live (created if missing).
      max_to_keep: how many steps to keep; None keeps all.
    """

    def __init__(self, directory, max_to_keep: int | None = None):
        if max_to_keep is not None and (
            isinstance(max_to_keep, bool) or not isinstance(max_to_keep, int) or max_to_keep < 1
        ):
            raise ValueError(f"CheckpointManager: max_to_keep must be a positive int or None, got {max_to_keep!r}")
        self.directory, self.max_to_keep = os.fspath(directory), max_to_keep
        os.makedirs(self.directory, exist_ok=True)

    def _path(self, step: int) -> str:
        return os.path.join(self.directory, f"{step}.npz")

    def all_steps(self) -> list[int]:
        """The saved steps, ascending."""
        return sorted(int(m.group(1)) for m in map(_STEP_FILE.fullmatch, os.listdir(self.directory)) if m)

    def latest_step(self) -> int | None:
        """The highest saved step, or None if there is none."""
        steps = self.all_steps()
        return steps[-1] if steps else None

    def save(self, step: int, tree) -> str:
        """Write `tree` as checkpoint `step`, then delete the oldest beyond `max_to_keep`.

        Args:
          step: an int (or integer scalar array) above every saved step.
          tree: any pytree `purejax.checkpoint.save` accepts.

        Returns:
          The file written, `DIRECTORY/STEP.npz`.
        """
        if isinstance(step, bool) or np.ndim(step) or not np.issubdtype(np.asarray(step).dtype, np.integer):
            raise TypeError(f"CheckpointManager.save: step must be an int, got {step!r}")
        step, latest = int(step), self.latest_step()
        if step < 0 or (latest is not None and step <= latest):
            raise ValueError(
                f"CheckpointManager.save: step {step} must be >= 0 and above the latest saved "
                f"step ({latest}) in {self.directory!r}"
            )
        path = save(self._path(step), tree)
        if self.max_to_keep is not None:
            for old in self.all_steps()[: -self.max_to_keep]:
                os.remove(self._path(old))
        return path

    def restore(self, step: int | None = None, target=None):
        """Checkpoint `step` (None: the latest), read as `purejax.checkpoint.restore(path, target)` does.

        Raises:
          FileNotFoundError naming the directory (no checkpoints) or the missing step's file and the
          saved steps; ValueError as `restore` (unreadable file, target mismatch).
        """
        if step is None:
            step = self.latest_step()
            if step is None:
                raise FileNotFoundError(f"CheckpointManager.restore: no checkpoints in {self.directory!r}")
        path = self._path(int(step))
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"CheckpointManager.restore: no checkpoint {path!r} for step {step}; saved steps: {self.all_steps()}"
            )
        return restore(path, target)
