"""Argument checks at the public boundary: one small checker per kind of argument.

Every public function and layer checks what it is given before it computes anything, with the
checkers below. Each one either returns the argument in its canonical form (an `int`, a
non-negative axis, a `pathlib.Path`) or raises `TypeError` (wrong kind) / `ValueError` (right kind,
wrong value) with a message built the same way everywhere:

    {where}: {name} must be {expected}, got {what came}[; {what to write instead}]

where `where` names the function or layer (`purejax.data.batches`, `Dense_0`), `name` the argument.

They look only at Python values and static shapes, never at the contents of a traced array, so they
cost nothing inside `jax.jit`: a check runs once, while the function is traced, and never forces a
device sync in a hot path. Values that only exist at run time (a label out of range inside a jitted
loss) are the caller's job, and the docstrings say so where it matters.

Counterpart: none as one module. Flax (`flax.linen.module`), Optax (`optax._src.utils`) and JAX
(`jax._src.api_util`, `core.concrete_or_error`) each check some of their arguments where they use
them, with messages in their own styles.

Examples:
    >>> from purejax.checks import check_positive_int, check_axis
    >>> check_positive_int("Dense_0", "features", 3)
    3
    >>> check_axis("purejax.random.permutation", "axis", -1, 2)
    1
    >>> check_positive_int("Dense_0", "features", 2.5)
    Traceback (most recent call last):
    ...
    TypeError: Dense_0: features must be a positive integer, got float 2.5
"""

from __future__ import annotations

import operator
import os
import pathlib
from typing import Any

import jax.numpy as jnp
import numpy as np


def describe(value: Any) -> str:
    """What came, in a few words: `float 2.5`, `str 'x'`, `None`, `float32 array [3, 4]`."""
    if value is None:
        return "None"
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None and not isinstance(value, (np.generic,)):
        return f"{dtype} array {list(shape)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def fail(error: type[Exception], where: str, name: str, expected: str, value: Any, hint: str = "") -> Exception:
    """The exception every checker raises: `{where}: {name} must be {expected}, got {value}; {hint}`."""
    message = f"{where}: {name} must be {expected}, got {describe(value)}"
    return error(f"{message}; {hint}" if hint else message)


