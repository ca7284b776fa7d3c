"""purejax.checkpoint's bad inputs and failing disks: every error names the function called
(`purejax.checkpoint.save`, `restore`, `CheckpointManager...`), the user's path (never the temporary
file) and what to do; an OSError keeps its subclass and chains the original; and after any failed save
the previous checkpoint is still there, bit for bit, with no temporary file left behind.

Tests run as root here, where `chmod` does not stop a write: read-only directories and full disks are
simulated by making `tempfile.mkstemp`, `os.fsync`, `os.replace` or `os.makedirs` raise the OSError
the kernel would.
"""

from __future__ import annotations

import errno
import os
import tempfile

import numpy as np
import pytest

import flaxed.checkpoint
import purejax.checkpoint as ckpt
from purejax.checkpoint import CheckpointManager
from tests._asserts import assert_refused, assert_same_tree
from tests.purejax.checkpoint._trees import BASE, numbered_trees

SAVE, RESTORE, MANAGER = "purejax.checkpoint.save", "purejax.checkpoint.restore", "purejax.checkpoint.CheckpointManager"
TREE = numbered_trees(2)[1]


@pytest.fixture
def places(tmp_path):
    """`tmp_path` holding a file `file`, a directory `dir` and a checkpoint `old.npz` of `BASE`."""
    (tmp_path / "file").write_text("not a directory")
    (tmp_path / "dir").mkdir()
    ckpt.save(tmp_path / "old.npz", BASE)
    return tmp_path


# --- bad arguments: one row per argument of every public function ---------------------------------

ROWS = [  # (id, call(places), error, fragments: function, argument or path, what came)
    ("save/path None", lambda p: ckpt.save(None, TREE), TypeError, SAVE, "path", "got None"),
    ("save/path empty", lambda p: ckpt.save("", TREE), ValueError, SAVE, "path", "'ckpt.npz'"),
    ("save/path int", lambda p: ckpt.save(3, TREE), TypeError, SAVE, "path", "int 3"),
    ("save/path bytes", lambda p: ckpt.save(b"ckpt.npz", TREE), TypeError, SAVE, "path"),
    ("save/onto a directory", lambda p: ckpt.save(p / "dir", TREE), IsADirectoryError, SAVE, "is a directory", "dir"),
    ("save/trailing slash", lambda p: ckpt.save(f"{p}/new/", TREE), IsADirectoryError, SAVE, "new/"),
    (
        "save/under a file",
        lambda p: ckpt.save(p / "file" / "ckpt.npz", TREE),
        NotADirectoryError,
        SAVE,
        "file/ckpt.npz",
        "is a file, not a directory",
    ),
    (
        "save/deep under a file",
        lambda p: ckpt.save(p / "file" / "a" / "b" / "ckpt.npz", TREE),
        NotADirectoryError,
        SAVE,
        "is a file, not a directory",
    ),
    ("save/tree leaf str", lambda p: ckpt.save(p / "x.npz", {"a": "text"}), TypeError, SAVE, "the leaf at a"),
    ("save/tree leaf fn", lambda p: ckpt.save(p / "x.npz", {"f": print}), TypeError, SAVE, "the leaf at f"),
    ("restore/path None", lambda p: ckpt.restore(None), TypeError, RESTORE, "path", "got None"),
    ("restore/path empty", lambda p: ckpt.restore(""), ValueError, RESTORE, "path"),
    ("restore/path int", lambda p: ckpt.restore(0), TypeError, RESTORE, "path"),
    ("restore/missing", lambda p: ckpt.restore(p / "nowhere.npz"), FileNotFoundError, RESTORE, "nowhere.npz"),
    ("restore/suffix", lambda p: ckpt.restore(p / "old"), FileNotFoundError, RESTORE, "did you mean", "old.npz"),
    ("restore/no dir", lambda p: ckpt.restore(p / "a" / "b.npz"), FileNotFoundError, RESTORE, "does not exist either"),
    ("restore/a directory", lambda p: ckpt.restore(p / "dir"), IsADirectoryError, RESTORE, "dir", "is a directory"),
    ("restore/the manager's", lambda p: ckpt.restore(p), IsADirectoryError, RESTORE, "CheckpointManager(directory)"),
    ("restore/a file", lambda p: ckpt.restore(p / "file"), ValueError, RESTORE, "file", "not a readable checkpoint"),
    (
        "restore/target structure",
        lambda p: ckpt.restore(p / "old.npz", target={"params": BASE["params"]}),
        ValueError,
        RESTORE,
        "old.npz",
        "the target differs from the checkpoint at <root>",
        "the checkpoint dict with keys ['count', 'opt', 'params', 'stats']",
    ),
    (
        "restore/target shape",
        lambda p: ckpt.restore(p / "old.npz", target={**BASE, "stats": [np.ones(3, np.float32), None]}),
        ValueError,
        RESTORE,
        "at stats/0 the checkpoint holds float32[2], the target float32[3]",
    ),
    ("manager/directory None", lambda p: CheckpointManager(None), TypeError, MANAGER, "directory", "got None"),
    ("manager/directory empty", lambda p: CheckpointManager(""), ValueError, MANAGER, "directory"),
    ("manager/directory file", lambda p: CheckpointManager(p / "file"), NotADirectoryError, MANAGER, "is a file"),
    (
        "manager/directory under a file",
        lambda p: CheckpointManager(p / "file" / "steps"),
        NotADirectoryError,
        MANAGER,
        "file/steps",
        "a part of the path is a file",
    ),
    ("manager/max_to_keep 0", lambda p: CheckpointManager(p, max_to_keep=0), ValueError, MANAGER, "max_to_keep"),
    ("manager/max_to_keep 2.0", lambda p: CheckpointManager(p, max_to_keep=2.0), TypeError, MANAGER, "max_to_keep"),
    ("manager/max_to_keep str", lambda p: CheckpointManager(p, max_to_keep="3"), TypeError, MANAGER, "max_to_keep"),
    ("manager.save/step float", lambda p: CheckpointManager(p).save(1.5, TREE), TypeError, "Manager.save", "step"),
    ("manager.save/step None", lambda p: CheckpointManager(p).save(None, TREE), TypeError, "Manager.save", "step"),
    ("manager.save/step -1", lambda p: CheckpointManager(p).save(-1, TREE), ValueError, "Manager.save", "step -1"),
    ("manager.save/tree", lambda p: CheckpointManager(p).save(1, {"a": None, "b": "x"}), TypeError, SAVE, "leaf at b"),
    ("manager.restore/step float", lambda p: CheckpointManager(p).restore(1.7), TypeError, "Manager.restore", "step"),
    ("manager.restore/step str", lambda p: CheckpointManager(p).restore("1"), TypeError, "Manager.restore", "step"),
    ("manager.restore/step -1", lambda p: CheckpointManager(p).restore(-1), ValueError, "Manager.restore", "step"),
    ("manager.restore/none saved", lambda p: CheckpointManager(p).restore(), FileNotFoundError, "no checkpoints in"),
    (
        "manager.restore/missing step",
        lambda p: CheckpointManager(p).restore(4),
        FileNotFoundError,
        "Manager.restore",
        "4.npz",
        "saved steps: []",
    ),
]


