"""Adding to the updates: decayed weights (decoupled weight decay) and annealed Gaussian noise.

    add_decayed_weights:  u <- u + weight_decay * p          (before the learning rate is applied)
    add_noise:            u_t = g_t + sigma_t * z_t,   sigma_t = sqrt(eta / t**gamma),  z_t ~ N(0, I),  t = 1, 2, ...

Placed after an adaptive scaling (as in `adamw`), the decayed weights are *decoupled* weight decay:
the decay is not divided by Adam's second moment. Placed before it, they would be plain L2
regularisation (what `torch.optim.Adam(weight_decay=...)` does; `torch.optim.AdamW` is the
decoupled one).

The noise's key lives in the state and is split once per step, `key, sample = split(key)`, so a
jitted step draws fresh noise each time and the whole run is reproduced by its first key. The
noise is drawn exactly as Optax draws it (same splits, same order of leaves), so the same key gives
the same bits.

Counterpart: `optax.add_decayed_weights`, `optax.WeightDecaySchedule`, `optax.add_noise`,
`optax.AddNoiseState` (optax/transforms/_adding.py).

References:
  Ilya Loshchilov, Frank Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
  https://arxiv.org/abs/1711.05101

Differences:
  The noise key is a raw `uint32[2]` key (from `purejax.random.PRNGKey`, or `jax.random.PRNGKey`)
  or an int seed, and the state holds it raw; Optax holds a typed `jax.random.key`, whose
  `jax.random.key_data` is the same two words. A key is required: Optax 0.2.8 still falls back to
  key 0 with a warning (and announces that a key will be required); here `key=None` raises.
  Optax's deprecated `seed=` keyword works as in Optax (a `DeprecationWarning`, then used as the key).
  A negative `eta` (a negative variance, NaN noise in Optax) is refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import random, tree
from purejax.checks import check_number
from purejax.optim.base import EmptyState, GradientTransformation, check_params, check_state, named, where
from purejax.optim.transforms.masking import check_mask, masked
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_scalar_or_schedule
from purejax.optim.tree_math import canonical_key, safe_increment

AddDecayedWeightsState = EmptyState  # Optax's name for add_decayed_weights' (empty) state


class WeightDecaySchedule(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; for a scheduled weight decay


@named
def add_decayed_weights(
    weight_decay: ScalarOrSchedule = 0.0, mask: Any | Callable[[Any], Any] | None = None
) -> GradientTransformation:
    """Add `weight_decay * params` to the updates.

    Args:
      weight_decay: a number or a schedule `count -> value`.
      mask: a tree of booleans with the parameters' structure (or a prefix of it), or a function
        `params -> such a tree`; decay applies where True (e.g. not to biases).

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.add_decayed_weights`.
    """
    check_scalar_or_schedule("weight_decay", weight_decay, where_=where("add_decayed_weights"))
    check_mask(where("add_decayed_weights"), "mask", mask)
    state_class = WeightDecaySchedule if callable(weight_decay) else EmptyState

    def init_fn(params):
        del params
        return WeightDecaySchedule(count=jnp.zeros([], jnp.int32)) if callable(weight_decay) else EmptyState()

    def update_fn(updates, state, params=None):
        check_state("add_decayed_weights", state, state_class)
        check_params("add_decayed_weights", params, updates)
        new_state = WeightDecaySchedule(safe_increment(state.count)) if callable(weight_decay) else state
        if isinstance(weight_decay, (int, float)) and weight_decay == 0.0:
            return updates, new_state  # nothing to add
        s = weight_decay(state.count) if callable(weight_decay) else weight_decay
        updates = tree.map(lambda g, p: None if g is None else g + s * p, updates, params, is_leaf=lambda x: x is None)
        return updates, new_state

    tx = GradientTransformation(init_fn, update_fn)
    if mask is not None:
        return masked(tx, mask)
    return tx


def normal_like(key, target: Any) -> Any:
    """One standard normal array per leaf of `target`, leaf `i` drawn with `split(key, n)[i]`.

    Counterpart: `optax.tree.random_like(key, target, jax.random.normal)` (optax/tree_utils/_random.py).
    """
    leaves, treedef = tree.flatten(target)
    keys = random.split(key, len(leaves))  # [n_leaves, 2]
    return tree.unflatten(treedef, [random.normal(k, x.shape, x.dtype) for k, x in zip(keys, leaves, strict=True)])


class AddNoiseState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; updates seen so far
    rng_key: jax.Array  # shape=(2,), dtype=uint32; split on every update


def seed_as_key(name: str, key, seed):
    """Optax's deprecated `seed=`: warn, refuse it beside `key=`, and use it as the key."""
    if seed is None:
        return key
    warnings.warn(
        f"purejax.optim.{name}: seed= is deprecated (as in Optax); pass key= instead", DeprecationWarning, stacklevel=3
    )
    if key is not None:
        raise ValueError(f"purejax.optim.{name}: pass key= or seed=, not both; write key={seed!r}")
    return seed


@named
def add_noise(eta, gamma, key=None, *, seed: int | None = None) -> GradientTransformation:
    """Add Gaussian noise whose variance decays as `eta / t**gamma`.

        t = count + 1                                # 1 on the first update
        sigma_t = sqrt(eta / t**gamma)               # annealed standard deviation
        key, sample = split(key)                     # fresh noise each step
        u_t = g_t + sigma_t * z_t,  z_t ~ N(0, I)    # z: leaf i drawn with split(sample, n)[i]

    Args:
      eta: the variance at the first step.
      gamma: the decay exponent (0.55 in the paper).
      key: an int seed or a raw `uint32[2]` key.
      seed: Optax's deprecated spelling of an int `key` (a `DeprecationWarning`, as in Optax).

    Returns:
      A `GradientTransformation`; state `AddNoiseState(count, rng_key)`.

    Counterpart: `optax.add_noise` (optax/transforms/_adding.py).

    References:
      Arvind Neelakantan et al., *Adding Gradient Noise Improves Learning for Very Deep
      Networks*, 2015. https://arxiv.org/abs/1511.06807
    """
    w = where("add_noise")
    check_number(w, "eta", eta, minimum=0, hint="eta is the noise variance at the first step")
    check_number(w, "gamma", gamma)
    key = canonical_key("add_noise", seed_as_key("add_noise", key, seed))

    def init_fn(params):
        del params
        return AddNoiseState(count=jnp.zeros([], jnp.int32), rng_key=key)

    def update_fn(updates, state, params=None):
        del params
        check_state("add_noise", state, AddNoiseState)
        count = safe_increment(state.count)
        standard_deviation = jnp.asarray(jnp.sqrt(eta / count**gamma))  # sigma_t
        rng_key, sample_key = random.split(state.rng_key)
        noise = normal_like(sample_key, updates)  # z_t
        updates = tree.map(
            lambda g, z: None if g is None else g + standard_deviation * z, updates, noise, is_leaf=lambda x: x is None
        )
        return updates, AddNoiseState(count=count, rng_key=rng_key)

    return GradientTransformation(init_fn, update_fn)
