"""`save` and `restore`: a pytree to one `.npz` file and back, the file replaced atomically.

    save('ckpt.npz', state)                      # a TrainState, variables, an optimizer state, ...
    state = restore('ckpt.npz', target=state)    # `target`'s structure, checked path by path
    tree = restore('ckpt.npz')                   # plain dicts, lists and tuples

The file is what `np.savez` writes, an uncompressed zip of `.npy` files, plus one JSON member:

    params/Dense_0/kernel.npy   one array per leaf, named by its key path ("/"-joined)
    opt_state/0/mu/...npy       (a TrainState's leaves: step, params, opt_state, batch_stats)
    tree.json                   {"format": "purejax.checkpoint", "version": 1, "tree": NODE}

so numpy and json alone read it back:

    with np.load('ckpt.npz') as z:
        meta = json.loads(z['tree.json'])          # np.load hands a non-.npy member over as bytes
        kernel = z['params/Dense_0/kernel']

NODE, the nested description of the tree (node kinds, leaf shapes, dtypes, bfloat16 stored as its
uint16 bits), is documented in `purejax/checkpoint/layout.py`.

Atomic writes: the zip goes to a temporary file in the same directory (`.NAME.XXXX.tmp`), is
flushed to disk (`fsync`), then renamed over `path` with `os.replace`, which POSIX makes atomic:
a crash leaves the old file or the new one, never half of one (at worst a stray `.tmp` file that
nothing reads, removed too when the failure is an exception). Missing parent directories are created
first. An OSError on the way (a read-only directory, a full disk, a path below a file) is raised
again as the same OSError subclass, its message naming `save`, the user's path (not the temporary
file) and what to do, the original chained as its `__cause__`.

Args, Returns: see `save` and `restore`.

Counterpart: `orbax.checkpoint.StandardCheckpointer().save(path, tree)` / `.restore(path, target)`
(orbax/checkpoint/_src/checkpointers/standard_checkpointer.py), used in `flaxed/checkpoint.py`.

References: NumPy, *NEP 1: A simple file format for NumPy arrays*, 2007,
https://numpy.org/neps/nep-0001-npy-format.html; POSIX `rename(2)`.

Differences:
  One file, written synchronously from host memory; Orbax writes a directory of TensorStore (OCDBT)
  arrays, asynchronously and sharded across hosts, and refuses to overwrite unless `force=True`.
  Arrays come back on the default device (no shardings). Without a target, namedtuples and registered
  classes come back as dicts (as in Orbax) but tuples stay tuples (Orbax gives lists). JAX's weak
  types are not kept. We write the zip ourselves (as `np.savez` does) so that no leaf name can clash
  with `np.savez`'s own `file` argument.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import zipfile

import numpy as np

from purejax.checkpoint import layout
from purejax.checks import check_path

FORMAT, VERSION = "purejax.checkpoint", 1

_HINTS = {  # what to do, by errno
    errno.EACCES: "the directory is not writable: choose another one, or change its permissions",
    errno.EPERM: "the directory is not writable: choose another one, or change its permissions",
    errno.EROFS: "the file system is read-only: choose a directory on a writable one",
    errno.ENOSPC: "the disk is full: free some space, or choose another disk",
    errno.EDQUOT: "the disk quota is used up: free some space, or choose another disk",
    errno.ENOTDIR: "a part of the path is a file, not a directory: choose another path",
    errno.EEXIST: "a part of the path is a file, not a directory: choose another path",
}


def os_error(where: str, action: str, path: str, error: OSError, hint: str = "") -> OSError:
    """`error` retold: the same OSError subclass and errno, a message naming `where`, the user's `path`
    (not a temporary file), why, and what to do. Raise it `from error`, which keeps the original."""
    reason = error.strerror or str(error) or type(error).__name__
    hint = hint or _HINTS.get(error.errno or 0, "check that the directory exists, is writable and has space")
    try:
        new = type(error)(f"{where}: cannot {action} {path!r}: {reason}; {hint}")
    except TypeError:  # an OSError subclass with another constructor
        new = OSError(f"{where}: cannot {action} {path!r}: {reason}; {hint}")
    new.errno = error.errno
    return new


def _write_atomically(path: str, arrays: dict, description: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private (0600); np.savez's would not be
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
                for name, array in arrays.items():
                    with z.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
                z.writestr(layout.RESERVED, json.dumps(description, indent=1))
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
    except BaseException:
        try:
            if os.path.exists(tmp):
                os.unlink(tmp)
        except OSError:  # the original error matters more than a failed clean-up
            pass
        raise


def writable_file(where: str, path) -> str:
    """`path` as a string (`~` expanded), checked to name a file whose directory exists or can be made.

    Refuses (naming `where` and `path`): None or an empty path (TypeError, ValueError), a path that
    is a directory or ends with a separator (IsADirectoryError), and one below a file
    (NotADirectoryError). Creates nothing: `write` makes the missing directories once the tree is
    known to be storable.
    """
    if path == "":
        raise ValueError(f"{where}: path must be a non-empty path, got ''; pass a file name such as 'ckpt.npz'")
    check_path(where, "path", path)
    path = os.path.expanduser(os.fspath(path))
    if os.path.isdir(path) or path.endswith(("/", os.sep)):
        raise IsADirectoryError(
            f"{where}: path {path!r} is a directory, not a file; pass a file path such as "
            f"{os.path.join(path, 'ckpt.npz')!r} (CheckpointManager(directory) numbers the files of a directory)"
        )
    directory = os.path.dirname(os.path.abspath(path))
    existing = directory
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise NotADirectoryError(
            f"{where}: cannot write {path!r}: {existing!r} is a file, not a directory; choose a path "
            "whose parents are directories"
        )
    return path


def write(where: str, path, tree) -> str:
    """`save`, with errors naming `where` (`purejax.checkpoint.save`, `CheckpointManager.save`)."""
    path = writable_file(where, path)
    tree_description, arrays = layout.describe(tree)  # a tree that cannot be stored: nothing is created
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise os_error(where, f"create the directory {directory!r} for", path, error) from error
    try:
        _write_atomically(path, arrays, {"format": FORMAT, "version": VERSION, "tree": tree_description})
    except OSError as error:
        raise os_error(where, "write", path, error) from error
    return path


def save(path, tree) -> str:
    """Write `tree` to the checkpoint file `path` (conventionally `*.npz`), replacing it atomically.

    Args:
      path: the file to write (str or `os.PathLike`, `~` expanded); missing parent directories are
        created.
      tree: a pytree of arrays (jax or numpy, any numeric dtype, bfloat16 included) and Python
        numbers, in dicts (str or int keys), lists, tuples, namedtuples, None and registered classes
        such as `purejax.train.TrainState` (its leaves `step`, `params`, `opt_state`, `batch_stats`
        are saved; `apply_fn` and `tx` are code, not data: they come from the target at restore).

    Returns:
      `path`, as a string.

    Raises:
      TypeError / ValueError naming the path of a leaf that cannot be stored (not an array, a
      non-numeric dtype, a dict key that is neither str nor int, two leaves with the same name),
      or a path that is None or empty. OSError (its own subclass: IsADirectoryError,
      NotADirectoryError, PermissionError, ...) naming `save` and `path`, never the temporary
      file, with what to do; the original error is chained. After any failure the previous file at
      `path`, if there was one, is unchanged and no temporary file is left behind.

    Differences:
      Orbax's `StandardCheckpointer.save` creates missing parent directories too, but with
      `force=True` replaces whatever is at `path`, a directory included (`save('', force=True)`
      empties the current directory); here a directory at `path` is refused and never touched.
      Orbax's errors for a path below a file name its temporary directory (`*.orbax-checkpoint-tmp`).
    """
    return write("purejax.checkpoint.save", path, tree)


def _read(where: str, path: str) -> tuple[dict, dict]:
    """The description and every leaf's array, checked against each other."""
    try:
        if not zipfile.is_zipfile(path):
            raise ValueError("not a zip file; save writes an .npz, a zip of .npy files and tree.json")
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z[layout.RESERVED])
            if meta.get("format") != FORMAT or meta.get("version") != VERSION:
                raise ValueError(
                    f"expected format {FORMAT!r} version {VERSION}, got {meta.get('format')!r} "
                    f"version {meta.get('version')!r}"
                )
            arrays = {}
            for leaf in layout.leaf_entries(meta["tree"]):
                array, stored = z[leaf["leaf"]], np.dtype(leaf.get("stored_as", leaf["dtype"]))
                if array.shape != tuple(leaf["shape"]) or array.dtype != stored:
                    raise ValueError(
                        f"member {leaf['leaf']!r} holds {array.dtype}{list(array.shape)}, "
                        f"tree.json says {stored}{leaf['shape']}"
                    )
                arrays[leaf["leaf"]] = array.view(np.dtype(leaf["dtype"])) if "stored_as" in leaf else array
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.ENOENT, errno.EISDIR):  # the file, not its contents
            raise os_error(where, "read", path, error, "check the path and its permissions") from error
        raise ValueError(f"{where}: {path!r} is not a readable checkpoint ({type(error).__name__}: {error})") from error
    except Exception as error:  # a truncated zip, a bad CRC, a missing member, broken JSON, ...
        raise ValueError(f"{where}: {path!r} is not a readable checkpoint ({type(error).__name__}: {error})") from error
    return meta["tree"], arrays


