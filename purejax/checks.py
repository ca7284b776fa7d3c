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


def check_number(where: str, name: str, value: Any, *, minimum: float | None = None, hint: str = "") -> Any:
    """A real Python or NumPy number (not a bool, not a string), at least `minimum` when given.

    A 0-d array is accepted as it is (it may be traced: then only its dtype is checked).
    """
    if hasattr(value, "dtype") and np.ndim(value) == 0 and not isinstance(value, np.generic):
        if not (jnp.issubdtype(value.dtype, jnp.floating) or jnp.issubdtype(value.dtype, jnp.integer)):
            raise fail(TypeError, where, name, "a real number", value, hint)
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise fail(TypeError, where, name, "a real number", value, hint)
    if np.isnan(value) or (minimum is not None and float(value) < minimum):
        raise fail(ValueError, where, name, "a number" + (f" >= {minimum}" if minimum is not None else ""), value, hint)
    return value


def check_probability(where: str, name: str, value: Any, *, hint: str = "") -> Any:
    """A real number in [0, 1] (a rate, a decay, a fraction)."""
    check_number(where, name, value, hint=hint)
    if not hasattr(value, "dtype") or isinstance(value, np.generic):
        if not 0 <= float(value) <= 1:
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


# -- flags and dtypes (tree, random, nn) --
def check_bool(where: str, name: str, value: Any, *, optional: bool = False, hint: str = "") -> bool | None:
    """`True` or `False` (a NumPy bool too), or `None` when `optional`.

    Refuses `0`, `1`, strings (`'False'` is truthy) and arrays: a flag that is not a bool is a
    mistake that `if flag:` would read silently.
    """
    if value is None and optional:
        return None
    if not isinstance(value, (bool, np.bool_)):
        expected = "True or False" + (" (or None)" if optional else "")
        raise fail(TypeError, where, name, expected, value, hint)
    return bool(value)


def check_dtype(
    where: str,
    name: str,
    value: Any,
    kind: Any = None,
    expected: str = "a dtype such as jnp.float32",
    *,
    optional: bool = False,
    error: type[Exception] = ValueError,
    hint: str = "",
) -> Any:
    """`value` (a dtype, a type such as `jnp.float32`, or a name such as `'bfloat16'`) as a NumPy dtype.

    `kind`, when given, is an abstract dtype (`jnp.floating`, `jnp.integer`, `jnp.unsignedinteger`)
    and `expected` says it in words ("a float dtype"). Something that names no dtype (`'abc'`, `3`,
    `None` unless `optional`) is a `TypeError`; a dtype of another kind raises `error` (`ValueError`
    by default, as JAX does). Returns the dtype, or `None` when `optional` and `value` is None.
    """
    if value is None and optional:
        return None
    try:
        dtype = None if value is None or isinstance(value, (bool, int, float)) else np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None:
        raise fail(TypeError, where, name, expected, value, hint or "write e.g. jnp.float32")
    if kind is not None and not jnp.issubdtype(dtype, kind):
        message = f"{where}: {name} must be {expected}, got {dtype}"
        raise error(f"{message}; {hint}" if hint else message)
    return dtype


# -- io --


def check_key(where: str, name: str, value: Any, *, optional: bool = False) -> Any:
    """A raw PRNG key, `uint32[2]` (from `purejax.random.PRNGKey`, `split`, `fold_in`), or `None` when `optional`.

    Looks only at the dtype and shape, so a traced key passes under `jit`. A typed key
    (`jax.random.key(0)`) is refused with the way to unwrap it: purejax's keys are raw.
    """
    if value is None and optional:
        return None
    expected = "a key, uint32[2] from purejax.random.PRNGKey" + (" (or None)" if optional else "")
    if value is None or isinstance(value, (str, bytes, bool, int, float)):
        raise fail(TypeError, where, name, expected, value, "write purejax.random.PRNGKey(0)")
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        dtype = np.asarray(value).dtype
    if not isinstance(dtype, np.dtype):  # an extended dtype: a typed key such as key<fry>
        raise fail(TypeError, where, name, expected, value, "unwrap a typed key with jax.random.key_data(key)")
    if dtype != np.uint32:
        raise fail(TypeError, where, name, expected, value, "write purejax.random.PRNGKey(0)")
    if tuple(np.shape(value)) != (2,):
        raise fail(ValueError, where, name, expected, value, "one key, not a batch of keys (use jax.vmap for many)")
    return value


def check_metric(where: str, name: str, metrics: Any, metric: str) -> Any:
    """`metrics[metric]`, a real number, from a dict of metrics (`{'loss': 0.3, 'accuracy': 0.9}`).

    TypeError when `metrics` is not a dict or the value not a number; ValueError when the metric
    is missing (the message lists the metrics there are).
    """
    if not isinstance(metrics, dict):
        raise fail(TypeError, where, name, f"a dict of metrics with {metric!r}", metrics)
    if metric not in metrics:
        raise ValueError(
            f"{where}: {name} must be a dict of metrics with {metric!r}, got one with {sorted(map(str, metrics))}"
        )
    return check_number(where, f"{name}[{metric!r}]", metrics[metric])


# -- shapes and axes (nn) --


def check_sizes(where: str, name: str, value: Any) -> tuple[int, ...]:
    """A shape as a tuple of non-negative Python ints, from a tuple or list of integers (an int `n` is `(n,)`).

    Refuses floats (`2.0` too), bools, strings and negative sizes, which `int(d)` would accept or
    turn into something else.
    """
    if is_integer(value):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise fail(TypeError, where, name, "a shape (a tuple of non-negative integers)", value, "write e.g. (3, 4)")
    return tuple(check_int(where, f"{name}[{i}]", d, minimum=0) for i, d in enumerate(value))


def check_axes(where: str, name: str, axes: Any, ndim: int | None = None) -> tuple[int, ...]:
    """An axis or a tuple (or list) of axes, as a tuple; each non-negative by `check_axis` when `ndim` is given.

    With `ndim=None` only the kind is checked (integers), for a layer's hyperparameter before the
    rank of its inputs is known. Order is kept.
    """
    items = (axes,) if is_integer(axes) else axes
    if not isinstance(items, (tuple, list)) or not all(is_integer(a) for a in items):
        raise fail(TypeError, where, name, "an integer axis or a tuple of integer axes", axes)
    if ndim is None:
        return tuple(operator.index(a) for a in items)
    return tuple(check_axis(where, name, a, ndim) for a in items)
