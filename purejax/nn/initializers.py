"""Weight initializers: `init(key, shape, dtype) -> array`, the `jax.nn.initializers` set.

Each public name except `zeros` and `ones` is a builder: it takes hyperparameters and returns the
initializer, so that a layer can hold `kernel_init=lecun_normal()` and call it later with a key:

    init = normal(stddev=0.02)
    w = init(key, (784, 512))             # float32[784, 512], N(0, 0.02**2)

`zeros`, `ones` and `constant` ignore the key. `uniform`, `normal` and `truncated_normal` scale a
standard draw; `variance_scaling` and its named family (`lecun_*`, `glorot_*`, `he_*`) pick the
spread of the weights from the layer's fan-in and fan-out; `orthogonal` fills a weight with
orthonormal columns (or rows). Every draw goes through `purejax.random`, so the same key gives
the same array as `jax.nn.initializers`.

Variance scaling. A layer `y = x @ W` with `fan_in` inputs of unit variance and weights of
variance `v` gives outputs of variance `fan_in * v`; choosing `v = scale / fan_in` keeps the
signal's variance steady through depth (forward pass), `v = scale / fan_out` keeps the gradient's
steady (backward pass), and Glorot's compromise uses their average:

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

Every initializer here is marked `shape_is_argument`: the array it returns has exactly the shape
passed to it. `Scope.param` reads that mark when `apply` finds a stored parameter: it checks the
parameter against `shape` directly instead of tracing the initializer (`jax.eval_shape`), which
for a random initializer means tracing Threefry once per parameter, on every trace of a step.
An initializer without the mark (a lambda, a `jax.nn.initializers` one) is traced, as Flax
traces every initializer.

Counterpart: `jax.nn.initializers` (jax/_src/nn/initializers.py). Same fan arithmetic (Python
floats), same draws through `purejax.random`, same op order: same key, same array (bitwise; within
2 ulp for the normal draws, where `erf_inv` may differ).

References:
  LeCun, Bottou, Orr, Müller, *Efficient BackProp*, 1998, https://doi.org/10.1007/3-540-49430-8_2
  Glorot, Bengio, *Understanding the difficulty of training deep feedforward neural networks*,
  2010, http://proceedings.mlr.press/v9/glorot10a.html
  He, Zhang, Ren, Sun, *Delving Deep into Rectifiers*, 2015, https://arxiv.org/abs/1502.01852

Differences:
  Raw `uint32[2]` keys only; real float dtypes only for the random initializers (complex dtypes,
  for which jax has disk and truncated-modulus samplers, are refused); no `out_sharding`; no
  `delta_orthogonal`. The builders check their arguments when they build the initializer (a
  `mode` or `distribution` not in the lists, a negative `scale` for `variance_scaling`, which
  jax turns into NaN weights, `lower >= upper`, a dtype that is not one); the initializers check
  the `shape` (non-negative integers; jax refuses `2.5` too, in its own words) and that
  `in_axis`, `out_axis`, `batch_axis` and `column_axis` lie in the shape (jax: an `IndexError`).
  A shape with a zero-sized in, out or batch axis is refused by the variance-scaling family (jax:
  `ZeroDivisionError`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

import purejax.random
from purejax.checks import (
    check_array,
    check_axes,
    check_axis,
    check_choice,
    check_dtype,
    check_number,
    check_sizes,
    fail,
    is_integer,
)
from purejax.nn.keypath import check_key

__all__ = [
    "compute_fans",
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")
TRUNCATED_STDDEV = 0.87962566103423978  # std of a standard normal truncated to (-2, 2)


def shape_is_argument(init):
    """Mark `init(key, shape, dtype)` as returning an array of exactly the shape `shape`; returns `init`.

    `Scope.param` then checks a stored parameter's shape against the `shape` argument without
    tracing `init`. Mark only an initializer for which that holds for every shape.
    """
    init.shape_is_argument = True
    return init


def _default(name: str, dtype):
    check_dtype(f"purejax.nn.initializers.{name}", "dtype", dtype, optional=True)
    return jax.dtypes.canonicalize_dtype(np.float64 if dtype is None else dtype)


def _shape(name: str, shape) -> tuple[int, ...]:
    """The initializer's `shape` as a tuple of non-negative ints (an int `n` is `(n,)`, as jax reads it)."""
    return check_sizes(f"purejax.nn.initializers.{name}", "shape", shape)


