"""Optax's pytree toolbox: arithmetic, norms, moments, casts and random trees, leaf by leaf.

    add(x, y, ...), sub, mul, div       x_i + y_i, ...                 scale(a, x) = a * x_i
    add_scale(x, a, y)                  x_i + a * y_i                  vdot(x, y) = sum_i <x_i, y_i>
    sum(x), max(x), min(x), size(x)     over every entry of every leaf
    norm(x, ord, squared)               the L2 (or L1, L-inf) norm of the whole tree
    zeros_like, ones_like, full_like    trees of constants            where(c, x, y), clip(x, lo, hi)
    conj, real, batch_shape             per leaf                       allclose(x, y) = every leaf close
    update_moment(g, m, decay, order)   (1 - decay) * g**order + decay * m     (an EMA)
    update_moment_per_elem_norm         the same with |g|**order for complex g
    update_infinity_moment(g, m, d, e)  max(|g| + e, d * m)
    bias_correction(m, decay, count)    m / (1 - decay**count)
    cast(x, dtype), cast_like(x, y), dtype(x)
    split_key_like(key, x), random_like(key, x, sampler)   one key, one sample per leaf
    map_params(init, f, state)          f applied to the parameter-shaped parts of a state

`purejax.optim.tree_utils` holds the same functions under Optax's older `tree_*` names.

Counterpart: `optax.tree` (optax/tree/__init__.py, optax/tree_utils/_tree_math.py, _casting.py,
_random.py, _state_utils.py).

Differences:
  Every tree argument must hold arrays (or numbers): a leaf of a class that `purejax.tree` does not
  know (one registered with JAX only) is refused naming the function, the argument, the leaf's
  path and class, with how to register it (`purejax.tree.register_node`, or `purejax.struct`).
  Optax reads JAX's registry and sees inside such a class. `get`, `set`, `get_all_with_path` and
  `unwrap_random_key_data` are not here (see the README's list of Optax names not in purejax).
  `sum(x, associative_reduction=True)` sums in the same order.

Examples:
    >>> import jax.numpy as jnp
    >>> from purejax import optim
    >>> x = {'a': jnp.array([3.0]), 'b': jnp.array([4.0])}
    >>> float(optim.tree.norm(x)), float(optim.tree.vdot(x, x))
    (5.0, 25.0)
"""

from __future__ import annotations

import builtins
import functools
import inspect
import operator
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from purejax import random
from purejax import tree as pytree
from purejax.checks import check_callable, check_number, describe, fail
from purejax.optim import tree_math
from purejax.optim.base import check_array_leaves, named, outermost
from purejax.optim.base import where as called_as


def _check_moment_args(name: str, updates: Any, moments: Any, **numbers: Any) -> None:
    """The numbers are real numbers (or 0-d arrays) and `moments` has the updates' tree."""
    for argument, value in numbers.items():
        check_number(called_as(name), argument, value)
    pytree.flatten_up_to(
        pytree.structure(updates, is_leaf=lambda x: x is None),
        moments,
        f"{called_as(name)}: moments differ from the updates' tree",
    )


def _on_arrays(*names: str) -> Callable[[Callable], Callable]:
    """Check that the trees given as `names` hold arrays (`base.check_array_leaves`) before the function runs.

    A class that `purejax.tree` does not know (one registered with JAX only) is refused naming the
    function, the argument, the leaf's path and class. Inside an optimizer the check is skipped:
    its `init` or `update` checked the trees already. Python-time only: under `jit`, once while tracing.
    """

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)
        who = f"purejax.optim.tree.{fn.__name__}"

        @functools.wraps(fn)
        def run(*args, **kwargs):
            if outermost():
                try:
                    given = signature.bind(*args, **kwargs).arguments
                except TypeError:  # a wrong call: the function's own error says so
                    given = {}
                for name in names:
                    if name not in given:
                        continue
                    if name == "other_trees":
                        for i, other in enumerate(given[name]):
                            check_array_leaves(who, f"other_trees[{i}]", other)
                    else:
                        check_array_leaves(who, name, given[name])
            return fn(*args, **kwargs)

        return run

    return decorate


