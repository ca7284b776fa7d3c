"""The stub (`comparisons.exercises.stub.make_stub`): the solution with the learner's bodies left out."""

import ast

import pytest

from comparisons.exercises import EXERCISES, make_stub


@pytest.mark.parametrize("name", list(EXERCISES))
def test_stub_keeps_the_task_and_signatures_and_drops_the_bodies(name):
    exercise = EXERCISES[name]
    stub, solution = ast.parse(make_stub(exercise)), ast.parse(exercise.solution_source())
    assert ast.get_docstring(stub) == ast.get_docstring(solution)  # the task, with the --check command
    assert f"python -m comparisons exercise {name} --check" in (ast.get_docstring(stub) or "")
    functions = {n.name: n for n in stub.body if isinstance(n, ast.FunctionDef)}
    originals = {n.name: n for n in solution.body if isinstance(n, ast.FunctionDef)}
    for fn in exercise.functions:
        assert ast.dump(functions[fn].args) == ast.dump(originals[fn].args)  # the same signature
        assert ast.get_docstring(functions[fn]) == ast.get_docstring(originals[fn])  # the math
        body = functions[fn].body
        assert len(body) == 2 and isinstance(body[1], ast.Raise), ast.unparse(functions[fn])
        assert "NotImplementedError" in ast.unparse(body[1])
