"""The grader: run a learner's functions beside the counterpart, and say where and how they differ.

`grade(exercise, module)` runs the exercise's fixed cases (simplest first), then inputs that
`hypothesis` draws from the exercise's strategy (shrunk to the smallest input that fails), and
compares each result with the counterpart's, leaf by leaf, with the measures of the parity report
(`comparisons/parity/measures.py`: ulp distance, relative difference against a floor). It stops at
the first case that fails and explains it like a teacher would:

    scale_by_adam: case 3 of 5 failed: eps=0.1: where eps goes
      inputs: hyper={'b1': 0.9, 'b2': 0.999, 'eps': 0.1, 'eps_root': 0.0}, params=..., grads=...
      scale_by_adam(...)['step 1']['updates']['b'] (float32[3]): 3 of 3 elements differ; the first at [0]:
        expected  0.9532851   (optax.scale_by_adam)
        got       0.9882017
        585,803 ulp apart, relative difference 3.7e-02 (allowed: rtol 2e-05, atol 2e-08)
      hint: eps is added after the square root: sqrt(nu_hat + eps_root) + eps (eps_root goes inside)
    fix it and check again: python -m comparisons exercise scale_by_adam --check exercises/scale_by_adam.py
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from comparisons.exercises.exercise import Case, Exercise, Tolerance
from comparisons.parity.measures import ulp_distance

MAX_SHOWN = 8  # elements of an input printed in full; larger arrays are shown as dtype[shape]


@dataclass(frozen=True)
class Verdict:
    """What the grader found: `ok` only when every case matched; `text` says so or explains the failure."""

    ok: bool
    text: str


def describe_value(value: Any, full: bool = True) -> str:
    """An input or output in a few words: small arrays in full, larger ones (and any inside a
    container, unless `full`) as `float32[3, 4]`."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        array = np.asarray(value)
        kind = f"{array.dtype}{list(array.shape)}"
        if full and array.size <= MAX_SHOWN:
            return f"{kind} {np.array2string(array, separator=', ', max_line_width=10**6)}".replace("\n", "")
        return kind
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe_value(v, full)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        inner = ", ".join(describe_value(v, full) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if callable(value):
        return getattr(value, "__name__", type(value).__name__)
    return repr(value)


def describe_inputs(inputs: dict[str, Any]) -> str:
    """The inputs of a case: small arrays in full, arrays inside containers (params, carries) as shapes."""
    return ", ".join(f"{k}={describe_value(v, full=not isinstance(v, (dict, list, tuple)))}" for k, v in inputs.items())


def _kind(x: np.ndarray) -> str:
    return f"{x.dtype}{list(x.shape)}"


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f" or dtype.name == "bfloat16"


def _bits_differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise: not the same bits (two NaNs count as the same)."""
    if not _is_float(a.dtype):
        return a != b
    same = a.view(f"u{a.dtype.itemsize}") == b.view(f"u{b.dtype.itemsize}")
    both_nan = np.isnan(a.astype(np.float64)) & np.isnan(b.astype(np.float64))
    return ~(same | both_nan)


def _outside(got: np.ndarray, want: np.ndarray, tolerance: Tolerance) -> np.ndarray:
    """Elementwise: farther apart than `tolerance` allows (NaN or inf on one side only counts)."""
    if tolerance.bitwise or not _is_float(want.dtype):
        return _bits_differ(got, want)
    g, w = got.astype(np.float64), want.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        far = np.abs(g - w) > np.maximum(tolerance.rtol * np.abs(w), tolerance.atol)
    same_special = (np.isnan(g) & np.isnan(w)) | (np.isinf(g) & (g == w))
    return (far | np.isnan(g) | np.isnan(w)) & ~same_special


def _show(x: Any) -> str:
    value = np.asarray(x)
    if _is_float(value.dtype):
        return str(value[()])  # the shortest digits that identify the float in its own dtype
    if value.dtype.kind == "u":
        return f"{int(value)} (0x{int(value):08x})"
    return repr(value.item())


def compare_leaf(where: str, want: Any, got: Any, tolerance: Tolerance, counterpart: str) -> list[str] | None:
    """Lines explaining how `got` differs from `want` at `where`, or None when it matches."""
    if got is None or not hasattr(np.asarray(got), "dtype") or np.asarray(got).dtype == object:
        return [f"{where}: expected an array {_kind(np.asarray(want))}, got {describe_value(got)}"]
    w, g = np.asarray(want), np.asarray(got)
    if w.shape != g.shape:
        return [f"{where}: expected shape {w.shape} ({_kind(w)}), got shape {g.shape} ({_kind(g)})"]
    if w.dtype != g.dtype:
        return [f"{where}: expected dtype {w.dtype}, got {g.dtype} (shape {w.shape})"]
    bad = _outside(g, w, tolerance)
    if not bad.any():
        return None
    first = tuple(int(i) for i in np.argwhere(bad)[0]) if w.ndim else ()
    what = f"{int(bad.sum())} of {w.size} elements differ; the first at {list(first)}" if w.ndim else "differs"
    lines = [
        f"{where} ({_kind(w)}): {what}:",
        f"  expected  {_show(w[first])}   ({counterpart})",
        f"  got       {_show(g[first])}",
    ]
    if _is_float(w.dtype) and not np.isfinite([float(g[first]), float(w[first])]).all():
        lines.append("  not a finite number on one side: an overflow (exp of a large number), 0 / 0 or inf - inf?")
    elif _is_float(w.dtype):
        ulp = ulp_distance(g[first], w[first])
        rel = abs(float(g[first]) - float(w[first])) / max(abs(float(w[first])), np.finfo(np.float32).tiny)
        lines.append(f"  {ulp:,} ulp apart, relative difference {rel:.1e} (allowed: {tolerance.describe()})")
    return lines


def leaves_with_paths(tree: Any) -> list[tuple[str, Any]]:
    """`(key path, leaf)` pairs of a pytree, with JAX's key-path spelling (`['w']`, `.mu`, `[0]`)."""
    flat, _ = jax.tree_util.tree_flatten_with_path(tree, is_leaf=lambda x: x is None)
    return [(jax.tree_util.keystr(path), leaf) for path, leaf in flat]


def compare_trees(
    want: Any, got: Any, tolerance: Tolerance, counterpart: str, name: str = "result"
) -> list[str] | None:
    """Lines explaining the first leaf where two results differ, or None; leaves pair in order.

    The learner's containers may be other classes than the counterpart's (a tuple for Optax's
    state NamedTuple) as long as the leaves come in the same order: the messages name the
    counterpart's key paths.
    """
    w, g = leaves_with_paths(want), leaves_with_paths(got)
    if len(w) != len(g):
        return [
            f"{name}: expected {len(w)} arrays, got {len(g)}",
            f"  expected {name}{', '.join(p or '' for p, _ in w[:6]) if w else ''}: {describe_value(want)}",
            f"  got      {describe_value(got)}",
        ]
    for (path, x), (_, y) in zip(w, g, strict=True):
        lines = compare_leaf(f"{name}{path}", x, y, tolerance, counterpart)
        if lines:
            return lines
    return None


def worst_ulp(want: Any, got: Any) -> int:
    """The largest ulp distance over the float leaves of two results that matched (for the verdict)."""
    worst = 0
    for (_, x), (_, y) in zip(leaves_with_paths(want), leaves_with_paths(got), strict=False):
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype == y.dtype and x.shape == y.shape and _is_float(x.dtype):
            worst = max(worst, ulp_distance(y, x))
    return worst


class _Failed(Exception):
    """A case did not match: its lines."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def _raised(exercise: Exercise, module: Any, error: BaseException) -> list[str]:
    """What the learner's code raised, with the line of their file where it happened."""
    if isinstance(error, NotImplementedError):
        return [
            f"{' / '.join(exercise.functions)} raised NotImplementedError: the stub's body is still there.",
            "  replace `raise NotImplementedError(...)` with your implementation (the docstring has the math).",
        ]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == getattr(module, "__file__", None)]
    where = f" (your file, line {frames[-1].lineno}: {frames[-1].line})" if frames else ""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    lines = [f"your code raised {type(error).__name__}{where}:", f"  {message}"]
    if isinstance(error, jax.errors.ConcretizationTypeError | jax.errors.TracerBoolConversionError):
        lines.append(
            "  under jax.jit an array's value is unknown while tracing: a Python `if` or `bool()` on it fails;"
            " choose with jnp.where or lax.select instead"
        )
    return lines