@_on_arrays("moment")
@named
def bias_correction(moment: Any, decay, count) -> Any:
    """`m / (1 - decay**count)`, leaf by leaf: an EMA started at zero underestimates early on.

    Counterpart: `optax.tree.bias_correction` (optax/tree_utils/_tree_math.py).
    """
    check_number(called_as("bias_correction"), "decay", decay)
    dtype = getattr(count, "dtype", None)
    if (
        isinstance(count, (bool, str, bytes))
        or count is None
        or (dtype is None and not isinstance(count, (int, float)))
    ):
        raise fail(TypeError, called_as("bias_correction"), "count", "a step count (a number or an array)", count)
    for leaf in pytree.leaves(moment):
        if not hasattr(leaf, "dtype"):
            raise TypeError(f"{called_as('bias_correction')}: moment must hold arrays, got {describe(leaf)}")
    return tree_math.bias_correction(moment, decay, count)


@_on_arrays("tree_x", "tree_y", "other_trees")
def add(tree_x: Any, tree_y: Any, *other_trees: Any) -> Any:
    """`x + y + ...`, leaf by leaf (`optax.tree.add`)."""
    return pytree.map(lambda *leaves: builtins.sum(leaves), tree_x, tree_y, *other_trees)


@_on_arrays("tree_x", "tree_y")
def sub(tree_x: Any, tree_y: Any) -> Any:
    """`x - y`, leaf by leaf (`optax.tree.sub`)."""
    return pytree.map(operator.sub, tree_x, tree_y)


@_on_arrays("tree_x", "tree_y")
def mul(tree_x: Any, tree_y: Any) -> Any:
    """`x * y`, leaf by leaf (`optax.tree.mul`)."""
    return pytree.map(operator.mul, tree_x, tree_y)


@_on_arrays("tree_x", "tree_y")
def div(tree_x: Any, tree_y: Any) -> Any:
    """`x / y`, leaf by leaf (`optax.tree.div`)."""
    return pytree.map(operator.truediv, tree_x, tree_y)


@_on_arrays("tree")
def scale(scalar, tree: Any) -> Any:
    """`scalar * x`, leaf by leaf (`optax.tree.scale`)."""
    return pytree.map(lambda x: scalar * x, tree)


@_on_arrays("tree_x", "tree_y")
def add_scale(tree_x: Any, scalar, tree_y: Any) -> Any:
    """`x + scalar * y`, leaf by leaf; `None` leaves of `x` stay `None` (`optax.tree.add_scale`)."""
    scalar = jnp.asarray(scalar)
    return pytree.map(lambda x, y: None if x is None else x + scalar * y, tree_x, tree_y, is_leaf=lambda x: x is None)


@_on_arrays("tree_x", "tree_y")
def vdot(tree_x: Any, tree_y: Any):
    """`sum_i vdot(x_i, y_i)`: the inner product of two trees (`optax.tree.vdot`)."""
    vdots = pytree.leaves(
        pytree.map(
            lambda a, b: jnp.vdot(jnp.asarray(a), jnp.asarray(b), precision=jax.lax.Precision.HIGHEST), tree_x, tree_y
        )
    )
    return functools.reduce(operator.add, vdots, 0)


@_on_arrays("tree")
def sum(tree: Any, associative_reduction: bool = False):
    """The sum of every entry of every leaf (`optax.tree.sum`)."""
    del associative_reduction  # the same sum either way
    return builtins.sum((jnp.sum(x) for x in pytree.leaves(tree)), 0)


@_on_arrays("tree")
def max(tree: Any):
    """The largest entry of the tree; `-inf` for a tree of empty leaves (`optax.tree.max`)."""
    return functools.reduce(jnp.maximum, [jnp.max(x) for x in pytree.leaves(tree) if jnp.size(x)], -float("inf"))


