"""Clipping: bounding the updates element-wise, per block, by their global norm, or per example.

    clip(c)               : u -> clip(u, -c, c)                          element by element
    clip_by_block_rms(c)  : u -> u / max(1, rms(u) / c)                  each leaf on its own
    clip_by_global_norm(c): u -> u * c / ||u||  if ||u|| >= c, else u    ||u|| over all leaves
    per_example_global_norm_clip(G, c) = sum_i G_i * min(1, c / ||G_i||)  G_i: example i's gradient

Clipping by the global norm keeps the direction of the whole update and only shortens it, which is
why it is the usual guard against exploding gradients in recurrent networks.

Counterpart: `optax.clip`, `optax.clip_by_block_rms`, `optax.clip_by_global_norm`,
`optax.per_example_global_norm_clip` (optax/transforms/_clipping.py), `optax.global_norm` /
`optax.tree.norm` (optax/_src/linear_algebra.py, optax/tree_utils/_tree_math.py).

Differences:
  A negative bound, and a `max_norm` or `threshold` of 0 (which give 0 / 0 = NaN for zero
  updates in Optax), are refused.

References:
  Razvan Pascanu, Tomas Mikolov, Yoshua Bengio, *On the difficulty of training Recurrent Neural
  Networks*, ICML 2013. https://arxiv.org/abs/1211.5063
"""

from __future__ import annotations

import operator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.checks import check_array, check_number, fail
from purejax.optim.base import EmptyState, GradientTransformation, check_state, init_empty_state, named, where
from purejax.optim.tree_math import abs_sq

ClipState = EmptyState  # Optax's names for these stateless transformations' states
ClipByGlobalNormState = EmptyState


def check_positive(where_: str, name: str, value) -> None:
    """A real number > 0 (a 0-d array, possibly traced, is checked for its dtype only)."""
    check_number(where_, name, value)
    if isinstance(value, (int, float, np.integer, np.floating)) and not value > 0:
        raise fail(ValueError, where_, name, "a positive number", value, "a bound of 0 divides 0 by 0")


@named
def global_norm(updates: Any) -> jax.Array:
    """The L2 norm of all leaves together: `sqrt(sum over leaves of sum(|u|**2))`.

    Args:
      updates: a pytree of arrays.

    Returns:
      A scalar array, in the leaves' (promoted) dtype.

    Counterpart: `optax.global_norm` (deprecated there in favour of `optax.tree.norm`, which
    computes the same thing the same way: squares, per-leaf sums, sum left to right, sqrt).
    """
    if not all(hasattr(leaf, "dtype") for leaf in tree.leaves(updates)):  # the paths only on failure
        for path, leaf in tree.flatten_with_path(updates)[0]:
            check_array(where("global_norm"), f"updates{tree.keystr(path)}", leaf)
    squares = tree.map(lambda x: jnp.square(x.real) + jnp.square(x.imag), updates)  # |u|**2
    sum_of_squares = tree.reduce(operator.add, tree.map(jnp.sum, squares), 0)
    return jnp.array(jnp.sqrt(sum_of_squares))