def _check(exercise: Exercise, module: Any, inputs: dict[str, Any]) -> tuple[Any, Any]:
    """The counterpart's and the learner's results for `inputs`; raises `_Failed` when they differ.

    Matmuls run at full precision and NumPy-style rank promotion is allowed, whatever the
    caller's settings (a test suite may make it raise): the learner writes plain NumPy code.
    """
    with jax.default_matmul_precision("highest"), jax.numpy_rank_promotion("allow"):
        want = exercise.expected(**inputs)
        try:
            got = exercise.attempt(module, **inputs)
        except Exception as error:  # the learner's code: any error is a finding to report
            raise _Failed(_raised(exercise, module, error)) from None
    compare = exercise.compare or (
        lambda w, g: compare_trees(w, g, exercise.tolerance, exercise.counterpart, name=f"{exercise.functions[0]}(...)")
    )
    lines = compare(want, got)
    if lines:
        raise _Failed(lines)
    return want, got


def _failure(exercise: Exercise, title: str, inputs: dict[str, Any], lines: list[str], hint: str, path: str) -> Verdict:
    text = [
        f"{exercise.name}: {title}",
        f"  inputs: {describe_inputs(inputs)}",
        *(f"  {line}" for line in lines),
    ]
    if hint:
        text.append(f"  hint: {hint}")
    text.append(f"fix it and check again: python -m comparisons exercise {exercise.name} --check {path}")
    return Verdict(False, "\n".join(text))


