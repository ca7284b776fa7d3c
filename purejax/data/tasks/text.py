"""The text task: next-byte prediction on Python's standard library sources, or on a file you name.

    data     the bytes of every `.py` under `sysconfig.get_paths()['stdlib']`, sorted by path
             (`load_text`), first `MAX_BYTES`; or of a file (`path=`, the train command's `--text FILE`)
    split    by position: the first 90% to train, the last 10% to test (unseen text)
    batches  {'tokens': int32[B, T + 1]}: inputs `tokens[:, :-1]`, targets `tokens[:, 1:]`;
             training windows at random places, test windows at stride T (each byte a target once)
    goal     a test loss below `GOAL_FRACTION` x the unigram entropy of the training bytes (the
             best context-free loss), in nats per byte

The vocabulary is the 256 byte values, for any file: nothing to build or mismatch. The language
models `lstm_lm` and `transformer_lm` train on it; their purejax and flaxed modules bind the
functions here, so both models see the same batches and test windows.

Counterpart: none in Flax or Optax; the batches replace the seeds' `tf.data` /
`torch.utils.data` loaders (see `purejax/data/batching.py`).
"""

from __future__ import annotations

import functools
import math
import os
import sysconfig

import jax.numpy as jnp
import numpy as np

import purejax.random
from purejax.checks import check_key, check_metric, check_path, check_positive_int
from purejax.data.batching import batches

VOCAB = 256  # byte values
SEQ_LEN = 32  # T: predictions per training window
MAX_BYTES = 300_000  # of the text; the last 10% are the test split
TEST_FRACTION = 0.1
GOAL_FRACTION = 0.8  # test loss < 0.8 x unigram entropy of the training bytes
_BLOCK = 256  # training batches whose window starts are drawn in one call


def stdlib_sources() -> list[str]:
    """Paths of the standard library's `.py` files (tests and site-packages left out), sorted."""
    root = sysconfig.get_paths()["stdlib"]
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in ("site-packages", "test", "tests", "idlelib"))
        found += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    return sorted(found)


def load_text(path: str | os.PathLike | None = None, max_bytes: int = 2_000_000) -> np.ndarray:
    """`uint8[n]`: the bytes of `path`, or of the standard library's sources joined, first `max_bytes`.

    Args:
      path: a text file (str or `pathlib.Path`, `~` expanded), or None for the standard library.
      max_bytes: how many bytes to read at most, an integer >= 1.

    Raises:
      FileNotFoundError / IsADirectoryError / PermissionError naming `load_text` and the path;
      ValueError for an empty file; TypeError for a path or size of the wrong kind.

    Differences:
      `open(path)` also takes an integer, a file descriptor: `load_text(0)` would read standard
      input. Here a path must be a `str` or `os.PathLike`.
    """
    where = "purejax.data.load_text"
    max_bytes = check_positive_int(where, "max_bytes", max_bytes)
    if path == "":
        raise ValueError(f"{where}: path must be a non-empty path, got ''; pass a text file, or None for the stdlib")
    if path is not None:
        file_path = check_path(where, "path", path)
        try:
            with open(file_path, "rb") as file:
                data = file.read(max_bytes)
        except OSError as error:
            reason = {FileNotFoundError: "no such file", IsADirectoryError: "a directory, not a file"}
            raise type(error)(
                f"{where}: path {str(file_path)!r} cannot be read: "
                f"{reason.get(type(error), error.strerror or error)}; pass the path of a text file, "
                "or path=None for the standard library's sources"
            ) from error
        if not data:
            raise ValueError(f"{where}: path {file_path} is empty; pass a file with some text in it")
        return np.frombuffer(data, np.uint8).copy()
    chunks, size = [], 0
    for source in stdlib_sources():
        with open(source, "rb") as file:
            chunks.append(file.read())
        size += len(chunks[-1])
        if size >= max_bytes:
            break
    if not chunks:
        raise FileNotFoundError(
            f"{where}: found no .py files under {sysconfig.get_paths()['stdlib']}; pass a text file as path"
        )
    return np.frombuffer(b"".join(chunks)[:max_bytes], np.uint8).copy()


def _text_path(where: str, path) -> str | None:
    """`path` checked and as a string (one cache entry per file, whether given as str or Path), or None."""
    return None if path is None else str(check_path(where, "path", path))


@functools.lru_cache(maxsize=8)
def load_data(path: str | None = None) -> dict:
    """`{'train': uint8[n_train], 'test': uint8[n_test]}`: the text's bytes, split by position.

    A text too short for one test window is refused, naming the models that read it (`lstm_lm`,
    `transformer_lm`) and the file.
    """
    text = load_text(path, max_bytes=MAX_BYTES)  # [n]
    n_test = int(len(text) * TEST_FRACTION)
    if n_test < SEQ_LEN + 1:
        raise ValueError(
            f"purejax.data.tasks.text.load_data (the text of lstm_lm and transformer_lm): "
            f"{path or 'the text'} has {len(text)} bytes; it needs at least "
            f"{math.ceil((SEQ_LEN + 1) / TEST_FRACTION)} so the test split holds one window of "
            f"{SEQ_LEN + 1} bytes; pass a longer file (train MODEL --text FILE)"
        )
    return {"train": text[:-n_test], "test": text[-n_test:]}


