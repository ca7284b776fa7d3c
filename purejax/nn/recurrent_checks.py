"""Internal to the recurrent cells: the carry's shape, and the checks each cell makes of its arguments.

`recurrent_lstm.py` and `recurrent_gru.py` import these; they are not part of `purejax.nn`'s
interface. For one step's inputs `[*batch, in]` (`[*batch, *spatial, in]` for `ConvLSTMCell`)
`initialize_carry` makes a carry of arrays `[*batch, features]` (`carry_shape`). A carry passed in
may be of another width: as in Flax, the cells size their layers from it (`hidden = h.shape[-1]`),
except `ConvLSTMCell`, whose convolutions output `features` channels. `check_carry` and
`check_inputs` turn a carry or inputs that do not fit into an error naming the cell, the expected
and the actual shapes, and what to write instead (`cell.initialize_carry(key, inputs.shape)`).

Counterpart: none as functions; Flax's cells (flax/linen/recurrent.py) size their layers from the
carry and do not check it.
"""

from __future__ import annotations

import jax.numpy as jnp

from purejax.checks import check_array, check_sizes, fail
from purejax.nn.dtypes import require_float
from purejax.nn.keypath import check_key
from purejax.nn.module import Scope, check_fields

CELL_FUNCTIONS = (
    "gate_fn",
    "activation_fn",
    "kernel_init",
    "recurrent_kernel_init",
    "bias_init",
    "forget_bias_init",
    "activation_bias_init",
    "carry_init",
)
CELL_FLAGS = ("use_bias", "residual", "reset_gate")


def check_carry(
    scope: Scope, carry, names: tuple[str, ...], batch: tuple[int, ...], *, width: int | None = None, kernel: str = ""
) -> tuple:
    """`carry` as a tuple of `len(names)` arrays, each `[*batch, width]`, or a teaching error.

    `batch` is the inputs' shape without their feature axis. `width=None` takes the width from the
    last part, `h`, as Flax's cells do (`hidden_features = h.shape[-1]`); every part must then have
    `h`'s shape, so that the step returns a carry of the shape it was given, and in apply the
    width of the stored kernel `kernel: [in, hidden]` (the input kernel, which has the carry's width).
    """
    last = names[-1]  # the part whose width sizes the cell: h
    parts = (carry,) if len(names) == 1 else carry
    if len(names) > 1 and not (isinstance(carry, (tuple, list)) and len(carry) == len(names)):
        raise ValueError(
            f"{scope.where}: the carry must be a tuple ({', '.join(names)}), got {type(carry).__name__}; "
            "make it with cell.initialize_carry(key, inputs.shape)"
        )
    for name, part in zip(names, parts, strict=True):
        check_array(scope.where, f"carry '{name}'", part)
    if width is None:
        h_shape: tuple[int, ...] = tuple(jnp.shape(parts[-1]))
        if not h_shape or h_shape[-1] == 0:
            raise ValueError(
                f"{scope.where}: carry '{last}' must have a feature axis [*batch, hidden] with hidden >= 1, "
                f"got {list(h_shape)}; make it with cell.initialize_carry(key, inputs.shape)"
            )
        width, why = h_shape[-1], f"the inputs' batch axes, then {last}'s width {h_shape[-1]}"
    else:
        why = "the inputs' batch and spatial axes, then features"
    expected = (*batch, width)
    for name, part in zip(names, parts, strict=True):
        if tuple(jnp.shape(part)) != expected:
            raise ValueError(
                f"{scope.where}: carry '{name}' must have shape {list(expected)} ({why}), got "
                f"{list(jnp.shape(part))}; make it with cell.initialize_carry(key, inputs.shape)"
            )
    stored = (scope.get_param(kernel) or {}).get("kernel") if kernel else None
    if stored is not None and stored.shape[-1] != width:
        raise ValueError(
            f"{scope.where}: carry '{last}' has {width} features, but the params were made for "
            f"{stored.shape[-1]} (kernel '{kernel}' is {list(stored.shape)}); pass a carry "
            f"[*batch, {stored.shape[-1]}], the width the cell was initialized with"
        )
    return tuple(parts)


def check_inputs(scope: Scope, inputs, sublayer: str, in_axis: int = 0) -> None:
    """Float inputs `[*batch, in]` whose `in` matches the stored kernel `sublayer/kernel` (in apply)."""
    require_float(scope, inputs)
    if jnp.ndim(inputs) == 0:
        raise ValueError(f"{scope.where}: inputs need a feature axis [*batch, in], got a scalar")
    stored = (scope.get_param(sublayer) or {}).get("kernel")
    if stored is not None and stored.shape[in_axis] != inputs.shape[-1]:
        raise ValueError(
            f"{scope.where}: expected inputs with {stored.shape[in_axis]} features (kernel "
            f"'{sublayer}' is {list(stored.shape)}), got {list(inputs.shape)}"
        )


def check_cell_fields(cell) -> None:
    """A cell's hyperparameters when it is built: `features` >= 1, its functions callable, its flags
    bools, its dtypes dtypes (each checked if the cell has that field)."""
    check_fields(
        cell,
        positive=("features",),
        flags=tuple(f for f in CELL_FLAGS if hasattr(cell, f)),
        dtypes=("dtype", "param_dtype"),
        functions=tuple(f for f in CELL_FUNCTIONS if hasattr(cell, f)),
    )


def check_initialize_carry(cell, key, input_shape, feature_axes: int = 1) -> tuple[int, ...]:
    """`initialize_carry`'s arguments: a key, and one step's input shape `[*batch, *spatial, in]`."""
    where = f"{type(cell).__name__}.initialize_carry"
    check_key(where, "key", key)
    shape = check_sizes(where, "input_shape", input_shape)
    if len(shape) < feature_axes:
        raise fail(
            ValueError,
            where,
            "input_shape",
            f"the shape of one step's inputs, with {feature_axes} feature axis(es) at the end",
            input_shape,
            "pass inputs[:, 0].shape, e.g. (batch, features)",
        )
    return shape


def carry_shape(input_shape, features: int) -> tuple[int, ...]:
    """`[*batch, *spatial, features]` for inputs `[*batch, *spatial, in]`."""
    return tuple(input_shape[: len(input_shape) - 1]) + (features,)
