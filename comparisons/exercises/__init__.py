"""`python -m comparisons exercise`: exercises graded against the real libraries.

    python -m comparisons exercise                          # the exercises, one per line
    python -m comparisons exercise scale_by_adam            # write exercises/scale_by_adam.py, a stub
    python -m comparisons exercise scale_by_adam --check exercises/scale_by_adam.py
    python -m comparisons exercise scale_by_adam --solution # the reference solution

One concept per module, imports running downward:

    command      run: the command's output and exit codes
    registry     EXERCISES (in the tour's order), lookup, listing
    pytrees, randomness, layers, recurrence, optimizers, losses
                 the exercises, grouped by tour chapter: cases, counterpart, hints
    grading      grade: the learner's results beside the counterpart's, explained
    learner      load: a learner's file, checked (what it imports) and run; Refused
    stub         make_stub: the learner's starting file, cut from the solution
    exercise     Exercise, Case, Tolerance: what an exercise is
    solutions/   the reference solutions, one file per exercise
"""

from comparisons.exercises.command import run
from comparisons.exercises.exercise import Case, Exercise, Tolerance
from comparisons.exercises.grading import Verdict, grade
from comparisons.exercises.learner import Refused, load
from comparisons.exercises.registry import EXERCISES, UnknownExercise, listing, lookup
from comparisons.exercises.stub import make_stub

__all__ = [
    "EXERCISES",
    "Case",
    "Exercise",
    "Refused",
    "Tolerance",
    "UnknownExercise",
    "Verdict",
    "grade",
    "listing",
    "load",
    "lookup",
    "make_stub",
    "run",
]