def real_dtype(name: str, dtype) -> np.dtype:
    """`dtype` (default float32, float64 under x64), refused unless it is a real float dtype."""
    dtype = _default(name, dtype)
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise NotImplementedError(
            f"purejax.nn.initializers.{name}: complex dtype {dtype} is not supported; use a real "
            "float dtype (jax.nn.initializers handles complex weights)"
        )
    if not jnp.issubdtype(dtype, jnp.floating):
        raise ValueError(f"purejax.nn.initializers.{name}: dtype must be a float dtype, got {dtype}")
    return dtype


def zeros(key, shape, dtype=None) -> jax.Array:
    """An array of zeros; `key` is ignored.

    Args:
      key: ignored (present so that every initializer has the same signature).
      shape: output shape.
      dtype: default float32 (float64 under x64).

    Returns:
      `dtype[*shape]` of 0.

    Counterpart: `jax.nn.initializers.zeros`.
    """
    return jnp.zeros(_shape("zeros", shape), _default("zeros", dtype))


def ones(key, shape, dtype=None) -> jax.Array:
    """An array of ones; `key` is ignored. Counterpart: `jax.nn.initializers.ones`."""
    return jnp.ones(_shape("ones", shape), _default("ones", dtype))


shape_is_argument(zeros)
shape_is_argument(ones)


def zeros_init():
    """The `zeros` initializer, as `flax.linen.initializers.zeros_init()` returns it."""
    return zeros


def ones_init():
    """The `ones` initializer, as `flax.linen.initializers.ones_init()` returns it."""
    return ones


def constant(value, dtype=None):
    """An initializer filling every element with `value`; the key is ignored.

    Args:
      value: a scalar (or an array broadcastable to the shape).
      dtype: the initializer's default dtype.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.constant`.
    """
    check_array("purejax.nn.initializers.constant", "value", value)
    check_dtype("purejax.nn.initializers.constant", "dtype", dtype, optional=True)

    def init(key, shape, dtype=dtype):
        return jnp.full(_shape("constant", shape), value, dtype=_default("constant", dtype))

    return shape_is_argument(init)


def uniform(scale=1e-2, dtype=None):
    """An initializer drawing from U[0, scale): `uniform(key) * scale`.

    Args:
      scale: the upper bound.
      dtype: the initializer's default dtype.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.uniform`.

    Differences:
      Like jax's, it draws from [0, scale), not from [-scale, scale) as `torch.nn.init.uniform_`
      and Keras' `RandomUniform` do.
    """
    check_number("purejax.nn.initializers.uniform", "scale", scale)
    check_dtype("purejax.nn.initializers.uniform", "dtype", dtype, optional=True)

    def init(key, shape, dtype=dtype):
        dtype = real_dtype("uniform", dtype)
        check_key("purejax.nn.initializers.uniform", "key", key)
        return purejax.random.uniform(key, _shape("uniform", shape), dtype) * jnp.array(scale, dtype)

    return shape_is_argument(init)


def normal(stddev=1e-2, dtype=None):
    """An initializer drawing from N(0, stddev**2): `normal(key) * stddev`.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.normal`.
    """
    check_number("purejax.nn.initializers.normal", "stddev", stddev)
    check_dtype("purejax.nn.initializers.normal", "dtype", dtype, optional=True)

    def init(key, shape, dtype=dtype):
        dtype = real_dtype("normal", dtype)
        check_key("purejax.nn.initializers.normal", "key", key)
        return purejax.random.normal(key, _shape("normal", shape), dtype) * jnp.array(stddev, dtype)

    return shape_is_argument(init)


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """An initializer drawing `truncated_normal(key, lower, upper) * stddev`.

    The values lie in `(lower * stddev, upper * stddev)`; their standard deviation is *less* than
    `stddev` (0.88 * stddev for the default bounds): unlike `variance_scaling`, no correction.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.truncated_normal`.

    Differences:
      `lower >= upper` is refused (jax returns `lower * stddev` everywhere).
    """
    where = "purejax.nn.initializers.truncated_normal"
    check_number(where, "stddev", stddev)
    check_dtype(where, "dtype", dtype, optional=True)
    check_number(where, "lower", lower)
    check_number(where, "upper", upper)
    if not hasattr(lower, "dtype") and not hasattr(upper, "dtype") and not lower < upper:
        raise fail(ValueError, where, "upper", f"greater than lower={lower}", upper)

    def init(key, shape, dtype=dtype):
        dtype = real_dtype("truncated_normal", dtype)
        shape = _shape("truncated_normal", shape)
        check_key(where, "key", key)
        return purejax.random.truncated_normal(key, lower, upper, shape, dtype) * jnp.array(stddev, dtype)

    return shape_is_argument(init)


