"""Parity of purejax.nn's linen front end (`Module`, `@compact`, `setup`, lifted transforms) against flax.linen.

Every case is a small program written once as `define(m)`, with `m` either `purejax.nn` or
`flax.linen`: the same class statements, the same calls. Both are initialized with the same
keys (same variables expected, bitwise, except where a case says the initial keys differ), then
both are applied to Flax's variables with the same `rngs` (same outputs; gradients of
`sum(sin(outputs))` with respect to the params). The test suite
(tests/purejax/nn/test_compact.py, test_transforms.py) runs the same table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import flax.linen
import jax
import jax.numpy as jnp

import purejax.nn
from comparisons.parity.measures import (
    FORWARD_RTOL,
    GRADIENT_ATOL,
    GRADIENT_RTOL,
    describe_rel,
    describe_ulp,
    tree_rel,
    tree_ulp,
)
from comparisons.parity.rows import Check, Row, by_name, check_tier, of, settings

KEYS = {"params": jax.random.PRNGKey(0), "dropout": jax.random.PRNGKey(7)}
X = jax.random.normal(jax.random.PRNGKey(1), (2, 4))  # [batch, features]
XS = jax.random.normal(jax.random.PRNGKey(2), (2, 6, 3))  # [batch, time, features]


class Case(NamedTuple):
    name: str  # the feature under test, one report row each
    define: Callable[[Any], Any]  # namespace -> the module to run
    inputs: tuple = (X,)
    call: dict = {}  # keyword arguments of apply (method=, mutable=, train=, ...)
    init_call: dict = {}  # keyword arguments of init
    same_init: bool = True  # False: Flax derives other initial keys (the case's note says why)
    label: str = ""


# -- the programs, each written once for both namespaces ---------------------------------------


def mlp(m):
    class MLP(m.Module):
        features: int = 5

        @m.compact
        def __call__(self, x):
            x = m.relu(m.Dense(self.features)(x))
            w = self.param("scale", m.initializers.normal(1.0), (self.features,))
            return m.Dense(2, name="head")(x * w[jnp.newaxis])  # w: [1, features]

    return MLP


def shared_block(m):
    class Block(m.Module):
        @m.compact
        def __call__(self, x):
            return m.tanh(m.Dense(4)(x))  # auto-named: Dense_0 on every call

    class Twice(m.Module):
        @m.compact
        def __call__(self, x, train: bool = False):
            block = Block()
            x = block(block(x))  # one block called twice: one set of weights
            x = m.Dropout(0.5, deterministic=not train)(x)
            self.sow("intermediates", "features", x)
            return m.Sequential([m.Dense(3), m.relu, m.Dense(2)])(x)  # adopted: Dense_0, Dense_1 here

        def double(self, x):
            return 2 * self(x)

    return Twice


def setup_model(m):
    class Encoder(m.Module):
        def setup(self):
            self.dense = m.Dense(3)
            self.layers = [m.Dense(4), m.Dense(4)]
            self.bias = self.param("bias", m.initializers.normal(1.0), (4,))

        def __call__(self, x):
            return self.layers[1](self.layers[0](self.dense(x))) + self.bias[jnp.newaxis]  # bias: [1, 4]

        def encode(self, x):
            return self.dense(x)

    return Encoder


def rnn_model(m, split_rngs=None, cell="LSTMCell"):
    class Model(m.Module):
        @m.compact
        def __call__(self, xs):
            options = {} if split_rngs is None else {"split_rngs": split_rngs}
            return m.RNN(getattr(m, cell)(5), **options)(xs)  # the cell is adopted: LSTMCell_0 here

    return Model


def drop_cell(m):
    class DropCell(m.RNNCellBase):
        features: int

        @m.compact
        def __call__(self, h, x):
            h = m.tanh(m.Dense(self.features)(jnp.concatenate([h, x], -1)))
            h = m.Dropout(0.5, deterministic=False)(h)
            return h, h

        @m.nowrap
        def initialize_carry(self, rng, input_shape):
            return jnp.zeros(input_shape[:-1] + (self.features,))

        @property
        def num_feature_axes(self):
            return 1

    return DropCell


def bidirectional_model(m):
    class Model(m.Module):
        @m.compact
        def __call__(self, xs):  # every layer built here is the model's: LSTMCell_0, RNN_0, ..., Bidirectional_0
            return m.Bidirectional(m.RNN(m.LSTMCell(4)), m.RNN(m.GRUCell(3)))(xs)

    return Model


def rnn_dropout(m):
    cell = drop_cell(m)

    class Model(m.Module):
        @m.compact
        def __call__(self, xs):
            return m.RNN(cell(5), split_rngs={"params": False, "dropout": True})(xs)

    return Model


def scan_cell(m):
    cell = drop_cell(m)

    class Model(m.Module):
        @m.compact
        def __call__(self, xs):
            scanned = m.scan(
                cell, variable_broadcast="params", split_rngs={"params": False, "dropout": True}, in_axes=1, out_axes=1
            )
            return scanned(5)(jnp.zeros((xs.shape[0], 5)), xs)

    return Model


def scan_stack(m):
    class Step(m.Module):
        @m.compact
        def __call__(self, x, _):
            return m.tanh(m.Dense(4)(x)), None

    class Stack(m.Module):
        @m.compact
        def __call__(self, x):
            return m.scan(Step, variable_axes={"params": 0}, split_rngs={"params": True}, length=3)()(x, None)[0]

    return Stack


def vmap_ensemble(m):
    class Ensemble(m.Module):
        @m.compact
        def __call__(self, x):
            dense = m.vmap(m.Dense, variable_axes={"params": 0}, split_rngs={"params": True}, in_axes=None, axis_size=3)
            return dense(2)(x)  # [3, batch, 2]: three members, one output each

    return Ensemble


def lifted(transform_name):
    def define(m):
        mlp_class = mlp(m)

        class Model(m.Module):
            @m.compact
            def __call__(self, x):
                return getattr(m, transform_name)(mlp_class)()(x)

        return Model

    return define


def functional_scan(m):
    class Model(m.Module):
        @m.compact
        def __call__(self, xs):
            cell = m.GRUCell(5)

            def body(cell, h, x):
                return cell(h, x)

            scan = m.scan(body, variable_broadcast="params", split_rngs={"params": False}, in_axes=1, out_axes=1)
            return scan(cell, jnp.zeros((xs.shape[0], 5)), xs)

    return Model


CASES = (
    Case("Module @compact", lambda m: mlp(m)(), label="MLP, param, explicit name"),
    Case("Module @compact", lambda m: shared_block(m)(), label="child called twice, Dropout, Sequential adopted"),
    Case(
        "Module @compact",
        lambda m: shared_block(m)(),
        call={"train": True, "rngs": {"dropout": KEYS["dropout"]}},
        label="train: dropout keys",
    ),
    Case("sow / mutable", lambda m: shared_block(m)(), call={"mutable": ["intermediates"]}, label="sow"),
    Case(
        "capture_intermediates",
        lambda m: shared_block(m)(),
        call={"capture_intermediates": True},
        label="every __call__",
    ),
    Case("apply(method=)", lambda m: shared_block(m)(), call={"method": "double"}, label="method by name"),
    Case("setup", lambda m: setup_model(m)(), label="attributes, lists, param in setup"),
    Case("setup", lambda m: setup_model(m)(), call={"method": "encode"}, label="method='encode'"),
    Case("RNN adopts its cell", lambda m: rnn_model(m)(), inputs=(XS,), label="LSTMCell built in compact"),
    Case("RNN adopts its cell", lambda m: rnn_model(m, cell="GRUCell")(), inputs=(XS,), label="GRUCell"),
    Case("RNN adopts its cell", lambda m: bidirectional_model(m)(), inputs=(XS,), label="Bidirectional"),
    Case(
        "RNN split_rngs",
        lambda m: rnn_dropout(m)(),
        inputs=(XS,),
        call={"rngs": {"dropout": KEYS["dropout"]}},
        label="dropout inside a custom RNNCellBase",
    ),
    Case(
        "nn.scan",
        lambda m: scan_cell(m)(),
        inputs=(XS,),
        call={"rngs": {"dropout": KEYS["dropout"]}},
        label="broadcast params, split dropout",
    ),
    Case("nn.scan", lambda m: scan_stack(m)(), label="variable_axes: stacked layers"),
    Case("nn.scan", lambda m: functional_scan(m)(), inputs=(XS,), label="fn(module, carry, x)"),
    Case("nn.vmap", lambda m: vmap_ensemble(m)(), label="an ensemble: variable_axes, split params"),
    Case("nn.remat", lambda m: lifted("remat")(m)()),
    Case(
        "nn.jit",
        lambda m: lifted("jit")(m)(),
        same_init=False,
        label="Flax's lifted jit derives other initial keys; outputs on the same variables",
    ),
)


def case_id(i: int, case: Case) -> str:
    return f"{i}_{case.name}_{case.label}".replace(" ", "_")


def modules(case: Case):
    """`(ours, theirs)`: the case's module built with purejax.nn and with flax.linen."""
    return case.define(purejax.nn), case.define(flax.linen)


