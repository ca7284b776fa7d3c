"""What an exercise is: a function to write, the real library's answer, and the cases it is graded on.

An exercise names the functions the learner's file must define (`functions`), how to call them on
a case's inputs (`attempt`), and how the counterpart computes the same thing (`expected`: `optax`,
`flax.linen`, `jax.random`, `jax.tree_util`). The grader (`grading.py`) runs the fixed `cases`
(simplest first, each aimed at one idea and carrying the hint for when it fails), then inputs
drawn by `hypothesis` from `strategy`, and compares the two results with `tolerance`.

The reference solution is a real file beside this package, `solutions/NAME.py`: the file that
`--solution` prints, that the tests grade, and from which the stub is cut (`stub.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comparisons.parity.measures import FORWARD_ATOL, FORWARD_RTOL, OPTIMIZER_FLOOR, OPTIMIZER_RTOL

SOLUTIONS = Path(__file__).parent / "solutions"

# Imports every learner's file may use: JAX's array library and its primitives, and the standard
# library's plumbing. Anything else must be named in the exercise's `allowed`.
BASE_IMPORTS = (
    "__future__",
    "jax",
    "jax.numpy",
    "jax.lax",
    "numpy",
    "math",
    "typing",
    "collections",
    "collections.abc",
    "functools",
    "dataclasses",
    "itertools",
    "operator",
)
# The parts of `jax` that are counterparts of purejax (or hold them): refused unless `allowed`.
COUNTERPART_MODULES = (
    "jax.random",
    "jax.nn",
    "jax.tree_util",
    "jax.tree",
    "jax.extend",
    "jax._src",
    "jax.example_libraries",
    "jax.scipy",
)


@dataclass(frozen=True)
class Tolerance:
    """How close a result must be: bitwise (`rtol` 0), or `|got - expected| <= max(rtol * |expected|, atol)`."""

    rtol: float = 0.0
    atol: float = 0.0

    @property
    def bitwise(self) -> bool:
        return self.rtol == 0.0

    def describe(self) -> str:
        if self.bitwise:
            return "bitwise (0 ulp)"
        return f"rtol {self.rtol:g}" + (f", atol {self.atol:g}" if self.atol else "")


BITWISE = Tolerance()
FORWARD = Tolerance(FORWARD_RTOL, FORWARD_ATOL)  # a forward pass, as the parity report holds layers
OPTIMIZER = Tolerance(OPTIMIZER_RTOL, OPTIMIZER_RTOL * OPTIMIZER_FLOOR)  # optimizer steps, as the report


@dataclass(frozen=True)
class Case:
    """One input the grader tries, aimed at one idea; `hint` is what to look at when it fails."""

    label: str  # e.g. "eps=0.1: where eps goes"
    inputs: dict[str, Any]  # keyword arguments of `Exercise.expected` and `Exercise.attempt`
    hint: str = ""


@dataclass(frozen=True)
class Exercise:
    """A function to write, graded against its counterpart (see the module docstring)."""

    name: str  # the command's name, e.g. "scale_by_adam"
    chapter: str  # the tour chapter it belongs to, docs/tour/CHAPTER.md, e.g. "05_optimizers"
    summary: str  # one line, for `python -m comparisons exercise`
    counterpart: str  # what it is graded against, e.g. "optax.scale_by_adam"
    functions: tuple[str, ...]  # what the learner's file must define (the stub leaves their bodies out)
    expected: Callable[..., Any]  # (**inputs) -> result, computed by the counterpart
    attempt: Callable[..., Any]  # (module, **inputs) -> result, computed by the learner's functions
    cases: Callable[[], list[Case]]  # the fixed cases, simplest first
    hint: str  # the idea to check first when a generated case fails
    strategy: Callable[[], Any] | None = None  # a hypothesis strategy of inputs dicts (property-based cases)
    tolerance: Tolerance = BITWISE
    allowed: tuple[str, ...] = ()  # imports beyond BASE_IMPORTS: "jax.tree_util", "purejax.random:bits"
    compare: Callable[[Any, Any], list[str] | None] | None = None  # a comparison other than array by array
    primitive: str | None = None  # the jaxpr of `attempt` must contain it ("scan" for rnn_scan)
    examples: int = 12  # how many inputs hypothesis tries

    @property
    def solution(self) -> Path:
        """The reference solution's file."""
        return SOLUTIONS / f"{self.name}.py"

    def solution_source(self) -> str:
        return self.solution.read_text(encoding="utf-8")
