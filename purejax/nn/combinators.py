"""Sequential: a chain of layers (and plain functions), each fed the previous one's output.

    Sequential([Dense(4), relu, Dense(2)])      # x -> layers_0 -> relu -> layers_2
    # params: {'layers_0': {'kernel': [in, 4], 'bias': [4]}, 'layers_2': {'kernel': [4, 2], 'bias': [2]}}

Counterpart: `flax.linen.Sequential` (flax/linen/combinators.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from purejax.checks import fail
from purejax.nn.module import Layer, Scope, layer_where


@dataclasses.dataclass(frozen=True)
class Sequential(Layer):
    """Apply `layers` in order: `y = layers[-1](... layers[1](layers[0](*inputs)))`.

    Between two layers a `tuple` output becomes positional arguments (`next(*out)`), a `dict`
    output keyword arguments (`next(**out)`), anything else the one argument (`next(out)`). The
    first layer receives the `apply` inputs and keyword arguments.

    Attributes:
      layers: a sequence of layers and plain callables (e.g. an activation). Layer `i` is named
        `layers_{i}` in the variables, as in Flax: the index counts plain callables too, and a
        layer's own `name` is ignored.

    Returns (of `apply(variables, *inputs, **kwargs)`): the last layer's output.

    Counterpart: `flax.linen.Sequential` (flax/linen/combinators.py).

    Differences:
      An empty `layers` is refused when the Sequential is built (Flax: when it is called).
      Flax names a sublayer `layers_{i}` because it is stored in the `layers` attribute; we name
      it so explicitly. Flax also runs functions that build layers inside its `compact` scope
      (`lambda x: Dense(x.shape[-1])(x)`); here a plain callable gets no scope, so use a layer.
      Flax binds a layer built inside a parent's `compact` method to that parent, so
      `nn.Sequential([nn.LayerNorm()])` written there puts the parameters in the parent's
      `LayerNorm_0`, not `Sequential_0/layers_0`; here they are always `Sequential_0/layers_0`
      (as in Flax for layers built outside the parent).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> model = nn.Sequential([nn.Dense(features=8), nn.relu, nn.Dense(features=2)])
      >>> variables = model.init(random.PRNGKey(0), jnp.ones((4, 3)))
      >>> tree.map(jnp.shape, variables)
      {'params': {'layers_0': {'bias': (8,), 'kernel': (3, 8)}, 'layers_2': {'bias': (2,), 'kernel': (8, 2)}}}
      >>> model.apply(variables, jnp.ones((4, 3))).shape
      (4, 2)
    """

    layers: Sequence[Callable[..., Any]]

    def __post_init__(self):
        super().__post_init__()
        where = layer_where(self)
        if not isinstance(self.layers, Sequence) or isinstance(self.layers, str):
            raise fail(
                TypeError,
                where,
                "layers",
                "a list (or tuple) of layers and functions",
                self.layers,
                "write [layer, ...]",
            )
        if not self.layers:
            raise fail(ValueError, where, "layers", "a non-empty list", self.layers, "give it at least one layer")
        for i, layer in enumerate(self.layers):
            if not callable(layer) and not isinstance(layer, Layer):
                raise fail(TypeError, where, f"layers[{i}]", "a layer or a function", layer)

    def forward(self, scope: Scope, *args, **kwargs):

        def call(i, *a, **kw):
            layer = self.layers[i]
            return scope.child(layer, f"layers_{i}")(*a, **kw) if isinstance(layer, Layer) else layer(*a, **kw)

        outputs = call(0, *args, **kwargs)
        for i in range(1, len(self.layers)):
            if isinstance(outputs, tuple):
                outputs = call(i, *outputs)
            elif isinstance(outputs, dict):
                outputs = call(i, **outputs)
            else:
                outputs = call(i, outputs)
        return outputs
