"""Lifted transforms: `scan`, `vmap`, `remat`, `jit` over layers that own variables and draw keys.

`jax.lax.scan`, `jax.vmap`, `jax.checkpoint` and `jax.jit` transform pure functions. A layer is not
one: it reads variables from its scope and draws keys from counters kept in Python. Called inside
a plain `lax.scan`, it would create its parameters from traced values (a leaked tracer) and draw
the *same* key at every step (the counter advances once, while the body is traced). The scope
refuses both (`Scope.check_trace`). A *lifted* transform makes the layer pure first:

    variables, keys  --(in)-->  f(variables, keys, *args) -> (outputs, new variables)  --(out)-->
                               \\______ the JAX transform applies to this function ______/

Inside, a new tree of scopes is built from the arguments (the variables and the keys' roots
become the transform's inputs), the layer runs there, and the collections it may change come
back out and are written to the outer scope. What each transform does with each collection and
each rng stream is its option:

- `scan(variable_broadcast='params')`: the same parameters at every step; Flax creates them by
  tracing the body once *outside* the loop, then runs the loop (so the body is traced twice and
  each trace advances the key counters, which keeps purejax's keys equal to Flax's).
  `variable_axes={'params': 0}`: a separate slice per step (stacked layers).
  `variable_carry='batch_stats'`: threaded through the steps like the carry.
  `split_rngs={'params': False, 'dropout': True}`: the 'dropout' root key is split into one key
  per step (`split(root, length)[t]`, the path below it unchanged); a stream not listed is not
  available inside at all, as in Flax.
- `vmap(variable_axes={'params': 0}, split_rngs={'params': True})`: one set of parameters per
  mapped entry (an ensemble), or `{'params': None}` to share them.
- `remat` (`checkpoint`) and `jit`: every collection and stream passes through unchanged.

Each takes a Module class (and returns the subclass `ScanCell`, `VmapDense`, ... whose methods
are lifted) or a function `fn(module, *args)` (and returns the lifted function).

Counterpart: `flax.linen.scan`, `vmap`, `remat`/`checkpoint`, `jit`, `broadcast`
(flax/linen/transforms.py, flax/core/lift.py, flax/core/axes_scan.py).

Differences:
  `scan`'s first pass, when it creates variables (at init), runs the body on the first step's
  slice (Flax traces it on abstract values); a broadcast variable that depends on the data is
  therefore computed from step 0 instead of raising. Otherwise it is traced abstractly
  (`jax.eval_shape`), as Flax's, for the key counts alone. `in_axes`/`out_axes` are an int,
  `broadcast`, or a tuple of them per argument/output (no deeper pytree prefixes); no
  `data_transform`, `metadata_params`, `_split_transpose`, `spmd_axis_name`. `jit` traces again
  at every call (its function closes over the calling scope), so it gives Flax's values, not
  speed: jit the whole `apply` for speed.
  A collection the body changes that is in no group of `scan`/`vmap` is refused, naming the
  option to set (Flax: "unmapped output variables"); 'intermediates' in no group are dropped.

Examples:
  >>> import jax.numpy as jnp
  >>> from purejax import nn, random, tree
  >>> class Stack(nn.Module):  # three Dense layers with stacked parameters, run by lax.scan
  ...     @nn.compact
  ...     def __call__(self, x):
  ...         layer = nn.scan(Step, variable_axes={'params': 0}, split_rngs={'params': True}, length=3)
  ...         return layer()(x, None)[0]
  >>> class Step(nn.Module):
  ...     @nn.compact
  ...     def __call__(self, x, _):
  ...         return nn.tanh(nn.Dense(4)(x)), None
  >>> variables = Stack().init(random.PRNGKey(0), jnp.ones((2, 4)))
  >>> tree.map(jnp.shape, variables)
  {'params': {'ScanStep_0': {'Dense_0': {'bias': (3, 4), 'kernel': (3, 4, 4)}}}}
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from purejax import random, tree
from purejax.checks import check_bool, check_int, fail
from purejax.nn.compact import Module
from purejax.nn.module import Layer, Scope, copy_dicts, in_filter


class _Broadcast:
    """Marks an argument (or output) of `scan` that is the same at every step."""

    def __repr__(self):
        return "broadcast"


broadcast = _Broadcast()


# -- the scope-level machinery ------------------------------------------------------------------


def _group_of(groups: Sequence[Any], collection: str) -> int | None:
    """The index of the first collection filter that takes `collection`, or None."""
    for i, filter_like in enumerate(groups):
        if in_filter(filter_like, collection):
            return i
    return None


def _grouped(variables: dict, groups: Sequence[Any]) -> list[dict]:
    """`variables` split by collection into one dict per filter of `groups` (a collection in none is left out)."""
    parts: list[dict] = [{} for _ in groups]
    for collection, values in variables.items():
        i = _group_of(groups, collection)
        if i is not None:
            parts[i][collection] = values
    return parts


def _streams(where: str, scope: Scope, split_rngs: Mapping) -> dict[str, bool]:
    """`{stream: split?}` for the scope's streams that `split_rngs` lists (the others stay outside)."""
    if not isinstance(split_rngs, Mapping):
        raise fail(TypeError, where, "split_rngs", "a dict {stream filter: bool}", split_rngs, "e.g. {'params': False}")
    chosen = {}
    for stream in scope.rngs:
        for filter_like, split in split_rngs.items():
            if in_filter(filter_like, stream):
                chosen[stream] = bool(split)
                break
    return chosen


