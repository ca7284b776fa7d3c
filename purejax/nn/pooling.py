"""Pooling: reduce each window of the spatial axes to one value (max, min, mean), channels-last.

For one spatial axis, window `w`, stride `s` and padding already applied to `x`:

    y[n, i, c] = reduce_{k < w} x[n, s * i + k, c]      # max, min, or sum then / w

Inputs are `[*batch, *spatial, features]` with one spatial axis per `window_shape` entry; any
number of batch axes (including none) is fine. Every function is one `lax.reduce_window` call.

    >>> max_pool(jnp.ones((1, 8, 8, 3)), (2, 2), strides=(2, 2)).shape
    (1, 4, 4, 3)

Counterpart: `flax.linen.pool`, `max_pool`, `min_pool`, `avg_pool` (flax/linen/pooling.py).

Differences:
  Mistakes (a window longer than the inputs' spatial rank, strides or padding of the wrong
  length, an unknown padding string, sizes or strides below 1, a bare int for the window, the
  strides or the padding) raise errors naming the function and the argument, where Flax asserts
  or fails inside lax; `strides` and padding pairs may be lists; explicit padding works with
  several batch axes (Flax pads only one leading axis there and fails).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import jax.numpy as jnp
from jax import lax

from purejax.checks import check_array, check_bool, check_callable, check_int_tuple, fail, is_integer


def pool(inputs, init, reduce_fn: Callable, window_shape: Sequence[int], strides: Sequence[int] | None, padding):
    """Reduce every window of `inputs` with `reduce_fn`, starting from `init`.

    Args:
      inputs: `[*batch, *spatial, features]`, one spatial axis per `window_shape` entry.
      init: the reduction's identity (0 for a sum, -inf for a max).
      reduce_fn: `(T, T) -> T`, e.g. `lax.add`, `lax.max`.
      window_shape: the window, a tuple of positive ints, one per spatial axis (`(2, 2)`; a bare
        int is refused, as Flax cannot read it either).
      strides: a tuple of positive ints, one per spatial axis (default all 1).
      padding: 'SAME', 'VALID' (in any case, as lax reads them), or one `(low, high)` pair per
        spatial axis.

    Returns:
      `[*batch, *spatial_out, features]`.

    Counterpart: `flax.linen.pool` (flax/linen/pooling.py).
    """
    return _pool("purejax.nn.pool", inputs, init, reduce_fn, window_shape, strides, padding)


def _pool(where: str, inputs, init, reduce_fn, window_shape, strides, padding):
    check_array(where, "inputs", inputs)
    inputs = jnp.asarray(inputs)
    check_array(where, "init", init)
    check_callable(where, "reduce_fn", reduce_fn)
    if is_integer(window_shape):  # Flax: "object of type 'int' has no len()"
        rank = max(inputs.ndim - 2, 1)  # the spatial axes of [batch, *spatial, features]
        raise fail(
            TypeError,
            where,
            "window_shape",
            "a tuple of ints, one per spatial axis",
            window_shape,
            "write (" + ", ".join([str(window_shape)] * rank) + ("," if rank == 1 else "") + ")",
        )
    if not isinstance(window_shape, (tuple, list)) or not window_shape:
        raise fail(TypeError, where, "window_shape", "a non-empty tuple of ints, one per spatial axis", window_shape)
    window_shape = check_int_tuple(where, "window_shape", window_shape, len(window_shape), minimum=1)
    rank = len(window_shape)
    n_batch = inputs.ndim - (rank + 1)
    if n_batch < 0:
        raise ValueError(
            f"{where}: window_shape {window_shape} needs inputs [*batch, {rank} spatial axes, features] "
            f"of rank >= {rank + 1}, got {list(inputs.shape)}"
        )
    if isinstance(strides, (tuple, list)) and len(strides) != rank:
        raise ValueError(f"{where}: strides {tuple(strides)} must have one entry per window axis {window_shape}")
    strides = (1,) * rank if strides is None else check_int_tuple(where, "strides", strides, rank, minimum=1)
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID"):
            raise ValueError(f"{where}: padding must be 'SAME', 'VALID' or {rank} (low, high) pairs, got {padding!r}")
        padding = padding.upper()
    else:
        pairs = padding if isinstance(padding, (tuple, list)) else None
        if pairs is None or len(pairs) != rank or not all(_is_pair(p) for p in pairs):
            example = "(" + ", ".join(["(1, 1)"] * rank) + ("," if rank == 1 else "") + ")"
            raise fail(
                TypeError if pairs is None else ValueError,
                where,
                "padding",
                f"'SAME', 'VALID' or {rank} (low, high) pairs, one per window axis",
                padding,
                f"write e.g. {example}",
            )
        padding = ((0, 0),) * max(n_batch, 1) + tuple((int(lo), int(hi)) for lo, hi in pairs) + ((0, 0),)
    squeeze = n_batch == 0
    if squeeze:  # reduce_window needs the same layout every time: add a batch axis of 1
        inputs, n_batch = inputs[None], 1  # [1, *spatial, features]
    dims = (1,) * n_batch + window_shape + (1,)
    y = lax.reduce_window(inputs, init, reduce_fn, dims, (1,) * n_batch + strides + (1,), padding)
    return y[0] if squeeze else y  # [*batch, *spatial_out, features]


def _is_pair(p) -> bool:
    return isinstance(p, (tuple, list)) and len(p) == 2 and all(is_integer(q) for q in p)


def avg_pool(inputs, window_shape, strides=None, padding="VALID", count_include_pad: bool = True):
    """The mean of each window: the window sum divided by its size.

    With `count_include_pad=False` the divisor is the number of real (unpadded) entries in the
    window, computed by pooling an array of ones the same way.

    Args:
      inputs, window_shape, strides, padding: as `pool` (default padding 'VALID').
      count_include_pad: count padded entries in the divisor (default True).

    Returns:
      `[*batch, *spatial_out, features]`.

    Counterpart: `flax.linen.avg_pool` (flax/linen/pooling.py).
    """
    where = "purejax.nn.avg_pool"
    check_bool(where, "count_include_pad", count_include_pad)
    y = _pool(where, inputs, 0.0, lax.add, window_shape, strides, padding)  # window sums
    if count_include_pad:
        return y / math.prod(window_shape)
    ones_shape = jnp.shape(inputs)[:-1] + (1,)  # [*batch, *spatial, 1]
    if len(ones_shape) - 2 == len(window_shape):  # one batch axis: the count is the same for all
        ones_shape = (1,) + ones_shape[1:]
    return y / _pool(where, jnp.ones(ones_shape), 0.0, lax.add, window_shape, strides, padding)  # real entries


def max_pool(inputs, window_shape, strides=None, padding="VALID"):
    """The maximum of each window (padding counts as -inf).

    Args/Returns: as `pool` (default padding 'VALID').

    Counterpart: `flax.linen.max_pool` (flax/linen/pooling.py).
    """
    return _pool("purejax.nn.max_pool", inputs, -jnp.inf, lax.max, window_shape, strides, padding)


def min_pool(inputs, window_shape, strides=None, padding="VALID"):
    """The minimum of each window (padding counts as +inf).

    Args/Returns: as `pool` (default padding 'VALID').

    Counterpart: `flax.linen.min_pool` (flax/linen/pooling.py).
    """
    return _pool("purejax.nn.min_pool", inputs, jnp.inf, lax.min, window_shape, strides, padding)