@_on_arrays("tree")
def min(tree: Any):
    """The smallest entry of the tree; `inf` for a tree of empty leaves (`optax.tree.min`)."""
    return functools.reduce(jnp.minimum, [jnp.min(x) for x in pytree.leaves(tree) if jnp.size(x)], float("inf"))


@_on_arrays("tree")
def size(tree: Any) -> int:
    """The number of entries in all leaves (`optax.tree.size`)."""
    return builtins.sum(jnp.size(leaf) for leaf in pytree.leaves(tree))


@_on_arrays("tree")
def conj(tree: Any) -> Any:
    """Complex conjugate of every leaf (`optax.tree.conj`)."""
    return pytree.map(jnp.conj, tree)


@_on_arrays("tree")
def real(tree: Any) -> Any:
    """Real part of every leaf (`optax.tree.real`)."""
    return pytree.map(jnp.real, tree)


def _square(leaf):
    return jnp.square(leaf.real) + jnp.square(leaf.imag)


@_on_arrays("tree")
def norm(tree: Any, ord: int | str | float | None = None, squared: bool = False) -> jax.Array:
    """The norm of the tree as one long vector: L2 (`ord=None` or 2), L1 (`ord=1`) or L-inf (`ord='inf'`).

    Counterpart: `optax.tree.norm` (optax/tree_utils/_tree_math.py).
    """
    if ord is None or ord == 2:
        sqnorm = sum(pytree.map(_square, tree))
        return jnp.array(sqnorm if squared else jnp.sqrt(sqnorm))
    if ord == 1:
        ret = sum(pytree.map(jnp.abs, tree))
    elif ord == jnp.inf or ord in ("inf", "infinity"):
        ret = max(pytree.map(jnp.abs, tree))
    else:
        raise ValueError(f"purejax.optim.tree.norm: ord must be None, 1, 2 or 'inf', got {ord!r}")
    return jnp.array(ret if not squared else _square(ret))


@_on_arrays("tree")
def batch_shape(tree: Any, shape: tuple[int, ...] = ()) -> Any:
    """Every leaf broadcast to `[*shape, *leaf.shape]` (`optax.tree.batch_shape`)."""
    return pytree.map(lambda x: jnp.broadcast_to(x, (*shape, *jnp.shape(x))), tree)


@_on_arrays("tree")
def zeros_like(tree: Any, dtype=None) -> Any:
    """A tree of zeros like `tree` (`optax.tree.zeros_like`)."""
    return pytree.map(lambda x: jnp.zeros_like(x, dtype=dtype), tree)


@_on_arrays("tree")
def ones_like(tree: Any, dtype=None) -> Any:
    """A tree of ones like `tree` (`optax.tree.ones_like`)."""
    return pytree.map(lambda x: jnp.ones_like(x, dtype=dtype), tree)


@_on_arrays("tree")
def full_like(tree: Any, fill_value, dtype=None) -> Any:
    """A tree like `tree`, every entry `fill_value` (`optax.tree.full_like`)."""
    return pytree.map(lambda x: jnp.full_like(x, fill_value, dtype=dtype), tree)


@_on_arrays("tree")
def clip(tree: Any, min_value=None, max_value=None) -> Any:
    """Every leaf clipped to `[min_value, max_value]` (`optax.tree.clip`)."""
    return pytree.map(lambda g: jnp.clip(g, min_value, max_value), tree)


@_on_arrays("condition", "tree_x", "tree_y")
def where(condition, tree_x: Any, tree_y: Any) -> Any:
    """`where(condition, x_i, y_i)` leaf by leaf, one condition for all (`optax.tree.where`)."""
    return pytree.map(lambda x, y: jnp.where(condition, x, y), tree_x, tree_y)


@_on_arrays("a", "b")
def allclose(a: Any, b: Any, rtol=1e-05, atol=1e-08, equal_nan: bool = False):
    """Whether every leaf of `a` is close to `b`'s (`optax.tree.allclose`)."""
    leaves = pytree.leaves(pytree.map(lambda x, y: jnp.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan), a, b))
    return functools.reduce(operator.and_, leaves, True)


