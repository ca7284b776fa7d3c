"""Argument checks shared by the losses: dtypes, shapes and axes, each error naming the loss.

Optax checks dtypes (`optax._src.utils.check_subdtype`) and, for the squared errors, equal shapes
(`check_shapes_equal`). Elsewhere it lets `jnp` broadcast. We refuse what Optax refuses, with a
message that names the loss, the argument, what was expected and what came, and we let through
what Optax lets through. Shapes are static, so every check here also runs under `jax.jit`;
*values* (a label out of range, a probability below 0) are traced and cannot be checked.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def shape_of(x) -> tuple:
    """The shape of an array, a NumPy array or a Python scalar."""
    return tuple(np.shape(x))


def check_float(loss: str, name: str, x) -> None:
    """Refuse integer and boolean inputs where the loss needs real numbers."""
    dtype = jax.dtypes.result_type(x)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"purejax.losses.{loss}: {name} must have a floating dtype, got {dtype}")


def check_integer(loss: str, name: str, x) -> None:
    """Refuse float labels where the loss expects class indices."""
    dtype = jax.dtypes.result_type(x)
    if not jnp.issubdtype(dtype, jnp.integer):
        raise TypeError(
            f"purejax.losses.{loss}: {name} must have an integer dtype (class indices), got {dtype}; "
            f"for one-hot or probability labels use softmax_cross_entropy"
        )


def check_same_shape(loss: str, a_name: str, a, b_name: str, b) -> None:
    """Refuse any broadcasting: `a` and `b` must have exactly the same shape."""
    if shape_of(a) != shape_of(b):
        raise ValueError(
            f"purejax.losses.{loss}: {a_name} {list(shape_of(a))} and {b_name} {list(shape_of(b))} "
            f"must have the same shape"
        )


def check_broadcast(loss: str, a_name: str, a, b_name: str, b) -> None:
    """Refuse shapes that do not broadcast together (the operation would fail further down)."""
    try:
        np.broadcast_shapes(shape_of(a), shape_of(b))
    except ValueError:
        raise ValueError(
            f"purejax.losses.{loss}: {a_name} {list(shape_of(a))} and {b_name} {list(shape_of(b))} "
            f"must have the same shape (or shapes that broadcast together)"
        ) from None


def canonical_axes(loss: str, axis, ndim: int) -> tuple[int, ...]:
    """`axis` (an int or a tuple of ints) as a tuple of non-negative axes of an array of rank `ndim`."""
    if not isinstance(axis, (int, tuple)) or isinstance(axis, bool):
        raise TypeError(f"purejax.losses.{loss}: axis must be an int or a tuple of ints, got {type(axis).__name__}")
    axes = (axis,) if isinstance(axis, int) else axis
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"purejax.losses.{loss}: axis {a} is out of bounds for logits of rank {ndim}")
    return tuple(a % ndim for a in axes)
