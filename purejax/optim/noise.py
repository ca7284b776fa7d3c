"""Gaussian noise on the updates: annealed gradient noise, and the differentially private aggregate.

    add_noise:  u_t = g_t + sigma_t * z_t,   sigma_t = sqrt(eta / t**gamma),  z_t ~ N(0, I),  t = 1, 2, ...
    DP aggregate: u = (sum_i clip(G_i) + sigma * z) / batch,   sigma = l2_norm_clip * noise_multiplier

The key lives in the state and is split once per step, `key, sample = split(key)`, so a jitted
step draws fresh noise each time and the whole run is reproduced by its first key. The noise is
drawn exactly as Optax draws it (same splits, same order of leaves), so the same key gives the
same bits.

Counterpart: `optax.add_noise`, `optax.AddNoiseState` (optax/transforms/_adding.py);
`optax.contrib.differentially_private_aggregate`, `DifferentiallyPrivateAggregateState`
(optax/contrib/_privacy.py).

Differences:
  The key is a raw `uint32[2]` key (from `purejax.random.PRNGKey`, or `jax.random.PRNGKey`) or an
  int seed, and the state holds it raw; Optax holds a typed `jax.random.key`, whose
  `jax.random.key_data` is the same two words. A key is required: Optax 0.2.8 still falls back to
  key 0 with a warning (and announces that a key will be required); here `key=None` raises.
  Optax's deprecated `seed=` keyword is not offered.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import random, tree
from purejax.optim.base import GradientTransformation
from purejax.optim.clipping import per_example_global_norm_clip
from purejax.optim.tree_math import safe_increment


def canonical_key(name: str, key) -> jax.Array:
    """An int seed becomes `PRNGKey(seed)`; a raw `uint32[2]` key is checked and kept; `None` is refused."""
    if key is None:
        raise ValueError(f"purejax.optim.{name}: pass key= (an int seed or purejax.random.PRNGKey(seed)); "
                         "the noise must come from a key you chose.")
    if isinstance(key, int) or (jnp.ndim(key) == 0 and jnp.issubdtype(jnp.asarray(key).dtype, jnp.integer)):
        return random.PRNGKey(key)
    random.split(key, 1)  # raises purejax.random's error for a typed key or a wrong shape or dtype
    return jnp.asarray(key)


def normal_like(key, target: Any) -> Any:
    """One standard normal array per leaf of `target`, leaf `i` drawn with `split(key, n)[i]`.

    Counterpart: `optax.tree.random_like(key, target, jax.random.normal)` (optax/tree_utils/_random.py).
    """
    leaves, treedef = tree.flatten(target)
    keys = random.split(key, len(leaves))  # [n_leaves, 2]
    return tree.unflatten(treedef, [random.normal(k, x.shape, x.dtype) for k, x in zip(keys, leaves)])


class AddNoiseState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; updates seen so far
    rng_key: jax.Array  # shape=(2,), dtype=uint32; split on every update


def add_noise(eta, gamma, key=None) -> GradientTransformation:
    """Add Gaussian noise whose variance decays as `eta / t**gamma`.

        t = count + 1                                # 1 on the first update
        sigma_t = sqrt(eta / t**gamma)               # annealed standard deviation
        key, sample = split(key)                     # fresh noise each step
        u_t = g_t + sigma_t * z_t,  z_t ~ N(0, I)    # z: leaf i drawn with split(sample, n)[i]

    Args:
      eta: the variance at the first step.
      gamma: the decay exponent (0.55 in the paper).
      key: an int seed or a raw `uint32[2]` key.

    Returns:
      A `GradientTransformation`; state `AddNoiseState(count, rng_key)`.

    Counterpart: `optax.add_noise` (optax/transforms/_adding.py).

    References:
      Arvind Neelakantan et al., *Adding Gradient Noise Improves Learning for Very Deep
      Networks*, 2015. https://arxiv.org/abs/1511.06807
    """
    key = canonical_key("add_noise", key)

    def init_fn(params):
        del params
        return AddNoiseState(count=jnp.zeros([], jnp.int32), rng_key=key)

    def update_fn(updates, state, params=None):
        del params
        count = safe_increment(state.count)
        standard_deviation = jnp.asarray(jnp.sqrt(eta / count**gamma))  # sigma_t
        rng_key, sample_key = random.split(state.rng_key)
        noise = normal_like(sample_key, updates)  # z_t
        updates = tree.map(lambda g, z: None if g is None else g + standard_deviation * z, updates, noise,
                           is_leaf=lambda x: x is None)
        return updates, AddNoiseState(count=count, rng_key=rng_key)

    return GradientTransformation(init_fn, update_fn)


class DifferentiallyPrivateAggregateState(NamedTuple):
    rng_key: jax.Array  # shape=(2,), dtype=uint32; split on every update


def differentially_private_aggregate(l2_norm_clip, noise_multiplier, key=None) -> GradientTransformation:
    """Average per-example gradients after clipping each and adding Gaussian noise (DP-SGD's core).

        c_i = min(1, l2_norm_clip / ||G_i||)                     # per-example clip factor
        sigma = l2_norm_clip * noise_multiplier                  # noise scale
        key, k_1, ..., k_n = split(key, n + 1)                   # one key per leaf
        u = (sum_i c_i G_i + sigma * z) / batch,  z ~ N(0, I)    # leaf j's z drawn with k_j

    The input updates are *per-example*: every leaf has a leading batch axis `[batch, *shape]`;
    the output has the parameters' shapes `[*shape]`. Put it first in a chain.

    Args:
      l2_norm_clip: the largest norm one example may contribute (its sensitivity).
      noise_multiplier: the noise's standard deviation in units of `l2_norm_clip`.
      key: an int seed or a raw `uint32[2]` key.

    Returns:
      A `GradientTransformation`; state `DifferentiallyPrivateAggregateState(rng_key)`.

    Counterpart: `optax.contrib.differentially_private_aggregate` (optax/contrib/_privacy.py).

    References:
      Martin Abadi et al., *Deep Learning with Differential Privacy*, CCS 2016.
      https://arxiv.org/abs/1607.00133
    """
    key = canonical_key("differentially_private_aggregate", key)
    noise_std = l2_norm_clip * noise_multiplier

    def init_fn(params):
        del params
        return DifferentiallyPrivateAggregateState(rng_key=key)

    def update_fn(updates, state, params=None):
        del params
        grads, treedef = tree.flatten(updates)
        batch_size = grads[0].shape[0]
        clipped, _ = per_example_global_norm_clip(grads, l2_norm_clip)  # [*shape] per leaf
        new_key, *keys = random.split(state.rng_key, len(grads) + 1)
        noised = [(g + noise_std * random.normal(k, g.shape, g.dtype)) / batch_size  # noisy mean
                  for g, k in zip(clipped, keys)]
        return tree.unflatten(treedef, noised), DifferentiallyPrivateAggregateState(rng_key=new_key)

    return GradientTransformation(init_fn, update_fn)
