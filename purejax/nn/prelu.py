"""PReLU: a leaky ReLU whose negative slope is learned.

    y = x                   if x >= 0
    y = negative_slope * x  otherwise         # negative_slope: one scalar parameter

Counterpart: `flax.linen.PReLU` (flax/linen/activation.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax.numpy as jnp

from purejax.checks import check_array, check_number
from purejax.nn.module import Layer, Scope, check_fields, layer_where


@dataclasses.dataclass(frozen=True)
class PReLU(Layer):
    """Parametric ReLU: `where(x >= 0, x, negative_slope * x)`, with `negative_slope` learned.

    Attributes:
      param_dtype: the dtype of the parameter (default float32).
      negative_slope_init: its initial value (default 0.01, the leaky ReLU's slope).

    Variables: 'params' `negative_slope`, shape `()` (one slope for all channels).

    Returns (of `apply(variables, x)`): `y`, shaped and typed as `x` (the slope is cast to x's dtype).

    Counterpart: `flax.linen.PReLU` (flax/linen/activation.py).

    References:
      He, Zhang, Ren & Sun, *Delving Deep into Rectifiers: Surpassing Human-Level Performance on
      ImageNet Classification*, 2015, https://arxiv.org/abs/1502.01852

    Differences:
      PyTorch's `nn.PReLU` initializes the slope to 0.25 and may learn one per channel
      (`num_parameters`); Flax and purejax learn one scalar, starting at 0.01.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random, tree
      >>> layer = nn.PReLU()
      >>> variables = layer.init(random.PRNGKey(0), jnp.ones((2, 3)))
      >>> tree.map(jnp.shape, variables)
      {'params': {'negative_slope': ()}}
      >>> [round(y, 3) for y in layer.apply(variables, jnp.array([-1.0, 2.0])).tolist()]  # slope 0.01 below 0
      [-0.01, 2.0]
    """

    param_dtype: Any = jnp.float32
    negative_slope_init: float = 0.01

    def __post_init__(self):
        super().__post_init__()
        check_fields(self, dtypes=("param_dtype",))
        check_number(layer_where(self), "negative_slope_init", self.negative_slope_init)

    def forward(self, scope: Scope, inputs):
        check_array(scope.where, "inputs", inputs)
        negative_slope = scope.param(
            "negative_slope", lambda key: jnp.asarray(self.negative_slope_init, self.param_dtype)
        )  # []
        return jnp.where(inputs >= 0, inputs, jnp.asarray(negative_slope, inputs.dtype) * inputs)