def _size(shape: tuple, axes: int | Sequence[int]) -> int:
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)


def compute_fans(
    shape: Sequence[int],
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
) -> tuple[float, float]:
    """`(fan_in, fan_out)` of a weight of `shape`; the leftover axes are the receptive field.

    Args:
      shape: the weight's shape, e.g. `[in, out]` or `[h, w, in, out]`: non-negative integers.
      in_axis, out_axis, batch_axis: an axis or a sequence of axes each, inside the shape (the
        batch axes count in neither fan; in and out may be the same axis, as in Flax's default
        `Embed` initializer, `out_axis=0` with `in_axis=-2` on `[vocab, features]`).

    Returns:
      `(in_size * receptive_field, out_size * receptive_field)` as Python floats.

    Counterpart: `jax.nn.initializers._compute_fans`.
    """
    return _compute_fans("compute_fans", shape, in_axis, out_axis, batch_axis)


def _compute_fans(name: str, shape, in_axis, out_axis, batch_axis) -> tuple[float, float]:
    """`compute_fans`, with errors naming the initializer `name`."""
    where = f"purejax.nn.initializers.{name}"
    shape = check_sizes(where, "shape", shape)
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(
            f"{where}: cannot compute fans of a {len(shape)}-D shape "
            f"{shape} with the default in_axis=-2; use a shape of at least 2 dims or pass in_axis"
        )
    for arg, value in (("in_axis", in_axis), ("out_axis", out_axis), ("batch_axis", batch_axis)):
        check_axes(where, arg, value, len(shape))  # in and out may share an axis: Embed's default does
    in_size, out_size, batch_size = _size(shape, in_axis), _size(shape, out_axis), _size(shape, batch_axis)
    if 0 in (in_size, out_size, batch_size):
        raise ValueError(
            f"{where}: shape {shape} has a zero-sized in, out or batch axis, so its fans are 0 and the "
            "variance scale / fan is undefined; give every layer at least one input and output feature"
        )
    receptive_field_size = math.prod(shape) / in_size / out_size / batch_size  # e.g. h * w
    return in_size * receptive_field_size, out_size * receptive_field_size


def variance_scaling(
    scale,
    mode: str,
    distribution: str,
    in_axis: int | Sequence[int] = -2,
    out_axis: int | Sequence[int] = -1,
    batch_axis: int | Sequence[int] = (),
    dtype=None,
):
    """An initializer drawing weights with variance `scale / n`, `n` set by `mode` (see module doc).

    Args:
      scale: a float >= 0.
      mode: one of "fan_in", "fan_out", "fan_avg", "fan_geo_avg".
      distribution: one of "truncated_normal", "normal", "uniform".
      in_axis, out_axis, batch_axis: axes of the weight, as for `compute_fans`.
      dtype: the default dtype of the weights (float32, float64 under x64).

    Returns:
      `init(key, shape, dtype=dtype) -> Array[shape]`.

    Counterpart: `jax.nn.initializers.variance_scaling`.
    """
    return _variance_scaling("variance_scaling", scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)


