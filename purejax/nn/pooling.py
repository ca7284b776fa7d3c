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
  length, an unknown padding string) raise `ValueError`s naming the argument, where Flax asserts;
  `strides` and padding pairs may be lists; explicit padding works with several batch axes (Flax
  pads only one leading axis there and fails).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import jax.numpy as jnp
from jax import lax


def pool(inputs, init, reduce_fn: Callable, window_shape: Sequence[int], strides: Sequence[int] | None, padding):
    """Reduce every window of `inputs` with `reduce_fn`, starting from `init`.

    Args:
      inputs: `[*batch, *spatial, features]`, one spatial axis per `window_shape` entry.
      init: the reduction's identity (0 for a sum, -inf for a max).
      reduce_fn: `(T, T) -> T`, e.g. `lax.add`, `lax.max`.
      window_shape: the window, one int per spatial axis.
      strides: one int per spatial axis (default all 1).
      padding: 'SAME', 'VALID', or one `(low, high)` pair per spatial axis.

    Returns:
      `[*batch, *spatial_out, features]`.

    Counterpart: `flax.linen.pool` (flax/linen/pooling.py).
    """
    window_shape = tuple(window_shape)
    rank = len(window_shape)
    n_batch = inputs.ndim - (rank + 1)
    if n_batch < 0:
        raise ValueError(
            f"pool: window_shape {window_shape} needs inputs [*batch, {rank} spatial axes, features] "
            f"of rank >= {rank + 1}, got {list(inputs.shape)}"
        )
    strides = (1,) * rank if strides is None else tuple(strides)
    if len(strides) != rank:
        raise ValueError(f"pool: strides {strides} must have one entry per window axis {window_shape}")
    if isinstance(padding, str):
        if padding not in ("SAME", "VALID"):
            raise ValueError(f"pool: padding must be 'SAME', 'VALID' or {rank} (low, high) pairs, got {padding!r}")
    else:
        padding = tuple(tuple(p) for p in padding)
        if len(padding) != rank or any(len(p) != 2 for p in padding):
            raise ValueError(f"pool: padding {padding} must be {rank} (low, high) pairs, one per window axis")
        padding = ((0, 0),) * max(n_batch, 1) + padding + ((0, 0),)
    squeeze = n_batch == 0
    if squeeze:  # reduce_window needs the same layout every time: add a batch axis of 1
        inputs, n_batch = inputs[None], 1  # [1, *spatial, features]
    dims = (1,) * n_batch + window_shape + (1,)
    y = lax.reduce_window(inputs, init, reduce_fn, dims, (1,) * n_batch + strides + (1,), padding)
    return y[0] if squeeze else y  # [*batch, *spatial_out, features]


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
    y = pool(inputs, 0.0, lax.add, window_shape, strides, padding)  # window sums
    if count_include_pad:
        return y / math.prod(window_shape)
    ones_shape = inputs.shape[:-1] + (1,)  # [*batch, *spatial, 1]
    if len(ones_shape) - 2 == len(window_shape):  # one batch axis: the count is the same for all
        ones_shape = (1,) + ones_shape[1:]
    return y / pool(jnp.ones(ones_shape), 0.0, lax.add, window_shape, strides, padding)  # real entries per window


def max_pool(inputs, window_shape, strides=None, padding="VALID"):
    """The maximum of each window (padding counts as -inf).

    Args/Returns: as `pool` (default padding 'VALID').

    Counterpart: `flax.linen.max_pool` (flax/linen/pooling.py).
    """
    return pool(inputs, -jnp.inf, lax.max, window_shape, strides, padding)


def min_pool(inputs, window_shape, strides=None, padding="VALID"):
    """The minimum of each window (padding counts as +inf).

    Args/Returns: as `pool` (default padding 'VALID').

    Counterpart: `flax.linen.min_pool` (flax/linen/pooling.py).
    """
    return pool(inputs, jnp.inf, lax.min, window_shape, strides, padding)
