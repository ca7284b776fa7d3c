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
nothing reads, removed too when the failure is an exception).

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

import json
import os
import tempfile
import zipfile

import numpy as np

from purejax.checkpoint import layout

FORMAT, VERSION = "purejax.checkpoint", 1


def _write_atomically(path: str, arrays: dict, description: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private (0600); np.savez's would not be
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
                for name, array in arrays.items():
                    with z.open(name + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
                z.writestr(layout.RESERVED, json.dumps(description, indent=1))
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(path, tree) -> str:
    """Write `tree` to the checkpoint file `path` (conventionally `*.npz`), replacing it atomically.

    Args:
      path: the file to write; its directory must exist.
      tree: a pytree of arrays (jax or numpy, any numeric dtype, bfloat16 included) and Python
        numbers, in dicts (str or int keys), lists, tuples, namedtuples, None and registered classes
        such as `purejax.train.TrainState` (its leaves `step`, `params`, `opt_state`, `batch_stats`
        are saved; `apply_fn` and `tx` are code, not data: they come from the target at restore).

    Returns:
      `path`, as a string.

    Raises:
      TypeError / ValueError naming the path of a leaf that cannot be stored (not an array, a
      non-numeric dtype, a dict key that is neither str nor int, two leaves with the same name).
    """
    path = os.fspath(path)
    tree_description, arrays = layout.describe(tree)
    _write_atomically(path, arrays, {"format": FORMAT, "version": VERSION, "tree": tree_description})
    return path


def _read(path: str) -> tuple[dict, dict]:
    """The description and every leaf's array, checked against each other."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"purejax.checkpoint.restore: no checkpoint file {path!r}")
    try:
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
    except Exception as error:  # a truncated zip, a bad CRC, a missing member, broken JSON, ...
        raise ValueError(
            f"purejax.checkpoint.restore: {path!r} is not a readable checkpoint ({type(error).__name__}: {error})"
        ) from error
    return meta["tree"], arrays


def restore(path, target=None):
    """Read a checkpoint written by `save`.

    Args:
      path: the checkpoint file.
      target: optional pytree with the saved structure (a fresh `TrainState`, `model.init(...)`'s
        variables). Each of its leaves gives the restored leaf's shape and dtype (an array or a
        `jax.ShapeDtypeStruct`; a Python number accepts any scalar of its kind) and its kind: numpy
        leaves come back as numpy arrays, others as `jax.Array`s (a number: as it was saved).

    Returns:
      With `target`: a tree of `target`'s structure, keeping its non-leaf parts (TrainState's `tx`).
      Without: dicts, lists, tuples and None as `tree.json` describes them, leaves as they were saved.

    Raises:
      FileNotFoundError: no such file. ValueError: the file is not a readable checkpoint (named), or
      the target differs from it (the message names the first differing path, or the leaf whose
      shape or dtype differs).
    """
    path = os.fspath(path)
    description, arrays = _read(path)
    if target is None:
        return layout.plain(description, arrays)
    return layout.into(description, target, arrays, f"purejax.checkpoint.restore({path!r})")
