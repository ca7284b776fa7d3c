"""Batches from arrays held in host memory: shuffle with a key, epochs, drop or pad the remainder.

A dataset here is a dict of numpy arrays that share their first axis (examples), e.g.
`{'image': [n, 8, 8, 1], 'label': [n]}`. `batches` cuts it into dicts of the same keys with
`batch_size` examples each. Batches are numpy arrays (host memory), so the same batch object can
feed purejax and Flax; a jitted step moves it to the device. `task_batches` gives a task whose
data are a train and a test split (`purejax/data/tasks/`) the three batch functions every model
module offers: endless shuffled training batches, the test split in order, and an example batch.

Counterpart: the data loaders the seeds use (`tf.data`, `torch.utils.data.DataLoader`); this is
the small numpy version JAX's own examples write by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import cast

import numpy as np

import purejax.random

REMAINDERS = ("drop", "pad", "keep")


def num_examples(data: dict, where: str = "batches") -> int:
    """The shared first-axis length of every array in `data`, or a ValueError naming the culprit."""
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{where}: expected a non-empty dict of arrays, got {type(data).__name__}")
    lengths = {name: np.shape(array)[0] if np.ndim(array) else None for name, array in data.items()}
    if len(set(lengths.values())) != 1 or None in lengths.values():
        raise ValueError(f"{where}: every array needs the same number of examples on axis 0, got {lengths}")
    return cast(int, next(iter(lengths.values())))  # one length, and not None: checked above


def take(data: dict, index) -> dict:
    """`{name: array[index]}` for every array in `data`."""
    return {name: np.asarray(array)[index] for name, array in data.items()}


def batches(
    data: dict, batch_size: int, *, key=None, epochs: int | None = 1, remainder: str = "drop"
) -> Iterator[dict]:
    """Yield `{name: [batch_size, ...]}` batches of `data`, epoch after epoch.

        order_e = permutation(fold_in(key, e), n)     # a fresh order per epoch (key given)
        batch_b = data[order_e[b * B : (b + 1) * B]]  # B = batch_size

    Args:
      data: a dict of arrays with the same first axis `[n, ...]`.
      batch_size: examples per batch, `B >= 1`.
      key: a PRNG key (`uint32[2]`): shuffle each epoch with `fold_in(key, epoch)`; None keeps the order.
      epochs: passes over the data; None: without end (a training stream).
      remainder: the last `n % B` examples of an epoch: "drop" them (every batch full, the
        default), "pad" them to a full batch by repeating the epoch's first examples, or "keep" a
        short last batch. With "pad" every batch gets `'mask': bool[B]`, False on the padding.

    Returns:
      An iterator of dicts of numpy arrays.
    """
    n = num_examples(data)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size!r}")
    if remainder not in REMAINDERS:
        raise ValueError(f"batches: remainder must be one of {REMAINDERS}, got {remainder!r}")
    if remainder == "drop" and n < batch_size:
        raise ValueError(f"batches: {n} examples make no full batch of {batch_size}; use remainder='pad' or 'keep'")
    return _batches(data, n, int(batch_size), key, epochs, remainder)


def _batches(data: dict, n: int, batch_size: int, key, epochs: int | None, remainder: str) -> Iterator[dict]:
    """The generator behind `batches`, started after its arguments were checked."""
    for epoch in itertools.count() if epochs is None else range(epochs):
        if key is None:
            order = np.arange(n)
        else:
            order = np.asarray(purejax.random.permutation(purejax.random.fold_in(key, epoch), n))
        for start in range(0, n, batch_size):
            index = order[start : start + batch_size]  # [B] or fewer at the end
            short = batch_size - len(index)
            if short and remainder == "drop":
                break
            mask = np.ones(batch_size, bool)
            if short and remainder == "pad":
                mask[len(index) :] = False
                index = np.concatenate([index, np.resize(order, short)])  # repeat the first examples
            batch = take(data, index)
            if remainder == "pad":
                batch["mask"] = mask
            yield batch


def split(data: dict, key, test_fraction: float = 0.2) -> tuple[dict, dict]:
    """A shuffled `(train, test)` split of `data`, `round(n * test_fraction)` examples in test."""
    n = num_examples(data, "split")
    if not 0 < test_fraction < 1:
        raise ValueError(f"split: test_fraction must lie in (0, 1), got {test_fraction}")
    order = np.asarray(purejax.random.permutation(key, n))
    n_test = int(round(n * test_fraction))
    return take(data, order[n_test:]), take(data, order[:n_test])


def task_batches(load_data: Callable[[], dict]) -> tuple[Callable, Callable, Callable]:
    """`(train_batches, eval_batches, example_batch)` of a task whose `load_data()` is `{'train', 'test'}`.

        train_batches(key, batch_size)    = batches(train, B, key=key, epochs=None)  # endless, shuffled
        eval_batches(batch_size)          = batches(test, B, remainder="keep")       # in order, once
        example_batch(key, batch_size=4)  = next(train_batches(key, batch_size))     # the first of them

    Args:
      load_data: a function of no arguments returning `{'train': data, 'test': data}`, each a dict
        of arrays with the same first axis; called on every use (cache it), never at binding time.

    Returns:
      The three functions, to bind as the task's (and its models') module attributes.

    Examples:
      >>> import numpy as np
      >>> data = {"train": {"x": np.arange(6.0)}, "test": {"x": np.arange(3.0)}}
      >>> train_batches, eval_batches, example_batch = task_batches(lambda: data)
      >>> [batch["x"].tolist() for batch in eval_batches(2)]
      [[0.0, 1.0], [2.0]]
      >>> example_batch(None, batch_size=3)["x"].tolist()  # key None: the order as stored
      [0.0, 1.0, 2.0]
    """

    def train_batches(key, batch_size: int):
        """Endless shuffled training batches, a new order each epoch."""
        return batches(load_data()["train"], batch_size, key=key, epochs=None)

    def eval_batches(batch_size: int):
        """The test split in order, the last batch possibly short."""
        return batches(load_data()["test"], batch_size, remainder="keep")

    def example_batch(key, batch_size: int = 4) -> dict:
        """A batch of the task's format: the first of `train_batches(key, batch_size)`."""
        return next(train_batches(key, batch_size))

    return train_batches, eval_batches, example_batch
