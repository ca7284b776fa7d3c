"""Differentially private SGD: clip each example's gradient, add Gaussian noise, average.

`differentially_private_aggregate` is the building block, with the state
`DifferentiallyPrivateAggregateState(rng_key)`; `dpsgd` chains it with optional momentum and
`scale_by_learning_rate`. The updates passed in are per-example gradients, every leaf
`[batch, *shape]`.

The key lives in the state and is split once per step, so a jitted step draws fresh noise each
time and the whole run is reproduced by its first key; the noise is drawn exactly as Optax draws
it, so the same key gives the same bits.

Counterpart: `optax.contrib.differentially_private_aggregate`,
`optax.contrib.DifferentiallyPrivateAggregateState`, `optax.contrib.dpsgd`
(optax/contrib/_privacy.py).

Differences:
  The key is a raw `uint32[2]` key (from `purejax.random.PRNGKey`, or `jax.random.PRNGKey`) or an
  int seed, and the state holds it raw; Optax holds a typed `jax.random.key`, whose
  `jax.random.key_data` is the same two words. A negative `l2_norm_clip` or `noise_multiplier`
  and a batch of 0 examples (a mean over nothing, NaN in Optax) are refused.
"""

from __future__ import annotations

from typing import NamedTuple

import jax

from purejax import random, tree
from purejax.checks import check_bool, check_number
from purejax.optim.base import GradientTransformation, chain, check_state, identity, named, where
from purejax.optim.transforms.clipping import per_example_global_norm_clip
from purejax.optim.transforms.momentum import trace
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import canonical_key


class DifferentiallyPrivateAggregateState(NamedTuple):
    rng_key: jax.Array  # shape=(2,), dtype=uint32; split on every update


@named
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
    w = where("differentially_private_aggregate")
    check_number(w, "l2_norm_clip", l2_norm_clip, minimum=0)
    check_number(w, "noise_multiplier", noise_multiplier, minimum=0)
    key = canonical_key("differentially_private_aggregate", key)
    noise_std = l2_norm_clip * noise_multiplier

    def init_fn(params):
        del params
        return DifferentiallyPrivateAggregateState(rng_key=key)

    def update_fn(updates, state, params=None):
        del params
        check_state("differentially_private_aggregate", state, DifferentiallyPrivateAggregateState)
        grads, treedef = tree.flatten(updates)
        clipped, _ = per_example_global_norm_clip(grads, l2_norm_clip)  # [*shape] per leaf; checks the batch axis
        batch_size = grads[0].shape[0]
        if batch_size == 0:  # a mean over no examples: 0 / 0
            raise ValueError(
                f"{where('differentially_private_aggregate')}.update: updates must hold at least one example "
                "(a batch axis of length >= 1), got a batch of 0"
            )
        new_key, *keys = random.split(state.rng_key, len(grads) + 1)
        noised = [
            (g + noise_std * random.normal(k, g.shape, g.dtype)) / batch_size  # noisy mean
            for g, k in zip(clipped, keys, strict=True)
        ]
        return tree.unflatten(treedef, noised), DifferentiallyPrivateAggregateState(rng_key=new_key)

    return GradientTransformation(init_fn, update_fn)


@named
def dpsgd(
    learning_rate: ScalarOrSchedule, l2_norm_clip, noise_multiplier, seed, momentum=None, nesterov: bool = False
) -> GradientTransformation:
    """Differentially private SGD: clip each example's gradient, add Gaussian noise, average.

        c_i = min(1, C / ||G_i||)                                  # per-example clip, C = l2_norm_clip
        g = (sum_i c_i G_i + C * noise_multiplier * z) / batch     # noisy mean, z ~ N(0, I)
        m_t = g + mu m_{t-1}                                       # optional momentum (as sgd)
        u_t = -lr_t m_t

    The updates passed to `update` are per-example gradients: every leaf `[batch, *shape]`, e.g.
    from `jax.vmap(jax.grad(loss), in_axes=(None, 0))(params, batch)`.

    Args:
      learning_rate: a number or a schedule `count -> value`.
      l2_norm_clip: `C`, the largest norm one example may contribute.
      noise_multiplier: the noise's standard deviation in units of `C`.
      seed: an int seed (or a raw `uint32[2]` key) for the noise.
      momentum: `mu`; `None` for no momentum.
      nesterov: use Nesterov momentum.

    Returns:
      A `GradientTransformation`; the same seed gives bit-for-bit the same noise as Optax.

    Counterpart: `optax.contrib.dpsgd` (optax/contrib/_privacy.py).

    References:
      Martin Abadi et al., *Deep Learning with Differential Privacy*, CCS 2016.
      https://arxiv.org/abs/1607.00133

    Differences:
      Optax takes `seed` only; here a raw `uint32[2]` key is accepted too. PyTorch's Opacus
      (`DPOptimizer`) computes the same noisy sum but divides by the *expected* batch size of
      Poisson sampling, and draws from torch's generator, so its numbers differ.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.dpsgd(learning_rate=0.1, l2_norm_clip=1.0, noise_multiplier=0.0, seed=0)
      >>> state = opt.init(params)
      >>> per_example = {'w': jnp.array([[0.5, -0.5], [3.0, 4.0]])}  # [batch, 2]; the second has norm 5
      >>> updates, state = opt.update(per_example, state, params)
      >>> [round(u, 3) for u in updates['w'].tolist()]  # -0.1 * mean([0.5, -0.5], [0.6, 0.8]), no noise
      [-0.055, -0.015]
    """
    check_learning_rate(learning_rate)
    seed = canonical_key("dpsgd", seed, "seed")
    check_bool(where("dpsgd"), "nesterov", nesterov)
    if momentum is not None:
        check_number(where("dpsgd"), "momentum", momentum)
    momentum_tx = trace(decay=momentum, nesterov=nesterov) if momentum is not None else identity()
    return chain(
        differentially_private_aggregate(l2_norm_clip=l2_norm_clip, noise_multiplier=noise_multiplier, key=seed),
        momentum_tx,
        scale_by_learning_rate(learning_rate),
    )