def _inner(outer: Scope, variables: dict, roots: dict, mutable) -> Scope:
    """A new tree of scopes inside a transform: the outer scope's place, variables and counters."""
    return Scope(
        variables,
        {s: outer.rngs[s]._replace(root=root) for s, root in roots.items()},  # the same rule, a new root
        mutable,
        outer.initializing,
        (),
        outer.root_name,
        counters=outer.counters,  # shared: the keys drawn inside count as Flax's do
        prefix=outer.prefix + outer.path,
    )


def _collections(outer: Scope) -> dict:
    """The outer scope's part of every collection, copied (the dicts, not the arrays)."""
    return {c: copy_dicts(outer.subtree(c)) for c in outer.variables}


def _publish(outer: Scope, changed: dict) -> None:
    """Write the collections a transform changed back into the outer scope."""
    for collection, values in changed.items():
        if values and outer.is_mutable(collection):
            outer.subtree(collection, create=True).update(values)


def _changed(where: str, inner: Scope, groups: Sequence[Any], names: str) -> list[dict]:
    """The mutable collections of `inner` after the body, one dict per group; refuse those in no group."""
    out: list[dict] = [{} for _ in groups]
    for collection, values in inner.variables.items():
        if not inner.is_mutable(collection):
            continue
        i = _group_of(groups, collection)
        if i is None:
            if collection == "intermediates" or not values:
                continue
            raise ValueError(
                f"{where}: the body changed the '{collection}' collection, which is in none of {names}; "
                f"list it there (e.g. variable_broadcast='{collection}' or variable_axes={{'{collection}': 0}})"
            )
        out[i][collection] = values
    return out


def _bound(module: Layer, scope: Scope) -> Layer:
    """A copy of `module` that runs in `scope`."""
    bound = copy.copy(module)
    bound.bind_to(scope)
    return bound


def _scope_of(where: str, module: Any) -> Scope:
    if not isinstance(module, Layer) or module.bound_scope() is None:
        raise fail(
            TypeError,
            where,
            "the module",
            "a bound module (a layer built inside a @compact method or setup, or self)",
            module,
            "call the lifted function from a module's method, passing self or one of its layers",
        )
    scope = module.bound_scope()
    assert scope is not None
    return scope