@_on_arrays("updates", "moments")
@named
def update_moment(updates: Any, moments: Any, decay, order) -> Any:
    """`(1 - decay) * g**order + decay * m`, leaf by leaf (`None` stays `None`) (`optax.tree.update_moment`)."""
    _check_moment_args("update_moment", updates, moments, decay=decay, order=order)
    return pytree.map(
        lambda g, t: (1 - decay) * (g**order) + decay * t if g is not None else None,
        updates,
        moments,
        is_leaf=lambda x: x is None,
    )


@_on_arrays("updates", "moments")
@named
def update_infinity_moment(updates: Any, moments: Any, decay, eps) -> Any:
    """`max(|g| + eps, decay * m)`, leaf by leaf (`optax.tree.update_infinity_moment`)."""
    _check_moment_args("update_infinity_moment", updates, moments, decay=decay, eps=eps)
    return pytree.map(
        lambda g, t: jnp.maximum(jnp.abs(g) + eps, decay * t) if g is not None else g,
        updates,
        moments,
        is_leaf=lambda x: x is None,
    )


@_on_arrays("updates", "moments")
@named
def update_moment_per_elem_norm(updates: Any, moments: Any, decay, order) -> Any:
    """`(1 - decay) * g**order + decay * m`, with `|g|**order` for complex `g`.

    Counterpart: `optax.tree.update_moment_per_elem_norm` (optax/tree_utils/_tree_math.py).
    """
    _check_moment_args("update_moment_per_elem_norm", updates, moments, decay=decay, order=order)

    def orderth_norm(g):
        if jnp.isrealobj(g):
            return g**order
        half_order = order / 2
        if float(half_order).is_integer():  # JAX compiles int and float powers differently
            half_order = int(half_order)
        return _square(g) ** half_order

    return pytree.map(
        lambda g, t: (1 - decay) * orderth_norm(g) + decay * t if g is not None else None,
        updates,
        moments,
        is_leaf=lambda x: x is None,
    )


@_on_arrays("tree")
def cast(tree: Any, dtype) -> Any:
    """Every leaf cast to `dtype`; the tree itself for `None` (`optax.tree.cast`)."""
    return tree if dtype is None else pytree.map(lambda t: t.astype(dtype), tree)


@_on_arrays("tree", "other_tree")
def cast_like(tree: Any, other_tree: Any) -> Any:
    """Every leaf cast to the dtype of `other_tree`'s leaf (`optax.tree.cast_like`)."""
    return pytree.map(lambda t, o: t.astype(o.dtype) if hasattr(o, "dtype") else t, tree, other_tree)


@_on_arrays("tree")
def dtype(tree: Any, mixed_dtype_handler: str | None = None):
    """The dtype of the tree's leaves; with mixed dtypes, `'promote'` them, or refuse (None).

    Counterpart: `optax.tree.dtype` (optax/tree_utils/_casting.py).

    Differences:
      Only `None` and `'promote'` are offered; Optax also has `'highest'` and `'lowest'`.
    """
    dtypes = [jnp.asarray(x).dtype for x in pytree.leaves(tree)]
    if not dtypes:
        return jnp.asarray([]).dtype
    if mixed_dtype_handler is None:
        if len(set(dtypes)) > 1:
            raise ValueError(
                f"purejax.optim.tree.dtype: the leaves have several dtypes {sorted(set(map(str, dtypes)))}; "
                "pass mixed_dtype_handler='promote'"
            )
        return dtypes[0]
    if mixed_dtype_handler == "promote":
        return functools.reduce(jnp.promote_types, dtypes)
    raise ValueError(
        f"purejax.optim.tree.dtype: mixed_dtype_handler must be None or 'promote', got {mixed_dtype_handler!r}"
    )


