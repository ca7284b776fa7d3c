"""`run`: what `python -m comparisons exercise [NAME] [--out FILE | --solution | --check FILE]` does.

no NAME           list the exercises                                   exit 0
NAME [--out F]    write the stub (default exercises/NAME.py), say what next   0
NAME --solution   print the reference solution                         0
NAME --check F    grade F: 0 when it matches the counterpart, 1 when it does not,
                  2 when it cannot be graded (unknown name, missing file, a file that does not
                  define the function, imports the counterpart, or raises while imported)
"""

from __future__ import annotations

import sys
from pathlib import Path

from comparisons.exercises.grading import grade
from comparisons.exercises.learner import Refused, load
from comparisons.exercises.registry import UnknownExercise, listing, lookup
from comparisons.exercises.stub import make_stub


def run(name: str | None = None, *, out: str | None = None, solution: bool = False, check: str | None = None) -> int:
    """Do what the options say (see the module docstring) and return the exit code."""
    if name is None:
        if out or solution or check:
            print(
                "error: name the exercise: python -m comparisons exercise NAME [--out FILE | --solution | "
                "--check FILE]; python -m comparisons exercise lists them",
                file=sys.stderr,
            )
            return 2
        print(listing())
        return 0
    try:
        exercise = lookup(name)
    except UnknownExercise as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    if solution:
        print(exercise.solution_source(), end="")
        return 0
    if check is not None:
        try:
            module = load(exercise, check)
        except Refused as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        verdict = grade(exercise, module, path=check)
        print(verdict.text)
        return 0 if verdict.ok else 1
    return _write_stub(exercise, Path(out or Path("exercises") / f"{exercise.name}.py"))


def _write_stub(exercise, path: Path) -> int:
    if path.exists():
        print(
            f"error: {path} exists; keeping your work. Check it with: python -m comparisons exercise "
            f"{exercise.name} --check {path}   (or choose another file with --out FILE)",
            file=sys.stderr,
        )
        return 2
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(make_stub(exercise), encoding="utf-8")
    functions = ", ".join(exercise.functions)
    print(
        f"wrote {path}: {exercise.summary} (tour chapter: docs/tour/{exercise.chapter}.md).\n"
        f"next: open it, write {functions} (the docstrings have the math), then check it against "
        f"{exercise.counterpart}:\n"
        f"    python -m comparisons exercise {exercise.name} --check {path}"
    )
    return 0
