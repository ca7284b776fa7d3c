"""Exercise `dropout` (tour: docs/tour/07_state.md): Dropout's mask and scaling, as `flax.linen.Dropout` does them.

Write `dropout(inputs, rate, deterministic, rng, broadcast_dims)`: what
`flax.linen.Dropout(rate, broadcast_dims).apply({}, inputs, deterministic=..., rng=rng)` returns,
with the same key, bit for bit in its mask. Given: `purejax.random.uniform`, which is
`jax.random.uniform` rebuilt (draw the mask with it, as `jax.random.bernoulli` does).

Use jax.numpy and jax.lax; the grader refuses a file that imports flax, jax.random or the rest of
purejax.random. Check your file with:

    python -m comparisons exercise dropout --check exercises/dropout.py
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from purejax.random import uniform


def dropout(inputs, rate, deterministic=False, rng=None, broadcast_dims=()):
    """Zero each element with probability `rate`, and scale the rest by `1 / (1 - rate)`.

        keep_prob = 1 - rate
        mask = uniform(rng, mask_shape) < keep_prob        # jax.random.bernoulli(rng, keep_prob)
        out = where(mask, inputs / keep_prob, 0)           # the mean is unchanged

    `rate` is the probability of *dropping* (PyTorch's `p`; JAX's old `stax.Dropout` took the keep
    rate). The mask's shape is `inputs.shape` with the `broadcast_dims` set to 1, broadcast back
    over them (the same mask for every position along those axes). With `deterministic=True` or
    `rate == 0` the inputs come back unchanged; with `rate == 1` all zeros (no division by 0).

    Args:
      inputs: an array of any shape.
      rate: the probability of dropping an element, a Python float in [0, 1].
      deterministic: True at evaluation time: no dropout.
      rng: `uint32[2]`, the key of the mask.
      broadcast_dims: axes along which the mask is shared.

    Returns:
      An array of `inputs`' shape and dtype.
    """
    if deterministic or rate == 0.0:
        return inputs
    if rate == 1.0:
        return jnp.zeros_like(inputs)
    keep_prob = 1.0 - rate
    shape = [1 if axis in broadcast_dims else size for axis, size in enumerate(inputs.shape)]
    mask = uniform(rng, tuple(shape)) < keep_prob  # [*shape], True where kept
    mask = jnp.broadcast_to(mask, inputs.shape)
    return lax.select(mask, inputs / keep_prob, jnp.zeros_like(inputs))