def _variance_scaling(name: str, scale, mode, distribution, in_axis, out_axis, batch_axis, dtype):
    """`variance_scaling`, with errors naming the public builder `name` (`lecun_normal`, ...)."""
    where = f"purejax.nn.initializers.{name}"
    check_number(where, "scale", scale, minimum=0, hint="the variance is scale / fan")
    for arg, value, choices in (("mode", mode, MODES), ("distribution", distribution, DISTRIBUTIONS)):
        if not isinstance(value, str):
            raise fail(TypeError, where, arg, "one of " + ", ".join(repr(c) for c in choices), value)
        check_choice(where, arg, value, choices)
    for arg, value in (("in_axis", in_axis), ("out_axis", out_axis), ("batch_axis", batch_axis)):
        check_axes(where, arg, value)
    check_dtype(where, "dtype", dtype, optional=True)

    def init(key, shape, dtype=dtype):
        shape = check_sizes(where, "shape", shape)
        dtype = real_dtype(name, dtype)
        check_key(where, "key", key)
        fan_in, fan_out = _compute_fans(name, shape, in_axis, out_axis, batch_axis)
        denominator = {
            "fan_in": fan_in,
            "fan_out": fan_out,
            "fan_avg": (fan_in + fan_out) / 2,
            "fan_geo_avg": (fan_in * fan_out) ** 0.5,
        }[mode]
        variance = jnp.array(scale / denominator, dtype=dtype)
        if distribution == "truncated_normal":
            stddev = jnp.sqrt(variance) / jnp.array(TRUNCATED_STDDEV, dtype)  # undo the truncation's shrink
            return purejax.random.truncated_normal(key, -2, 2, shape, dtype) * stddev
        if distribution == "normal":
            return purejax.random.normal(key, shape, dtype) * jnp.sqrt(variance)
        return purejax.random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)  # U(-1, 1) has var 1/3

    return shape_is_argument(init)


def _named(scale: float, mode: str, distribution: str, name: str, counterpart: str):
    def builder(
        in_axis: int | Sequence[int] = -2,
        out_axis: int | Sequence[int] = -1,
        batch_axis: int | Sequence[int] = (),
        dtype=None,
    ):
        return _variance_scaling(name, scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

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


@partial(jax.jit, static_argnums=(1, 2, 3))
def _orthogonal(key, n_rows, n_cols, dtype):
    """A `[n_rows, n_cols]` matrix with orthonormal columns (n_rows >= n_cols) or rows, Haar-uniform."""
    z = purejax.random.normal(key, (max(n_rows, n_cols), min(n_rows, n_cols)), dtype)  # [big, small]
    q, r = jnp.linalg.qr(z)  # q: [big, small], orthonormal columns
    d = jnp.diagonal(r, axis1=-2, axis2=-1)  # [small]
    q = q * jnp.expand_dims(jnp.sign(d), -2)  # fix QR's sign freedom: makes q uniform (Mezzadri)
    return q.mT if n_rows < n_cols else q


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer giving `scale` times a random (semi-)orthogonal matrix.

    The weight is viewed as a matrix `[prod(other dims), shape[column_axis]]`. Draw `Z` with
    normal entries, factor `Z = QR`, and multiply each column of `Q` by `sign(R_jj)`: the result is
    uniform over matrices with orthonormal columns (or rows, when there are more columns than rows).

    Args:
      scale: multiplies the orthogonal matrix.
      column_axis: the axis whose entries index the orthonormal columns.
      dtype: the initializer's default dtype.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`, `shape` of at least 2 dims.

    Counterpart: `jax.nn.initializers.orthogonal` (and `jax.random.orthogonal`).

    References:
      Saxe, McClelland, Ganguli, *Exact solutions to the nonlinear dynamics of learning in deep
      linear neural networks*, 2014, https://arxiv.org/abs/1312.6120
      Mezzadri, *How to generate random matrices from the classical compact groups*, 2007,
      https://arxiv.org/abs/math-ph/0609050
    """
    where = "purejax.nn.initializers.orthogonal"
    check_number(where, "scale", scale)
    if not is_integer(column_axis):
        raise fail(TypeError, where, "column_axis", "an integer axis", column_axis)
    check_dtype(where, "dtype", dtype, optional=True)

    def init(key, shape, dtype=dtype):
        shape = check_sizes(where, "shape", shape)
        dtype = real_dtype("orthogonal", dtype)
        check_key(where, "key", key)
        if len(shape) < 2:
            raise ValueError(
                f"purejax.nn.initializers.orthogonal: needs a shape of at least 2 dims "
                f"(rows and columns), got {shape}; for a vector use normal() or zeros"
            )
        check_axis(where, "column_axis", column_axis, len(shape))
        if any(dim == 0 for dim in shape):
            return jnp.zeros(shape, dtype)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        q = _orthogonal(key, n_rows, n_cols, dtype)  # [n_rows, n_cols]
        q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))  # [*other dims, n_cols]
        q = jnp.moveaxis(q, -1, column_axis)  # [*shape]
        return jnp.array(scale, dtype) * q

    return shape_is_argument(init)