def _search(exercise: Exercise, module: Any, examples: int) -> tuple[dict[str, Any], list[str]] | None:
    """The smallest generated input on which the learner's functions fail, with its explanation; or None."""
    import hypothesis  # imported here: only `--check` needs it
    from hypothesis.errors import NoSuchExample

    if exercise.strategy is None:
        return None
    found: dict[int, list[str]] = {}

    def fails(inputs: dict[str, Any]) -> bool:
        try:
            _check(exercise, module, inputs)
        except _Failed as failed:
            found[id(inputs)] = failed.lines
            return True
        return False

    quiet = hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    try:
        smallest = hypothesis.find(exercise.strategy(), fails, settings=quiet)
    except NoSuchExample:
        return None
    if id(smallest) not in found:  # `find` returns a fresh copy of the shrunk input: explain it again
        fails(smallest)
    return smallest, found.get(id(smallest), ["it failed"])


def grade(exercise: Exercise, module: Any, examples: int | None = None, path: str = "FILE") -> Verdict:
    """Grade the learner's `module` on `exercise` (see the module docstring).

    `examples`: how many inputs hypothesis draws (default: the exercise's own number); `path`: the
    learner's file, for the command a failure ends with.
    """
    examples = exercise.examples if examples is None else examples
    cases: list[Case] = exercise.cases()
    worst, total = 0, len(cases)
    for number, case in enumerate(cases, 1):
        try:
            want, got = _check(exercise, module, case.inputs)
        except _Failed as failed:
            title = f"case {number} of {total} failed: {case.label}"
            return _failure(exercise, title, case.inputs, failed.lines, case.hint or exercise.hint, path)
        worst = max(worst, worst_ulp(want, got))
    found = _search(exercise, module, examples)
    if found is not None:
        inputs, lines = found
        title = f"a generated case failed (the {total} fixed cases passed; hypothesis shrank the input to this one)"
        return _failure(exercise, title, inputs, lines, exercise.hint, path)
    if exercise.primitive is not None:
        lines = _primitive_missing(exercise, module, cases[0].inputs)
        if lines:
            title = f"the values match, but not the {exercise.primitive}"
            return _failure(exercise, title, cases[0].inputs, lines, "", path)
    if exercise.compare is not None:
        how = "exactly"
    else:
        how = "bitwise" if worst == 0 else f"within {exercise.tolerance.describe()} (at most {worst} ulp apart)"
    generated = f" and {examples} generated ones" if exercise.strategy is not None else ""
    return Verdict(
        True,
        f"{exercise.name}: all {total} cases{generated} match {exercise.counterpart}, {how}. Well done.",
    )


def _primitive_missing(exercise: Exercise, module: Any, inputs: dict[str, Any]) -> list[str] | None:
    """Lines saying the traced program lacks `exercise.primitive`, or None."""
    with jax.numpy_rank_promotion("allow"):
        jaxpr = jax.make_jaxpr(lambda: exercise.attempt(module, **inputs))()
    names = set()
    stack = [jaxpr.jaxpr]
    while stack:
        inner = stack.pop()
        for eqn in inner.eqns:
            names.add(eqn.primitive.name)
            for value in eqn.params.values():
                for sub in value if isinstance(value, tuple) else (value,):
                    sub = getattr(sub, "jaxpr", sub)  # a ClosedJaxpr holds its Jaxpr
                    if hasattr(sub, "eqns"):
                        stack.append(sub)
    if exercise.primitive in names:
        return None
    return [
        f"the program your {exercise.functions[0]} traces has no `{exercise.primitive}`: it unrolls the time steps",
        f"  (a Python loop traces one cell per step: a long sequence compiles slowly). Use lax.{exercise.primitive}.",
    ]
