"""Weight initializers: `init(key, shape, dtype) -> array`, the `jax.nn.initializers` set.

Each public name except `zeros` and `ones` is a builder: it takes hyperparameters and returns the
initializer, so that a layer can hold `kernel_init=lecun_normal()` and call it later with a key:

    init = normal(stddev=0.02)
    w = init(key, (784, 512))             # float32[784, 512], N(0, 0.02**2)

`zeros`, `ones` and `constant` ignore the key. `uniform`, `normal` and `truncated_normal` scale a
standard draw; the variance-scaling family (`lecun_*`, `glorot_*`, `he_*`) lives in
`purejax.nn.init_variance_scaling` and is re-exported here; `orthogonal` fills a weight with
orthonormal columns (or rows). Every draw goes through `purejax.random`, so the same key gives
the same array as `jax.nn.initializers`.

Counterpart: `jax.nn.initializers` (jax/_src/nn/initializers.py).

Differences:
  Raw `uint32[2]` keys only; real float dtypes only for the random initializers (complex ones
  are refused); no `out_sharding`; no `delta_orthogonal`.
"""
from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

import purejax.random
from purejax.nn.init_variance_scaling import (
    compute_fans, glorot_normal, glorot_uniform, he_normal, he_uniform, kaiming_normal, kaiming_uniform,
    lecun_normal, lecun_uniform, real_dtype, variance_scaling, xavier_normal, xavier_uniform,
)

__all__ = [
    "compute_fans", "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform", "normal", "ones",
    "orthogonal", "truncated_normal", "uniform", "variance_scaling", "xavier_normal",
    "xavier_uniform", "zeros",
]


def _default(dtype):
    return jax.dtypes.canonicalize_dtype(np.float64 if dtype is None else dtype)


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
    return jnp.zeros(shape, _default(dtype))


def ones(key, shape, dtype=None) -> jax.Array:
    """An array of ones; `key` is ignored. Counterpart: `jax.nn.initializers.ones`."""
    return jnp.ones(shape, _default(dtype))


def constant(value, dtype=None):
    """An initializer filling every element with `value`; the key is ignored.

    Args:
      value: a scalar (or an array broadcastable to the shape).
      dtype: the initializer's default dtype.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.constant`.
    """
    def init(key, shape, dtype=dtype):
        return jnp.full(shape, value, dtype=_default(dtype))

    return init


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
    def init(key, shape, dtype=dtype):
        dtype = real_dtype("uniform", dtype)
        return purejax.random.uniform(key, shape, dtype) * jnp.array(scale, dtype)

    return init


def normal(stddev=1e-2, dtype=None):
    """An initializer drawing from N(0, stddev**2): `normal(key) * stddev`.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.normal`.
    """
    def init(key, shape, dtype=dtype):
        dtype = real_dtype("normal", dtype)
        return purejax.random.normal(key, shape, dtype) * jnp.array(stddev, dtype)

    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """An initializer drawing `truncated_normal(key, lower, upper) * stddev`.

    The values lie in `(lower * stddev, upper * stddev)`; their standard deviation is *less* than
    `stddev` (0.88 * stddev for the default bounds): unlike `variance_scaling`, no correction.

    Returns:
      `init(key, shape, dtype=dtype) -> dtype[*shape]`.

    Counterpart: `jax.nn.initializers.truncated_normal`.
    """
    def init(key, shape, dtype=dtype):
        dtype = real_dtype("truncated_normal", dtype)
        return purejax.random.truncated_normal(key, lower, upper, shape, dtype) * jnp.array(stddev, dtype)

    return init


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
    def init(key, shape, dtype=dtype):
        shape = tuple(int(d) for d in shape)
        dtype = real_dtype("orthogonal", dtype)
        if len(shape) < 2:
            raise ValueError(f"purejax.nn.initializers.orthogonal: needs a shape of at least 2 dims "
                             f"(rows and columns), got {shape}; for a vector use normal() or zeros")
        if any(dim == 0 for dim in shape):
            return jnp.zeros(shape, dtype)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        q = _orthogonal(key, n_rows, n_cols, dtype)  # [n_rows, n_cols]
        q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))  # [*other dims, n_cols]
        q = jnp.moveaxis(q, -1, column_axis)  # [*shape]
        return jnp.array(scale, dtype) * q

    return init
