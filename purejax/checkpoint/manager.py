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
  writes a directory per step. A `directory` that is a file is refused when the manager is made;
  Orbax's manager accepts it and its first save fails naming a temporary directory. Both create a
  missing directory.
"""

from __future__ import annotations

import os
import re

import numpy as np

from purejax.checkpoint.npz import os_error, restore, write
from purejax.checks import check_int, check_optional_int, check_path, fail

_STEP_FILE = re.compile(r"(\d+)\.npz")
_WHERE = "purejax.checkpoint.CheckpointManager"


class CheckpointManager:
    """Checkpoints `DIRECTORY/STEP.npz`, keeping the latest `max_to_keep`.

    Args:
      directory: where the checkpoints live (str or `os.PathLike`, `~` expanded; created with its
        parents if missing). A path to an existing file is refused (NotADirectoryError).
      max_to_keep: how many steps to keep, an integer >= 1; None keeps all.

    Only regular files named `STEP.npz` are steps: a directory named like one (`5.npz`, or Orbax's
    `5/`) is not, and is never deleted.
    """

    def __init__(self, directory, max_to_keep: int | None = None):
        check_path(_WHERE, "directory", directory)
        hint = "write e.g. 3, or None to keep every step"
        self.max_to_keep = check_optional_int(_WHERE, "max_to_keep", max_to_keep, minimum=1, hint=hint)
        self.directory = os.path.expanduser(os.fspath(directory))
        if os.path.exists(self.directory) and not os.path.isdir(self.directory):
            raise NotADirectoryError(
                f"{_WHERE}: directory {self.directory!r} is a file; pass a directory (created if missing), "
                "or read a single checkpoint file with purejax.checkpoint.restore(path)"
            )
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as error:
            raise os_error(_WHERE, "create the directory", self.directory, error) from error

    def _path(self, step: int) -> str:
        return os.path.join(self.directory, f"{step}.npz")

    def all_steps(self) -> list[int]:
        """The saved steps, ascending (none if the directory has gone: `save` makes it again)."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        except OSError as error:
            raise os_error(f"{_WHERE}.all_steps", "list the directory", self.directory, error) from error
        steps = (m for m in map(_STEP_FILE.fullmatch, names) if m)
        return sorted(int(m.group(1)) for m in steps if os.path.isfile(os.path.join(self.directory, m.group(0))))

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

        Raises:
          TypeError / ValueError for a step that is not an integer above the latest; OSError as
          `purejax.checkpoint.save` (naming this method and the step's file). Old steps are deleted
          only after the new file is in place, so a failed save deletes nothing.
        """
        where = f"{_WHERE}.save"
        if isinstance(step, (bool, np.bool_)) or np.ndim(step) or not np.issubdtype(np.asarray(step).dtype, np.integer):
            raise fail(TypeError, where, "step", "an int", step)
        step, latest = int(step), self.latest_step()
        if step < 0 or (latest is not None and step <= latest):
            raise ValueError(
                f"{where}: step {step} must be >= 0 and above the latest saved step ({latest}) in {self.directory!r}"
            )
        path = write(where, self._path(step), tree)
        if self.max_to_keep is not None:
            for old in self.all_steps()[: -self.max_to_keep]:
                try:
                    os.remove(self._path(old))
                except OSError as error:
                    raise os_error(
                        where,
                        f"delete step {old} (beyond max_to_keep={self.max_to_keep}; step {step} was saved) at",
                        self._path(old),
                        error,
                        "delete it by hand",
                    ) from error
        return path

    def restore(self, step: int | None = None, target=None):
        """Checkpoint `step` (None: the latest), read as `purejax.checkpoint.restore(path, target)` does.

        Raises:
          TypeError for a step that is not an integer (1.5 is not read as step 1). FileNotFoundError
          naming the directory (no checkpoints; with what it holds instead: step-like directories
          such as Orbax's) or the missing step's file and the saved steps; ValueError as `restore`
          (unreadable file, target mismatch).
        """
        where = f"{_WHERE}.restore"
        if step is None:
            step = self.latest_step()
            if step is None:
                raise FileNotFoundError(f"{where}: no checkpoints in {self.directory!r}{self._not_steps()}")
        else:
            if hasattr(step, "dtype") and np.ndim(step) == 0 and np.issubdtype(np.asarray(step).dtype, np.integer):
                step = int(step)  # an integer scalar array, as `save` takes
            step = check_int(where, "step", step, minimum=0)
        path = self._path(step)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"{where}: no checkpoint {path!r} for step {step}; saved steps: {self.all_steps()}{self._not_steps()}"
            )
        return restore(path, target)

    def _not_steps(self) -> str:
        """What the directory holds that looks like a step but is not one, for error messages."""
        if not os.path.isdir(self.directory):
            return " (the directory does not exist)"
        names = sorted(os.listdir(self.directory))
        dirs = [n for n in names if re.fullmatch(r"\d+(\.npz)?", n) and os.path.isdir(os.path.join(self.directory, n))]
        if not dirs:
            return ""
        return (
            f" (directories named like steps, {dirs}, are not checkpoints: Orbax's CheckpointManager "
            "writes a directory per step; read those with orbax.checkpoint)"
        )
