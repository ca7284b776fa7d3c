"""Checkpoints with Orbax: the API of `purejax/checkpoint/` over `orbax.checkpoint`.

    save(path, tree) / restore(path, target=None)       -> ocp.StandardCheckpointer
    CheckpointManager(directory, max_to_keep=None)      -> ocp.CheckpointManager + CheckpointManagerOptions
        .save(step, tree) .restore(step=None, target=None) .latest_step() .all_steps()

Orbax writes a directory per checkpoint (TensorStore/OCDBT arrays plus `_METADATA`), asynchronously;
we wait for each save to finish so that the two packages behave alike. The formats differ, so a file
written by one package is not read by the other; the trees they hold are the same (see
tests/test_checkpoint.py: a checkpoint of either side's variables feeds the other side's `apply`).

Counterpart: `purejax/checkpoint/` (npz.py, manager.py).
"""

from __future__ import annotations

import os

import orbax.checkpoint as ocp


def save(path, tree) -> str:
    """Write `tree` to the checkpoint directory `path`, replacing it (Orbax wants an absolute path)."""
    path = os.path.abspath(os.fspath(path))
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(path, tree, force=True)
    checkpointer.wait_until_finished()
    return path


def restore(path, target=None):
    """Read checkpoint `path`; into `target`'s structure if given, else as Orbax's metadata describes it."""
    path = os.path.abspath(os.fspath(path))
    return ocp.StandardCheckpointer().restore(path, target)


class CheckpointManager:
    """Numbered checkpoints `DIRECTORY/STEP/`, keeping the latest `max_to_keep` (None: all)."""

    def __init__(self, directory, max_to_keep: int | None = None):
        self.directory = os.path.abspath(os.fspath(directory))
        self._manager = ocp.CheckpointManager(
            self.directory, options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep)
        )

    def all_steps(self) -> list[int]:
        return sorted(self._manager.all_steps())

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def save(self, step: int, tree) -> str:
        self._manager.save(step, args=ocp.args.StandardSave(tree))
        self._manager.wait_until_finished()
        return os.path.join(self.directory, str(step))

    def restore(self, step: int | None = None, target=None):
        step = self.latest_step() if step is None else step
        return self._manager.restore(step, args=ocp.args.StandardRestore(target))

    def close(self) -> None:
        self._manager.close()
