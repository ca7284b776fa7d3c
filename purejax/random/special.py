"""The inverse error function, which turns uniform samples into normal ones.

If `u` is uniform on (-1, 1), then `sqrt(2) * erf_inv(u)` is standard normal (inverse transform
sampling: `erf_inv` is, up to scaling, the normal distribution's quantile function).

Giles' approximation: with `w = -log(1 - x**2)`, `erf_inv(x) = x * p(w')` where `p` is a
polynomial and `w'` a shifted `w` (or `sqrt(w)`), with one polynomial per range of `w`:

    float32: w < 5:  p(w - 2.5),       9 coefficients
             else:   p(sqrt(w) - 3),   9 coefficients
    float64: w < 6.25: p(w - 3.125),   23 coefficients
             w < 16:   p(sqrt(w) - 3.25), 19 coefficients
             else:     p(sqrt(w) - 5),    17 coefficients

and `erf_inv(+-1) = +-inf`. float16 and bfloat16 are computed in float32, as XLA does.

Counterpart: `jax.lax.erf_inv` (XLA's `chlo.erf_inv` decomposition; jax/_src/lax/special.py).
The float32 branch evaluates the same polynomial in the same order, so it agrees bitwise on CPU.

References:
  Mike Giles, *Approximating the erfinv function*, GPU Computing Gems Jade Edition, 2011.
  https://people.maths.ox.ac.uk/gilesm/files/gems_erfinv.pdf

Differences:
  float64 evaluates each range's polynomial by Horner's rule on its own; XLA interleaves the
  ranges' coefficients, so float64 results may differ in the last bit or two.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from purejax.checks import check_array

_F32_SMALL = (
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
)  # w < 5
_F32_LARGE = (
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
)  # w >= 5

_F64_SMALL = (
    -3.6444120640178196996e-21,
    -1.685059138182016589e-19,
    1.2858480715256400167e-18,
    1.115787767802518096e-17,
    -1.333171662854620906e-16,
    2.0972767875968561637e-17,
    6.6376381343583238325e-15,
    -4.0545662729752068639e-14,
    -8.1519341976054721522e-14,
    2.6335093153082322977e-12,
    -1.2975133253453532498e-11,
    -5.4154120542946279317e-11,
    1.051212273321532285e-09,
    -4.1126339803469836976e-09,
    -2.9070369957882005086e-08,
    4.2347877827932403518e-07,
    -1.3654692000834678645e-06,
    -1.3882523362786468719e-05,
    0.0001867342080340571352,
    -0.00074070253416626697512,
    -0.0060336708714301490533,
    0.24015818242558961693,
    1.6536545626831027356,
)  # w < 6.25
_F64_MEDIUM = (
    2.2137376921775787049e-09,
    9.0756561938885390979e-08,
    -2.7517406297064545428e-07,
    1.8239629214389227755e-08,
    1.5027403968909827627e-06,
    -4.013867526981545969e-06,
    2.9234449089955446044e-06,
    1.2475304481671778723e-05,
    -4.7318229009055733981e-05,
    6.8284851459573175448e-05,
    2.4031110387097893999e-05,
    -0.0003550375203628474796,
    0.00095328937973738049703,
    -0.0016882755560235047313,
    0.0024914420961078508066,
    -0.0037512085075692412107,
    0.005370914553590063617,
    1.0052589676941592334,
    3.0838856104922207635,
)  # 6.25 <= w < 16
_F64_LARGE = (
    -2.7109920616438573243e-11,
    -2.5556418169965252055e-10,
    1.5076572693500548083e-09,
    -3.789465440126737e-09,
    7.6157012080783393804e-09,
    -1.4960026627149240478e-08,
    2.9147953450901080826e-08,
    -6.7711997758452339498e-08,
    2.2900482228026654717e-07,
    -9.9298272942317002539e-07,
    4.5260625972231537039e-06,
    -1.9681778105531670567e-05,
    7.5995277030017761139e-05,
    -0.00021503011930044477347,
    -0.00013871931833623122026,
    1.0103004648645343977,
    4.8499064014085844221,
)  # w >= 16


def _horner(coefficients, t, dtype):
    """Evaluate a polynomial, highest power first: `((c0 * t + c1) * t + c2) ...`."""
    p = jnp.asarray(coefficients[0], dtype)
    for c in coefficients[1:]:
        p = dtype.type(c) + p * t
    return p


def _erf_inv_f32(x):
    w = -jnp.log1p(x * -x)  # -log(1 - x^2)
    small = w < 5
    # The two ranges share one Horner loop with the coefficients chosen per element (as XLA).
    t = jnp.where(small, w - np.float32(2.5), jnp.sqrt(w) - np.float32(3))
    p = jnp.where(small, np.float32(_F32_SMALL[0]), np.float32(_F32_LARGE[0]))
    for c_small, c_large in zip(_F32_SMALL[1:], _F32_LARGE[1:], strict=True):
        p = jnp.where(small, np.float32(c_small), np.float32(c_large)) + p * t
    return p * x


def _erf_inv_f64(x):
    f64 = np.dtype("float64")
    w = -jnp.log1p(x * -x)  # -log(1 - x^2)
    p_small = _horner(_F64_SMALL, w - 3.125, f64)
    p_medium = _horner(_F64_MEDIUM, jnp.sqrt(w) - 3.25, f64)
    p_large = _horner(_F64_LARGE, jnp.sqrt(w) - 5.0, f64)
    p = jnp.where(w < 6.25, p_small, jnp.where(w < 16, p_medium, p_large))
    return p * x


@jax.jit  # one compiled program, as JAX runs it: op-by-op eager rounds differently
def _erf_inv(x):
    dtype = x.dtype
    if dtype == np.float64:
        y = _erf_inv_f64(x)
    else:
        y = _erf_inv_f32(x.astype(np.float32)).astype(dtype)  # f16/bf16 go through f32
    return jnp.where(jnp.abs(x) == 1, x * dtype.type(np.inf), y)  # erf_inv(+-1) = +-inf


def erf_inv(x):
    """Inverse error function, elementwise: `erf(erf_inv(x)) == x` for `-1 < x < 1`.

    Args:
      x: float array, values in [-1, 1].

    Returns:
      Array of `x`'s shape and dtype; `+-inf` at `+-1`, NaN outside [-1, 1].

    Counterpart: `jax.lax.erf_inv` / `jax.scipy.special.erfinv`.

    Differences:
      Integer input is refused (`jax.scipy.special.erfinv` promotes it to float; `lax.erf_inv`
      refuses it too).
    """
    check_array("purejax.random.erf_inv", "x", x)
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(f"purejax.random.erf_inv: x must be a float array, got {x.dtype}; write x.astype(jnp.float32)")
    return _erf_inv(x)
