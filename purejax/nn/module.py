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

Bad input is refused where it enters, naming the layer and the argument: hyperparameters when the
layer is built (`check_fields`, from each layer's `__post_init__`: `purejax.nn.Dense: features
must be a positive integer, got int 0`), the key of `init`, and the `variables`, `rngs` and
`mutable` of `apply`. The parameters alone passed as variables (`apply(variables['params'], x)`)
are recognised and the message says to pass `{'params': params}`. All of it looks at Python values,
dtypes and static shapes, so it runs once while a jitted function is traced and costs nothing after.

Differences:
  No `setup`, no `method=`, no `bind`, no intermediates: `forward` is the only entry point. A
  layer may name a default `mutable` for `apply` (BatchNorm does), see `Layer.default_mutable`.
  Raw `uint32[2]` keys only (Flax also takes typed keys from `jax.random.key`). Hyperparameters
  are checked when the layer is built (Flax fails, or computes something else, when it is called).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import jax
from jax import lax

from purejax.checks import check_bool, check_callable, check_dtype, check_positive_int, describe, fail
from purejax.nn.keypath import KeyPath, check_key


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
        if not isinstance(stream, str):
            raise fail(TypeError, self.where, "stream", "the name of an rng stream (a str such as 'dropout')", stream)
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
        if not isinstance(name, str):
            raise fail(TypeError, self.where, "name", "the parameter's name (a str such as 'kernel')", name)
        check_callable(self.where, f"the initializer of '{name}'", init_fn, "pass init(key, *args) -> array")
        params = self._subtree("params", create=self.initializing)
        if name not in params:
            if not self.initializing:
                raise self.missing_param(name)
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

    def missing_param(self, name: str, hint: str = "") -> ValueError:
        """The error for a parameter `name` absent from the variables given to `apply`, saying where the tree ends.

        When there is no 'params' collection at all but other top-level names (`Dense_0`), the
        parameters were passed alone: the message says to pass `{'params': params}`.
        """
        message = f"{self.where}: no parameter '{name}' in the variables passed to apply"
        if "params" not in self.variables:
            found = sorted(self.variables)
            if found:
                return ValueError(
                    f"{message}: they have no 'params' collection, only {found}; if these are the parameters "
                    "alone (variables['params']), pass {'params': params}, the layout init returns"
                )
            return ValueError(f"{message}: the variables are empty; pass what init returned, {{'params': ...}}")
        node, walked = self.variables["params"], ["params"]
        for step in self.path:
            if step not in node:
                return ValueError(
                    f"{message}: {'/'.join(walked)} has no '{step}' (it has {sorted(node)}); pass the variables "
                    "init returned for this model"
                )
            node, walked = node[step], walked + [step]
        return ValueError(f"{message}: {'/'.join(walked)} has {sorted(node)}" + (f"; {hint}" if hint else ""))

    def variable(self, collection: str, name: str, init_fn: Callable[..., Any], *init_args) -> Variable:
        """A non-parameter variable (no key): created as `init_fn(*init_args)` if absent."""
        for arg, value in (("collection", collection), ("name", name)):
            if not isinstance(value, str):
                raise fail(TypeError, self.where, arg, "a str", value)
        check_callable(self.where, f"the initializer of '{collection}/{name}'", init_fn)
        cell = Variable(self, collection, name)
        if name not in self._subtree(collection):
            if not (self.initializing or self.is_mutable(collection)):
                raise ValueError(
                    f"{self.where}: no '{collection}/{name}' in the variables passed to apply (they have "
                    f"{sorted(self.variables)}); pass all the collections init returned, e.g. "
                    f"{{'params': ..., '{collection}': ...}}"
                )
            self._subtree(collection, create=True)[name] = init_fn(*init_args)
        return cell

    def child(self, layer: Layer, name: str | None = None) -> Callable[..., Any]:
        """Call `layer` in a child scope named `name`, `layer.name`, or `ClassName_<n>`."""
        if not isinstance(layer, Layer):
            raise fail(TypeError, self.where, "layer", "a purejax.nn.Layer", layer, "call a plain function directly")
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


_KEY_HINT = "pass purejax.random.PRNGKey(seed), or a dict {stream: key}"


def _as_rngs(where: str, name: str, keys) -> dict:
    """`{stream: KeyPath}` from one key (the 'params' stream, as Flax reads a bare key) or a dict of keys."""
    if not isinstance(keys, dict):
        return {"params": KeyPath(check_key(where, name, keys, _KEY_HINT))}
    for stream, key in keys.items():
        if not isinstance(stream, str):
            raise fail(TypeError, where, f"the stream names of {name}", "str such as 'params'", stream)
        check_key(where, f"{name}[{stream!r}]", key, _KEY_HINT)
    return {s: KeyPath(k) for s, k in keys.items()}


def _check_variables(where: str, variables) -> dict:
    """`variables` as a dict of collections, each a dict; the parameters alone are recognised and refused."""
    if not isinstance(variables, Mapping):
        raise fail(
            TypeError,
            where,
            "variables",
            "a dict of collections such as {'params': ...}",
            variables,
            "pass what init returned",
        )
    for collection, tree in variables.items():
        if not isinstance(collection, str):
            raise fail(TypeError, where, "variables", "a dict with str collection names", collection)
        if not isinstance(tree, Mapping):
            raise TypeError(
                f"{where}: variables must be a dict of collections such as {{'params': {{...}}}}, but "
                f"variables[{collection!r}] is {describe(tree)}, not a dict; if these are the parameters "
                "alone (variables['params']), pass {'params': params}"
            )
    return dict(variables)


def _check_mutable(where: str, mutable):
    """None, a bool, a collection name, or a list/tuple of collection names."""
    if mutable is None or isinstance(mutable, (bool, str)):
        return mutable
    if isinstance(mutable, (list, tuple, set, frozenset)) and all(isinstance(c, str) for c in mutable):
        return mutable
    raise fail(
        TypeError, where, "mutable", "True, False, a collection name or a list of them", mutable, "e.g. ['batch_stats']"
    )


def layer_where(layer) -> str:
    """A layer's name in messages at construction: `purejax.nn.Dense` (or the class's own name)."""
    cls = type(layer)
    return f"purejax.nn.{cls.__name__}" if cls.__module__.startswith("purejax.nn.") else cls.__qualname__


def _check_precision(where: str, name: str, value) -> None:
    """None, a `lax.Precision` or its name ('highest'), a pair of them, or a `lax.DotAlgorithmPreset`."""
    options = (None, lax.Precision, lax.DotAlgorithm, lax.DotAlgorithmPreset)
    parts = value if isinstance(value, (tuple, list)) and len(value) == 2 else (value,)
    for part in parts:
        if isinstance(part, str):
            try:
                lax.Precision(part)
            except ValueError:
                raise fail(
                    ValueError, where, name, "a lax.Precision or one of its names", part, "e.g. 'highest'"
                ) from None
        elif not (part is None or isinstance(part, options[1:])):
            raise fail(TypeError, where, name, "None, a lax.Precision or one of its names ('highest')", value)


def check_fields(
    layer,
    *,
    positive: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    dtypes: tuple[str, ...] = (),
    functions: tuple[str, ...] = (),
    precisions: tuple[str, ...] = (),
) -> None:
    """Check a layer's hyperparameters when it is built, each kind by its field names.

    `positive`: integers >= 1 (`features`); `flags`: True/False (`use_bias`); `dtypes`: None or a
    dtype (`dtype`, `param_dtype`); `functions`: callables (`kernel_init`, `gate_fn`);
    `precisions`: as `lax.dot`'s `precision`. A layer calls this from its `__post_init__`, and
    checks anything more particular itself.
    """
    where = layer_where(layer)
    for field in positive:
        check_positive_int(where, field, getattr(layer, field))
    for field in flags:
        check_bool(where, field, getattr(layer, field))
    for field in dtypes:
        check_dtype(where, field, getattr(layer, field), optional=True)
    for field in functions:
        check_callable(where, field, getattr(layer, field))
    for field in precisions:
        _check_precision(where, field, getattr(layer, field))


@dataclasses.dataclass(frozen=True)
class Layer:
    """Base class: subclasses are frozen dataclasses defining `forward(self, scope, *inputs)`."""

    name: str | None = dataclasses.field(default=None, kw_only=True)  # its name inside a parent

    def __post_init__(self):
        """Check the hyperparameters (here the `name`); subclasses extend it with `check_fields`."""
        if self.name is not None and (not isinstance(self.name, str) or not self.name or "/" in self.name):
            raise fail(
                TypeError if not isinstance(self.name, str) else ValueError,
                layer_where(self),
                "name",
                "None or a non-empty str without '/'",
                self.name,
            )

    def forward(self, scope: Scope, *inputs, **kwargs):
        raise NotImplementedError

    def default_mutable(self, **kwargs):
        """Collections `apply` may change when `mutable` is not given (Flax: none)."""
        return False

    def init_with_output(self, key, *inputs, **kwargs) -> tuple[Any, dict]:
        """Run `forward` creating every variable; return `(output, variables)`.

        `key` is a `uint32[2]` key for the 'params' stream or a dict `{stream: key}`.
        """
        scope = Scope(
            {}, _as_rngs(f"{type(self).__name__}.init", "key", key), True, True, root_name=type(self).__name__
        )
        return self.forward(scope, *inputs, **kwargs), scope.variables

    def init(self, key, *inputs, **kwargs) -> dict:
        """The variables of this layer for these inputs (`flax.linen.Module.init`)."""
        return self.init_with_output(key, *inputs, **kwargs)[1]

    def apply(self, variables: dict, *inputs, rngs=None, mutable=None, **kwargs) -> Any:
        """Run `forward` with `variables`; `(output, changed collections)` when `mutable` is set.

        `rngs` is a dict `{stream: key}` or one key, which (as in Flax) is the 'params' stream,
        the stream every other one falls back to (`Dropout` then draws from it).
        """
        where = f"{type(self).__name__}.apply"
        variables = _check_variables(where, variables)
        rngs = _as_rngs(where, "rngs", {} if rngs is None else rngs)
        mutable = _check_mutable(where, mutable)
        mutable = self.default_mutable(**kwargs) if mutable is None else mutable
        mutable = [mutable] if isinstance(mutable, str) else mutable
        scope = Scope(_copy_dicts(variables), rngs, mutable or (), False, root_name=type(self).__name__)
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
