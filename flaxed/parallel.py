"""Data-parallel training with Flax's helpers: `flax.jax_utils.replicate`, `common_utils.shard`, `pmap`.

The same two ways as `purejax/parallel.py`: the seeds' `jax.pmap` with replicated state and
gradients averaged by `lax.pmean`, and `jax.jit` over a `Mesh` with `NamedSharding`. The steps
themselves are plain JAX (`make_train_step(loss_fn, axis_name='batch')` under `pmap` or `vmap`,
or jitted over the mesh) and shared with purejax, as the one-device step is (`flaxed/train.py`);
what Flax brings is `replicate`, `unreplicate` and `shard`.

Counterpart: `purejax/parallel.py`.
"""

from __future__ import annotations

import jax
import numpy as np
from flax import jax_utils
from flax.training import common_utils

from purejax.parallel import (
    AXIS,
    batch_sharding,
    check_divisible,
    data_mesh,
    local_value,
    pmap_train_step,
    replicated,
    sharded_train_step,
    vmap_train_step,
)

replicate = jax_utils.replicate  # [devices, ...] copies on the local devices
unreplicate = jax_utils.unreplicate  # the first copy


def put_global(values, sharding):
    """Host values (the same in every process) as global arrays laid out by `sharding`."""

    def put(x):
        x = np.asarray(x)
        return jax.make_array_from_callback(x.shape, sharding, lambda index: x[index])

    return jax.tree_util.tree_map(put, values)


def shard(batch: dict, num_shards: int) -> dict:
    """`common_utils.shard`: `[B, ...] -> [devices, B / devices, ...]` (for the local devices)."""
    check_divisible(len(next(iter(batch.values()))), num_shards, "shard")
    if num_shards == jax.local_device_count():
        return common_utils.shard(batch)
    return jax.tree_util.tree_map(lambda x: x.reshape((num_shards, -1) + x.shape[1:]), batch)


__all__ = [
    "AXIS",
    "batch_sharding",
    "check_divisible",
    "data_mesh",
    "local_value",
    "pmap_train_step",
    "put_global",
    "replicate",
    "replicated",
    "shard",
    "sharded_train_step",
    "unreplicate",
    "vmap_train_step",
]