def _outputs(module, case: Case) -> Callable:
    """`(variables, *inputs) -> output` of `module.apply` with the case's arguments."""
    call = dict(case.call)
    rngs = call.pop("rngs", None)

    def run(variables, *inputs):
        return module.apply(variables, *inputs, rngs=rngs, **call)

    return run


def _gradients(run: Callable) -> Callable:
    """`(variables, *inputs) -> d/dparams` of `sum(sin(.))` over every output leaf."""

    def loss(params, variables, *inputs):
        out = run({**variables, "params": params}, *inputs)
        return sum(jnp.sum(jnp.sin(leaf)) for leaf in jax.tree.leaves(out))

    return lambda v, *inputs: jax.grad(loss)(v["params"], v, *inputs)


def compare(case: Case, transform: Callable = lambda f: f) -> dict:
    """`{'variables', 'output', 'gradients'}`, each `(ours, theirs)`; `transform` (e.g. `jax.jit`) wraps the calls."""
    ours, theirs = modules(case)
    ours_v = ours.init(KEYS, *case.inputs, **case.init_call)
    theirs_v = theirs.init(KEYS, *case.inputs, **case.init_call)
    ours_run, theirs_run = _outputs(ours, case), _outputs(theirs, case)
    variables = (ours_v, theirs_v)
    if not case.same_init:  # only the layout must agree
        variables = tuple(jax.tree.map(jnp.zeros_like, v) for v in variables)
    return {
        "variables": variables,
        "output": (transform(ours_run)(theirs_v, *case.inputs), transform(theirs_run)(theirs_v, *case.inputs)),
        "gradients": (
            transform(_gradients(ours_run))(theirs_v, *case.inputs),
            transform(_gradients(theirs_run))(theirs_v, *case.inputs),
        ),
    }


