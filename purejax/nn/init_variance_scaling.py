"""Variance-scaling initializers: pick the spread of the weights from the layer's fan-in/fan-out.

A layer `y = x @ W` with `fan_in` inputs of unit variance and weights of variance `v` gives
outputs of variance `fan_in * v`; choosing `v = scale / fan_in` keeps the signal's variance
steady through depth (forward pass), `v = scale / fan_out` keeps the gradient's steady (backward
pass), and Glorot's compromise uses their average:

    denominator = fan_in | fan_out | (fan_in + fan_out) / 2 | sqrt(fan_in * fan_out)
    variance    = scale / denominator
    normal:            W = normal(key) * sqrt(variance)
    truncated_normal:  W = truncated_normal(key, -2, 2) * sqrt(variance) / 0.8796...
    uniform:           W = uniform(key, -1, 1) * sqrt(3 * variance)       # Var U(-1, 1) = 1/3

0.87962566103423978 is the standard deviation of a standard normal truncated to (-2, 2), so the
truncated draw still has the requested variance. For a convolution kernel `[h, w, in, out]`, every
axis that is neither `in_axis`, `out_axis` nor `batch_axis` is the receptive field, and it
multiplies both fans: `fan_in = in * h * w`, `fan_out = out * h * w`.

The named schemes are `variance_scaling` with fixed arguments:

    | name                         | scale | mode    | distribution     |
    | lecun_normal / lecun_uniform | 1     | fan_in  | truncated_normal / uniform |
    | glorot_* (xavier_*)          | 1     | fan_avg | truncated_normal / uniform |
    | he_* (kaiming_*)             | 2     | fan_in  | truncated_normal / uniform |

Counterpart: `jax.nn.initializers.variance_scaling` and the aliases (jax/_src/nn/initializers.py).
Same fan arithmetic (Python floats), same draws through `purejax.random`, same op order: same key,
same array (bitwise; within 2 ulp for the normal draws, where `erf_inv` may differ).

References:
  LeCun, Bottou, Orr, Müller, *Efficient BackProp*, 1998, https://doi.org/10.1007/3-540-49430-8_2
  Glorot, Bengio, *Understanding the difficulty of training deep feedforward neural networks*,
  2010, http://proceedings.mlr.press/v9/glorot10a.html
  He, Zhang, Ren, Sun, *Delving Deep into Rectifiers*, 2015, https://arxiv.org/abs/1502.01852

Differences:
  Real float dtypes only: complex dtypes (jax's disk / truncated-modulus samplers) are refused.
  A bad `mode` or `distribution` is refused when the initializer is built, not when it is called.
  Raw `uint32[2]` keys only; no `out_sharding`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

import purejax.random

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")
TRUNCATED_STDDEV = 0.87962566103423978  # std of a standard normal truncated to (-2, 2)


def real_dtype(name: str, dtype) -> np.dtype:
    """`dtype` (default float32, float64 under x64), refused unless it is a real float dtype."""
    dtype = jax.dtypes.canonicalize_dtype(np.float64 if dtype is None else dtype)
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise NotImplementedError(
            f"purejax.nn.initializers.{name}: complex dtype {dtype} is not supported; use a real "
            "float dtype (jax.nn.initializers handles complex weights)"
        )
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"purejax.nn.initializers.{name}: dtype must be a float dtype, got {dtype}")
    return dtype


def _size(shape: tuple, axes: int | Sequence[int]) -> int:
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)


def compute_fans(shape: Sequence[int], in_axis: int | Sequence[int] = -2, out_axis: int | Sequence[int] = -1,
                 batch_axis: int | Sequence[int] = ()) -> tuple[float, float]:
    """`(fan_in, fan_out)` of a weight of `shape`; the leftover axes are the receptive field.

    Args:
      shape: the weight's shape, e.g. `[in, out]` or `[h, w, in, out]`.
      in_axis, out_axis, batch_axis: an axis or a sequence of axes each (`batch_axis` is ignored).

    Returns:
      `(in_size * receptive_field, out_size * receptive_field)` as Python floats.

    Counterpart: `jax.nn.initializers._compute_fans`.
    """
    shape = tuple(shape)
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(
            f"purejax.nn.initializers.variance_scaling: cannot compute fans of a {len(shape)}-D shape "
            f"{shape} with the default in_axis=-2; use a shape of at least 2 dims or pass in_axis"
        )
    in_size, out_size, batch_size = _size(shape, in_axis), _size(shape, out_axis), _size(shape, batch_axis)
    receptive_field_size = math.prod(shape) / in_size / out_size / batch_size  # e.g. h * w
    return in_size * receptive_field_size, out_size * receptive_field_size


def variance_scaling(scale, mode: str, distribution: str, in_axis: int | Sequence[int] = -2,
                     out_axis: int | Sequence[int] = -1, batch_axis: int | Sequence[int] = (), dtype=None):
    """An initializer drawing weights with variance `scale / n`, `n` set by `mode` (see module doc).

    Args:
      scale: positive float.
      mode: one of "fan_in", "fan_out", "fan_avg", "fan_geo_avg".
      distribution: one of "truncated_normal", "normal", "uniform".
      in_axis, out_axis, batch_axis: axes of the weight, as for `compute_fans`.
      dtype: the default dtype of the weights (float32, float64 under x64).

    Returns:
      `init(key, shape, dtype=dtype) -> Array[shape]`.

    Counterpart: `jax.nn.initializers.variance_scaling`.
    """
    if mode not in MODES:
        raise ValueError(f"purejax.nn.initializers.variance_scaling: mode must be one of {MODES}, got {mode!r}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"purejax.nn.initializers.variance_scaling: distribution must be one of "
                         f"{DISTRIBUTIONS}, got {distribution!r}")

    def init(key, shape, dtype=dtype):
        shape = tuple(int(d) for d in shape)
        dtype = real_dtype("variance_scaling", dtype)
        fan_in, fan_out = compute_fans(shape, in_axis, out_axis, batch_axis)
        denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                       "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]
        variance = jnp.array(scale / denominator, dtype=dtype)
        if distribution == "truncated_normal":
            stddev = jnp.sqrt(variance) / jnp.array(TRUNCATED_STDDEV, dtype)  # undo the truncation's shrink
            return purejax.random.truncated_normal(key, -2, 2, shape, dtype) * stddev
        if distribution == "normal":
            return purejax.random.normal(key, shape, dtype) * jnp.sqrt(variance)
        return purejax.random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)  # U(-1, 1) has var 1/3

    return init


def _named(scale: float, mode: str, distribution: str, name: str, counterpart: str):
    def builder(in_axis: int | Sequence[int] = -2, out_axis: int | Sequence[int] = -1,
                batch_axis: int | Sequence[int] = (), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis=in_axis, out_axis=out_axis,
                                batch_axis=batch_axis, dtype=dtype)

    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = (
        f"`variance_scaling({scale}, {mode!r}, {distribution!r}, in_axis, out_axis, batch_axis, dtype)`.\n\n"
        f"    Returns:\n      `init(key, shape, dtype=dtype) -> Array[shape]`.\n\n"
        f"    Counterpart: `jax.nn.initializers.{name}`.\n\n    References: {counterpart}\n"
    )
    return builder


_LECUN = "LeCun et al., *Efficient BackProp*, 1998, https://doi.org/10.1007/3-540-49430-8_2"
_GLOROT = "Glorot, Bengio, 2010, http://proceedings.mlr.press/v9/glorot10a.html"
_HE = "He et al., *Delving Deep into Rectifiers*, 2015, https://arxiv.org/abs/1502.01852"

lecun_normal = _named(1.0, "fan_in", "truncated_normal", "lecun_normal", _LECUN)
lecun_uniform = _named(1.0, "fan_in", "uniform", "lecun_uniform", _LECUN)
glorot_normal = _named(1.0, "fan_avg", "truncated_normal", "glorot_normal", _GLOROT)
glorot_uniform = _named(1.0, "fan_avg", "uniform", "glorot_uniform", _GLOROT)
he_normal = _named(2.0, "fan_in", "truncated_normal", "he_normal", _HE)
he_uniform = _named(2.0, "fan_in", "uniform", "he_uniform", _HE)
xavier_normal, xavier_uniform = glorot_normal, glorot_uniform
kaiming_normal, kaiming_uniform = he_normal, he_uniform