def readable_file(where: str, path) -> str:
    """`path` as a string (`~` expanded), checked to be an existing file, or an error saying what is there."""
    if path == "":
        raise ValueError(f"{where}: path must be a non-empty path, got ''; pass the file that save wrote")
    check_path(where, "path", path)
    path = os.path.expanduser(os.fspath(path))
    if os.path.isdir(path):
        names = os.listdir(path)
        if any(name in ("_CHECKPOINT_METADATA", "_METADATA", "manifest.ocdbt") for name in names):
            hint = "it looks like an Orbax checkpoint: read it with orbax.checkpoint (flaxed.checkpoint.restore)"
        elif any(name.endswith(".npz") for name in names):
            hint = "pass one of its .npz files, or use CheckpointManager(directory).restore() for numbered steps"
        else:
            hint = "pass the file that save wrote"
        raise IsADirectoryError(f"{where}: path {path!r} is a directory, not a checkpoint file; {hint}")
    if not os.path.isfile(path):
        hint = "save writes exactly the path it is given"
        if os.path.isfile(path + ".npz"):
            hint = f"did you mean {path + '.npz'!r}?"
        elif not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            hint = f"its directory {os.path.dirname(os.path.abspath(path))!r} does not exist either"
        raise FileNotFoundError(f"{where}: no checkpoint file {path!r}; {hint}")
    return path