def measure(case: Case, jit: bool) -> tuple[int, float, float]:
    """`(ulp of variables, relative error of outputs, relative error of gradients)` for one case."""
    got = compare(case, jax.jit if jit else (lambda f: f))
    same = jax.tree.structure(got["variables"][0]) == jax.tree.structure(got["variables"][1])
    ulp = tree_ulp(*got["variables"]) if same and case.same_init else (0 if same else 2**31)
    return ulp, tree_rel(*got["output"]), tree_rel(*got["gradients"], floor=GRADIENT_ATOL / GRADIENT_RTOL)


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(name: str, cases: list, chosen: list) -> Row:
    with jax.default_matmul_precision("highest"):
        results = [measure(c, jit) for c in chosen for jit in (False, True)]
    ulp, out, grad = (max(r[i] for r in results) for i in range(3))
    labels = "; ".join(c.label for c in chosen if c.label)
    return Row(
        f"purejax.nn: {name}",
        f"flax.linen: {name}",
        f"{of(chosen, cases)}{f' ({labels})' if labels else ''}: init, outputs, grads; eager and jit",
        f"variables {describe_ulp(ulp)}; outputs {describe_rel(out)}; grads {describe_rel(grad)}",
        ulp == 0 and out <= FORWARD_RTOL and grad <= GRADIENT_RTOL,
        ulp=ulp,
        rel=max(out, grad),
    )


def checks(tier: str = "full") -> list[Check]:
    """One row per front-end feature, over its programs, eager and jit."""
    limit = SETTINGS[check_tier(tier)]
    return [
        Check(f"purejax.nn: {name}", functools.partial(_row, name, cases, settings(cases, limit)))
        for name, cases in by_name(CASES).items()
    ]