def _axes(where: str, name: str, axes, count: int) -> tuple:
    """`in_axes`/`out_axes` as one entry per argument: an int or `broadcast`."""
    entries = tuple(axes) if isinstance(axes, (tuple, list)) else (axes,) * count
    if len(entries) != count:
        raise fail(ValueError, where, name, f"one entry per argument ({count})", axes)
    for entry in entries:
        if entry is not broadcast and entry is not None:
            check_int(where, name, entry)
    return entries


def _at(axis: int, x):
    """Move `axis` of `x` to the front."""
    return jnp.moveaxis(x, axis, 0)


def scan_scope(
    fn: Callable[..., Any],
    outer: Scope,
    init,
    xs: tuple,
    *,
    variable_axes: Mapping = {},
    variable_broadcast: Any = False,
    variable_carry: Any = False,
    split_rngs: Mapping = {},
    in_axes: Any = 0,
    out_axes: Any = 0,
    length: int | None = None,
    reverse: bool = False,
    unroll: int = 1,
    where: str = "purejax.nn.scan",
):
    """`fn(scope, carry, *xs) -> (carry, y)` scanned over the leading axis of `xs`, lifted over `outer`.

    Returns `(carry, ys)`; the collections the steps changed are written to `outer`.
    """
    check_bool(where, "reverse", reverse)
    groups = [variable_broadcast, variable_carry, *variable_axes.keys()]
    var_axes = list(variable_axes.values())
    names = "variable_broadcast, variable_carry, variable_axes"
    streams = _streams(where, outer, split_rngs)
    in_axes = _axes(where, "in_axes", in_axes, len(xs))
    lengths = {
        leaf.shape[axis]
        for axis, arg in zip(in_axes, xs, strict=True)
        if axis is not broadcast
        for leaf in tree.leaves(arg)
    }
    if length is None:
        if len(lengths) != 1:
            raise ValueError(
                f"{where}: the scanned arguments need one common length along in_axes, got {sorted(lengths)}; "
                "pass length=... when nothing is scanned"
            )
        (length,) = lengths
    elif lengths - {length}:
        raise ValueError(f"{where}: length={length} but the scanned arguments have lengths {sorted(lengths)}")
    length = check_int(where, "length", length, minimum=0)
    scanned = tuple(
        arg if axis is broadcast else tree.map(functools.partial(_at, axis), arg)
        for axis, arg in zip(in_axes, xs, strict=True)
    )  # every scanned leaf: [length, ...]

    variables = _collections(outer)
    parts = _grouped(variables, groups)
    broadcast_vars, carry_vars, scan_vars = parts[0], parts[1], parts[2:]
    scan_vars = [
        {c: tree.map(functools.partial(_at, axis), v) for c, v in group.items()}
        for group, axis in zip(scan_vars, var_axes, strict=True)
    ]
    roots = {s: outer.rngs[s].root for s in streams}
    split = {s: random.split(roots[s], length) for s, is_split in streams.items() if is_split}  # [length, 2]

    def step_slice(x, t):
        return x[t] if x.shape[0] else jnp.zeros(x.shape[1:], x.dtype)

    # pass 1, outside the loop: create the broadcast variables (Flax: its "init mode" trace)
    first = copy_dicts({c: v for group in (broadcast_vars, carry_vars) for c, v in group.items()})
    for group in scan_vars:
        first.update({c: tree.map(lambda v: step_slice(v, 0), g) for c, g in group.items()})
    keys0 = {s: (split[s][0] if s in split else roots[s]) for s in streams}
    xs0 = tuple(
        arg if axis is broadcast else tree.map(lambda v: step_slice(v, 0), arg)
        for axis, arg in zip(in_axes, scanned, strict=True)
    )

    def first_pass(first, keys0, init, xs0):
        inner = _inner(outer, first, keys0, outer.mutable)
        fn(inner, init, *xs0)
        return _changed(where, inner, groups, names)[0]

    if outer.initializing or any(outer.is_mutable(c) for c in broadcast_vars):
        made = first_pass(first, keys0, init, xs0)  # the broadcast variables it creates are kept
    else:  # nothing to create: trace it for its key counts only, computing nothing (as Flax's trace)
        jax.eval_shape(first_pass, first, keys0, init, xs0)
        made = {}
    broadcast_vars = {**broadcast_vars, **made}

    def body(carry, step):
        carry_vars, c = carry
        scan_slices, keys, x = step
        local = copy_dicts({**broadcast_vars, **carry_vars})
        for group in scan_slices:
            local.update(copy_dicts(group))
        keys = {**{s: roots[s] for s in streams if s not in split}, **keys}
        inner = _inner(outer, local, keys, _not_broadcast(outer, groups))
        args = tuple(a if axis is broadcast else xi for axis, a, xi in zip(in_axes, scanned, x, strict=True))
        c, y = fn(inner, c, *args)
        out = _changed(where, inner, groups, names)
        return (out[1] or carry_vars, c), (y, out[2:])

    xs_scanned = tuple(None if axis is broadcast else arg for axis, arg in zip(in_axes, scanned, strict=True))
    (carry_vars, carry), (ys, scan_out) = jax.lax.scan(
        body, (carry_vars, init), (scan_vars, split, xs_scanned), length=length, reverse=reverse, unroll=unroll
    )
    ys = _place(where, ys, out_axes)
    scan_out = [
        {c: tree.map(lambda v, a=axis: jnp.moveaxis(v, 0, a), g) for c, g in group.items()}
        for group, axis in zip(scan_out, var_axes, strict=True)
    ]
    _publish(outer, made)
    _publish(outer, carry_vars)
    for group in scan_out:
        _publish(outer, group)
    return carry, ys


