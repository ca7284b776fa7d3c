"""Random numbers, the library way: `jax.random` with raw `uint32[2]` keys.

Twin of `purejax/random/`. Nothing is implemented here: it names JAX's functions as purejax names
its own (`threefry_2x32` lives in `jax.extend.random`, `erf_inv` in `jax.lax`).
"""

from jax.extend.random import threefry_2x32
from jax.lax import erf_inv
from jax.random import (
    PRNGKey,
    bernoulli,
    bits,
    categorical,
    fold_in,
    gumbel,
    normal,
    permutation,
    randint,
    split,
    truncated_normal,
    uniform,
)

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
