"""Fixtures of the exercise tests: grade a source text as the learner's file, or a solution with one mistake."""

import pytest

from comparisons.exercises import grade, load, lookup

EXAMPLES = 2  # generated cases per grading: the tests check the grader, not the solutions' every corner


@pytest.fixture
def graded(tmp_path):
    """`graded(name, source)`: the grader's `Verdict` on `source` written as the learner's file."""

    def run(name: str, source: str, examples: int = EXAMPLES):
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        exercise = lookup(name)
        return grade(exercise, load(exercise, path), examples=examples)

    return run


@pytest.fixture
def assert_mistake_explained(graded):
    """`assert_mistake_explained(name, old, new, *fragments)`: the reference solution with `old`
    replaced by `new` fails, and the grader's text has every fragment (the case, what differs, the hint)."""

    def run(name: str, old: str, new: str, *fragments: str):
        source = lookup(name).solution_source()
        assert source.count(old) == 1, f"{old!r} is not in {name}'s solution exactly once"
        verdict = graded(name, source.replace(old, new))
        assert not verdict.ok, verdict.text
        missing = [f for f in fragments if f not in verdict.text]
        assert not missing, f"{missing} not in:\n{verdict.text}"

    return run
