"""Element-wise activations, the `jax.nn` set, each written as jax.nn writes it.

Most are one line; the care is at the edges. `relu` and `relu6` pick the derivative 0 at their
kinks (a `custom_jvp`, since autodiff of `max(x, 0)` would give 1/2 at 0); `softplus` is
`logaddexp(x, 0)`, which never forms `exp(x)` for large `x`; `log_sigmoid(x) = -softplus(-x)`;
`elu` hides large positive `x` from `expm1` so that its unused branch cannot produce `inf * 0 = nan`
in the gradient. The functions along an axis (`softmax`, `log_softmax`, `logsumexp`, `standardize`,
`one_hot`, `glu`) are in `softmax.py`.

Counterpart: `jax.nn` (jax/_src/nn/functions.py). Same formulas, same op order and the same `jit`
boundaries (XLA fuses inside a jit, which can change the last bit), so results agree bitwise.

Each public function checks its arguments (`None`, strings and object arrays are refused, naming
the function and the argument) and calls a jitted private one, `_relu`, whose body is jax's: the
checks see Python values and static dtypes only, so under an outer `jit` they run once, at trace time.

Differences:
  Lists and tuples are turned into arrays first, so they are accepted (jax.nn refuses them).
  `celu` refuses `alpha=0` (jax divides by it: NaN) and `gelu` an `approximate` that is not a
  bool (jax reads `'no'` as True). `mish`, `squareplus`, `sparse_plus`, `sparse_sigmoid` and
  `logmeanexp` are left out.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.checks import check_array, check_bool, fail


def array_argument(function: str, name: str, x):
    """`x` checked as an array or a number (`None`, strings, object arrays refused); a list or tuple as an array."""
    check_array(f"purejax.nn.{function}", name, x)
    return jnp.asarray(x) if isinstance(x, (list, tuple)) else x


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
    return _relu(array_argument("relu", "x", x))


@jax.custom_jvp
@jax.jit
def _relu(x):
    return jnp.maximum(x, 0)


_relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))  # d/dx = [x > 0]


def relu6(x):
    """`min(max(x, 0), 6)`, with derivative 0 at both kinks. Counterpart: `jax.nn.relu6`."""
    return _relu6(array_argument("relu6", "x", x))


@jax.custom_jvp
@jax.jit
def _relu6(x):
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


_relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


def leaky_relu(x, negative_slope=1e-2):
    """`x` where `x >= 0`, else `negative_slope * x`. Counterpart: `jax.nn.leaky_relu`."""
    return _leaky_relu(
        array_argument("leaky_relu", "x", x), array_argument("leaky_relu", "negative_slope", negative_slope)
    )


@jax.jit
def _leaky_relu(x, negative_slope):
    x = jnp.asarray(x)
    return jnp.where(x >= 0, x, negative_slope * x)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)`.

    The negative branch sees `where(x > 0, 0, x)`, not `x`: for `x = 1e4`, `expm1(x)` is `inf`
    and its gradient `inf * 0` would be `nan` even though `where` discards the branch.

    Counterpart: `jax.nn.elu`.

    References:
      Clevert, Unterthiner, Hochreiter, *Fast and Accurate Deep Network Learning by Exponential
      Linear Units (ELUs)*, 2015, https://arxiv.org/abs/1511.07289
    """
    return _elu(array_argument("elu", "x", x), array_argument("elu", "alpha", alpha))


@jax.jit
def _elu(x, alpha=1.0):
    x = jnp.asarray(x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0.0, x)))


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.

    Counterpart: `jax.nn.celu`.

    References:
      Barron, *Continuously Differentiable Exponential Linear Units*, 2017,
      https://arxiv.org/abs/1704.07483

    Differences:
      `alpha=0` is refused (jax divides by it and returns NaN for negative `x`).
    """
    alpha = array_argument("celu", "alpha", alpha)
    if isinstance(alpha, (int, float, np.number)) and alpha == 0:
        raise fail(ValueError, "purejax.nn.celu", "alpha", "a nonzero number", alpha, "it divides min(x, 0)")
    return _celu(array_argument("celu", "x", x), alpha)


@jax.jit
def _celu(x, alpha):
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)`, the constants that make activations self-normalizing.

    Counterpart: `jax.nn.selu`.

    References:
      Klambauer, Unterthiner, Mayr, Hochreiter, *Self-Normalizing Neural Networks*, 2017,
      https://arxiv.org/abs/1706.02515
    """
    return _selu(array_argument("selu", "x", x))


