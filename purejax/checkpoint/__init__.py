"""Checkpoints: any pytree to one `.npz` file (arrays by key path + `tree.json`), atomically.

    npz       save(path, tree), restore(path, target=None): the file format, atomic writes
    layout    the JSON description of a tree (node kinds, leaf paths, shapes, dtypes) and back
    manager   CheckpointManager(directory, max_to_keep): numbered steps, latest_step, all_steps

Counterpart: `orbax.checkpoint` (`StandardCheckpointer`, `CheckpointManager`); `flaxed/checkpoint.py`.
"""

from purejax.checkpoint.manager import CheckpointManager
from purejax.checkpoint.npz import FORMAT, VERSION, restore, save

__all__ = ["FORMAT", "VERSION", "CheckpointManager", "restore", "save"]
