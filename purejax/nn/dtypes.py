"""Dtype rules the layers share: which dtype a computation runs in, and which inputs are refused.

A layer holds two dtypes, as in Flax: `param_dtype`, the dtype its parameters are stored in, and
`dtype`, the dtype of its computation. When `dtype` is None the computation runs in the dtype the
inputs and the parameters promote to, never in an integer one:

    if dtype is None:
        dtype = result_type(inputs, kernel, bias)  # float32 where these are all integers
    inputs, kernel, bias = (a.astype(dtype) for a in (inputs, kernel, bias))  # then the product

`result_dtype` is that rule (the normalization layers' output dtype), `promote_dtype` applies it
(Dense, Conv, the recurrent cells), and `require_float` refuses integer inputs before any of it.

Counterpart: `flax.linen.dtypes.canonicalize_dtype` (here `result_dtype`) and `promote_dtype`
(flax/linen/dtypes.py).

Differences:
  `require_float` is ours: Flax casts integer and boolean inputs to float32 silently.
"""

from __future__ import annotations

import jax.numpy as jnp

from purejax.checks import check_array
from purejax.nn.module import Scope


def result_dtype(*args, dtype=None):
    """`dtype`, or the promoted dtype of `args` (None skipped), at least a float (Flax's `canonicalize_dtype`)."""
    if dtype is None:
        dtype = jnp.result_type(*[jnp.asarray(a) for a in args if a is not None])
        if not jnp.issubdtype(dtype, jnp.inexact):
            dtype = jnp.promote_types(jnp.float32, dtype)
    return dtype


def promote_dtype(*args, dtype=None, inexact: bool = True) -> list:
    """Cast `args` (None kept) to one dtype: `dtype`, or the promoted dtype of all of them.

    With `inexact`, an inferred integer dtype becomes a float (`promote_types(float32, dtype)`),
    and a given non-float `dtype` is refused.

    Counterpart: `flax.linen.dtypes.promote_dtype` (flax/linen/dtypes.py).
    """
    if dtype is None:
        dtype = jnp.result_type(*[jnp.asarray(x) for x in args if x is not None])
        if inexact and not jnp.issubdtype(dtype, jnp.inexact):
            dtype = jnp.promote_types(jnp.float32, dtype)
    if inexact and not jnp.issubdtype(dtype, jnp.inexact):
        raise ValueError(f"promote_dtype: dtype must be a float or complex dtype, got {dtype}")
    return [None if x is None else jnp.asarray(x, dtype) for x in args]


def require_float(scope: Scope, x, what: str = "inputs") -> None:
    """Refuse `None`, strings, and integer and boolean inputs, which Flax would silently cast to float."""
    check_array(scope.where, what, x)
    if not jnp.issubdtype(jnp.result_type(x), jnp.inexact):
        raise TypeError(
            f"{scope.where}: {what} must be float (or complex), got {jnp.result_type(x)}"
            f"{list(jnp.shape(x))}; cast them, e.g. x.astype(jnp.float32)"
        )