def train_batches(key, batch_size: int, path: str | None = None, seq_len: int = SEQ_LEN):
    """Endless batches `{'tokens': int32[B, seq_len + 1]}` of windows at random places of the train split.

    Batch i reads the windows starting at `randint(fold_in(key, i // 256), [256, B])[i % 256]`.
    The arguments are checked at the call (a key `uint32[2]`, integers `batch_size, seq_len >= 1`,
    a window shorter than the train split), before the first batch is asked for.
    """
    where = "purejax.data.tasks.text.train_batches"
    check_key(where, "key", key)
    batch_size = check_positive_int(where, "batch_size", batch_size)
    seq_len = check_positive_int(where, "seq_len", seq_len)
    train = load_data(_text_path(where, path))["train"]
    if len(train) <= seq_len:
        raise ValueError(
            f"{where}: seq_len must be below the train split's {len(train)} bytes (a window reads "
            f"seq_len + 1 of them), got {seq_len}; use a smaller seq_len or a longer text"
        )
    return _train_windows(key, batch_size, train, seq_len)


def _train_windows(key, batch_size: int, train: np.ndarray, seq_len: int):
    """The generator behind `train_batches`, started after its arguments were checked."""
    offsets = np.arange(seq_len + 1)  # [T + 1]
    for block in range(2**31):
        starts = purejax.random.randint(
            purejax.random.fold_in(key, block), (_BLOCK, batch_size), 0, len(train) - seq_len
        )  # [256, B]
        for row in np.asarray(starts):
            yield {"tokens": train[row[:, None] + offsets].astype(np.int32)}  # [B, T + 1]


def eval_batches(batch_size: int, path: str | None = None, seq_len: int = SEQ_LEN):
    """The test split as windows of `seq_len + 1` bytes at stride `seq_len` (each byte is a target once), in order.

    `batch_size` and `seq_len` are integers >= 1, and the test split must hold one window.
    """
    where = "purejax.data.tasks.text.eval_batches"
    batch_size = check_positive_int(where, "batch_size", batch_size)
    seq_len = check_positive_int(where, "seq_len", seq_len)
    test = load_data(_text_path(where, path))["test"]
    if len(test) <= seq_len:
        raise ValueError(
            f"{where}: seq_len must be below the test split's {len(test)} bytes (a window reads "
            f"seq_len + 1 of them), got {seq_len}; use a smaller seq_len or a longer text"
        )
    starts = np.arange(0, len(test) - seq_len, seq_len)  # [windows]
    tokens = test[starts[:, None] + np.arange(seq_len + 1)].astype(np.int32)  # [windows, T + 1]
    return batches({"tokens": tokens}, batch_size, remainder="keep")


def example_batch(key, batch_size: int = 4) -> dict:
    """A batch of the task's format: `{'tokens': int32[B, 33]}`."""
    return next(train_batches(key, batch_size))


def check_text(batch, name: str) -> None:
    """Raise a ValueError naming model `name`, the expected and the actual shapes and dtypes.

    A text batch is `{'tokens': int[B, T + 1]}` of byte values, `T >= 1`; works on tracers too.
    """
    tokens = batch.get("tokens") if isinstance(batch, dict) else None
    if (
        tokens is None
        or set(batch) != {"tokens"}
        or np.ndim(tokens) != 2
        or np.shape(tokens)[1] < 2
        or not jnp.issubdtype(jnp.result_type(tokens), jnp.integer)
    ):
        got = (
            {k: f"{jnp.result_type(v)}{list(np.shape(v))}" for k, v in batch.items()}
            if isinstance(batch, dict)
            else type(batch).__name__
        )
        raise ValueError(f"{name}: expected a batch {{'tokens': int[B, T + 1]}} of byte values (T >= 1), got {got}")


@functools.lru_cache(maxsize=8)
def unigram_entropy(path: str | None = None) -> float:
    """`-sum_b p(b) log p(b)` over the training bytes, in nats: the loss of the best context-free model."""
    counts = np.bincount(load_data(path)["train"], minlength=VOCAB)  # [256]
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def learning_goal(eval_metrics: dict, path: str | None = None) -> tuple[bool, str]:
    """Learned when the test loss (nats per byte) is below `GOAL_FRACTION` of the unigram entropy."""
    loss = check_metric("purejax.data.tasks.text.learning_goal", "eval_metrics", eval_metrics, "loss")
    goal = GOAL_FRACTION * unigram_entropy(_text_path("purejax.data.tasks.text.learning_goal", path))
    return loss < goal, f"test loss {loss:.3f} nats/byte < {goal:.3f} ({GOAL_FRACTION} x unigram entropy)"


__all__ = [
    "GOAL_FRACTION",
    "MAX_BYTES",
    "SEQ_LEN",
    "TEST_FRACTION",
    "VOCAB",
    "check_text",
    "eval_batches",
    "example_batch",
    "learning_goal",
    "load_data",
    "load_text",
    "stdlib_sources",
    "train_batches",
    "unigram_entropy",
]
