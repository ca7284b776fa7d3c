"""Layers as init/apply pairs, written once as `forward(scope, *inputs)`.

A layer is a frozen dataclass of hyperparameters (Flax's names and defaults) with one method,
`forward(scope, *inputs)`. The `scope` is an explicit argument that hands out variables:

    kernel = scope.param("kernel", lecun_normal(), (in_features, features))

During `init` the scope *creates* the parameter (drawing its key from the key path, see
`keypath.py`); during `apply` it *looks it up* in the variables you pass. One definition therefore
gives both functions, and they cannot disagree about names or shapes:

    variables = Dense(3).init(key, x)       # {'params': {'kernel': [4, 3], 'bias': [3]}}
    y = Dense(3).apply(variables, x)

Layers inside layers get child scopes, named as Flax names them: `scope.child(Dense(3))(x)` is
`Dense_0`, the next `Dense_1`, or the layer's explicit `name`. Variables outside 'params' (e.g.
BatchNorm's 'batch_stats') are `scope.variable(...)` cells; `apply` may change them only for the
collections listed in `mutable`, and then returns `(output, changed_collections)` as Flax does.

A hyperparameter that may be fixed when the layer is built or given at each call (Dropout's
`deterministic`, BatchNorm's `use_running_average`) is read with `merge_param`: exactly one of the
two must be set.

Counterpart: `flax.linen.Module` (`init`, `init_with_output`, `apply`, `param`, `variable`,
`make_rng`, auto-naming), `flax.linen.module.merge_param` and `flax.core.scope.Scope`
(flax/linen/module.py, flax/core/scope.py).

Differences:
  No `setup`, no `method=`, no `bind`, no intermediates: `forward` is the only entry point. A
  layer may name a default `mutable` for `apply` (BatchNorm does), see `Layer.default_mutable`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax

from purejax.nn.keypath import KeyPath


def _copy_dicts(tree: Any) -> Any:
    """A copy of the nested dicts of a variables tree (arrays are shared, never written)."""
    return {k: _copy_dicts(v) for k, v in tree.items()} if isinstance(tree, dict) else tree


class Variable:
    """A named cell in one collection of a scope: read and write `.value` (Flax's `Variable`)."""

    def __init__(self, scope: Scope, collection: str, name: str):
        self.scope, self.collection, self.name = scope, collection, name

    @property
    def value(self):
        return self.scope._subtree(self.collection)[self.name]

    @value.setter
    def value(self, new):
        if not self.scope.is_mutable(self.collection):
            raise ValueError(
                f"{self.scope.where}: cannot update '{self.collection}/{self.name}'; "
                f"pass mutable=['{self.collection}'] to apply"
            )
        self.scope._subtree(self.collection, create=True)[self.name] = new


class Scope:
    """Where a layer's variables live: a path in the variables tree, key paths and counters."""

    def __init__(
        self, variables: dict, rngs: dict, mutable, initializing: bool, path: tuple = (), root_name: str = "layer"
    ):
        self.variables = variables  # {collection: nested dicts}, shared by the whole tree of scopes
        self.rngs = rngs  # {stream: KeyPath}
        self.mutable = mutable  # True (all), or a collection of names
        self.initializing = initializing
        self.path = path
        self.root_name = root_name
        self.counters = {stream: 0 for stream in rngs}  # keys drawn here, per stream
        self._children: dict[str, Scope] = {}
        self._autoname: dict[str, int] = {}

    @property
    def where(self) -> str:
        """The layer's name for messages: `Dense_1`, `MLP/Dense_1`, or the root layer's class."""
        return "/".join(self.path) if self.path else self.root_name

    def is_mutable(self, collection: str) -> bool:
        return self.mutable is True or collection in self.mutable

    def _subtree(self, collection: str, create: bool = False) -> dict:
        node = self.variables.setdefault(collection, {}) if create else self.variables.get(collection, {})
        for name in self.path:
            node = node.setdefault(name, {}) if create else node.get(name, {})
        return node

    def make_rng(self, stream: str = "params"):
        """The next key of `stream` in this scope: the key path (this scope, counter) folded in."""
        if stream not in self.rngs:
            if "params" not in self.rngs:
                raise ValueError(
                    f"{self.where} needs a PRNG key for the '{stream}' stream: pass rngs={{'{stream}': key}}"
                )
            stream = "params"  # as Flax: fall back to the params stream
        self.counters[stream] += 1
        return self.rngs[stream].child(self.counters[stream]).key()

    def get_param(self, name: str) -> Any:
        """The parameter `name` as passed to `apply`, or None (while initializing, or if absent).

        For a layer that checks its inputs against a stored parameter before using it.
        """
        return None if self.initializing else self._subtree("params").get(name)

    def param(self, name: str, init_fn: Callable[..., Any], *init_args) -> Any:
        """A parameter: created as `init_fn(next params key, *init_args)` in init, read in apply."""
        params = self._subtree("params", create=self.initializing)
        if name not in params:
            if not self.initializing:
                raise ValueError(f"{self.where}: no parameter '{name}' in the variables passed to apply")
            params[name] = init_fn(self.make_rng("params"), *init_args)
            return params[name]
        value = params[name]
        expected = jax.eval_shape(lambda: init_fn(jax.numpy.zeros((2,), "uint32"), *init_args))
        if getattr(value, "shape", None) != expected.shape:
            raise ValueError(
                f"{self.where}: parameter '{name}' has shape {list(value.shape)}, but these "
                f"inputs need {list(expected.shape)}"
            )
        return value

    def variable(self, collection: str, name: str, init_fn: Callable[..., Any], *init_args) -> Variable:
        """A non-parameter variable (no key): created as `init_fn(*init_args)` if absent."""
        cell = Variable(self, collection, name)
        if name not in self._subtree(collection):
            if not (self.initializing or self.is_mutable(collection)):
                raise ValueError(f"{self.where}: no '{collection}/{name}' in the variables passed to apply")
            self._subtree(collection, create=True)[name] = init_fn(*init_args)
        return cell

    def child(self, layer: Layer, name: str | None = None) -> Callable[..., Any]:
        """Call `layer` in a child scope named `name`, `layer.name`, or `ClassName_<n>`."""
        name = name or layer.name
        if name is None:
            prefix = type(layer).__name__
            index = self._autoname.get(prefix, 0)
            while f"{prefix}_{index}" in self._children:
                index += 1
            self._autoname[prefix] = index + 1
            name = f"{prefix}_{index}"
        if name not in self._children:
            self._children[name] = Scope(
                self.variables,
                {s: k.child(name) for s, k in self.rngs.items()},
                self.mutable,
                self.initializing,
                self.path + (name,),
                self.root_name,
            )
        scope = self._children[name]
        return lambda *inputs, **kwargs: layer.forward(scope, *inputs, **kwargs)


def _as_rngs(keys) -> dict:
    return {s: KeyPath(k) for s, k in (keys.items() if isinstance(keys, dict) else [("params", keys)])}


@dataclasses.dataclass(frozen=True)
class Layer:
    """Base class: subclasses are frozen dataclasses defining `forward(self, scope, *inputs)`."""

    name: str | None = dataclasses.field(default=None, kw_only=True)  # its name inside a parent

    def forward(self, scope: Scope, *inputs, **kwargs):
        raise NotImplementedError

    def default_mutable(self, **kwargs):
        """Collections `apply` may change when `mutable` is not given (Flax: none)."""
        return False

    def init_with_output(self, key, *inputs, **kwargs) -> tuple[Any, dict]:
        """Run `forward` creating every variable; return `(output, variables)`.

        `key` is a `uint32[2]` key for the 'params' stream or a dict `{stream: key}`.
        """
        scope = Scope({}, _as_rngs(key), True, True, root_name=type(self).__name__)
        return self.forward(scope, *inputs, **kwargs), scope.variables

    def init(self, key, *inputs, **kwargs) -> dict:
        """The variables of this layer for these inputs (`flax.linen.Module.init`)."""
        return self.init_with_output(key, *inputs, **kwargs)[1]

    def apply(self, variables: dict, *inputs, rngs=None, mutable=None, **kwargs) -> Any:
        """Run `forward` with `variables`; `(output, changed collections)` when `mutable` is set."""
        mutable = self.default_mutable(**kwargs) if mutable is None else mutable
        mutable = [mutable] if isinstance(mutable, str) else mutable
        scope = Scope(
            _copy_dicts(dict(variables)), _as_rngs(rngs or {}), mutable or (), False, root_name=type(self).__name__
        )
        out = self.forward(scope, *inputs, **kwargs)
        if not mutable:
            return out
        return out, {c: v for c, v in scope.variables.items() if scope.is_mutable(c)}


def merge_param(where: str, name: str, attribute, argument, hint: str = ""):
    """Whichever of a hyperparameter (`attribute`) and a call argument is set (Flax's `merge_param`).

    Exactly one must be set: a layer such as `Dropout(0.1, deterministic=not train)` fixes it when
    built, a layer such as `Dropout(0.1)` takes it at each call.
    """
    if attribute is None and argument is None:
        raise ValueError(
            f"{where}: '{name}' is not set; pass it to the constructor ({name}=...) or to the "
            f"call (apply(variables, x, {name}=...)){hint}"
        )
    if attribute is not None and argument is not None:
        raise ValueError(f"{where}: '{name}' was passed to the constructor and to the call; pass it once")
    return argument if attribute is None else attribute
