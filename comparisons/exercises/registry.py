"""Every exercise, in the tour's order, and how to find one by name.

EXERCISES            name -> Exercise, in the order a learner meets them
lookup(name)         the exercise, or UnknownExercise listing the names
listing()            the `python -m comparisons exercise` text: one name per line, then its summary
"""

from __future__ import annotations

from comparisons.exercises.exercise import Exercise
from comparisons.exercises.layers import DENSE_FORWARD, DROPOUT
from comparisons.exercises.losses import SOFTMAX_CROSS_ENTROPY
from comparisons.exercises.optimizers import CLIP_BY_GLOBAL_NORM, COSINE_DECAY_SCHEDULE, SCALE_BY_ADAM
from comparisons.exercises.pytrees import TREE_FLATTEN
from comparisons.exercises.randomness import SPLIT, THREEFRY_2X32, UNIFORM
from comparisons.exercises.recurrence import LSTM_CELL, RNN_SCAN

EXERCISES: dict[str, Exercise] = {
    e.name: e
    for e in (
        TREE_FLATTEN,
        THREEFRY_2X32,
        SPLIT,
        UNIFORM,
        DENSE_FORWARD,
        SCALE_BY_ADAM,
        CLIP_BY_GLOBAL_NORM,
        COSINE_DECAY_SCHEDULE,
        SOFTMAX_CROSS_ENTROPY,
        DROPOUT,
        LSTM_CELL,
        RNN_SCAN,
    )
}


class UnknownExercise(LookupError):
    """No exercise of that name; the message lists the names."""


def lookup(name: str) -> Exercise:
    if name not in EXERCISES:
        raise UnknownExercise(f"no exercise named {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[name]


def listing() -> str:
    width = max(len(n) for n in EXERCISES)
    rows = [f"{e.name:<{width}}  {e.summary} (docs/tour/{e.chapter}.md)" for e in EXERCISES.values()]
    return "\n".join(
        [
            *rows,
            "",
            "start one:   python -m comparisons exercise NAME            (writes exercises/NAME.py)",
            "check it:    python -m comparisons exercise NAME --check exercises/NAME.py",
        ]
    )