@_on_arrays("target_tree")
def split_key_like(rng_key, target_tree: Any) -> Any:
    """One key per leaf of `target_tree`, split from `rng_key` (`optax.tree.split_key_like`)."""
    treedef = pytree.structure(target_tree)
    keys = random.split(rng_key, treedef.num_leaves)
    return treedef.unflatten(list(keys))


@_on_arrays("target_tree")
def random_like(rng_key, target_tree: Any, sampler: Callable = random.normal, dtype=None) -> Any:
    """A random tree like `target_tree`: leaf i is `sampler(key_i, shape_i, dtype_i)`.

    Counterpart: `optax.tree.random_like` (optax/tree_utils/_random.py); the same key gives the
    same bits as Optax with `jax.random.normal`.
    """
    keys = split_key_like(rng_key, target_tree)
    return pytree.map(lambda leaf, key: sampler(key, leaf.shape, dtype or leaf.dtype), target_tree, keys)


class _ParamsPlaceholder:
    """Stands for the params in `map_params`: a pytree node with no children, so init copies it."""


pytree.register_node(_ParamsPlaceholder, lambda p: ((), None), lambda aux, children: _ParamsPlaceholder())


@named(name="tree_map_params")
def map_params(initable, f: Callable[..., Any], state: Any, /, *rest: Any, transform_non_params=None, is_leaf=None):
    """Apply `f` to the leaves of the parameter-shaped parts of an optimizer state.

    The parts are found by initializing the optimizer with a placeholder in place of the params:
    wherever the placeholder shows up in that state, the real state holds a tree like the params.

    Args:
      initable: an optimizer (anything with `.init`) or an init function.
      f: applied to each leaf of each parameter-shaped part (with the matching leaves of `rest`).
      state: the optimizer state.
      *rest: trees like the params, passed to `f` beside the state's leaves.
      transform_non_params: applied to every other part of the state (counts, keys); `None` keeps them.
      is_leaf: as in `tree.map`, for the parameter-shaped parts.

    Returns:
      A state like `state`.

    Counterpart: `optax.tree.map_params`, `optax.tree_map_params` (optax/tree_utils/_state_utils.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> opt = optim.adam(1e-3)
      >>> state = opt.init({'w': jnp.zeros(2)})
      >>> state = optim.tree_map_params(opt, lambda p: p + 1, state)
      >>> state[0].mu['w'].tolist(), int(state[0].count)
      ([1.0, 1.0], 0)
    """
    w = called_as("tree_map_params")
    init = initable.init if hasattr(initable, "init") else initable
    check_callable(w, "initable", init, "pass the optimizer, e.g. tree_map_params(opt, f, state)")
    check_callable(w, "f", f, "pass a function of the parameter leaves, e.g. lambda p: p + 1")
    with_placeholders = init(_ParamsPlaceholder())
    pytree.flatten_up_to(
        pytree.structure(with_placeholders, is_leaf=lambda v: isinstance(v, _ParamsPlaceholder)),
        state,
        f"{w}: state differs from what initable's init makes (was it made by another optimizer?)",
    )

    def map_part(maybe_placeholder, value):
        if isinstance(maybe_placeholder, _ParamsPlaceholder):
            return pytree.map(f, value, *rest, is_leaf=is_leaf)
        return value if transform_non_params is None else transform_non_params(value)

    return pytree.map(map_part, with_placeholders, state, is_leaf=lambda v: isinstance(v, _ParamsPlaceholder))


__all__ = [
    "add",
    "add_scale",
    "allclose",
    "batch_shape",
    "bias_correction",
    "cast",
    "cast_like",
    "clip",
    "conj",
    "div",
    "dtype",
    "full_like",
    "map_params",
    "max",
    "min",
    "mul",
    "norm",
    "ones_like",
    "random_like",
    "real",
    "scale",
    "size",
    "split_key_like",
    "sub",
    "sum",
    "update_infinity_moment",
    "update_moment",
    "update_moment_per_elem_norm",
    "vdot",
    "where",
    "zeros_like",
]