@pytest.mark.parametrize("call,error,fragments", [(r[1], r[2], r[3:]) for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_naming_the_function_and_the_argument(places, call, error, fragments):
    before = sorted(os.listdir(places))
    assert_refused(lambda: call(places), error, *fragments)
    assert sorted(os.listdir(places)) == before  # nothing written, nothing left behind
    assert_same_tree(ckpt.restore(places / "old.npz", target=BASE), BASE)


# --- failing disks: the message names save and the user's path; the old checkpoint survives ---------


def _raise(error: BaseException):
    def boom(*args, **kwargs):
        raise error

    return boom


FAILURES = [  # (id, what fails, the OSError, the subclass raised, words of the message)
    ("read-only directory", "tempfile.mkstemp", PermissionError(errno.EACCES, "Permission denied"), "not writable"),
    ("read-only file system", "tempfile.mkstemp", OSError(errno.EROFS, "Read-only file system"), "read-only"),
    ("full disk at fsync", "os.fsync", OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
    ("quota at write", "os.fsync", OSError(errno.EDQUOT, "Disk quota exceeded"), "quota"),
    ("rename refused", "os.replace", PermissionError(errno.EPERM, "Operation not permitted"), "not writable"),
    ("rename, other", "os.replace", OSError(errno.EIO, "Input/output error"), "check that the directory"),
]


@pytest.mark.parametrize("fails,error,words", [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_a_failed_save_names_save_and_the_path_and_keeps_the_old_checkpoint(places, monkeypatch, fails, error, words):
    module, name = fails.split(".")
    original = (places / "old.npz").read_bytes()
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module], name, _raise(error))
    with pytest.raises(type(error)) as info:
        ckpt.save(places / "old.npz", numbered_trees(1)[0])
    message = str(info.value)
    assert message.startswith(f"{SAVE}: cannot write {str(places / 'old.npz')!r}: {error.strerror}; "), message
    assert words in message and ".tmp" not in message, message
    assert info.value.__cause__ is error and info.value.errno == error.errno
    monkeypatch.undo()
    assert (places / "old.npz").read_bytes() == original  # bit for bit
    assert not [n for n in os.listdir(places) if n.endswith(".tmp")]  # no temporary file behind
    assert_same_tree(ckpt.restore(places / "old.npz", target=BASE), BASE)


def test_ctrl_c_mid_write_is_not_retold_and_keeps_the_old_checkpoint(places, monkeypatch):
    """A KeyboardInterrupt is no OSError: it comes through as it is, after the temporary file is removed."""
    original = (places / "old.npz").read_bytes()
    monkeypatch.setattr(np.lib.format, "write_array", _raise(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        ckpt.save(places / "old.npz", numbered_trees(1)[0])
    monkeypatch.undo()
    assert (places / "old.npz").read_bytes() == original
    assert not [n for n in os.listdir(places) if n.endswith(".tmp")]


def test_a_failed_manager_save_names_the_manager_and_deletes_nothing(places, monkeypatch):
    manager = CheckpointManager(places / "steps", max_to_keep=1)
    manager.save(1, TREE)
    monkeypatch.setattr(os, "fsync", _raise(OSError(errno.ENOSPC, "No space left on device")))
    assert_refused(lambda: manager.save(2, TREE), OSError, f"{MANAGER}.save: cannot write", "2.npz", "disk is full")
    monkeypatch.undo()
    assert sorted(os.listdir(places / "steps")) == ["1.npz"]
    assert_same_tree(manager.restore(), TREE)


def test_a_failed_deletion_of_an_old_step_says_the_new_one_was_saved(places, monkeypatch):
    manager = CheckpointManager(places / "steps", max_to_keep=1)
    manager.save(1, TREE)
    monkeypatch.setattr(os, "remove", _raise(PermissionError(errno.EACCES, "Permission denied")))
    assert_refused(
        lambda: manager.save(2, TREE), PermissionError, f"{MANAGER}.save", "delete step 1", "step 2 was saved", "1.npz"
    )
    monkeypatch.undo()
    assert manager.all_steps() == [1, 2]


def test_a_directory_that_cannot_be_made_names_save_and_the_path(places, monkeypatch):
    monkeypatch.setattr(os, "makedirs", _raise(PermissionError(errno.EACCES, "Permission denied")))
    assert_refused(
        lambda: ckpt.save(places / "new" / "ckpt.npz", TREE), PermissionError, SAVE, "create the directory", "new"
    )
    assert_refused(lambda: CheckpointManager(places / "steps"), PermissionError, MANAGER, "create the directory")


def test_an_unreadable_file_names_restore_and_the_path(places, monkeypatch):
    monkeypatch.setattr(np, "load", _raise(PermissionError(errno.EACCES, "Permission denied")))
    assert_refused(lambda: ckpt.restore(places / "old.npz"), PermissionError, RESTORE, "old.npz", "Permission denied")


# --- what the paths mean -----------------------------------------------------------------------------


def test_save_creates_missing_directories_as_orbax_does(tmp_path):
    """Orbax's StandardCheckpointer makes the missing parents of its checkpoint; so does save."""
    path = ckpt.save(tmp_path / "a" / "b" / "ckpt.npz", TREE)
    assert path == str(tmp_path / "a" / "b" / "ckpt.npz")
    assert_same_tree(ckpt.restore(path), TREE)
    theirs = flaxed.checkpoint.save(tmp_path / "orbax" / "c" / "ckpt", TREE)
    assert os.path.isdir(theirs)
    np.testing.assert_array_equal(flaxed.checkpoint.restore(theirs)["w"], TREE["w"])


def test_save_expands_the_home_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ckpt.save("~/ckpt.npz", TREE) == str(tmp_path / "ckpt.npz")
    assert_same_tree(ckpt.restore("~/ckpt.npz"), TREE)


def test_directories_named_like_steps_are_not_steps(tmp_path):
    """A directory `5.npz` (or Orbax's `7/`) is not a checkpoint: not listed, never deleted, and named
    when the manager finds nothing else."""
    (tmp_path / "5.npz").mkdir()
    (tmp_path / "7").mkdir()
    manager = CheckpointManager(tmp_path, max_to_keep=1)
    assert (manager.all_steps(), manager.latest_step()) == ([], None)
    assert_refused(
        manager.restore, FileNotFoundError, f"{MANAGER}.restore", "no checkpoints", "['5.npz', '7']", "Orbax"
    )
    assert_refused(lambda: manager.save(5, TREE), IsADirectoryError, f"{MANAGER}.save", "5.npz", "is a directory")
    manager.save(8, TREE)
    manager.save(9, TREE)
    assert manager.all_steps() == [9] and (tmp_path / "5.npz").is_dir() and (tmp_path / "7").is_dir()


def test_an_orbax_checkpoint_is_named_as_one(tmp_path):
    path = flaxed.checkpoint.save(tmp_path / "orbax", TREE)
    assert_refused(lambda: ckpt.restore(path), IsADirectoryError, RESTORE, "an Orbax checkpoint", "orbax.checkpoint")


def test_a_manager_whose_directory_has_gone_starts_again(tmp_path):
    manager = CheckpointManager(tmp_path / "steps")
    manager.save(1, TREE)
    for name in os.listdir(tmp_path / "steps"):
        os.remove(tmp_path / "steps" / name)
    os.rmdir(tmp_path / "steps")
    assert (manager.all_steps(), manager.latest_step()) == ([], None)
    assert_refused(manager.restore, FileNotFoundError, "no checkpoints", "the directory does not exist")
    manager.save(2, TREE)
    assert manager.all_steps() == [2]


def test_a_tree_that_cannot_be_stored_creates_no_directory(tmp_path):
    assert_refused(lambda: ckpt.save(tmp_path / "new" / "ckpt.npz", {"a": "text"}), TypeError, SAVE, "leaf at a")
    assert os.listdir(tmp_path) == []