def _not_broadcast(outer: Scope, groups: Sequence[Any]):
    """Inside the loop the broadcast collections are read-only; the others keep the outer mutability."""

    class _Filter:
        def __contains__(self, collection):
            return outer.is_mutable(collection) and _group_of(groups, collection) != 0

    return _Filter()


def _place(where: str, ys, out_axes):
    """Move the stacked axis of the outputs from the front to `out_axes`."""
    if isinstance(out_axes, (tuple, list)):
        if not isinstance(ys, tuple) or len(ys) != len(out_axes):
            raise fail(ValueError, where, "out_axes", "one axis per output of the body", out_axes)
        return tuple(_place(where, y, a) for y, a in zip(ys, out_axes, strict=True))
    check_int(where, "out_axes", out_axes)
    return tree.map(lambda y: jnp.moveaxis(y, 0, out_axes), ys)


def vmap_scope(
    fn: Callable[..., Any],
    outer: Scope,
    args: tuple,
    *,
    variable_axes: Mapping = {},
    split_rngs: Mapping = {},
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_size: int | None = None,
    axis_name: str | None = None,
    where: str = "purejax.nn.vmap",
):
    """`fn(scope, *args)` mapped over `in_axes` of `args` by `jax.vmap`, lifted over `outer`."""
    groups = list(variable_axes.keys())
    var_axes = list(variable_axes.values())
    names = "variable_axes"
    streams = _streams(where, outer, split_rngs)
    in_axes = _axes(where, "in_axes", in_axes, len(args))
    sizes = {
        leaf.shape[axis]
        for axis, arg in zip(in_axes, args, strict=True)
        if axis is not None and axis is not broadcast
        for leaf in tree.leaves(arg)
    }
    if axis_size is None:
        if len(sizes) != 1:
            raise ValueError(f"{where}: the mapped arguments need one common size along in_axes, got {sorted(sizes)}")
        (axis_size,) = sizes
    variables = _collections(outer)
    parts = _grouped(variables, groups)
    roots = {s: outer.rngs[s].root for s in streams}
    axis_size = check_int(where, "axis_size", axis_size, minimum=1)
    keys = {s: (random.split(roots[s], axis_size) if streams[s] else roots[s]) for s in streams}
    key_axes = {s: (0 if streams[s] else None) for s in streams}

    def mapped(parts, keys, args):
        local = {}
        for group in parts:
            local.update(copy_dicts(group))
        inner = _inner(outer, local, keys, outer.mutable)
        y = fn(inner, *args)
        return y, _changed(where, inner, groups, names)

    in_specs = tuple(None if a is broadcast else a for a in in_axes)
    y, changed = jax.vmap(
        mapped,
        in_axes=(var_axes, key_axes, in_specs),
        out_axes=(out_axes, var_axes),
        axis_size=axis_size,
        axis_name=axis_name,
    )(parts, keys, args)
    for group in changed:
        _publish(outer, group)
    return y


