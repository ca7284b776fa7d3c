"""Small pytree arithmetic shared by the optimizers: moments, bias correction, counters.

    update_moment(g, m, decay, order)  = (1 - decay) * g**order + decay * m        # EMA of g**order
    bias_correction(m, decay, count)   = m / (1 - decay**count)                    # undo the zero start
    safe_increment(count)              = count + 1, stopping at the dtype's maximum

Counterpart: `optax.tree_utils.tree_update_moment`, `tree_update_moment_per_elem_norm`,
`tree_bias_correction`, `tree_zeros_like`, `optax.safe_increment`
(optax/tree_utils/_tree_math.py, optax/_src/numerics.py).
"""
from __future__ import annotations

import functools

from typing import Any

import jax
import jax.numpy as jnp

from purejax import tree


def zeros_like(params: Any, dtype=None) -> Any:
    """A tree of zeros shaped like `params`."""
    return tree.map(lambda p: jnp.zeros_like(p, dtype=dtype), params)


def update_moment(updates: Any, moments: Any, decay: float, order: int) -> Any:
    """Exponential moving average of the `order`-th power of the updates."""
    return tree.map(
        lambda g, m: None if g is None else (1 - decay) * (g**order) + decay * m,
        updates, moments, is_leaf=lambda x: x is None,
    )


def update_moment_per_elem_norm(updates: Any, moments: Any, decay: float, order: int) -> Any:
    """EMA of `|g|**order`, computed as `(g**2)**(order/2)` for complex-safe norms (as Optax)."""

    def norm(g):
        squared = jnp.square(jnp.abs(g)) if jnp.iscomplexobj(g) else jnp.square(g)
        return squared if order == 2 else jnp.power(squared, order / 2)

    return tree.map(
        lambda g, m: None if g is None else (1 - decay) * norm(g) + decay * m,
        updates, moments, is_leaf=lambda x: x is None,
    )


@functools.partial(jax.jit, inline=True)  # one fused program, as Optax's: eager results then match too
def bias_correction(moment: Any, decay: float, count) -> Any:
    """Divide by `1 - decay**count`: an EMA started at zero underestimates early on."""
    correction = 1 - decay**count  # computed in the count's precision, then cast (as Optax)
    return tree.map(lambda m: m / correction.astype(m.dtype), moment)


def safe_increment(count):
    """`count + 1`, saturating at the dtype's largest value instead of wrapping."""
    count = jnp.asarray(count)
    dtype = count.dtype
    if jnp.issubdtype(dtype, jnp.integer):
        largest = jnp.iinfo(dtype).max
    elif jnp.issubdtype(dtype, jnp.floating):
        largest = jnp.finfo(dtype).max
    else:
        raise ValueError(f"purejax.optim.safe_increment: count must be integer or float, got {dtype}")
    largest = jnp.array(largest, dtype)
    return jnp.where(count < largest, count + jnp.array(1, dtype), largest)


def check_same_structure(where: str, updates: Any, reference: Any) -> None:
    """Raise `ValueError` naming the first differing key path if `updates` has another structure.

    Call it at the top of an `update` whose state holds per-parameter trees, so that grads of the
    wrong shape of tree fail with a message that says where, not deep inside a `map`.
    """
    tree.flatten_up_to(tree.structure(reference), updates,
                       f"{where}: the updates differ from the optimizer state's tree")
