"""The package's internal toolbox: the pytree arithmetic that several optimizer files share.

Not part of the public API (only `safe_increment` is re-exported, as Optax exports it): these are
the helpers that more than one file of `purejax.optim` needs, written once here. A helper that
one file needs stays private in that file.

    zeros_like(p), full_like(p, value)     = a tree like p of zeros / of value
    update_moment(g, m, decay, order)      = (1 - decay) * g**order + decay * m     # EMA of g**order
    bias_correction(m, decay, count)       = m / (1 - decay**count)                 # undo the zero start
    nesterov_mu_hat(m, g, b1, t)           = b1 * m / (1 - b1**(t+1)) + (1 - b1) * g / (1 - b1**t)  # Nadam
    divide_by_root(m, v, eps, eps_root)    = m / (sqrt(v + eps_root) + eps)         # Adam's division
    adam_moments(name, g, state, b1, b2)   = Adam's two moment updates and the next count
    safe_increment(count)                  = count + 1, stopping at the dtype's maximum
    abs_sq(x)                              = |x|**2, also for complex x
    canonical_dtype(d), cast_tree(t, d)    = the dtype JAX really uses; every leaf cast to it
    canonical_key(name, key)               = an int seed or a raw key, checked, as a raw key
    check_same_structure(name, g, ref)     = a ValueError naming the first differing key path

Counterpart: `optax.tree_utils.tree_update_moment`, `tree_update_moment_per_elem_norm`,
`tree_bias_correction`, `tree_zeros_like`, `tree_full_like`, `tree_cast`
(optax/tree_utils/_tree_math.py, _casting.py); `optax.safe_increment`, `abs_sq`
(optax/_src/numerics.py).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from purejax import random, tree
from purejax.checks import describe
from purejax.optim.base import where


def zeros_like(params: Any, dtype=None) -> Any:
    """A tree of zeros shaped like `params`."""
    return tree.map(lambda p: jnp.zeros_like(p, dtype=dtype), params)


def full_like(params: Any, value) -> Any:
    """A tree shaped like `params`, every entry `value`."""
    return tree.map(lambda p: jnp.full_like(p, value), params)


def update_moment(updates: Any, moments: Any, decay: float, order: int) -> Any:
    """Exponential moving average of the `order`-th power of the updates."""
    return tree.map(
        lambda g, m: None if g is None else (1 - decay) * (g**order) + decay * m,
        updates,
        moments,
        is_leaf=lambda x: x is None,
    )


def update_moment_per_elem_norm(updates: Any, moments: Any, decay: float, order: int) -> Any:
    """EMA of `|g|**order`, computed as `(g**2)**(order/2)` for complex-safe norms (as Optax)."""

    def norm(g):
        squared = jnp.square(jnp.abs(g)) if jnp.iscomplexobj(g) else jnp.square(g)
        return squared if order == 2 else jnp.power(squared, order / 2)

    return tree.map(
        lambda g, m: None if g is None else (1 - decay) * norm(g) + decay * m,
        updates,
        moments,
        is_leaf=lambda x: x is None,
    )


@functools.partial(jax.jit, inline=True)  # one fused program, as Optax's: eager results then match too
def bias_correction(moment: Any, decay: float, count) -> Any:
    """Divide by `1 - decay**count`: an EMA started at zero underestimates early on."""
    correction = 1 - decay**count  # computed in the count's precision, then cast (as Optax)
    return tree.map(lambda m: m / correction.astype(m.dtype), moment)


def nesterov_mu_hat(mu, updates, b1, count_inc):
    """Nadam's look-ahead: b1 * m_t / (1 - b1**(t+1)) + (1 - b1) * g_t / (1 - b1**t)."""
    return tree.map(
        lambda m, g: b1 * m + (1 - b1) * g,
        bias_correction(mu, b1, safe_increment(count_inc)),  # next step's correction
        bias_correction(updates, b1, count_inc),
    )


