"""The optimizer interface: a gradient transformation is a pair of pure functions.

    tx = GradientTransformation(init, update)
    state = tx.init(params)                                  # e.g. zeros for Adam's moments
    updates, state = tx.update(grads, state, params)         # grads in, updates out
    params = apply_updates(params, updates)                  # params + updates

Nothing is hidden in an object: the state is a pytree you pass in and get back, so the whole step
can be jitted, vmapped or checkpointed. Optimizers are built by chaining small transformations,
`adam(lr) = chain(scale_by_adam(), scale_by_learning_rate(lr))`, each of which sees the updates
the previous one produced.

Some transformations need more than the gradients, e.g. the loss `value` for Polyak's step size.
They are `GradientTransformationExtraArgs`, whose `update` takes keyword arguments after `params`;
`chain` hands every keyword it gets to each of its members, and `with_extra_args_support` lets a
plain transformation take (and ignore) them.

Errors name what the user called. The public functions of `purejax.optim` are decorated with
`named` (`MultiSteps`' methods enter `called` themselves): while one builds its transformation,
and while that transformation's `init` and `update` run, an error raised by any block inside says
`purejax.optim.adam`, not `scale_by_adam` or `masked` (the outermost named function wins).
Each block checks its own state's class (`check_state`), so a state made by another optimizer is
refused at the boundary with the advice to call this optimizer's `init`. The checks look at
Python values, classes and tree structures only: under `jit` they run once, while tracing.

The params and updates must be trees of arrays. `purejax.tree` sees a class it does not know as one
leaf (as JAX does an unregistered class), and it cannot read JAX's registry, so a class registered
with JAX only (`jax.tree_util.register_pytree_node`, `flax.struct`, equinox) would reach the
arithmetic as one opaque object. `named` therefore checks the leaves of `init`'s params and of
`update`'s updates and params once, in the outermost named transformation (`check_array_leaves`),
and refuses any leaf that is not an array or a number, naming the function, the leaf's path and its
class, and the fix: register the class with `purejax.tree.register_node` (or build it with
`purejax.struct.dataclass` / `PyTreeNode`, which registers it with JAX and purejax).

Counterpart: `optax.GradientTransformation`, `optax.GradientTransformationExtraArgs`,
`optax.with_extra_args_support`, `optax.EmptyState`, `optax.identity`, `optax.chain`,
`optax.apply_updates` (optax/_src/base.py, transforms/_combining.py, _src/update.py).

Differences:
  `update` refuses a state of another class than its `init` makes (Optax fails with an
  `AttributeError` deep inside, or, as `identity` passes any state through, silently keeps the
  wrong one: `optax.sgd(0.1).update(g, optax.adam(0.1).init(p))` runs). Optax's own state
  classes are accepted where they have the same name and fields. A leaf of the params or updates
  that is not an array or a number is refused by `init` and `update` (a class registered with JAX
  only is one such leaf here; Optax sees inside it, as it reads JAX's registry).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree
from purejax.checks import describe

_CALLED: contextvars.ContextVar[str | None] = contextvars.ContextVar("purejax_optim_called", default=None)


def where(name: str) -> str:
    """`purejax.optim.<name>` for an error message, or the outermost `named` function running.

    A block calls `where("scale_by_adam")`; inside `adam(...)` (while it is built, or while its
    `init` or `update` runs) that is `purejax.optim.adam`.
    """
    return f"purejax.optim.{_CALLED.get() or name}"


def outermost() -> bool:
    """True unless a `named` function of `purejax.optim` (or its `init`/`update`) is running."""
    return _CALLED.get() is None


@contextlib.contextmanager
def called(name: str) -> Iterator[None]:
    """While the block runs, `where` names `name`, unless an outer function already named itself."""
    token = _CALLED.set(_CALLED.get() or name)
    try:
        yield
    finally:
        _CALLED.reset(token)


def _is_array_leaf(x: Any) -> bool:
    """An array (JAX's, NumPy's, a tracer, a `ShapeDtypeStruct`) or a Python number."""
    return (hasattr(x, "dtype") and hasattr(x, "shape")) or isinstance(x, (int, float, complex))


def check_array_leaves(who: str, argument: str, value: Any) -> None:
    """Refuse a tree with a leaf that is not an array or a number: `TypeError` naming `who`, the path, the class.

    A class that `purejax.tree` does not know is one leaf (JAX's registry is not read), so this is
    where a class registered with JAX only is caught, before the arithmetic meets it. It reads
    classes only: under `jit` it runs once, while tracing.
    """
    leaves = tree.leaves(value)
    if all(_is_array_leaf(leaf) for leaf in leaves):
        return
    for path, leaf in tree.flatten_with_path(value)[0]:  # the paths only on failure
        if _is_array_leaf(leaf):
            continue
        cls = type(leaf)
        if cls.__module__ == "builtins":
            got, hint = describe(leaf), "pass arrays (or numbers) as the leaves"
        else:
            got = f"an instance of {cls.__module__}.{cls.__qualname__}"
            hint = (
                "purejax.tree does not know this class, so it is one leaf, not a container of arrays; register "
                "the class with purejax.tree.register_node (or build it with purejax.struct.dataclass / "
                "PyTreeNode, which registers it with both JAX and purejax)"
            )
        raise TypeError(f"{who}: {argument}{tree.keystr(path)} must be an array, got {got}; {hint}")


def _arguments(kind: str, args: tuple, kwargs: dict) -> list[tuple[str, Any]]:
    """The trees of arrays that an `init` (params) or `update` (updates, params) was given."""
    if kind == "init":
        return [("params", args[0] if args else kwargs.get("params"))]
    updates = args[0] if args else kwargs.get("updates")
    params = args[2] if len(args) > 2 else kwargs.get("params")
    return [("updates", updates), ("params", params)]


def _run_as(name: str, fn: Callable, kind: str) -> Callable:
    @functools.wraps(fn)
    def run(*args, **kwargs):
        first = outermost()
        with called(name):
            if first:  # checked once, by the transformation the user called
                for argument, value in _arguments(kind, args, kwargs):
                    check_array_leaves(f"{where(name)}.{kind}", argument, value)
            return fn(*args, **kwargs)

    return run


def named(fn: Callable | None = None, *, name: str | None = None) -> Any:
    """Decorate a public function of `purejax.optim` so that the errors raised inside it name it.

    The function runs under `called(name)`; if it returns a `GradientTransformation`, its `init`
    and `update` do too. `name` defaults to the function's own (`multi_transform` passes its
    own name for `partition`'s body). The signature and docstring are kept (`functools.wraps`),
    so `inject_hyperparams` still reads the hyperparameters' names.
    """

    def decorate(fn: Callable) -> Callable:
        label = name or fn.__name__

        @functools.wraps(fn)
        def build(*args, **kwargs):
            with called(label):
                result = fn(*args, **kwargs)
            if isinstance(result, GradientTransformation):
                result = type(result)(
                    _run_as(label, result.init, "init"), _run_as(label, result.update, "update")
                )  # ExtraArgs stays ExtraArgs
            return result

        return build

    return decorate if fn is None else decorate(fn)


class GradientTransformation(NamedTuple):
    """An optimizer: `init(params) -> state`, `update(updates, state, params=None) -> (updates, state)`."""

    init: Callable[[Any], Any]
    update: Callable[..., tuple[Any, Any]]


class GradientTransformationExtraArgs(GradientTransformation):
    """An optimizer whose `update(updates, state, params=None, **extra_args)` takes keyword arguments.

    Counterpart: `optax.GradientTransformationExtraArgs` (optax/_src/base.py).
    """


@named
def with_extra_args_support(tx: GradientTransformation) -> GradientTransformationExtraArgs:
    """`tx` with an `update` that accepts, and ignores, extra keyword arguments.

    A `GradientTransformationExtraArgs` is returned as it is.

    Args:
      tx: any `GradientTransformation`.

    Returns:
      A `GradientTransformationExtraArgs` with `tx`'s `init` and state.

    Counterpart: `optax.with_extra_args_support` (optax/_src/base.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.with_extra_args_support(optim.scale(2.0))
      >>> updates, _ = tx.update(jnp.ones(2), tx.init(jnp.ones(2)), None, value=3.0)
      >>> updates.tolist()
      [2.0, 2.0]
    """
    if isinstance(tx, GradientTransformationExtraArgs):
        return tx
    check_transformation(where("with_extra_args_support"), "tx", tx)

    def update(updates, state, params=None, **extra_args):
        del extra_args
        return tx.update(updates, state, params)

    return GradientTransformationExtraArgs(tx.init, update)


class EmptyState(NamedTuple):
    """The state of a transformation that keeps none."""


def init_empty_state(params: Any) -> EmptyState:
    """The `init` of a stateless transformation: `EmptyState()`, whatever the params."""
    del params
    return EmptyState()


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def _state_class_name(state: Any) -> str:
    if type(state) in (tuple, list):
        return f"{type(state).__name__} of ({', '.join(type(s).__name__ for s in state)})"
    return "None" if state is None else type(state).__name__


def check_state(name: str, state: Any, expected: type) -> None:
    """Refuse a state that this transformation's `init` did not make: `TypeError` naming both classes.

    `expected` is the class `init` returns. Optax's class of the same name and fields is accepted
    too; for `EmptyState`, any empty tuple (`()`, `optax.EmptyState()`).
    """
    if expected is EmptyState:
        ok = isinstance(state, tuple) and len(state) == 0
    else:
        ok = isinstance(state, expected) or (
            type(state).__name__ == expected.__name__ and getattr(state, "_fields", None) == expected._fields
        )
    if not ok:
        who = where(name)
        short = who.removeprefix("purejax.optim.")
        raise TypeError(
            f"{who}: state must hold {_article(expected.__name__)} {expected.__name__} here (what {short}'s "
            f"init makes), got {_state_class_name(state)}; this state was made by another optimizer: call "
            f"{short}(...).init(params) and pass that state to update"
        )


def check_params(name: str, params: Any, updates: Any) -> None:
    """The check of every `update` that reads the parameters: given, and of the updates' tree."""
    if params is None:
        raise ValueError(
            f"{where(name)}: this transformation needs the current parameters; "
            "call update(updates, state, params) with params"
        )
    tree.flatten_up_to(
        tree.structure(updates, is_leaf=lambda x: x is None),
        params,
        f"{where(name)}.update: params differ from the updates' tree",
    )


def check_transformation(where_: str, name: str, value: Any) -> Any:
    """Something with callable `init` and `update` (ours, Optax's, a `MultiSteps`); else `TypeError`.

    A factory passed uncalled (`sgd` for `sgd(0.1)`) gets the hint to call it.
    """
    if callable(getattr(value, "init", None)) and callable(getattr(value, "update", None)):
        return value
    got, hint = describe(value), "e.g. purejax.optim.sgd(0.1)"
    if callable(value):  # a factory passed uncalled: optim.sgd for optim.sgd(0.1)
        function = getattr(value, "__name__", type(value).__name__)
        got, hint = f"the function {function}", f"call it first, e.g. {function}(learning_rate)"
    raise TypeError(f"{where_}: {name} must be a GradientTransformation (with init and update), got {got}; {hint}")


@named
def identity() -> GradientTransformation:
    """Pass the updates through unchanged (`optax.identity`)."""

    def update_fn(updates, state, params=None):
        del params
        check_state("identity", state, EmptyState)
        return updates, state

    return GradientTransformation(init_empty_state, update_fn)


@named
def chain(*transforms: GradientTransformation) -> GradientTransformationExtraArgs:
    """Apply transformations one after another; the state is the tuple of their states.

    Extra keyword arguments of `update` (e.g. `value=loss`) go to every member that takes them.

    Counterpart: `optax.chain`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.chain(optim.clip_by_global_norm(1.0), optim.sgd(learning_rate=0.1))
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([3.0, -4.0])}, state, params)
      >>> [round(u, 3) for u in updates['w'].tolist()]  # clipped to norm 1, then scaled by -0.1
      [-0.06, 0.08]
    """
    for i, t in enumerate(transforms):
        check_transformation(where("chain"), f"transforms[{i}]", t)

    update_fns = [with_extra_args_support(t).update for t in transforms]

    def init_fn(params):
        return tuple(t.init(params) for t in transforms)

    def update_fn(updates, state, params=None, **extra_args):
        if type(state) not in (tuple, list) or len(state) != len(transforms):
            who = where("chain")
            advice = f"call {who.removeprefix('purejax.optim.')}(...).init(params) and pass that state to update"
            if type(state) not in (tuple, list):
                raise TypeError(
                    f"{who}: state must be the tuple of {len(transforms)} states that its init makes, "
                    f"got {_state_class_name(state)}; {advice}"
                )
            raise ValueError(
                f"{who}: the state holds {len(state)} states for {len(transforms)} transformations; was it "
                f"made by this chain's init? {advice[0].upper() + advice[1:]}"
            )
        new_state = []
        for fn, s in zip(update_fns, state, strict=True):
            updates, s = fn(updates, s, params, **extra_args)
            new_state.append(s)
        return updates, tuple(new_state)

    return GradientTransformationExtraArgs(init_fn, update_fn)


@named
def apply_updates(params: Any, updates: Any) -> Any:
    """`params + updates`, leaf by leaf, keeping each parameter's dtype.

    Counterpart: `optax.apply_updates`. None leaves stay None.

    Differences:
      `updates` must have the tree structure of `params`; a mismatch is a `ValueError` naming
      `apply_updates`, `updates` and the first differing key path (Optax's comes from
      `jax.tree.map`). A `None` update where `params` holds an array is a `TypeError`.
    """
    where_ = where("apply_updates")
    check_array_leaves(where_, "params", params)
    param_leaves, treedef = tree.flatten(params, is_leaf=lambda x: x is None)
    update_leaves = tree.flatten_up_to(treedef, updates, f"{where_}: updates differ from params")

    def add(p, u):
        if p is None:
            return None
        if u is None or isinstance(u, (str, bytes)):
            raise TypeError(
                f"{where_}: updates must hold an array wherever params does, got {describe(u)}; "
                "pass the updates that tx.update returned"
            )
        return jnp.asarray(p + u).astype(jnp.asarray(p).dtype)

    return tree.unflatten(treedef, [add(p, u) for p, u in zip(param_leaves, update_leaves, strict=True)])
