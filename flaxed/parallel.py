"""Data-parallel training with Flax's helpers: `flax.jax_utils.replicate`, `common_utils.shard`, `pmap`.

The same two ways as `purejax/parallel.py`: the seeds' `jax.pmap` with replicated state and
gradients averaged by `lax.pmean`, and `jax.jit` over a `Mesh` with `NamedSharding` (which needs
no Flax at all: the sharded step and the mesh helpers are JAX's, shared with purejax).

Counterpart: `purejax/parallel.py`.
"""
from __future__ import annotations

from typing import Callable

import jax
import numpy as np
from flax import jax_utils
from flax.training import common_utils
from jax import lax

from purejax.parallel import AXIS, batch_sharding, check_divisible, data_mesh, local_value, replicated, sharded_train_step
from purejax.train.steps import model_variables

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


def _device_step(loss_fn: Callable, axis_name: str) -> Callable:
    def step(state, batch, key):
        key = jax.random.fold_in(key, lax.axis_index(axis_name))  # a different dropout mask per device

        def objective(params):
            return loss_fn(model_variables(state, params), batch, key, train=True)

        (loss, metrics), grads = jax.value_and_grad(objective, has_aux=True)(state.params)
        grads = lax.pmean(grads, axis_name=axis_name)
        metrics = dict(metrics)
        changes = {"batch_stats": metrics.pop("batch_stats")} if "batch_stats" in metrics else {}
        loss, metrics = lax.pmean((loss, metrics), axis_name=axis_name)
        return state.apply_gradients(grads=grads, **changes), {"loss": loss, **metrics}

    return step


def pmap_train_step(loss_fn: Callable, axis_name: str = AXIS) -> Callable:
    """`jax.pmap(train_step, axis_name='batch')`, the state replicated and the batch sharded."""
    return jax.pmap(_device_step(loss_fn, axis_name), axis_name=axis_name, in_axes=(0, 0, None))


def vmap_train_step(loss_fn: Callable, axis_name: str = AXIS) -> Callable:
    """The pmap program on one device (`vmap` over the shards): the reference for pmap runs."""
    return jax.jit(jax.vmap(_device_step(loss_fn, axis_name), axis_name=axis_name, in_axes=(None, 0, None),
                            out_axes=None))


__all__ = ["AXIS", "batch_sharding", "check_divisible", "data_mesh", "local_value", "pmap_train_step", "put_global",
           "replicate", "replicated", "shard", "sharded_train_step", "unreplicate", "vmap_train_step"]