def wrap_scope(
    transform: Callable[[Callable], Callable], fn: Callable[..., Any], outer: Scope, args: tuple, kwargs: dict
):
    """`fn(scope, *args)` under `transform` (jax.checkpoint, jax.jit), every collection and stream passed through."""

    def pure(variables, roots, *args):
        inner = _inner(outer, copy_dicts(variables), roots, outer.mutable)
        y = fn(inner, *args, **kwargs)
        return y, {c: v for c, v in inner.variables.items() if inner.is_mutable(c)}

    y, changed = transform(pure)(_collections(outer), {s: k.root for s, k in outer.rngs.items()}, *args)
    _publish(outer, changed)
    return y


# -- the user-facing transforms: a Module class, or fn(module, *args) -----------------------------


def _lift(target, name: str, methods, call: Callable[[Callable, Scope, tuple, dict], Any]):
    """Lift `target` (a Module subclass, or `fn(module, *args)`) with `call(body, scope, args, kwargs)`."""
    if isinstance(target, type) and issubclass(target, Module):
        methods = ["__call__"] if methods is None else list(methods)

        def make(method_name):
            base = getattr(target, method_name)

            def lifted(self, *args, **kwargs):
                def body(inner, *a, **kw):
                    return base(_bound(self, inner), *a, **kw)

                return call(body, self.scope, args, kwargs)

            lifted.__name__ = method_name
            lifted.lifted = True  # type: ignore[attr-defined]
            return lifted

        return type(name + target.__name__, (target,), {m: make(m) for m in methods})
    if isinstance(target, type) and issubclass(target, Layer):  # an explicit layer: lift its forward

        def forward(self, scope: Scope, *args, **kwargs):
            return call(lambda inner, *a, **kw: target.forward(self, inner, *a, **kw), scope, args, kwargs)

        return type(name + target.__name__, (target,), {"forward": forward})
    if not callable(target):
        raise fail(TypeError, f"purejax.nn.{name.lower()}", "target", "a Module subclass or a function", target)

    def lifted_fn(module, *args, **kwargs):
        scope = _scope_of(f"purejax.nn.{name.lower()}", module)

        def body(inner, *a, **kw):
            return target(_bound(module, inner), *a, **kw)

        return call(body, scope, args, kwargs)

    return lifted_fn


