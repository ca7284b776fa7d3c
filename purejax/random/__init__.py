"""A counter-based PRNG from scratch: Threefry-2x32 and the samplers built on it.

Counterpart: `jax.random` with raw `uint32[2]` keys (`jax.random.PRNGKey`). Same key, same call,
same array: bitwise for everything built from bits, within 2 ulp where `erf_inv` is involved.
"""

from purejax.random.continuous import gumbel, normal, truncated_normal, uniform
from purejax.random.discrete import bernoulli, categorical, permutation, randint
from purejax.random.keys import PRNGKey, bits, fold_in, split
from purejax.random.special import erf_inv
from purejax.random.threefry import threefry_2x32

__all__ = [
    "PRNGKey",
    "bernoulli",
    "bits",
    "categorical",
    "erf_inv",
    "fold_in",
    "gumbel",
    "normal",
    "permutation",
    "randint",
    "split",
    "threefry_2x32",
    "truncated_normal",
    "uniform",
]