def read(where: str, path, target=None):
    """`restore`, with errors naming `where` (`purejax.checkpoint.restore`, `CheckpointManager.restore`)."""
    path = readable_file(where, path)
    description, arrays = _read(where, path)
    if target is None:
        return layout.plain(description, arrays)
    return layout.into(description, target, arrays, f"{where}({path!r})")


def restore(path, target=None):
    """Read a checkpoint written by `save`.

    Args:
      path: the checkpoint file (str or `os.PathLike`, `~` expanded).
      target: optional pytree with the saved structure (a fresh `TrainState`, `model.init(...)`'s
        variables). Each of its leaves gives the restored leaf's shape and dtype (an array or a
        `jax.ShapeDtypeStruct`; a Python number accepts any scalar of its kind) and its kind: numpy
        leaves come back as numpy arrays, others as `jax.Array`s (a number: as it was saved).

    Returns:
      With `target`: a tree of `target`'s structure, keeping its non-leaf parts (TrainState's `tx`).
      Without: dicts, lists, tuples and None as `tree.json` describes them, leaves as they were saved.

    Raises:
      TypeError / ValueError: a path that is None or empty. FileNotFoundError: no such file;
      IsADirectoryError: a directory (an Orbax checkpoint, a manager's directory), named as such;
      PermissionError: not readable. ValueError: the file is not a readable checkpoint (named), or
      the target differs from it (the message names the first differing path, what the target has
      and what the checkpoint holds).
    """
    return read("purejax.checkpoint.restore", path, target)
