"""The transfer task: digits 0-4 to learn features on, then a few labelled digits 5-9 to reuse them for.

    source   digits 0-4 of the digits task, every one: 729 training, 172 test digits, labels 0..4
    target   digits 5-9, `TARGET_PER_CLASS` (3) training digits of each class (15 in all) and every
             test digit (187), labels shifted to 0..4 (label 0 is the digit 5)
    batches  {'image': float32[B, 8, 8, 1], 'label': int32[B]}, as the digits task's
    goal     test accuracy on the target >= 0.85 (`learning_goal`)

The split into train and test is the digits task's (`purejax/data/tasks/digits.py`), so no test
digit of either half is ever trained on. The target keeps the first `TARGET_PER_CLASS` training
digits of each class in the digits task's (shuffled) order: a few-shot task, where features learned
elsewhere matter most, since a model trained from scratch on 15 digits has little to generalize from.

Counterpart: the transfer-learning chapter's two datasets (a large source task, a small target
task); here both come from scikit-learn's digits (the `data` extra).
"""

from __future__ import annotations

import functools

import numpy as np

from purejax.checks import check_metric
from purejax.data.batching import task_batches
from purejax.data.tasks import digits

SOURCE_CLASSES = (0, 1, 2, 3, 4)  # the digits pretrained on
TARGET_CLASSES = (5, 6, 7, 8, 9)  # the digits transferred to
NUM_CLASSES = 5  # outputs of either task's head
TARGET_PER_CLASS = 3  # labelled training digits of each target class
GOAL_ACCURACY = 0.85  # target test accuracy the transfer must reach


def select_classes(data: dict, classes, per_class: int | None = None) -> dict:
    """The examples of `data` whose label is in `classes`, relabelled `0..len(classes) - 1`.

    Args:
      data: `{'image': [n, 8, 8, 1], 'label': int[n]}`.
      classes: the labels to keep, in order; `classes[i]` becomes label `i`.
      per_class: keep only the first this many of each class (None: all), in `data`'s order.

    Returns:
      `{'image': [m, 8, 8, 1], 'label': int32[m]}`, in `data`'s order.

    Examples:
      >>> import numpy as np
      >>> data = {"image": np.zeros((6, 8, 8, 1), np.float32), "label": np.array([5, 1, 6, 5, 7, 6])}
      >>> select_classes(data, (5, 6), per_class=1)["label"].tolist()
      [0, 1]
    """
    labels = np.asarray(data["label"])
    keep = np.zeros(labels.shape, bool)
    for c in classes:
        (where,) = np.nonzero(labels == c)
        keep[where if per_class is None else where[:per_class]] = True
    relabel = np.full(max(int(labels.max()), *classes) + 1, -1, np.int32)
    relabel[list(classes)] = np.arange(len(classes), dtype=np.int32)
    return {"image": np.asarray(data["image"])[keep], "label": relabel[labels[keep]]}


@functools.lru_cache(maxsize=1)
def load_source() -> dict:
    """`{'train': 729 digits 0-4, 'test': 172}`, labels 0..4."""
    data = digits.load_data()
    return {split: select_classes(data[split], SOURCE_CLASSES) for split in ("train", "test")}


@functools.lru_cache(maxsize=1)
def load_data() -> dict:
    """The target: `{'train': 3 digits of each of 5-9, 'test': every test digit 5-9 (187)}`, labels 0..4."""
    data = digits.load_data()
    return {
        "train": select_classes(data["train"], TARGET_CLASSES, TARGET_PER_CLASS),
        "test": select_classes(data["test"], TARGET_CLASSES),
    }


# The source task's batches (pretraining) and the target task's (the task of the transferred model).
source_train_batches, source_eval_batches, source_example_batch = task_batches(load_source)
train_batches, eval_batches, example_batch = task_batches(load_data)


def learning_goal(eval_metrics: dict) -> tuple[bool, str]:
    """Learned when at least 85% of the target's test digits (5-9) are classified correctly."""
    where = "purejax.data.tasks.digits_transfer.learning_goal"
    accuracy = check_metric(where, "eval_metrics", eval_metrics, "accuracy")
    return accuracy >= GOAL_ACCURACY, f"target test accuracy {accuracy:.3f} >= {GOAL_ACCURACY}"


__all__ = [
    "GOAL_ACCURACY",
    "NUM_CLASSES",
    "SOURCE_CLASSES",
    "TARGET_CLASSES",
    "TARGET_PER_CLASS",
    "eval_batches",
    "example_batch",
    "learning_goal",
    "load_data",
    "load_source",
    "select_classes",
    "source_eval_batches",
    "source_example_batch",
    "source_train_batches",
    "train_batches",
]
