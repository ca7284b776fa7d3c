"""A learner's file: read, checked for what it may import, and run as a module.

`load(exercise, path)` returns the module, or raises `Refused` with a message that says what is
wrong and what to do: the file is missing, does not parse, imports the counterpart it is meant
to rebuild (`optax` in `scale_by_adam`, `jax.random` in `split`), raises while it is imported,
or does not define the functions the grader calls.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

from comparisons.exercises.exercise import BASE_IMPORTS, COUNTERPART_MODULES, Exercise


class Refused(Exception):
    """The file cannot be graded; the message says why and what to do."""


def _allowed(exercise: Exercise, module: str, name: str | None = None) -> bool:
    """May the learner import `name` from `module` (or `module` itself, when `name` is None)?"""
    if module in exercise.allowed or (name is not None and f"{module}:{name}" in exercise.allowed):
        return True
    if any(module == m or module.startswith(m + ".") for m in COUNTERPART_MODULES):
        return False
    if name is not None and f"{module}.{name}" in COUNTERPART_MODULES:  # from jax import random
        return f"{module}.{name}" in exercise.allowed
    return module in BASE_IMPORTS


def _attribute(node: ast.Attribute) -> str | None:
    """`jax.random.split` for the expression `jax.random.split`, or None if it does not start with a name."""
    parts = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name):
        return None
    return ".".join([current.id, *reversed(parts)])


def forbidden(exercise: Exercise, source: str) -> list[tuple[int, str]]:
    """`(line, what)` for every import or `jax.<counterpart>` use the exercise does not allow."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if not _allowed(exercise, a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found += [
                (node.lineno, f"from {module} import {a.name}")
                for a in node.names
                if not _allowed(exercise, module, a.name)
            ]
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            dotted = _attribute(node)
            if dotted and dotted.count(".") == 1 and dotted in COUNTERPART_MODULES and dotted not in exercise.allowed:
                found.append((node.lineno, dotted))
    return sorted(set(found))


def load(exercise: Exercise, path: str | Path) -> ModuleType:
    """The learner's file as a module (see the module docstring for what is refused)."""
    path = Path(path)
    command = f"python -m comparisons exercise {exercise.name}"
    if not path.is_file():
        raise Refused(
            f"exercise {exercise.name}: no file {path}. Write the stub with `{command}` "
            f"(it creates exercises/{exercise.name}.py), fill it in, then `{command} --check exercises/"
            f"{exercise.name}.py`."
        )
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise Refused(f"{path}:{error.lineno}: the file does not parse: {error.msg}") from None
    bad = forbidden(exercise, source)
    if bad:
        lines = "\n".join(f"  {path}:{line}: {what}" for line, what in bad)
        raise Refused(
            f"exercise {exercise.name}: the file uses what it is meant to rebuild (or another counterpart):\n"
            f"{lines}\nWrite it with jax.numpy and jax.lax"
            + (f" (and {', '.join(a.replace(':', '.') for a in exercise.allowed)})" if exercise.allowed else "")
            + f"; {exercise.counterpart} is what the grader compares against."
        )
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    missing = [f for f in exercise.functions if f not in defined]
    if missing:
        raise Refused(
            f"exercise {exercise.name}: {path} does not define {', '.join(missing)}; the grader calls "
            f"{', '.join(exercise.functions)}. Keep the stub's names and signatures (`{command} --out FILE` "
            "writes a fresh stub)."
        )
    return _run(exercise, path)


def _run(exercise: Exercise, path: Path) -> ModuleType:
    name = f"exercise_{exercise.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise Refused(f"exercise {exercise.name}: {path} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while they are built
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the learner's file: whatever it raises is reported
        sys.modules.pop(name, None)
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
        where = f" at line {frames[-1].lineno} ({frames[-1].line})" if frames else ""
        raise Refused(
            f"exercise {exercise.name}: {path} raised {type(error).__name__} while it was imported{where}: {error}"
        ) from None
    return module
