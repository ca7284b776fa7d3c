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
from purejax.checks import (
    check_array,
    check_callable,
    check_choice,
    check_key,
    check_number,
    check_optional_int,
    check_positive_int,
    fail,
)

REMAINDERS = ("drop", "pad", "keep")


def num_examples(data: dict, where: str = "purejax.data.batches", name: str = "data") -> int:
    """The shared first-axis length of every array in `data`, or an error naming `where`, `name` and the culprit.

    TypeError: `data` is not a dict, or holds something that is not an array of numbers (None, a
    string, an object array). ValueError: `data` is empty, holds a 0-d array, or its arrays differ
    in length.
    """
    hint = "write {'image': images, 'label': labels}, arrays with the examples on axis 0"
    if not isinstance(data, dict):
        raise fail(TypeError, where, name, "a dict of arrays", data, hint)
    if not data:
        raise fail(ValueError, where, name, "a non-empty dict of arrays", data, hint)
    for key, array in data.items():
        check_array(where, f"{name}[{key!r}]", array)
    lengths = {key: np.shape(array)[0] if np.ndim(array) else None for key, array in data.items()}
    if len(set(lengths.values())) != 1 or None in lengths.values():
        scalars = " (None: a 0-d array, which has no examples)" if None in lengths.values() else ""
        raise ValueError(
            f"{where}: every array of {name} needs the same number of examples on axis 0, got {lengths}{scalars}"
        )
    return cast(int, next(iter(lengths.values())))  # one length, and not None: checked above


def take(data: dict, index) -> dict:
    """`{name: array[index]}` for every array in `data`.

    `data` is checked as by `batches`; `index` is an integer, a slice, or an array of integers or
    bools (NumPy's indexing). TypeError for anything else (a float, None, a string).
    """
    where = "purejax.data.take"
    num_examples(data, where)
    integers = isinstance(index, slice) or np.asarray(index).dtype.kind in "biu"
    if index is None or isinstance(index, (str, bytes, bool)) or not integers:
        raise fail(TypeError, where, "index", "an integer, a slice or an array of integers", index)
    return _take(data, index)


def _take(data: dict, index) -> dict:
    """`take` without the checks: the batches' hot path, on arguments checked once."""
    return {name: np.asarray(array)[index] for name, array in data.items()}


def batches(
    data: dict, batch_size: int, *, key=None, epochs: int | None = 1, remainder: str = "drop"
) -> Iterator[dict]:
    """Yield `{name: [batch_size, ...]}` batches of `data`, epoch after epoch.

        order_e = permutation(fold_in(key, e), n)     # a fresh order per epoch (key given)
        batch_b = data[order_e[b * B : (b + 1) * B]]  # B = batch_size

    Every argument is checked when `batches` is called, before the first batch is asked for.

    Args:
      data: a dict of arrays with the same first axis `[n, ...]`, `n >= 1`.
      batch_size: examples per batch, an integer `B >= 1`.
      key: a PRNG key (`uint32[2]`): shuffle each epoch with `fold_in(key, epoch)`; None keeps the order.
      epochs: passes over the data, an integer `>= 0` (0: no batches); None: without end (a
        training stream).
      remainder: the last `n % B` examples of an epoch: "drop" them (every batch full, the
        default), "pad" them to a full batch by repeating the epoch's first examples, or "keep" a
        short last batch. With "pad" every batch gets `'mask': bool[B]`, False on the padding.

    Returns:
      An iterator of dicts of numpy arrays.

    Raises:
      TypeError for arguments of the wrong kind (a float batch size or epoch count, a key that is
      not `uint32[2]`); ValueError for data without examples (whatever the remainder: an endless
      stream of an empty dataset would never yield), and for `remainder="drop"` with fewer than
      `batch_size` examples (no full batch, ever).

    Differences:
      `tf.data`'s `batch` and PyTorch's `DataLoader` yield nothing for an empty dataset, and
      `repeat()` of it ends at once or spins; here an empty dataset is an error.
    """
    where = "purejax.data.batches"
    n = num_examples(data, where)
    batch_size = check_positive_int(where, "batch_size", batch_size)
    key = check_key(where, "key", key, optional=True)
    epochs = check_optional_int(where, "epochs", epochs, minimum=0, hint="write e.g. 1, or None for an endless stream")
    check_choice(where, "remainder", remainder, REMAINDERS)
    if n == 0:
        raise ValueError(f"{where}: data has 0 examples (its arrays are empty on axis 0); there is nothing to batch")
    if remainder == "drop" and n < batch_size:
        raise ValueError(
            f"{where}: {n} examples make no full batch of {batch_size}; use remainder='pad' or 'keep', "
            f"or a batch_size of at most {n}"
        )
    return _batches(data, n, batch_size, key, epochs, remainder)