def is_integer(value: Any) -> bool:
    """A Python or NumPy integer (not a bool, not a float that happens to be whole, not an array)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(where: str, name: str, value: Any, *, minimum: int | None = None, hint: str = "") -> int:
    """`value` as a Python `int`, at least `minimum` when given.

    Refuses bools, floats (`2.0` too: a count is never a float) and strings with `TypeError`,
    integers below `minimum` with `ValueError`.
    """
    expected = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer >= {minimum}"
    )
    if not is_integer(value):
        raise fail(TypeError, where, name, expected, value, hint)
    value = operator.index(value)
    if minimum is not None and value < minimum:
        raise fail(ValueError, where, name, expected, value, hint)
    return value


def check_positive_int(where: str, name: str, value: Any, hint: str = "") -> int:
    """`value` as a Python `int` >= 1 (a number of features, classes, steps)."""
    return check_int(where, name, value, minimum=1, hint=hint)


def check_optional_int(where: str, name: str, value: Any, *, minimum: int | None = None, hint: str = "") -> int | None:
    """`None`, or `value` as by `check_int`."""
    return None if value is None else check_int(where, name, value, minimum=minimum, hint=hint)


def check_int_tuple(where: str, name: str, value: Any, length: int, *, minimum: int | None = None) -> tuple[int, ...]:
    """A tuple (or list) of exactly `length` integers, each as by `check_int`.

    A bare int is refused: Flax's `Conv(kernel_size=3)` and `max_pool(x, 2)` fail or mean something
    else, so the message asks for `(3, 3)`.
    """
    expected = f"a tuple of {length} integers" + (f" >= {minimum}" if minimum is not None else "")
    if not isinstance(value, (tuple, list)) or len(value) != length:
        example = (
            "(" + ", ".join([str(value) if is_integer(value) else "2"] * length) + ("," if length == 1 else "") + ")"
        )
        raise fail(
            TypeError if not isinstance(value, (tuple, list)) else ValueError,
            where,
            name,
            expected,
            value,
            f"write {example}",
        )
    return tuple(check_int(where, f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(value))


def check_number(where: str, name: str, value: Any, *, minimum: float | None = None, hint: str = "") -> float:
    """A real Python or NumPy number (not a bool, not a string), at least `minimum` when given.

    A 0-d array is accepted as it is (it may be traced: then only its dtype is checked).
    """
    if hasattr(value, "dtype") and np.ndim(value) == 0 and not isinstance(value, np.generic):
        if not (jnp.issubdtype(value.dtype, jnp.floating) or jnp.issubdtype(value.dtype, jnp.integer)):
            raise fail(TypeError, where, name, "a real number", value, hint)
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise fail(TypeError, where, name, "a real number", value, hint)
    if np.isnan(value) or (minimum is not None and value < minimum):
        raise fail(ValueError, where, name, "a number" + (f" >= {minimum}" if minimum is not None else ""), value, hint)
    return value


def check_probability(where: str, name: str, value: Any, *, hint: str = "") -> float:
    """A real number in [0, 1] (a rate, a decay, a fraction)."""
    check_number(where, name, value, hint=hint)
    if not hasattr(value, "dtype") or isinstance(value, np.generic):
        if not 0 <= value <= 1:
            raise fail(ValueError, where, name, "a number in [0, 1]", value, hint)
    return value


def check_axis(where: str, name: str, axis: Any, ndim: int) -> int:
    """`axis` as a non-negative axis of an array of rank `ndim`; never wrapped around.

    `-ndim <= axis < ndim` is accepted (`-1` is the last axis, as in NumPy); anything else is an
    error, where `axis % ndim` would silently pick another axis.
    """
    if not is_integer(axis):
        raise fail(TypeError, where, name, "an integer axis", axis)
    if not -ndim <= axis < ndim:
        raise fail(ValueError, where, name, f"an axis in [{-ndim}, {ndim}) for an array of rank {ndim}", axis)
    return operator.index(axis) % ndim


def check_array(where: str, name: str, value: Any) -> Any:
    """An array or a number: refuses `None`, strings, bytes and NumPy object arrays."""
    if value is None or isinstance(value, (str, bytes)):
        raise fail(TypeError, where, name, "an array (or a number)", value)
    dtype = value.dtype if hasattr(value, "dtype") else np.asarray(value).dtype  # traced arrays have a dtype
    if dtype == np.dtype(object):
        raise fail(TypeError, where, name, "an array of numbers", value)
    return value


def check_shape(where: str, name: str, value: Any, expected: tuple[int, ...], hint: str = "") -> Any:
    """An array of exactly the shape `expected` (no broadcasting)."""
    check_array(where, name, value)
    shape = tuple(np.shape(value))
    if shape != tuple(expected):
        raise ValueError(
            f"{where}: {name} must have shape {list(expected)}, got shape {list(shape)}" + (f"; {hint}" if hint else "")
        )
    return value


def check_path(where: str, name: str, value: Any) -> pathlib.Path:
    """A non-empty `str` or `os.PathLike`, as a `pathlib.Path` (`~` expanded)."""
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise fail(TypeError, where, name, "a path (str or pathlib.Path)", value)
    if os.fspath(value) == "":
        raise fail(ValueError, where, name, "a non-empty path", value, "use '.' for the current directory")
    return pathlib.Path(value).expanduser()


def check_choice(where: str, name: str, value: Any, choices: tuple) -> Any:
    """One of `choices`."""
    if value not in choices:
        raise fail(ValueError, where, name, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def check_callable(where: str, name: str, value: Any, hint: str = "") -> Any:
    """Something callable."""
    if not callable(value):
        raise fail(TypeError, where, name, "callable", value, hint)
    return value


# -- optim --
def check_bool(where: str, name: str, value: Any, hint: str = "") -> bool:
    """A Python or NumPy bool: refuses `0`/`1`, strings (`'False'` is truthy) and `None`, as `bool(value)`."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(TypeError, where, name, "True or False", value, hint)
    return bool(value)


def check_dtype(where: str, name: str, value: Any, *, optional: bool = False) -> Any:
    """Something `jnp.dtype` understands (`jnp.float32`, `'bfloat16'`, `np.dtype`), or `None` if `optional`."""
    if value is None and optional:
        return value
    expected = "a dtype (e.g. jnp.float32)" + (" or None" if optional else "")
    if value is None or isinstance(value, (bool, int, float)):  # jnp.dtype(None) is float64
        raise fail(TypeError, where, name, expected, value)
    try:
        jnp.dtype(value)
    except (TypeError, ValueError):
        raise fail(TypeError, where, name, expected, value) from None
    return value
