"""The learner's starting file, cut from the reference solution.

The stub is the solution with the body of each function the learner writes replaced by
`raise NotImplementedError(...)`: the module docstring (the task), the imports, the constants,
the signature and the docstring with the math stay. Cutting it from the solution keeps the two
from drifting apart, and the tests grade both.
"""

from __future__ import annotations

import ast

from comparisons.exercises.exercise import Exercise


def make_stub(exercise: Exercise) -> str:
    """The stub's text for `exercise` (see the module docstring)."""
    source = exercise.solution_source()
    lines = source.splitlines(keepends=True)
    cuts = []  # (first line, last line, indent) of each body to replace, 1-based
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in exercise.functions:
            body = node.body
            has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
            if has_doc and len(body) == 1:
                continue
            start = (body[0].end_lineno or body[0].lineno) + 1 if has_doc else body[0].lineno
            end = node.end_lineno or start
            indent = " " * body[0].col_offset
            cuts.append((start, end, indent, node.name))
    for start, end, indent, name in reversed(cuts):
        todo = f'{indent}raise NotImplementedError("{name}: write it (the docstring above has the math)")\n'
        lines[start - 1 : end] = [todo]
    return "".join(lines)
