"""Argument checks shared by the losses: kinds, dtypes, shapes, axes, masks and scalars, each error naming the loss.

Optax checks dtypes (`optax._src.utils.check_subdtype`) and, for the squared errors, equal shapes
(`check_shapes_equal`). Elsewhere it lets `jnp` broadcast. We refuse what Optax refuses, with a
message that names the loss, the argument, what was expected and what came, and we let through
what Optax lets through, but for a few inputs on which Optax is silently wrong or fails deep
inside `jnp` (`None`, a string or a list as an array; a `where` mask that is not boolean or does
not broadcast to the input; an axis out of range or repeated; a string or NaN as a scalar).
Shapes are static, so every check here also runs under `jax.jit`; *values* (a label out of range,
a probability below 0) are traced and cannot be checked.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from purejax.checks import check_number, describe, fail


def shape_of(x) -> tuple:
    """The shape of an array, a NumPy array or a Python scalar."""
    return tuple(np.shape(x))


def check_array_like(loss: str, name: str, x) -> None:
    """An array or a Python/NumPy number: refuse `None`, strings, lists and object arrays."""
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        return
    if hasattr(x, "dtype") and hasattr(x, "shape") and x.dtype != np.dtype(object):
        return
    hint = "wrap it with jnp.asarray(...)" if isinstance(x, (list, tuple)) else ""
    raise fail(TypeError, f"purejax.losses.{loss}", name, "an array", x, hint)


def check_float(loss: str, name: str, x) -> None:
    """Refuse integer and boolean inputs where the loss needs real numbers."""
    check_array_like(loss, name, x)
    dtype = jax.dtypes.result_type(x)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"purejax.losses.{loss}: {name} must have a floating dtype, got {dtype}")


def check_integer(loss: str, name: str, x) -> None:
    """Refuse float labels where the loss expects class indices."""
    check_array_like(loss, name, x)
    dtype = jax.dtypes.result_type(x)
    if not jnp.issubdtype(dtype, jnp.integer):
        raise TypeError(
            f"purejax.losses.{loss}: {name} must have an integer dtype (class indices), got {dtype}; "
            f"for one-hot or probability labels use softmax_cross_entropy"
        )


def check_same_shape(loss: str, a_name: str, a, b_name: str, b) -> None:
    """Refuse any broadcasting: `a` and `b` must have exactly the same shape."""
    check_array_like(loss, a_name, a)
    check_array_like(loss, b_name, b)
    if shape_of(a) != shape_of(b):
        raise ValueError(
            f"purejax.losses.{loss}: {a_name} {list(shape_of(a))} and {b_name} {list(shape_of(b))} "
            f"must have the same shape"
        )


def check_broadcast(loss: str, a_name: str, a, b_name: str, b) -> None:
    """Refuse shapes that do not broadcast together (the operation would fail further down)."""
    check_array_like(loss, a_name, a)
    check_array_like(loss, b_name, b)
    try:
        np.broadcast_shapes(shape_of(a), shape_of(b))
    except ValueError:
        raise ValueError(
            f"purejax.losses.{loss}: {a_name} {list(shape_of(a))} and {b_name} {list(shape_of(b))} "
            f"must have the same shape (or shapes that broadcast together)"
        ) from None


def canonical_axes(loss: str, axis, ndim: int, array: str = "logits") -> tuple[int, ...]:
    """`axis` (an int or a tuple of distinct ints) as non-negative axes of `array`, of rank `ndim`."""
    if not isinstance(axis, (int, tuple)) or isinstance(axis, bool):
        raise TypeError(f"purejax.losses.{loss}: axis must be an int or a tuple of ints, got {type(axis).__name__}")
    axes = (axis,) if isinstance(axis, int) else axis
    for a in axes:
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(f"purejax.losses.{loss}: axis must be an int or a tuple of ints, got {describe(axis)}")
        if not -ndim <= a < ndim:
            raise ValueError(f"purejax.losses.{loss}: axis {a} is out of bounds for {array} of rank {ndim}")
    canonical = tuple(a % ndim for a in axes)
    if len(set(canonical)) != len(canonical):
        raise ValueError(f"purejax.losses.{loss}: axis must name each axis once, got {axis}")
    return canonical


def check_where(loss: str, where, x, name: str = "logits") -> None:
    """`None`, or a boolean array that broadcasts to the shape of `x` (without enlarging it)."""
    if where is None:
        return
    if not hasattr(where, "dtype") or where.dtype != jnp.bool_:
        hint = "e.g. where=mask.astype(bool)" if hasattr(where, "dtype") else "wrap it with jnp.asarray(...)"
        raise fail(TypeError, f"purejax.losses.{loss}", "where", "a boolean array", where, hint)
    try:
        fits = np.broadcast_shapes(shape_of(where), shape_of(x)) == shape_of(x)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"purejax.losses.{loss}: where {list(shape_of(where))} must broadcast to the shape of {name} "
            f"{list(shape_of(x))}"
        )


def check_scalar(loss: str, name: str, value, *, minimum: float | None = None) -> None:
    """A real number (a 0-d array, possibly traced, is checked for its dtype only)."""
    check_number(f"purejax.losses.{loss}", name, value, minimum=minimum)
