"""Layers as init/apply pairs, written once as `forward(scope, *inputs)`.

A layer is a frozen dataclass of hyperparameters (Flax's names and defaults) with one method,
`forward(scope, *inputs)`. The `scope` is an explicit argument that hands out variables:

    kernel = scope.param("kernel", lecun_normal(), (in_features, features))

During `init` the scope *creates* the parameter (drawing its key from the key path, see
`keypath.py`; `init(key, x, rng_rule='nnx')` draws it by Flax NNX's counter instead); during
`apply` it *looks it up* in the variables you pass. One definition therefore gives both
functions, and they cannot disagree about names or shapes:

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

import copy
import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any

import jax
from jax import lax
from jax.extend.core import get_opaque_trace_state

from purejax.checks import check_bool, check_callable, check_dtype, check_positive_int, describe, fail
from purejax.nn.keypath import CounterKeyPath, KeyPath, check_key


def copy_dicts(tree: Any) -> Any:
    """A copy of the nested dicts of a variables tree (arrays are shared, never written)."""
    return {k: copy_dicts(v) for k, v in tree.items()} if isinstance(tree, Mapping) else tree


class DenyList:
    """A collection filter that takes every collection except `names` (Flax's `flax.core.DenyList`).

    `init` makes every collection mutable but 'intermediates': `DenyList('intermediates')`.

    Counterpart: `flax.core.DenyList`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> _, changed = nn.Dense(2).apply(
      ...     nn.Dense(2).init(random.PRNGKey(0), jnp.ones((1, 2))), jnp.ones((1, 2)), mutable=DenyList('params'))
      >>> changed
      {}
    """

    def __init__(self, *names: str):
        self.names = frozenset(names)

    def __repr__(self):
        return f"DenyList({', '.join(map(repr, sorted(self.names)))})"


def in_filter(filter_like, collection: str) -> bool:
    """Whether `collection` passes a Flax collection filter: True/False, a name, a list of names, a DenyList."""
    if isinstance(filter_like, bool):
        return filter_like
    if isinstance(filter_like, str):
        return collection == filter_like
    if isinstance(filter_like, DenyList):
        return collection not in filter_like.names
    return collection in filter_like


def expected_shape(init_fn: Callable[..., Any], init_args: tuple, init_kwargs: dict) -> tuple[int, ...] | None:
    """The shape `init_fn(key, *init_args, **init_kwargs)` would return, or None if it returns no array.

    For an initializer marked `shape_is_argument` (every one in `purejax.nn.initializers`) it is
    the `shape` argument itself; any other is traced with `jax.eval_shape`, as Flax traces every
    initializer to check a stored parameter.
    """
    if getattr(init_fn, "shape_is_argument", False) and init_args and not init_kwargs.keys() & {"shape"}:
        shape = init_args[0]
        if isinstance(shape, int) and not isinstance(shape, bool):
            return (shape,)
        if isinstance(shape, tuple | list) and all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
            return tuple(shape)
    out = jax.eval_shape(lambda: init_fn(jax.numpy.zeros((2,), "uint32"), *init_args, **init_kwargs))
    return out.shape if hasattr(out, "shape") else None


def current_trace():
    """The JAX trace running now (jit, grad, scan, ...), an opaque value compared with `==`."""
    return get_opaque_trace_state(convention="flax")


class Counters:
    """How many keys each stream has drawn in one scope, and the same for its children by name.

    A scope's counters outlive the scope object: calling a layer again (or tracing a lifted
    transform's body twice) finds the same counts, as Flax's `Scope.rng_counters` do.
    """

    def __init__(self):
        self.drawn: dict[str, int] = {}
        self.children: dict[str, Counters] = {}
        self.forks: dict[str, dict] = {}  # under NNX's rule: the counts of each stream forked here

    def child(self, name: str) -> Counters:
        return self.children.setdefault(name, Counters())


class _Context(threading.local):
    """What is running now, per thread: the layers' scopes and the intermediates filters of `apply`."""

    def __init__(self):
        # The scope of the Module whose @compact method runs now (a layer built there is adopted
        # into it), or None while a forward(scope, ...) or setup runs (nothing is adopted).
        self.frames: list[Scope | None] = []
        self.capture: list[Any] = []  # filters (module, method_name) -> bool of capture_intermediates


context = _Context()


class Variable:
    """A named cell in one collection of a scope: read and write `.value` (Flax's `Variable`)."""

    def __init__(self, scope: Scope, collection: str, name: str):
        self.scope, self.collection, self.name = scope, collection, name

    @property
    def value(self):
        return self.scope.subtree(self.collection)[self.name]

    @value.setter
    def value(self, new):
        if not self.scope.is_mutable(self.collection):
            raise ValueError(
                f"{self.scope.where}: cannot update '{self.collection}/{self.name}'; "
                f"pass mutable=['{self.collection}'] to apply"
            )
        self.scope.check_trace(f"update '{self.collection}/{self.name}'")
        self.scope.subtree(self.collection, create=True)[self.name] = new


class Scope:
    """Where a layer's variables live: a path in the variables tree, key paths and counters.

    `variables` is shared by the whole tree of scopes; a child scope (`push`) is the same tree one
    name further down. `rngs` maps each stream to the `KeyPath` of this place; `counters` counts
    the keys drawn here. `trace` is the JAX trace the tree of scopes was made in: a key drawn or a
    variable created inside a deeper trace (a hand-written `lax.scan` or `vmap` body) would
    repeat or leak, so it is refused (lifted transforms make a new tree of scopes inside theirs).
    """

    def __init__(
        self,
        variables: dict,
        rngs: dict,
        mutable,
        initializing: bool,
        path: tuple = (),
        root_name: str = "layer",
        *,
        counters: Counters | None = None,
        prefix: tuple = (),
        trace: Any = None,
    ):
        self.variables = variables  # {collection: nested dicts}, shared by the whole tree of scopes
        self.rngs = rngs  # {stream: KeyPath}
        self.mutable = mutable  # a collection filter: True, a list of names, a DenyList
        self.initializing = initializing
        self.path = path  # where this scope's variables sit inside `variables`
        self.prefix = prefix  # the path of `variables` itself in the model (inside a lifted transform)
        self.root_name = root_name
        self.counters = Counters() if counters is None else counters
        self.trace = current_trace() if trace is None else trace
        self.reset_names()

    def reset_names(self) -> None:
        """Forget the names handed out to children: each call of a layer names them from `_0` again."""
        self._autoname: dict[str, int] = {}
        self._used: set[str] = set()

    @property
    def where(self) -> str:
        """The layer's name for messages: `Dense_1`, `MLP/Dense_1`, or the root layer's class."""
        path = self.prefix + self.path
        return "/".join(path) if path else self.root_name

    def is_mutable(self, collection: str) -> bool:
        return in_filter(self.mutable, collection)

    def check_trace(self, what: str) -> None:
        """Refuse to draw a key or write a variable inside a JAX transform the scope was not made in."""
        if current_trace() != self.trace:
            raise ValueError(
                f"{self.where}: cannot {what} inside a JAX transform (lax.scan, vmap, grad, ...) that "
                "started inside the layer: under lax.scan every step would get the same key, and a "
                "variable created there leaks the transform's values. Use the lifted transforms "
                "(purejax.nn.scan, vmap, remat, jit, or RNN for a recurrent cell), which split keys and "
                "hand variables in and out as Flax's do; or create the variables before the loop and "
                "pass keys in as arguments"
            )

    def subtree(self, collection: str, create: bool = False) -> dict:
        """This scope's part of `collection` (a dict of names; created on the way if `create`)."""
        node = self.variables.setdefault(collection, {}) if create else self.variables.get(collection, {})
        for name in self.path:
            node = node.setdefault(name, {}) if create else node.get(name, {})
        return node

    def push(self, name: str) -> Scope:
        """The child scope `name`: one name further down the variables and the key paths."""
        return Scope(
            self.variables,
            {s: k.child(name) for s, k in self.rngs.items()},
            self.mutable,
            self.initializing,
            self.path + (name,),
            self.root_name,
            counters=self.counters.child(name),
            prefix=self.prefix,
            trace=self.trace,
        )

    def autoname(self, prefix: str) -> str:
        """The next free `{prefix}_{n}` in this call (`Dense_0`, `Dense_1`, ...), as Flax names children."""
        index = self._autoname.get(prefix, 0)
        while f"{prefix}_{index}" in self._used:
            index += 1
        self._autoname[prefix] = index + 1
        name = f"{prefix}_{index}"
        self._used.add(name)
        return name

    def has_rng(self, stream: str) -> bool:
        return stream in self.rngs

    @property
    def rng_rule(self) -> str:
        """How keys are drawn here: 'linen' (a hash of the path) or 'nnx' (a counter per stream), see `keypath.py`."""
        return "nnx" if any(isinstance(k, CounterKeyPath) for k in self.rngs.values()) else "linen"

    def fork_rng(self, stream: str) -> CounterKeyPath:
        """NNX's `rngs[stream].fork()` for the layer here: a stream of its own, made once per scope.

        Under `rng_rule='nnx'` a layer that NNX builds with a stream of its own (`nnx.Dropout(rate,
        rngs=rngs)`) takes one key from `stream` (falling back as `make_rng` does) the first
        time it runs; that key is the root of the returned stream, whose counter starts at 0.
        """
        if self.rng_rule != "nnx":
            raise ValueError(f"{self.where}: fork_rng is NNX's rule; it needs init(..., rng_rule='nnx')")
        if stream not in self.rngs:
            if "params" not in self.rngs:
                raise ValueError(
                    f"{self.where} needs a PRNG key for the '{stream}' stream: pass {{'{stream}': key}} to init"
                )
            stream = "params"
        self.check_trace(f"draw a key from the '{stream}' stream")
        parent = self.rngs[stream]
        return CounterKeyPath(parent.child("fork").key(), (), self.counters.forks.setdefault(stream, {}))

    def lifted_rng_hint(self, stream: str) -> str:
        """Inside a lifted transform (scan, vmap, RNN) only the streams it lists get in: say so."""
        if not self.prefix:
            return ""
        return (
            f"; inside a lifted transform (nn.scan, nn.vmap, RNN) the '{stream}' stream must also be listed in "
            f"split_rngs, e.g. split_rngs={{'params': False, '{stream}': True}}"
        )

    def make_rng(self, stream: str = "params"):
        """The next key of `stream` in this scope: the key path (this scope, counter) folded in."""
        if not isinstance(stream, str):
            raise fail(TypeError, self.where, "stream", "the name of an rng stream (a str such as 'dropout')", stream)
        if stream not in self.rngs:
            if "params" not in self.rngs:
                raise ValueError(
                    f"{self.where} needs a PRNG key for the '{stream}' stream: pass rngs={{'{stream}': key}} to apply"
                    + self.lifted_rng_hint(stream)
                )
            stream = "params"  # as Flax: fall back to the params stream
        self.check_trace(f"draw a key from the '{stream}' stream")
        return self.rngs[stream].child(self.next_count(stream)).key()

    def next_count(self, stream: str) -> int:
        """One more key drawn from `stream` here: its number in this scope, from 1."""
        count = self.counters.drawn.get(stream, 0) + 1
        self.counters.drawn[stream] = count
        return count

    def get_param(self, name: str) -> Any:
        """The parameter `name` as passed to `apply`, or None (while initializing, or if absent).

        For a layer that checks its inputs against a stored parameter before using it.
        """
        return None if self.initializing else self.subtree("params").get(name)

    def param(self, name: str, init_fn: Callable[..., Any], *init_args, **init_kwargs) -> Any:
        """A parameter: created as `init_fn(next params key, *init_args)` in init, read in apply."""
        if not isinstance(name, str):
            raise fail(TypeError, self.where, "name", "the parameter's name (a str such as 'kernel')", name)
        check_callable(self.where, f"the initializer of '{name}'", init_fn, "pass init(key, *args) -> array")
        params = self.subtree("params", create=self.initializing)
        if name not in params:
            if not self.initializing:
                raise self.missing_param(name)
            self.check_trace(f"create the parameter '{name}'")
            params[name] = init_fn(self.make_rng("params"), *init_args, **init_kwargs)
            return params[name]
        value = params[name]
        expected = expected_shape(init_fn, init_args, init_kwargs)
        if expected is not None and getattr(value, "shape", None) != expected:
            raise ValueError(
                f"{self.where}: parameter '{name}' has shape {list(value.shape)}, but these "
                f"inputs need {list(expected)}"
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

    def has_variable(self, collection: str, name: str) -> bool:
        return name in self.subtree(collection)

    def put_variable(self, collection: str, name: str, value) -> None:
        """Write `collection/name` (which must be mutable), as Flax's `Scope.put_variable`."""
        Variable(self, collection, name).value = value

    def variable(
        self, collection: str, name: str, init_fn: Callable[..., Any] | None, *init_args, **init_kwargs
    ) -> Variable:
        """A non-parameter variable (no key): created as `init_fn(*init_args)` if absent."""
        for arg, value in (("collection", collection), ("name", name)):
            if not isinstance(value, str):
                raise fail(TypeError, self.where, arg, "a str", value)
        if init_fn is not None:
            check_callable(self.where, f"the initializer of '{collection}/{name}'", init_fn)
        cell = Variable(self, collection, name)
        if name not in self.subtree(collection):
            if not (self.initializing or self.is_mutable(collection)) or init_fn is None:
                raise ValueError(
                    f"{self.where}: no '{collection}/{name}' in the variables passed to apply (they have "
                    f"{sorted(self.variables)}); pass all the collections init returned, e.g. "
                    f"{{'params': ..., '{collection}': ...}}"
                )
            self.check_trace(f"create the variable '{collection}/{name}'")
            self.subtree(collection, create=True)[name] = init_fn(*init_args, **init_kwargs)
        return cell

    def sow(self, collection: str, name: str, value, reduce_fn=None, init_fn=None) -> bool:
        """Store `value` in `collection/name` if that collection is mutable (Flax's `Module.sow`).

        By default the values are appended to a tuple: `init_fn() = ()`, `reduce_fn(xs, x) = xs + (x,)`.
        Returns whether it was stored.
        """
        if not self.is_mutable(collection):
            return False
        xs = self.subtree(collection)[name] if self.has_variable(collection, name) else (init_fn or tuple)()
        self.put_variable(collection, name, (reduce_fn or _append)(xs, value))
        return True

    def scope_for(self, layer: Layer, name: str | None = None) -> Scope:
        """The scope `layer` runs in when this scope calls it: its own if it is bound, else a child here.

        A child is named `name`, `layer.name`, or `ClassName_<n>` (counted per call of this layer).
        """
        if not isinstance(layer, Layer):
            raise fail(TypeError, self.where, "layer", "a purejax.nn.Layer", layer, "call a plain function directly")
        bound = layer.bound_scope()
        if bound is not None:
            return bound
        name = name or layer.name
        if name is None:
            name = self.autoname(type(layer).__name__)
        self._used.add(name)
        return self.push(name)

    def child(self, layer: Layer, name: str | None = None) -> Callable[..., Any]:
        """Call `layer` in a child scope named `name`, `layer.name`, or `ClassName_<n>`.

        A layer built inside a Module's `@compact` method belongs to that Module (as in Flax) and
        runs in its own scope there, whoever calls it.
        """
        scope = self.scope_for(layer, name)
        return lambda *inputs, **kwargs: run(layer, scope, inputs, kwargs)


def _append(xs, x):
    return xs + (x,)


def run(layer: Layer, scope: Scope, inputs: tuple, kwargs: dict, method=None) -> Any:
    """Run `layer.forward(scope, *inputs, **kwargs)` (or `method`), with its names counted from 0 again.

    Layers built while it runs are not adopted by anyone (it names its children with
    `scope.child`). When `apply(..., capture_intermediates=...)` asks for it, the output is sown
    into 'intermediates' under '__call__', as Flax sows every module's `__call__` output.
    """
    scope.reset_names()
    context.frames.append(None)
    try:
        out = layer.forward(scope, *inputs, **kwargs) if method is None else method(scope, *inputs, **kwargs)
    finally:
        context.frames.pop()
    capture_output(layer, scope, "__call__", out)
    return out


def capture_output(layer: Layer, scope: Scope, method_name: str, out) -> None:
    """Sow `out` into 'intermediates/{method_name}' if the running apply captures this layer's method."""
    keep = context.capture[-1] if context.capture else None
    if keep and keep(layer, method_name):
        scope.sow("intermediates", method_name, out)


_KEY_HINT = "pass purejax.random.PRNGKey(seed), or a dict {stream: key}"


RNG_RULES = ("linen", "nnx")


def check_rng_rule(where: str, rng_rule) -> str:
    """'linen' or 'nnx', the two ways `init` may draw its keys (see `keypath.py`)."""
    if rng_rule not in RNG_RULES or not isinstance(rng_rule, str):
        raise fail(
            ValueError if isinstance(rng_rule, str) else TypeError,
            where,
            "rng_rule",
            "'linen' (Flax linen's path hash, the default) or 'nnx' (Flax NNX's counter per stream)",
            rng_rule,
            "a Flax linen user writes nothing; for the variables of nnx.Rngs(seed) write rng_rule='nnx'",
        )
    return rng_rule


def as_rngs(where: str, name: str, keys, rng_rule: str = "linen") -> dict:
    """`{stream: KeyPath}` from one key (the 'params' stream, as Flax reads a bare key) or a dict of keys.

    With `rng_rule='nnx'` each stream is a `CounterKeyPath` with a counter of its own.
    """
    if not isinstance(keys, dict):
        keys = {"params": check_key(where, name, keys, _KEY_HINT)}
    for stream, key in keys.items():
        if not isinstance(stream, str):
            raise fail(TypeError, where, f"the stream names of {name}", "str such as 'params'", stream)
        check_key(where, f"{name}[{stream!r}]", key, _KEY_HINT)
    if rng_rule == "nnx":
        return {s: CounterKeyPath(k, (), {}) for s, k in keys.items()}
    return {s: KeyPath(k) for s, k in keys.items()}


def check_variables(where: str, variables) -> dict:
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


def check_mutable(where: str, mutable):
    """None, a bool, a collection name, a list/tuple of collection names, or a DenyList."""
    if mutable is None or isinstance(mutable, (bool, str, DenyList)):
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


def _capture_filter(where: str, capture_intermediates):
    """`capture_intermediates` as a filter `(layer, method_name) -> bool`, or None."""
    if capture_intermediates is True:
        return lambda layer, method_name: method_name == "__call__"  # Flax: every __call__ output
    if capture_intermediates is False or capture_intermediates is None:
        return None
    check_callable(
        where, "capture_intermediates", capture_intermediates, "pass True, or fn(module, method_name) -> bool"
    )
    return capture_intermediates


@dataclasses.dataclass(frozen=True)
class Layer:
    """Base class: subclasses are frozen dataclasses defining `forward(self, scope, *inputs)`.

    A layer built while a `purejax.nn.Module`'s `@compact` method runs belongs to that module,
    as in Flax: it is named there when it is built (`Dense_0`, or its `name`) and calling it,
    `Dense(3)(x)`, runs it in that place. Anywhere else a layer is called through a scope,
    `scope.child(layer)(x)`, or on its own with `init`/`apply`.
    """

    name: str | None = dataclasses.field(default=None, kw_only=True)  # its name inside a parent

    def __post_init__(self):
        """Check the hyperparameters (here the `name`); subclasses extend it with `check_fields`.

        Inside a Module's `@compact` method, also adopt the layer into that module.
        """
        if self.name is not None and (not isinstance(self.name, str) or not self.name or "/" in self.name):
            raise fail(
                TypeError if not isinstance(self.name, str) else ValueError,
                layer_where(self),
                "name",
                "None or a non-empty str without '/'",
                self.name,
            )
        parent = context.frames[-1] if context.frames else None
        if parent is not None:
            name = self.name if self.name is not None else parent.autoname(type(self).__name__)
            parent._used.add(name)
            self.bind_to(parent.push(name))

    def bind_to(self, scope: Scope) -> None:
        """Make this layer run in `scope` whenever it is called (how a parent adopts it)."""
        object.__setattr__(self, "_bound", scope)

    def bound_scope(self) -> Scope | None:
        """The scope this layer belongs to (built inside a compact method, or assigned in setup), or None."""
        return self.__dict__.get("_bound")

    def __call__(self, *inputs, **kwargs):
        """Run the layer where it belongs: inside the Module's `@compact` method (or `setup`) that built it."""
        scope = self.bound_scope()
        if scope is None:
            cls = type(self).__name__
            raise TypeError(
                f"{layer_where(self)} is not bound to a parent, so calling it has no variables to use. "
                f"Build and call it inside a purejax.nn.Module's @nn.compact method (as in Flax: "
                f"{cls}(...)(x)), or assign it in setup(); inside a forward(scope, ...) write "
                f"scope.child({cls}(...))(x); on its own, call {cls}(...).init(key, x) and .apply(variables, x)"
            )
        return run(self, scope, inputs, kwargs)

    def forward(self, scope: Scope, *inputs, **kwargs):
        raise NotImplementedError

    def default_mutable(self, **kwargs):
        """Collections `apply` may change when `mutable` is not given (Flax: none)."""
        return False

    def run_root(self, scope: Scope, method, inputs: tuple, kwargs: dict) -> Any:
        """Run the layer as the root of `init`/`apply`: its `forward`, or `method(bound layer, *inputs)`."""
        if callable(method) and method is not type(self).forward:
            bound = copy.copy(self)
            bound.bind_to(scope)
            return method(bound, *inputs, **kwargs)
        if method is not None and method not in ("forward", "__call__", type(self).forward):
            raise TypeError(
                f"{type(self).__name__}: method= selects a method of a purejax.nn.Module subclass; "
                f"{layer_where(self)} has only forward(scope, ...), which apply runs"
            )
        return run(self, scope, inputs, kwargs)

    def init_with_output(
        self, key, *inputs, method=None, mutable=None, capture_intermediates=False, rng_rule="linen", **kwargs
    ) -> tuple[Any, dict]:
        """Run `forward` (or `method`) creating every variable; return `(output, variables)`.

        `key` is a `uint32[2]` key for the 'params' stream or a dict `{stream: key}`. Every
        collection is mutable but 'intermediates' (Flax's `DenyList('intermediates')`).
        `rng_rule` says how each parameter's key is drawn (see `keypath.py`): 'linen' (default),
        `fold_in(key, hash(path))` as `flax.linen`; 'nnx', `fold_in(key, count)` in NNX's order of
        creation, so that `init(jax.random.key_data(jax.random.key(s)), x, rng_rule='nnx')` gives the
        variables of the NNX layer built with `rngs=nnx.Rngs(s)`. A bare key is then NNX's default
        stream, shared by every stream (`Rngs(s)`); a dict `{'params': k0, 'dropout': k1}` gives
        each stream its own counter (`Rngs(params=k0, dropout=k1)`).
        """
        where = f"{type(self).__name__}.init"
        rng_rule = check_rng_rule(where, rng_rule)
        mutable = check_mutable(where, mutable)
        mutable = DenyList("intermediates") if mutable is None else mutable
        mutable = [mutable] if isinstance(mutable, str) else mutable
        keep = _capture_filter(where, capture_intermediates)
        if keep is not None and isinstance(mutable, (list, tuple, set, frozenset)):
            mutable = [*mutable, "intermediates"]
        elif keep is not None and mutable is not True:
            mutable = True
        scope = Scope({}, as_rngs(where, "key", key, rng_rule), mutable, True, root_name=type(self).__name__)
        context.capture.append(keep)
        try:
            out = self.run_root(scope, method, inputs, kwargs)
        finally:
            context.capture.pop()
        return out, {c: v for c, v in scope.variables.items() if scope.is_mutable(c)}

    def init(
        self, key, *inputs, method=None, mutable=None, capture_intermediates=False, rng_rule="linen", **kwargs
    ) -> dict:
        """The variables of this layer for these inputs (`flax.linen.Module.init`); `rng_rule` as `init_with_output`."""
        return self.init_with_output(
            key,
            *inputs,
            method=method,
            mutable=mutable,
            capture_intermediates=capture_intermediates,
            rng_rule=rng_rule,
            **kwargs,
        )[1]

    def apply(
        self, variables: dict, *inputs, rngs=None, method=None, mutable=None, capture_intermediates=False, **kwargs
    ) -> Any:
        """Run `forward` (or a Module's `method`) with `variables`; `(output, changed collections)` if `mutable`.

        `rngs` is a dict `{stream: key}` or one key, which (as in Flax) is the 'params' stream,
        the stream every other one falls back to (`Dropout` then draws from it).
        `capture_intermediates=True` sows every layer's output into 'intermediates' (a filter
        `fn(layer, method_name) -> bool` picks which) and returns that collection too.
        """
        where = f"{type(self).__name__}.apply"
        if "rng_rule" in kwargs:
            raise TypeError(
                f"{where}: rng_rule is an argument of init and init_with_output (how the parameters' keys are "
                "drawn); apply reads the parameters it is given, and draws the keys of rngs by linen's rule"
            )
        variables = check_variables(where, variables)
        rngs = as_rngs(where, "rngs", {} if rngs is None else rngs)
        mutable = check_mutable(where, mutable)
        mutable = self.default_mutable(**kwargs) if mutable is None else mutable
        mutable = [mutable] if isinstance(mutable, str) else mutable
        keep = _capture_filter(where, capture_intermediates)
        if keep is not None and mutable is not True and not isinstance(mutable, DenyList):
            mutable = [*(mutable or ()), "intermediates"]
        scope = Scope(copy_dicts(variables), rngs, mutable or (), False, root_name=type(self).__name__)
        context.capture.append(keep)
        try:
            out = self.run_root(scope, method, inputs, kwargs)
        finally:
            context.capture.pop()
        if not mutable:
            return out
        return out, {c: v for c, v in scope.variables.items() if scope.is_mutable(c)}


def merge_attribute(where: str, name: str, attribute, argument, hint: str = ""):
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


def merge_param(name: str, a, b):
    """Whichever of `a` (a module attribute) and `b` (a call argument) is not None; exactly one must be.

    Counterpart: `flax.linen.merge_param(name, a, b)` (flax/linen/module.py).

    Examples:
      >>> merge_param('deterministic', None, True)
      True
    """
    return merge_attribute("purejax.nn.merge_param", name, a, b)