@named
def clip(max_delta) -> GradientTransformation:
    """Clip every element of the updates to `[-max_delta, max_delta]`.

    Args:
      max_delta: the largest absolute value an update element may have.

    Returns:
      A stateless `GradientTransformation`.

    Counterpart: `optax.clip`. PyTorch: `torch.nn.utils.clip_grad_value_`.
    """
    check_number(where("clip"), "max_delta", max_delta, minimum=0)

    def update_fn(updates, state, params=None):
        del params
        check_state("clip", state, EmptyState)
        return tree.map(lambda g: jnp.clip(g, -max_delta, max_delta), updates), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def clip_by_block_rms(threshold) -> GradientTransformation:
    """Shrink each leaf (a "block": a weight matrix, a bias vector) so its RMS is at most `threshold`.

        u <- u / max(1, sqrt(mean(|u|**2)) / threshold)

    Counterpart: `optax.clip_by_block_rms`. Used by `adafactor` (update clipping, section 5 of
    Shazeer & Stern 2018).
    """
    check_positive(where("clip_by_block_rms"), "threshold", threshold)

    def update_fn(updates, state, params=None):
        del params
        check_state("clip_by_block_rms", state, EmptyState)

        def clip_leaf(u):
            denominator = jnp.maximum(1.0, jnp.sqrt(jnp.mean(abs_sq(u))) / threshold)  # >= 1
            return u / denominator

        return tree.map(clip_leaf, updates), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def clip_by_global_norm(max_norm) -> GradientTransformation:
    """Rescale all updates together so that their global norm is at most `max_norm`.

        n = ||u||  (global_norm over all leaves)
        u <- u                      if n < max_norm
        u <- (u / n) * max_norm     otherwise

    Args:
      max_norm: the largest global norm the updates may have.

    Returns:
      A stateless `GradientTransformation`.

    Counterpart: `optax.clip_by_global_norm`.

    Differences:
      PyTorch's `torch.nn.utils.clip_grad_norm_` multiplies by `max_norm / (n + 1e-6)` whenever
      that is below 1; here (as in Optax) there is no epsilon, and the division is by `n` itself.
    """
    check_positive(where("clip_by_global_norm"), "max_norm", max_norm)

    def update_fn(updates, state, params=None):
        del params
        check_state("clip_by_global_norm", state, EmptyState)
        g_norm = global_norm(updates)
        trigger = jnp.squeeze(g_norm < max_norm)  # shape=(): keep the updates as they are

        def clip_leaf(t):
            return jax.lax.select(trigger, t, (t / g_norm.astype(t.dtype)) * max_norm)

        return tree.map(clip_leaf, updates), state

    return GradientTransformation(init_empty_state, update_fn)


@named
def per_example_global_norm_clip(grads: list, l2_norm_clip) -> tuple[list, jax.Array]:
    """Clip each example's gradient to global norm `l2_norm_clip`, then sum over the examples.

        n_i = ||G_i||                              # example i's global norm over all leaves
        c_i = min(l2_norm_clip / n_i, 1)           # clip factor; 1 where n_i = 0 (0/0 -> NaN -> 1)
        sum_i c_i * G_i

    Args:
      grads: a list (or pytree) of arrays `[batch, *shape]`, example `i` at index `i` of axis 0.
      l2_norm_clip: the largest norm one example may contribute.

    Returns:
      `(clipped_sum, num_clipped)`: the same structure with the batch axis summed away, and the
      number of examples that were shortened (int32 scalar).

    Counterpart: `optax.per_example_global_norm_clip` (optax/transforms/_clipping.py).

    References:
      Martin Abadi et al., *Deep Learning with Differential Privacy*, CCS 2016.
      https://arxiv.org/abs/1607.00133
    """
    w = where("per_example_global_norm_clip")
    check_number(w, "l2_norm_clip", l2_norm_clip, minimum=0)
    leaves = tree.leaves(grads)
    for i, leaf in enumerate(leaves):
        check_array(w, f"grads leaf {i}", leaf)
    batch_size = leaves[0].shape[0] if leaves and leaves[0].ndim else None
    if batch_size is None or any(g.ndim < 1 or g.shape[0] != batch_size for g in leaves):
        raise ValueError(
            f"{w}: expected per-example gradients, every leaf "
            f"with the same leading batch axis; got shapes {[tuple(g.shape) for g in leaves]}. "
            "Compute them with jax.vmap(jax.grad(loss), in_axes=(None, 0))."
        )
    norms = jax.vmap(global_norm)(grads)  # [batch]
    multipliers = jnp.nan_to_num(jnp.minimum(l2_norm_clip / norms, 1.0), nan=1.0)  # [batch]
    num_clipped = jnp.sum(multipliers < 1.0)
    clipped_sum = tree.map(lambda g: jnp.tensordot(multipliers, g, axes=1), grads)  # [*shape]
    return clipped_sum, num_clipped
