"""Flax linen's `Module`, written over the explicit scope: `@compact`, `setup`, `self.param`, `apply(method=)`.

The layers of `purejax.nn` take their variables from an explicit argument, `forward(scope, x)`.
Flax linen hides that argument: inside a module's method, `self.param(...)` and `nn.Dense(3)(x)`
find the scope by themselves. This file is that hiding, and nothing more; each piece of Flax's
"magic" is one of the scope operations a learner already knows:

    Flax linen                                   the same, written with the scope
    ------------------------------------------   ------------------------------------------------
    class MLP(nn.Module):                        class MLP(nn.Layer):
      features: int                                features: int
      @nn.compact                                  def forward(self, scope, x):
      def __call__(self, x):
        x = nn.Dense(self.features)(x)               x = scope.child(nn.Dense(self.features))(x)
        w = self.param('w', init, (3,))              w = scope.param('w', init, (3,))
        k = self.make_rng('dropout')                 k = scope.make_rng('dropout')

How the left column works:
- **Binding.** `init`/`apply` make a root `Scope` and run a *bound copy* of the module, whose
  `self.scope` is that scope. `self.param`, `self.variable`, `self.make_rng` and `self.sow` are
  the scope's methods.
- **Adoption.** While a `@compact` method runs, its module's scope is on a stack
  (`module.context.frames`). A layer *built* then is adopted: `Layer.__post_init__` names it
  (`Dense_0`, `Dense_1`, ... or its `name`) and binds it to the child scope of that name, so
  calling it, `nn.Dense(3)(x)`, is `scope.child(nn.Dense(3))(x)`. A layer built in a compact
  method and handed to another (`nn.RNN(nn.LSTMCell(4))`, `nn.Sequential([...])`) keeps that
  place, so its parameters sit where Flax puts them (`LSTMCell_0`, not `RNN_0/cell`).
- **Names per call.** The counters behind `Dense_0`, `Dense_1` start again at every call of a
  module, so calling a module twice reuses its layers' variables instead of making new ones.
- **setup.** Instead of compact, a module may build its layers in `setup()` and assign them,
  `self.dense = nn.Dense(3)`: the attribute name becomes the layer's name (`dense`; a list
  gives `layers_0`, `layers_1`). `setup` runs once per bound copy, before its first method.
  Layers held in the module's fields (`cell: nn.Module`) are named after the field, as in Flax.
- **Methods.** Every method of a Module subclass is wrapped: it refuses to run unbound, runs
  `setup` first, and (compact) puts the scope on the stack. `apply(v, x, method=M.encode)` or
  `method='encode'` runs another method than `__call__`; `bind(v)` returns a bound copy to call
  interactively; `nn.apply(fn, module)(v, x)` runs any `fn(module, x)`.
- **Intermediates.** `self.sow('intermediates', 'h', y)` appends `y` to a tuple in that
  collection if it is mutable; `apply(..., capture_intermediates=True)` sows every module's
  `__call__` output.

A Module is a `Layer`: it has `init`, `apply` and `forward(scope, ...)` (which binds it to the
scope and calls `__call__`), so Modules and explicit layers mix freely in both directions, with
the same variables.

Counterpart: `flax.linen.Module`, `compact`, `nowrap`, `apply`, `init`, `init_with_output`
(flax/linen/module.py).

Differences:
  Module subclasses are frozen dataclasses (as in Flax), built only with keyword `name`; no
  `parent=` argument, no `nn.share_scope`, `nn.intercept_methods`, `tabulate`, `perturb`,
  `unbind`, `module_paths`, typed `nn.Partitioned` metadata or `nn.compact_name_scope`. Setup
  runs at the first method call or attribute access of a bound copy, as Flax's lazy setup.
  Layers not built in a compact method or setup and not held in a field (a layer built in a
  plain method, or a global) are refused when called, with what to write instead. A
  parameter name used twice in one module returns the existing parameter (Flax raises
  `NameInUseError`).

Examples:
  >>> import jax.numpy as jnp
  >>> from purejax import nn, random, tree
  >>> class MLP(nn.Module):
  ...     features: int
  ...     @nn.compact
  ...     def __call__(self, x):
  ...         x = nn.relu(nn.Dense(self.features)(x))
  ...         return nn.Dense(1)(x)
  >>> variables = MLP(4).init(random.PRNGKey(0), jnp.ones((2, 3)))
  >>> tree.map(jnp.shape, variables)
  {'params': {'Dense_0': {'bias': (4,), 'kernel': (3, 4)}, 'Dense_1': {'bias': (1,), 'kernel': (4, 1)}}}
  >>> MLP(4).apply(variables, jnp.ones((2, 3))).shape
  (2, 1)
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

from purejax.checks import fail
from purejax.nn.module import (
    DenyList,
    Layer,
    Scope,
    Variable,
    as_rngs,
    capture_output,
    check_mutable,
    check_variables,
    context,
    copy_dicts,
)

_FLAX_API = frozenset(
    {
        "setup",
        "param",
        "variable",
        "make_rng",
        "sow",
        "is_initializing",
        "is_mutable_collection",
        "has_variable",
        "has_rng",
        "get_variable",
        "put_variable",
        "bind",
        "clone",
        "init",
        "init_with_output",
        "apply",
        "forward",
        "run_root",
        "bind_to",
        "bound_scope",
        "default_mutable",
    }
)


def compact(fn: Callable) -> Callable:
    """Mark the one method of a Module that builds its layers inline (`nn.Dense(3)(x)`).

    Counterpart: `flax.linen.compact`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> class Linear(nn.Module):
      ...     @nn.compact
      ...     def __call__(self, x):
      ...         return nn.Dense(2)(x)
      >>> sorted(Linear().init(random.PRNGKey(0), jnp.ones((1, 3)))['params'])
      ['Dense_0']
    """
    fn.compact = True  # type: ignore[attr-defined]
    return fn


def nowrap(fn: Callable) -> Callable:
    """Leave a method unwrapped: a plain helper that needs no scope (Flax's `nn.nowrap`).

    Counterpart: `flax.linen.nowrap`.

    Examples:
      >>> from purejax import nn
      >>> class Cell(nn.Module):
      ...     features: int = 3
      ...     @nn.nowrap
      ...     def carry_shape(self, batch):  # callable on an unbound module
      ...         return (batch, self.features)
      >>> Cell().carry_shape(2)
      (2, 3)
    """
    fn.nowrap = True  # type: ignore[attr-defined]
    return fn


class _State:
    """A bound copy's bookkeeping: whether setup ran, and how deep its methods are nested."""

    def __init__(self):
        self.setup_done = False
        self.in_setup = False
        self.depth = 0


def _wrap(fn: Callable, name: str) -> Callable:
    """`fn` as a Module method: bound only, setup first, compact methods adopt what they build."""
    is_compact = getattr(fn, "compact", False)
    lifted = getattr(fn, "lifted", False)

    @functools.wraps(fn)
    def method(self: Module, *args, **kwargs):
        scope = self.scope
        if scope is None:
            raise TypeError(
                f"{type(self).__name__}.{name}: this module is not bound, so it has no variables. Call "
                f"{type(self).__name__}(...).init(key, x) for variables and .apply(variables, x"
                + ("" if name == "__call__" else f", method='{name}'")
                + "), .bind(variables) for an interactive copy, or build it inside a parent's @nn.compact method"
            )
        state = self.state()
        if not lifted:
            self.try_setup()  # a lifted method runs setup inside the transform, on the inner copy
        if state.depth == 0 and is_compact:
            scope.reset_names()  # each call names its layers from _0 again: same layers, same variables
        state.depth += 1
        context.frames.append(scope if is_compact else None)
        try:
            out = fn(self, *args, **kwargs)
        finally:
            context.frames.pop()
            state.depth -= 1
        capture_output(self, scope, name, out)
        return out

    method.wrapped = True  # type: ignore[attr-defined]
    return method


class Module(Layer):
    """Base class of a Flax-style module: a dataclass of hyperparameters with `@compact` or `setup` methods.

    Subclass it as in Flax (the subclass becomes a frozen dataclass by itself; do not decorate
    it), write `__call__` with `@nn.compact` or assign layers in `setup`, then
    `init(key, *inputs)` and `apply(variables, *inputs, rngs=, method=, mutable=,
    capture_intermediates=)` as for any layer.

    Counterpart: `flax.linen.Module` (flax/linen/module.py).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, fn in list(vars(cls).items()):
            if (
                callable(fn)
                and not isinstance(fn, (staticmethod, classmethod, type))
                and (name == "__call__" or not name.startswith("__"))
                and name not in _FLAX_API
                and not getattr(fn, "nowrap", False)
                and not getattr(fn, "wrapped", False)
            ):
                setattr(cls, name, _wrap(fn, name))
        if "setup" in vars(cls) and getattr(vars(cls)["setup"], "compact", False):
            raise TypeError(f"{cls.__name__}.setup: setup cannot be @compact; build layers there by assignment")
        compact_methods = [n for n, f in vars(cls).items() if getattr(f, "compact", False)]
        if len(compact_methods) > 1:
            raise TypeError(f"{cls.__name__}: only one method may be @nn.compact, got {compact_methods}")
        dataclasses.dataclass(frozen=True)(cls)
        # frozen dataclasses refuse every assignment; a Module accepts them in setup (Module.__setattr__)
        del cls.__setattr__  # type: ignore[misc]
        del cls.__delattr__  # type: ignore[misc]

    # -- binding ----------------------------------------------------------------------------------

    @property
    def scope(self) -> Scope | None:
        """The scope of a bound copy (None for a module that is only a description)."""
        return self.bound_scope()

    def state(self) -> _State:
        state = self.__dict__.get("_state")
        if state is None:
            state = _State()
            object.__setattr__(self, "_state", state)
        return state

    def bind_to(self, scope: Scope) -> None:
        """Bind this copy to `scope` (fresh bookkeeping: setup will run again there)."""
        object.__setattr__(self, "_bound", scope)
        object.__setattr__(self, "_state", _State())

    def bound_copy(self, scope: Scope) -> Module:
        """A copy of this module bound to `scope` (the module itself is left as it was)."""
        bound = copy.copy(self)
        bound.bind_to(scope)
        return bound

    def try_setup(self) -> None:
        """Run `setup` once for this bound copy, after naming the layers held in its fields."""
        state = self.state()
        if state.setup_done or state.in_setup or self.scope is None:
            return
        state.in_setup = True
        context.frames.append(None)  # layers built in setup are named when assigned, not when built
        try:
            for field in dataclasses.fields(self):
                if field.name != "name":
                    value = getattr(self, field.name)
                    bound = _bind_layers(self.scope, field.name, value)
                    if bound is not value:
                        object.__setattr__(self, field.name, bound)
            self.setup()
        finally:
            context.frames.pop()
            state.in_setup = False
        state.setup_done = True

    def setup(self) -> None:
        """Build layers and parameters by assignment (`self.dense = nn.Dense(3)`); runs lazily."""

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__.get("_state")
        if state is None or not state.in_setup:
            raise dataclasses.FrozenInstanceError(
                f"{type(self).__name__}: cannot assign '{name}'; a Module's fields are fixed when it is built. "
                "Assign layers and parameters in setup(), or use module.clone(name=value) for a changed copy"
            )
        scope = self.scope
        assert scope is not None
        object.__setattr__(self, name, _bind_layers(scope, name, value))

    def __getattr__(self, name: str) -> Any:
        # only for names not found: run setup (which may define them), then look again
        if name.startswith("__") or name in ("_bound", "_state"):
            raise AttributeError(name)
        state = self.__dict__.get("_state")
        if (
            self.__dict__.get("_bound") is not None
            and state is not None
            and not state.setup_done
            and not state.in_setup
        ):
            self.try_setup()
            if name in self.__dict__:
                return self.__dict__[name]
        hint = "; layers assigned in setup() exist only on a bound module (inside apply, or after bind)"
        raise AttributeError(f"{type(self).__name__} has no attribute '{name}'" + ("" if self.scope else hint))

    def forward(self, scope: Scope, *inputs, **kwargs):
        """Bind a copy of this module to `scope` and call its `__call__` (how explicit layers call a Module)."""
        bound = self if self.scope is scope else self.bound_copy(scope)
        return bound(*inputs, **kwargs)

    def run_root(self, scope: Scope, method, inputs: tuple, kwargs: dict) -> Any:
        bound = self.bound_copy(scope)
        if method is None:
            method = "__call__"
        if isinstance(method, str):
            if not callable(getattr(type(self), method, None)):
                raise fail(AttributeError, type(self).__name__, "method", "the name of one of its methods", method)
            return getattr(bound, method)(*inputs, **kwargs)
        if not callable(method):
            raise fail(
                TypeError,
                type(self).__name__,
                "method",
                "a method (Model.encode), its name, or fn(module, ...)",
                method,
            )
        return method(bound, *inputs, **kwargs)

    def __call__(self, *inputs, **kwargs):  # replaced by each subclass's own __call__
        raise NotImplementedError(
            f"{type(self).__name__} defines no __call__; write one (with @nn.compact) or pass method= to apply"
        )

    def clone(self, **updates) -> Module:
        """An unbound copy with some fields changed (`module.clone(features=8)`)."""
        return dataclasses.replace(self, **updates)  # type: ignore[type-var]

    def bind(self, variables: Mapping, *args, rngs=None, mutable=False) -> Module:
        """A copy bound to `variables` (and `rngs`), to call its methods interactively.

        Counterpart: `flax.linen.Module.bind`.

        Examples:
          >>> import jax.numpy as jnp
          >>> from purejax import nn, random
          >>> class Twice(nn.Module):
          ...     def setup(self):
          ...         self.dense = nn.Dense(2)
          ...     def __call__(self, x):
          ...         return self.dense(self.dense(x))
          >>> variables = Twice().init(random.PRNGKey(0), jnp.ones((1, 2)))
          >>> Twice().bind(variables).dense(jnp.ones((1, 2))).shape  # one layer, outside apply
          (1, 2)
        """
        del args
        where = f"{type(self).__name__}.bind"
        scope = Scope(
            copy_dicts(check_variables(where, variables)),
            as_rngs(where, "rngs", {} if rngs is None else rngs),
            check_mutable(where, mutable) or (),
            False,
            root_name=type(self).__name__,
        )
        return self.bound_copy(scope)

    # -- the scope, as Flax's Module methods ------------------------------------------------------

    def _scope_or_fail(self, what: str) -> Scope:
        scope = self.scope
        if scope is None:
            raise TypeError(
                f"{type(self).__name__}.{what}: the module is not bound; call it from a method run by "
                "init/apply (or on a bind(variables) copy)"
            )
        return scope

    def param(self, name: str, init_fn: Callable[..., Any], *init_args, unbox: bool = True, **init_kwargs):
        """A parameter of this module: `init_fn(key, *init_args)` at init, read from the variables in apply."""
        del unbox
        return self._scope_or_fail("param").param(name, init_fn, *init_args, **init_kwargs)

    def variable(
        self,
        col: str,
        name: str,
        init_fn: Callable[..., Any] | None = None,
        *init_args,
        unbox: bool = True,
        **init_kwargs,
    ) -> Variable:
        """A variable in collection `col` (no key): `init_fn(*init_args)` if absent; read/write `.value`."""
        del unbox
        return self._scope_or_fail("variable").variable(col, name, init_fn, *init_args, **init_kwargs)

    def make_rng(self, name: str = "params"):
        """The next key of the rng stream `name` here (falls back to 'params', as in Flax)."""
        return self._scope_or_fail("make_rng").make_rng(name)

    def sow(self, col: str, name: str, value, reduce_fn=None, init_fn=None) -> bool:
        """Append `value` to `col/name` if `col` is mutable; returns whether it was stored."""
        return self._scope_or_fail("sow").sow(col, name, value, reduce_fn, init_fn)

    def is_initializing(self) -> bool:
        return self._scope_or_fail("is_initializing").initializing

    def is_mutable_collection(self, col: str) -> bool:
        return self._scope_or_fail("is_mutable_collection").is_mutable(col)

    def has_variable(self, col: str, name: str) -> bool:
        return self._scope_or_fail("has_variable").has_variable(col, name)

    def has_rng(self, name: str) -> bool:
        return self._scope_or_fail("has_rng").has_rng(name)

    def get_variable(self, col: str, name: str, default: Any = None) -> Any:
        return self._scope_or_fail("get_variable").subtree(col).get(name, default)

    def put_variable(self, col: str, name: str, value: Any) -> None:
        self._scope_or_fail("put_variable").put_variable(col, name, value)

    @property
    def variables(self) -> dict:
        """This module's variables, every collection: `{'params': {...}, ...}`."""
        scope = self._scope_or_fail("variables")
        return {c: scope.subtree(c) for c in scope.variables if scope.subtree(c)}

    @property
    def path(self) -> tuple:
        """This module's place in the model, e.g. `('Encoder_0', 'Dense_1')`."""
        scope = self._scope_or_fail("path")
        return scope.prefix + scope.path


def _bind_layers(scope: Scope, name: str, value: Any) -> Any:
    """`value` with its unbound layers bound under `scope`: as `name`, or `name_{i}` / `name_{key}` in a container."""
    if isinstance(value, Layer):
        if value.bound_scope() is not None:
            return value
        bound = copy.copy(value)
        bound.bind_to(scope.push(value.name or name))
        return bound
    if isinstance(value, (list, tuple)) and any(isinstance(v, Layer) for v in value):
        return type(value)(_bind_layers(scope, f"{name}_{i}", v) for i, v in enumerate(value))
    if isinstance(value, dict) and any(isinstance(v, Layer) for v in value.values()):
        return {k: _bind_layers(scope, f"{name}_{k}", v) for k, v in value.items()}
    return value


def apply(fn: Callable[..., Any], module: Module, mutable=False, capture_intermediates=False) -> Callable[..., Any]:
    """`fn(module, *args)` as a function of variables: `apply(fn, module)(variables, *args, rngs=...)`.

    Counterpart: `flax.linen.apply`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> variables = nn.Dense(2).init(random.PRNGKey(0), jnp.ones((1, 2)))
      >>> twice = nn.apply(lambda layer, x: layer(layer(x)), nn.Dense(2))  # fn(bound layer, x)
      >>> twice(variables, jnp.ones((1, 2))).shape
      (1, 2)
    """
    return lambda variables, *args, rngs=None, **kwargs: module.apply(
        variables, *args, rngs=rngs, method=fn, mutable=mutable, capture_intermediates=capture_intermediates, **kwargs
    )


def init_with_output(
    fn: Callable[..., Any], module: Module, mutable=None, capture_intermediates=False
) -> Callable[..., Any]:
    """`fn(module, *args)` run creating variables: `init_with_output(fn, module)(key, *args)` -> `(out, variables)`."""
    return lambda rngs, *args, **kwargs: module.init_with_output(
        rngs, *args, method=fn, mutable=mutable, capture_intermediates=capture_intermediates, **kwargs
    )


def init(fn: Callable[..., Any], module: Module, mutable=None, capture_intermediates=False) -> Callable[..., Any]:
    """`fn(module, *args)` run creating variables: `init(fn, module)(key, *args)` -> variables (`flax.linen.init`)."""
    return lambda rngs, *args, **kwargs: init_with_output(fn, module, mutable, capture_intermediates)(
        rngs, *args, **kwargs
    )[1]


__all__ = ["DenyList", "Module", "apply", "compact", "init", "init_with_output", "nowrap"]
