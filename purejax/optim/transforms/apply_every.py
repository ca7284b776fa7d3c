"""Accumulate gradients for k steps, then emit their sum; emit zeros in between.

    acc_t = g_t + (t mod k != 0) * acc_{t-1}        # sum restarts every k steps
    u_t   = (t mod k == k - 1) * acc_t              # emitted on the k-th step only

The older, simpler form of `MultiSteps`: it sits inside a chain (so the transformations before it
still update their state every step) and emits the *sum*, not the mean, of the k gradients.

Counterpart: `optax.apply_every`, `optax.ApplyEvery` (optax/_src/transform.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_positive_int
from purejax.optim.base import GradientTransformation, check_state, named
from purejax.optim.tree_math import safe_increment, zeros_like


class ApplyEvery(NamedTuple):
    """The state of `apply_every`."""

    count: jax.Array  # shape=(), dtype=int32; steps since the last emission, 0..k-1
    grad_acc: Any  # like params; the running sum


@named
def apply_every(k: int = 1) -> GradientTransformation:
    """Sum the updates over `k` steps and emit the sum every `k`-th step (zeros otherwise).

    Args:
      k: the number of steps to accumulate, a positive integer.

    Returns:
      A `GradientTransformation` with state `ApplyEvery(count, grad_acc)`.

    Counterpart: `optax.apply_every` (optax/_src/transform.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.apply_every(2)
      >>> state = tx.init(jnp.zeros(1))
      >>> u1, state = tx.update(jnp.array([1.0]), state)
      >>> u2, state = tx.update(jnp.array([2.0]), state)
      >>> u1.tolist(), u2.tolist()
      ([0.0], [3.0])
    """
    k = check_positive_int("purejax.optim.apply_every", "k", k)

    def init_fn(params):
        return ApplyEvery(count=jnp.zeros([], jnp.int32), grad_acc=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("apply_every", state, ApplyEvery)
        c = state.count % k
        keep = c != 0  # False on the first step of a block: the sum restarts
        grad_acc = tree.map(lambda g, ga: keep * ga + g, updates, state.grad_acc)
        emit = c == (k - 1)
        updates = tree.map(lambda ga: emit * ga, grad_acc)
        return updates, ApplyEvery(count=safe_increment(state.count) % k, grad_acc=grad_acc)

    return GradientTransformation(init_fn, update_fn)