def divide_by_root(mu_hat, nu_hat, eps, eps_root):
    """m^ / (sqrt(v^ + eps_root) + eps), leaf by leaf."""
    return tree.map(
        lambda m, v: None if m is None else m / (jnp.sqrt(v + eps_root) + eps),
        mu_hat,
        nu_hat,
        is_leaf=lambda x: x is None,
    )


def adam_moments(name, updates, state, b1, b2):
    """Adam's first and second moments and the next count, from a state with `count`, `mu`, `nu`.

    Shared by the blocks that keep Adam's moments as they are (Adam, AMSGrad, RAdam); `name`
    (e.g. "scale_by_adam") goes into the error for updates of the wrong tree.
    """
    check_same_structure(name, updates, state.mu)
    mu = update_moment(updates, state.mu, b1, 1)  # first moment
    nu = update_moment_per_elem_norm(updates, state.nu, b2, 2)  # second moment
    return mu, nu, safe_increment(state.count)


def safe_increment(count):
    """`count + 1`, saturating at the dtype's largest value instead of wrapping."""
    if count is None or isinstance(count, (str, bytes, bool)):
        raise TypeError(f"{where('safe_increment')}: count must be an integer or float array, got {describe(count)}")
    count = jnp.asarray(count)
    dtype = count.dtype
    if jnp.issubdtype(dtype, jnp.integer):
        largest = jnp.iinfo(dtype).max
    elif jnp.issubdtype(dtype, jnp.floating):
        largest = jnp.finfo(dtype).max
    else:
        raise TypeError(f"{where('safe_increment')}: count must be an integer or float array, got {describe(count)}")
    largest = jnp.array(largest, dtype)
    return jnp.where(count < largest, count + jnp.array(1, dtype), largest)


def abs_sq(x):
    """`|x|**2`, also for complex `x` (`optax._src.numerics.abs_sq`)."""
    return (x.conj() * x).real


def canonical_dtype(dtype):
    """`None` stays `None`; otherwise the dtype JAX would really use (float64 -> float32 without x64)."""
    return None if dtype is None else jax.dtypes.canonicalize_dtype(dtype)


def cast_tree(t: Any, dtype) -> Any:
    """Cast every leaf to `dtype`; leave the tree alone for `None`."""
    return t if dtype is None else tree.map(lambda x: x.astype(dtype), t)


def canonical_key(name: str, key, argument: str = "key") -> jax.Array:
    """An int seed becomes `PRNGKey(seed)`; a raw `uint32[2]` key is checked and kept; `None` is refused."""
    if key is None:
        raise ValueError(
            f"{where(name)}: pass {argument}= (an int seed or purejax.random.PRNGKey(seed)); "
            "the noise must come from a key you chose."
        )
    if isinstance(key, (str, bytes, bool, float)) or not hasattr(key, "shape") and not isinstance(key, int):
        raise TypeError(
            f"{where(name)}: {argument} must be an int seed or a raw uint32[2] key "
            f"(purejax.random.PRNGKey(seed)), got {describe(key)}"
        )
    if isinstance(key, int) or (jnp.ndim(key) == 0 and jnp.issubdtype(jnp.asarray(key).dtype, jnp.integer)):
        return random.PRNGKey(key)
    random.split(key, 1)  # raises purejax.random's error for a typed key or a wrong shape or dtype
    return jnp.asarray(key)


def check_same_structure(name: str, updates: Any, reference: Any) -> None:
    """Raise `ValueError` naming the first differing key path if `updates` has another structure.

    Call it at the top of an `update` whose state holds per-parameter trees, so that grads of the
    wrong shape of tree fail with a message that says where, not deep inside a `map`. `name` is
    the block's (`scale_by_adam`); the message names the public function the user called.
    """
    tree.flatten_up_to(
        tree.structure(reference), updates, f"{where(name)}.update: the updates differ from the optimizer state's tree"
    )
