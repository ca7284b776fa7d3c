"""The exercises' registry: the names the tour points to, their chapters, the listing."""

import pytest

from comparisons.exercises import EXERCISES, UnknownExercise, listing, lookup

TOUR_NAMES = (  # docs/tour/ points to these: `python -m comparisons exercise NAME`
    "tree_flatten threefry_2x32 split uniform dense_forward dropout lstm_cell rnn_scan scale_by_adam "
    "clip_by_global_norm cosine_decay_schedule softmax_cross_entropy"
).split()
CHAPTERS = {  # the tour's chapters with exercises: docs/tour/CHAPTER.md
    "01_pytrees",
    "02_randomness",
    "03_layers",
    "05_optimizers",
    "06_training",
    "07_state",
    "08_recurrence",
}


def test_every_tour_name_is_an_exercise_with_a_chapter_and_a_solution():
    assert sorted(EXERCISES) == sorted(TOUR_NAMES)
    for exercise in EXERCISES.values():
        assert exercise.chapter in CHAPTERS
        assert exercise.solution.is_file()
        assert exercise.functions and exercise.summary and exercise.counterpart


def test_listing_is_one_name_per_line_then_its_summary():
    lines = listing().splitlines()
    for name, line in zip(EXERCISES, lines, strict=False):
        assert line.split()[0] == name and EXERCISES[name].summary in line
    assert "python -m comparisons exercise NAME --check exercises/NAME.py" in lines[-1]


def test_unknown_name_lists_the_names():
    with pytest.raises(UnknownExercise, match="no exercise named 'adam'; the exercises are: tree_flatten, "):
        lookup("adam")