def scan(
    target,
    variable_axes: Mapping = {},
    variable_broadcast: Any = False,
    variable_carry: Any = False,
    split_rngs: Mapping = {},
    in_axes: Any = 0,
    out_axes: Any = 0,
    length: int | None = None,
    reverse: bool = False,
    unroll: int = 1,
    methods=None,
):
    """A Module (or `fn(module, carry, *xs)`) run by `lax.scan`: `(carry, ys) = Lifted(...)(carry, *xs)`.

    The body returns `(carry, y)`; the `y` of every step are stacked along `out_axes`.

    Args:
      target: a Module subclass (its `__call__`, or `methods`, become the loop body) or a function
        `fn(module, carry, *xs) -> (carry, y)`.
      variable_axes: `{collection filter: axis}`, collections with one slice per step.
      variable_broadcast: collections shared by every step (read-only inside; created before the loop).
      variable_carry: collections threaded from step to step.
      split_rngs: `{stream filter: bool}`: True gives each step its own key (`split(root, length)[t]`),
        False the same stream at every step; a stream not listed is not available inside.
      in_axes, out_axes: the scanned axis of each argument / output, or `broadcast`.
      length: the number of steps (default: the length of the scanned arguments).
      reverse, unroll: as `jax.lax.scan`.

    Returns: the lifted Module subclass (`Scan<Name>`), or the lifted function.

    Counterpart: `flax.linen.scan` (flax/linen/transforms.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> class Cumulative(nn.Module):  # one Dense, applied at every step, its output summed up
      ...     @nn.compact
      ...     def __call__(self, total, x):
      ...         y = nn.Dense(2)(x)
      ...         return total + y, y
      >>> class Model(nn.Module):
      ...     @nn.compact
      ...     def __call__(self, xs):  # xs: [time, batch, 3]
      ...         scan = nn.scan(Cumulative, variable_broadcast='params', split_rngs={'params': False})
      ...         return scan()(jnp.zeros((xs.shape[1], 2)), xs)
      >>> xs = jnp.ones((5, 4, 3))
      >>> total, ys = Model().apply(Model().init(random.PRNGKey(0), xs), xs)
      >>> total.shape, ys.shape
      ((4, 2), (5, 4, 2))
    """

    def call(body, scope, args, kwargs):
        if kwargs:
            raise TypeError("purejax.nn.scan: the scanned body takes positional arguments (carry, *xs) only")
        if not args:
            raise TypeError("purejax.nn.scan: the scanned body needs a carry argument: call it as (carry, *xs)")
        return scan_scope(
            lambda inner, c, *xs: body(inner, c, *xs),
            scope,
            args[0],
            tuple(args[1:]),
            variable_axes=variable_axes,
            variable_broadcast=variable_broadcast,
            variable_carry=variable_carry,
            split_rngs=split_rngs,
            in_axes=in_axes,
            out_axes=out_axes,
            length=length,
            reverse=reverse,
            unroll=unroll,
        )

    return _lift(target, "Scan", methods, call)


def vmap(
    target,
    variable_axes: Mapping = {},
    split_rngs: Mapping = {},
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_size: int | None = None,
    axis_name: str | None = None,
    methods=None,
):
    """A Module (or `fn(module, *args)`) mapped by `jax.vmap`, with per-entry or shared variables.

    Args:
      variable_axes: `{collection filter: axis or None}`: the mapped axis of each collection's
        variables (None: shared by every entry). A collection not listed is not available inside.
      split_rngs: `{stream filter: bool}`: True gives each entry its own key.
      in_axes, out_axes, axis_size, axis_name: as `jax.vmap`.

    Counterpart: `flax.linen.vmap` (flax/linen/transforms.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> class Ensemble(nn.Module):  # three Dense layers, one per member, on the same input
      ...     @nn.compact
      ...     def __call__(self, x):
      ...         dense = nn.vmap(nn.Dense, variable_axes={'params': 0}, split_rngs={'params': True},
      ...                         in_axes=None, axis_size=3)
      ...         return dense(2)(x)
      >>> variables = Ensemble().init(random.PRNGKey(0), jnp.ones((4, 5)))
      >>> variables['params']['VmapDense_0']['kernel'].shape, Ensemble().apply(variables, jnp.ones((4, 5))).shape
      ((3, 5, 2), (3, 4, 2))
    """

    def call(body, scope, args, kwargs):
        if kwargs:
            raise TypeError("purejax.nn.vmap: the mapped body takes positional arguments only")
        return vmap_scope(
            body,
            scope,
            tuple(args),
            variable_axes=variable_axes,
            split_rngs=split_rngs,
            in_axes=in_axes,
            out_axes=out_axes,
            axis_size=axis_size,
            axis_name=axis_name,
        )

    return _lift(target, "Vmap", methods, call)


def _static(where: str, static_argnums) -> tuple[int, ...]:
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    for n in nums:
        check_int(where, "static_argnums", n, minimum=1)
    return nums