def _batches(data: dict, n: int, batch_size: int, key, epochs: int | None, remainder: str) -> Iterator[dict]:
    """The generator behind `batches`, started after its arguments were checked (n >= 1, so every
    epoch yields at least one batch: an endless stream never spins without yielding)."""
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
            batch = _take(data, index)
            if remainder == "pad":
                batch["mask"] = mask
            yield batch


def check_test_fraction(where: str, n: int, test_fraction: float) -> int:
    """`round(n * test_fraction)`, the test split's size, checked to leave both splits non-empty.

    TypeError for a `test_fraction` that is not a real number; ValueError for one outside (0, 1),
    or one that leaves no test example or no training example among `n`.
    """
    check_number(where, "test_fraction", test_fraction)
    if not 0 < test_fraction < 1:
        raise fail(ValueError, where, "test_fraction", "a number in the open interval (0, 1)", test_fraction)
    n_test = int(round(n * test_fraction))
    if not 0 < n_test < n:
        if n < 2:
            raise ValueError(f"{where}: data has {n} example(s); a train and a test split need at least 2")
        side = "test" if n_test == 0 else "train"
        raise ValueError(
            f"{where}: test_fraction {test_fraction} of {n} examples leaves the {side} split empty "
            f"(round({n} * {test_fraction}) = {n_test}); use a test_fraction between {1 / n:.3g} and "
            f"{(n - 1) / n:.3g}"
        )
    return n_test


def split(data: dict, key, test_fraction: float = 0.2) -> tuple[dict, dict]:
    """A shuffled `(train, test)` split of `data`, `round(n * test_fraction)` examples in test.

        order = permutation(key, n);  test = data[order[:n_test]];  train = data[order[n_test:]]

    Args:
      data: a dict of arrays with the same first axis `[n, ...]`, `n >= 2`.
      key: a PRNG key (`uint32[2]`).
      test_fraction: a number in (0, 1) such that both splits hold at least one example.

    Returns:
      `(train, test)`, dicts of numpy arrays with `data`'s keys.

    Differences:
      scikit-learn's `train_test_split` rounds the test size up (`ceil`); here it is `round`. Both
      refuse a fraction that leaves a split empty.
    """
    where = "purejax.data.split"
    n = num_examples(data, where)
    key = check_key(where, "key", key)
    n_test = check_test_fraction(where, n, test_fraction)
    order = np.asarray(purejax.random.permutation(key, n))
    return _take(data, order[n_test:]), _take(data, order[:n_test])


def task_batches(load_data: Callable[[], dict]) -> tuple[Callable, Callable, Callable]:
    """`(train_batches, eval_batches, example_batch)` of a task whose `load_data()` is `{'train', 'test'}`.

        train_batches(key, batch_size)    = batches(train, B, key=key, epochs=None)  # endless, shuffled
        eval_batches(batch_size)          = batches(test, B, remainder="keep")       # in order, once
        example_batch(key, batch_size=4)  = next(train_batches(key, batch_size))     # the first of them

    Args:
      load_data: a function of no arguments returning `{'train': data, 'test': data}`, each a dict
        of arrays with the same first axis; called on every use (cache it), never at binding time.
        The three functions check their arguments as `batches` does (errors name it).

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

    check_callable("purejax.data.task_batches", "load_data", load_data, "pass a function of no arguments")

    def part(name: str) -> dict:
        """`load_data()[name]`, or an error naming `task_batches` and what `load_data` returned."""
        data = load_data()
        if not isinstance(data, dict) or name not in data:
            raise fail(
                ValueError,
                "purejax.data.task_batches",
                "load_data()",
                f"a dict with a {name!r} split, {{'train': data, 'test': data}}",
                list(data) if isinstance(data, dict) else data,
            )
        return data[name]

    def train_batches(key, batch_size: int):
        """Endless shuffled training batches, a new order each epoch."""
        return batches(part("train"), batch_size, key=key, epochs=None)

    def eval_batches(batch_size: int):
        """The test split in order, the last batch possibly short."""
        return batches(part("test"), batch_size, remainder="keep")

    def example_batch(key, batch_size: int = 4) -> dict:
        """A batch of the task's format: the first of `train_batches(key, batch_size)`."""
        return next(train_batches(key, batch_size))

    return train_batches, eval_batches, example_batch