@jax.jit
def _selu(x):
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * _elu(x, alpha)


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
    check_bool("purejax.nn.gelu", "approximate", approximate)
    x = jnp.asarray(array_argument("gelu", "x", x))
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jax.dtypes.canonicalize_dtype(np.float64))
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(x.dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x**3))))  # Phi(x), approximately
        return x * cdf
    sqrt_half = np.sqrt(0.5).astype(x.dtype)
    return 0.5 * x * lax.erfc(-x * sqrt_half)


def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))`, via `lax.logistic`. Counterpart: `jax.nn.sigmoid`."""
    return _sigmoid(array_argument("sigmoid", "x", x))


@partial(jax.jit, inline=True)
def _sigmoid(x):
    return lax.logistic(x)


def softplus(x):
    """`log(1 + exp(x))` as `logaddexp(x, 0)`: finite for `x = 1e4`, exact for `x = -1e4`.

    Counterpart: `jax.nn.softplus`.
    """
    return _softplus(array_argument("softplus", "x", x))


@jax.jit
def _softplus(x):
    return jnp.logaddexp(x, 0)


def log_sigmoid(x):
    """`log(sigmoid(x)) = -softplus(-x)`. Counterpart: `jax.nn.log_sigmoid`."""
    return _log_sigmoid(array_argument("log_sigmoid", "x", x))


@jax.jit
def _log_sigmoid(x):
    return -_softplus(-jnp.asarray(x))


def soft_sign(x):
    """`x / (|x| + 1)`. Counterpart: `jax.nn.soft_sign`."""
    return _soft_sign(array_argument("soft_sign", "x", x))


@jax.jit
def _soft_sign(x):
    x = jnp.asarray(x)
    return x / (jnp.abs(x) + 1)


def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`. Counterpart: `jax.nn.silu` (= `swish`).

    References:
      Ramachandran, Zoph, Le, *Searching for Activation Functions*, 2017,
      https://arxiv.org/abs/1710.05941
    """
    return _silu(array_argument("silu", "x", x))


@jax.jit
def _silu(x):
    x = jnp.asarray(x)
    return x * _sigmoid(x)


swish = silu


def hard_tanh(x):
    """`clip(x, -1, 1)`, written as jax writes it (two `where`s). Counterpart: `jax.nn.hard_tanh`."""
    return _hard_tanh(array_argument("hard_tanh", "x", x))


@jax.jit
def _hard_tanh(x):
    x = jnp.asarray(x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


def hard_sigmoid(x):
    """`relu6(x + 3) / 6`, a piecewise-linear sigmoid. Counterpart: `jax.nn.hard_sigmoid`.

    References:
      Howard et al., *Searching for MobileNetV3*, 2019, https://arxiv.org/abs/1905.02244
    """
    return _hard_sigmoid(array_argument("hard_sigmoid", "x", x))


@jax.jit
def _hard_sigmoid(x):
    return _relu6(x + 3.0) / 6.0


def hard_silu(x):
    """`x * hard_sigmoid(x)` (hard swish). Counterpart: `jax.nn.hard_silu` (= `hard_swish`)."""
    return _hard_silu(array_argument("hard_silu", "x", x))


@jax.jit
def _hard_silu(x):
    x = jnp.asarray(x)
    return x * _hard_sigmoid(x)


hard_swish = hard_silu


def tanh(x):
    """Hyperbolic tangent, `jnp.tanh`. Counterpart: `jax.nn.tanh` (which is `jnp.tanh`)."""
    return jnp.tanh(array_argument("tanh", "x", x))