def checkpoint(
    target,
    variables: Any = True,
    rngs: Any = True,
    concrete: bool = False,
    prevent_cse: bool = True,
    static_argnums: int | tuple[int, ...] = (),
    policy: Callable[..., bool] | None = None,
    methods=None,
):
    """A Module (or `fn(module, *args)`) whose activations are recomputed in the backward pass (`jax.checkpoint`).

    `static_argnums` count `self` (or the module argument) as 0, as in Flax.

    Counterpart: `flax.linen.checkpoint` / `flax.linen.remat` (flax/linen/transforms.py).

    Differences:
      Every collection and rng stream passes through (`variables`, `rngs` must be True); no `concrete`.

    Examples:
      >>> import jax, jax.numpy as jnp
      >>> from purejax import nn, random
      >>> class Block(nn.Module):
      ...     @nn.compact
      ...     def __call__(self, x):
      ...         return nn.tanh(nn.Dense(3)(x))
      >>> class Deep(nn.Module):  # the blocks' activations are recomputed in the backward pass
      ...     @nn.compact
      ...     def __call__(self, x):
      ...         return nn.remat(Block)()(nn.remat(Block)()(x))
      >>> variables = Deep().init(random.PRNGKey(0), jnp.ones((2, 3)))
      >>> sorted(variables['params'])
      ['CheckpointBlock_0', 'CheckpointBlock_1']
      >>> grads = jax.grad(lambda v: Deep().apply(v, jnp.ones((2, 3))).sum())(variables)
      >>> sorted(grads['params']) == sorted(variables['params'])
      True
    """
    where = "purejax.nn.remat"
    if variables is not True or rngs is not True or concrete:
        raise fail(
            ValueError,
            where,
            "variables/rngs/concrete",
            "the defaults (True, True, False)",
            (variables, rngs, concrete),
        )
    nums = tuple(n + 1 for n in _static(where, static_argnums))  # the pure function takes (variables, roots, *args)

    def call(body, scope, args, kwargs):
        return wrap_scope(
            lambda f: jax.checkpoint(f, prevent_cse=prevent_cse, static_argnums=nums, policy=policy),
            body,
            scope,
            tuple(args),
            kwargs,
        )

    return _lift(target, "Checkpoint", methods, call)


remat = checkpoint


def jit(
    target,
    variables: Any = True,
    rngs: Any = True,
    static_argnums: int | tuple[int, ...] = (),
    static_argnames: str | tuple[str, ...] = (),
    donate_argnums: int | tuple[int, ...] = (),
    methods=None,
):
    """A Module (or `fn(module, *args)`) whose body is compiled by `jax.jit`.

    `static_argnums` count `self` as 0, as in Flax.

    Counterpart: `flax.linen.jit` (flax/linen/transforms.py).

    Differences:
      Traced again at every call (see the module docstring); every collection and stream passes
      through (`variables`, `rngs` must be True); no `donate_argnums`, `device`, `backend`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> class Model(nn.Module):
      ...     @nn.compact
      ...     def __call__(self, x):
      ...         return nn.jit(nn.Dense)(2)(x)
      >>> sorted(Model().init(random.PRNGKey(0), jnp.ones((1, 3)))['params'])
      ['JitDense_0']
    """
    where = "purejax.nn.jit"
    if variables is not True or rngs is not True or donate_argnums:
        raise fail(
            ValueError, where, "variables/rngs/donate_argnums", "the defaults", (variables, rngs, donate_argnums)
        )
    nums = tuple(n + 1 for n in _static(where, static_argnums))

    def call(body, scope, args, kwargs):
        return wrap_scope(
            lambda f: jax.jit(f, static_argnums=nums, static_argnames=static_argnames),
            body,
            scope,
            tuple(args),
            kwargs,
        )

    return _lift(target, "Jit", methods, call)


__all__ = ["broadcast", "checkpoint", "jit", "remat", "scan", "scan_scope", "vmap", "vmap_scope", "wrap_scope"]
