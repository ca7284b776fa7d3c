"""Data-parallel training on many devices, two ways: `pmap` (replicated state) and `jit` with shardings.

1. The seeds' way, `jax.pmap`: every device holds a copy of the state (`replicate`), takes its
   shard of the batch (`shard`), computes its gradients, and averages them with the others over
   the named axis before the optimizer step, so the copies stay equal:

       grads = lax.pmean(grads, 'batch')           # the mean over devices = the full batch's mean
       state = state.apply_gradients(grads=grads)  # the same update on every device

   BatchNorm layers built with `axis_name='batch'` average their statistics over the devices too.
   Each device draws its randomness from `fold_in(key, device index)`, as Flax's examples do.
2. Today's way, `jax.jit` with a `Mesh`: the batch is split over the mesh's 'data' axis
   (`NamedSharding(mesh, P('data'))`), the state is replicated (`P()`), and XLA inserts the
   collectives. The program is the one-device program, so it computes the same numbers,
   randomness included.

The per-device step is `purejax.train.make_train_step(loss_fn, axis_name='batch')`: plain JAX,
which flaxed uses too, as it uses the one-device step.

Counterpart: `flax.jax_utils.replicate`, `unreplicate`, `flax.training.common_utils.shard`
(`flaxed/parallel.py`), and the `train_step` of Flax's examples under `jax.pmap`.

References:
  Goyal et al., *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*, 2017
  (synchronous data parallelism). https://arxiv.org/abs/1706.02677
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from purejax import tree
from purejax.checks import check_array, check_callable, check_positive_int, fail
from purejax.data.batching import num_examples
from purejax.train.steps import make_train_step

AXIS = "batch"  # pmap's axis name: the devices


def check_divisible(batch_size: int, num_devices: int, where: str = "data parallelism") -> int:
    """`batch_size // num_devices`, or a ValueError naming both numbers (TypeError: not integers >= 1)."""
    batch_size = check_positive_int(where, "batch_size", batch_size)
    num_devices = check_positive_int(where, "num_devices", num_devices)
    if batch_size % num_devices:
        raise ValueError(
            f"{where}: the batch of {batch_size} examples does not split evenly over {num_devices} "
            f"devices; choose a batch size divisible by {num_devices} "
            f"(e.g. {max(num_devices, batch_size // num_devices * num_devices)})"
        )
    return batch_size // num_devices


def _devices(where: str, devices) -> list:
    """`devices` as a non-empty list of JAX devices, or an error naming `where`."""
    hint = "pass jax.local_devices() (or None for it)"
    if isinstance(devices, (str, bytes)) or not hasattr(devices, "__iter__"):
        raise fail(TypeError, where, "devices", "a list of JAX devices", devices, hint)
    devices = list(devices.ravel()) if isinstance(devices, np.ndarray) else list(devices)  # a mesh's grid too
    if not devices:
        raise fail(ValueError, where, "devices", "a non-empty list of JAX devices", devices, hint)
    bad = next((d for d in devices if not isinstance(d, jax.Device)), None)
    if bad is not None:
        raise fail(TypeError, where, "devices", "a list of JAX devices", bad, hint)
    return devices


def _mesh(where: str, mesh, axis: str | None = None) -> Mesh:
    """`mesh`, checked to be a `Mesh` (with the axis `axis` when given)."""
    if not isinstance(mesh, Mesh):
        raise fail(TypeError, where, "mesh", "a jax.sharding.Mesh", mesh, "write purejax.parallel.data_mesh()")
    if axis is not None and axis not in mesh.axis_names:
        raise ValueError(
            f"{where}: mesh must have an axis named {axis!r}, got axes {list(mesh.axis_names)}; write "
            "purejax.parallel.data_mesh()"
        )
    return mesh


def replicate(values, devices=None):
    """Each leaf copied onto every local device: `[num_devices, ...]` arrays for `pmap`.

    The copies are stacked on a new leading axis, which a one-axis mesh splits over the devices.
    `devices` is None (every local device) or a non-empty list of devices.
    """
    where = "purejax.parallel.replicate"
    devices = jax.local_devices() if devices is None else _devices(where, devices)
    tree.map(lambda x: check_array(where, "values", x), values)
    sharding = NamedSharding(Mesh(np.asarray(devices), ("replica",)), PartitionSpec("replica"))
    return tree.map(lambda x: jax.device_put(np.stack([np.asarray(x)] * len(devices)), sharding), values)


def unreplicate(values):
    """The first device's copy of each leaf (the copies are equal after every pmap step).

    A 0-d leaf (not replicated) comes back as it is, as in Flax's `unreplicate`.
    """

    def first(x):
        check_array("purejax.parallel.unreplicate", "values", x)
        return x if np.ndim(x) == 0 else x[0]

    return tree.map(first, values)


def shard(batch: dict, num_shards: int) -> dict:
    """`{name: [B, ...]} -> {name: [num_shards, B / num_shards, ...]}`: one shard per device.

    Every array must have the same `B` on axis 0, divisible by `num_shards` (an integer >= 1).

    Differences: Flax's `common_utils.shard` reshapes each leaf on its own, so arrays of different
    lengths are split into shards of different sizes; here they are refused.
    """
    where = "purejax.parallel.shard"
    size = num_examples(batch, where, "batch")
    num_shards = check_positive_int(where, "num_shards", num_shards)
    per_shard = check_divisible(size, num_shards, where)
    return {name: np.asarray(x).reshape((num_shards, per_shard) + x.shape[1:]) for name, x in batch.items()}


def _step_arguments(where: str, loss_fn, axis_name) -> None:
    check_callable(where, "loss_fn", loss_fn, "pass loss_fn(variables, batch, key, train=True) -> (loss, metrics)")
    if not isinstance(axis_name, str) or not axis_name:
        raise fail(TypeError, where, "axis_name", "a non-empty str naming the device axis", axis_name, "write 'batch'")


def pmap_train_step(loss_fn: Callable, axis_name: str = AXIS) -> Callable:
    """`step(replicated state, sharded batch [devices, B/devices, ...], key) -> (state, metrics)`.

    Models with BatchNorm must be built with the same `axis_name` (pass it to their `loss_fn`).
    The returned metrics are replicated: `[devices]` copies of each value.
    """
    _step_arguments("purejax.parallel.pmap_train_step", loss_fn, axis_name)
    step = make_train_step(loss_fn, jit=False, axis_name=axis_name)
    return jax.pmap(step, axis_name=axis_name, in_axes=(0, 0, None))


def vmap_train_step(loss_fn: Callable, axis_name: str = AXIS) -> Callable:
    """The pmap program on one device: `vmap` over the shards, the same collectives, one state.

    `step(state, sharded batch [shards, B/shards, ...], key) -> (state, metrics)`: the reference
    a pmap run is compared with (same per-shard randomness, same averaged statistics).
    """
    _step_arguments("purejax.parallel.vmap_train_step", loss_fn, axis_name)
    step = make_train_step(loss_fn, jit=False, axis_name=axis_name)
    return jax.jit(jax.vmap(step, axis_name=axis_name, in_axes=(None, 0, None), out_axes=None))


def data_mesh(devices=None) -> Mesh:
    """A one-axis mesh named 'data' over `devices` (default: every device of every process)."""
    devices = jax.devices() if devices is None else _devices("purejax.parallel.data_mesh", devices)
    return Mesh(np.asarray(devices), ("data",))


def put_global(values, sharding: NamedSharding):
    """Host values (the same in every process) as global arrays laid out by `sharding`."""
    where = "purejax.parallel.put_global"
    if not isinstance(sharding, jax.sharding.Sharding):
        raise fail(TypeError, where, "sharding", "a jax.sharding.NamedSharding", sharding, "write replicated(mesh)")

    def put(x):
        x = np.asarray(check_array(where, "values", x))
        return jax.make_array_from_callback(x.shape, sharding, lambda index: x[index])

    return tree.map(put, values)


def sharded_train_step(loss_fn: Callable, mesh: Mesh) -> Callable:
    """`step(state, batch, key) -> (state, metrics)` jitted over `mesh`: batch split, state replicated.

    Feed it `put_global(state, replicated(mesh))` and `put_global(batch, batch_sharding(mesh))`.
    """
    check_callable("purejax.parallel.sharded_train_step", "loss_fn", loss_fn)
    _mesh("purejax.parallel.sharded_train_step", mesh, "data")
    replicated, split = NamedSharding(mesh, PartitionSpec()), NamedSharding(mesh, PartitionSpec("data"))
    return jax.jit(
        make_train_step(loss_fn, jit=False),
        in_shardings=(replicated, split, replicated),
        out_shardings=(replicated, replicated),
    )


def replicated(mesh: Mesh) -> NamedSharding:
    """Every device holds the whole array: `NamedSharding(mesh, P())`."""
    _mesh("purejax.parallel.replicated", mesh)
    return NamedSharding(mesh, PartitionSpec())


def batch_sharding(mesh: Mesh) -> NamedSharding:
    """The leading (example) axis split over the mesh's 'data' axis: `NamedSharding(mesh, P('data'))`."""
    _mesh("purejax.parallel.batch_sharding", mesh, "data")
    return NamedSharding(mesh, PartitionSpec("data"))


def local_value(x) -> np.ndarray:
    """A replicated global array's value, read from this process's first copy."""
    check_array("purejax.parallel.local_value", "x", x)
    return np.asarray(x.addressable_data(0)) if isinstance(x, jax.Array) else np.asarray(x)
