"""Element-wise activations, the `jax.nn` set, each written as jax.nn writes it.

Most are one line; the care is at the edges. `relu` and `relu6` pick the derivative 0 at their
kinks (a `custom_jvp`, since autodiff of `max(x, 0)` would give 1/2 at 0); `softplus` is
`logaddexp(x, 0)`, which never forms `exp(x)` for large `x`; `log_sigmoid(x) = -softplus(-x)`;
`elu` hides large positive `x` from `expm1` so that its unused branch cannot produce `inf * 0 = nan`
in the gradient. The functions along an axis (`softmax`, `log_softmax`, `logsumexp`, `standardize`,
`one_hot`, `glu`) are in `softmax.py`.

Counterpart: `jax.nn` (jax/_src/nn/functions.py). Same formulas, same op order and the same `jit`
boundaries (XLA fuses inside a jit, which can change the last bit), so results agree bitwise.

Differences:
  Inputs go through `jnp.asarray`, so lists are accepted (jax.nn refuses them). `mish`,
  `squareplus`, `sparse_plus`, `sparse_sigmoid` and `logmeanexp` are left out.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

__all__ = [
    "celu",
    "elu",
    "gelu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "log_sigmoid",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_sign",
    "softplus",
    "swish",
    "tanh",
]


@jax.custom_jvp
@jax.jit
def relu(x):
    """Rectified linear unit: `max(x, 0)`, with derivative 0 at `x = 0`.

    Args:
      x: any shape.

    Returns:
      Same shape and dtype.

    Counterpart: `jax.nn.relu`.

    References:
      Bertoin et al., *Numerical influence of ReLU'(0) on backpropagation*, 2021,
      https://arxiv.org/abs/2106.12915
    """
    return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))  # d/dx = [x > 0]


@jax.custom_jvp
@jax.jit
def relu6(x):
    """`min(max(x, 0), 6)`, with derivative 0 at both kinks. Counterpart: `jax.nn.relu6`."""
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


@jax.jit
def leaky_relu(x, negative_slope=1e-2):
    """`x` where `x >= 0`, else `negative_slope * x`. Counterpart: `jax.nn.leaky_relu`."""
    x = jnp.asarray(x)
    return jnp.where(x >= 0, x, negative_slope * x)


@jax.jit
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)`.

    The negative branch sees `where(x > 0, 0, x)`, not `x`: for `x = 1e4`, `expm1(x)` is `inf`
    and its gradient `inf * 0` would be `nan` even though `where` discards the branch.

    Counterpart: `jax.nn.elu`.

    References:
      Clevert, Unterthiner, Hochreiter, *Fast and Accurate Deep Network Learning by Exponential
      Linear Units (ELUs)*, 2015, https://arxiv.org/abs/1511.07289
    """
    x = jnp.asarray(x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0.0, x)))


@jax.jit
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.

    Counterpart: `jax.nn.celu`.

    References:
      Barron, *Continuously Differentiable Exponential Linear Units*, 2017,
      https://arxiv.org/abs/1704.07483
    """
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


@jax.jit
def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)`, the constants that make activations self-normalizing.

    Counterpart: `jax.nn.selu`.

    References:
      Klambauer, Unterthiner, Mayr, Hochreiter, *Self-Normalizing Neural Networks*, 2017,
      https://arxiv.org/abs/1706.02515
    """
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit: `x * Phi(x)`, `Phi` the standard normal CDF.

        exact:        gelu(x) = x / 2 * erfc(-x / sqrt(2))
        approximate:  gelu(x) = x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))

    `erfc(-x / sqrt(2))` rather than `1 + erf(x / sqrt(2))`: for very negative `x` the latter
    cancels to 0 long before the true value underflows.

    Args:
      x: any shape; integers are promoted to float.
      approximate: the tanh form (default, as in jax.nn and BERT) or the exact one.

    Counterpart: `jax.nn.gelu` (not jitted there either; jax notes that a jit changed numerics).

    References:
      Hendrycks, Gimpel, *Gaussian Error Linear Units (GELUs)*, 2016, https://arxiv.org/abs/1606.08415
    """
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jax.dtypes.canonicalize_dtype(np.float64))
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(x.dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x**3))))  # Phi(x), approximately
        return x * cdf
    sqrt_half = np.sqrt(0.5).astype(x.dtype)
    return 0.5 * x * lax.erfc(-x * sqrt_half)


@partial(jax.jit, inline=True)
def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))`, via `lax.logistic`. Counterpart: `jax.nn.sigmoid`."""
    return lax.logistic(x)


@jax.jit
def softplus(x):
    """`log(1 + exp(x))` as `logaddexp(x, 0)`: finite for `x = 1e4`, exact for `x = -1e4`.

    Counterpart: `jax.nn.softplus`.
    """
    return jnp.logaddexp(x, 0)


@jax.jit
def log_sigmoid(x):
    """`log(sigmoid(x)) = -softplus(-x)`. Counterpart: `jax.nn.log_sigmoid`."""
    return -softplus(-jnp.asarray(x))


@jax.jit
def soft_sign(x):
    """`x / (|x| + 1)`. Counterpart: `jax.nn.soft_sign`."""
    x = jnp.asarray(x)
    return x / (jnp.abs(x) + 1)


@jax.jit
def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`. Counterpart: `jax.nn.silu` (= `swish`).

    References:
      Ramachandran, Zoph, Le, *Searching for Activation Functions*, 2017,
      https://arxiv.org/abs/1710.05941
    """
    x = jnp.asarray(x)
    return x * sigmoid(x)


swish = silu


@jax.jit
def hard_tanh(x):
    """`clip(x, -1, 1)`, written as jax writes it (two `where`s). Counterpart: `jax.nn.hard_tanh`."""
    x = jnp.asarray(x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


@jax.jit
def hard_sigmoid(x):
    """`relu6(x + 3) / 6`, a piecewise-linear sigmoid. Counterpart: `jax.nn.hard_sigmoid`.

    References:
      Howard et al., *Searching for MobileNetV3*, 2019, https://arxiv.org/abs/1905.02244
    """
    return relu6(x + 3.0) / 6.0


@jax.jit
def hard_silu(x):
    """`x * hard_sigmoid(x)` (hard swish). Counterpart: `jax.nn.hard_silu` (= `hard_swish`)."""
    x = jnp.asarray(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def tanh(x):
    """Hyperbolic tangent, `jnp.tanh`. Counterpart: `jax.nn.tanh` (which is `jnp.tanh`)."""
    return jnp.tanh(x)
