"""Scaling a gradient on its way back: identity forward, `scale * g` backward.

    forward:  y = x
    backward: dL/dx = scale * dL/dy       (scale = 0 is stop_gradient, scale = 1 does nothing)

Used to slow down (or cut) the learning of one part of a model without changing its outputs.

Counterpart: `optax.scale_gradient` (optax/_src/utils.py).
"""

from __future__ import annotations

from typing import Any

import jax

from purejax import tree
from purejax.checks import check_number
from purejax.optim.base import named, where


@jax.custom_vjp
def _scale_gradient(inputs: Any, scale) -> Any:
    del scale  # only the backward pass uses it
    return inputs


def _scale_gradient_fwd(inputs, scale):
    return inputs, scale


def _scale_gradient_bwd(scale, g):
    return tree.map(lambda g_: g_ * scale, g), None


_scale_gradient.defvjp(_scale_gradient_fwd, _scale_gradient_bwd)


@named
def scale_gradient(inputs: Any, scale) -> Any:
    """Return `inputs` unchanged, but multiply the gradient flowing back through them by `scale`.

    Args:
      inputs: a pytree of arrays.
      scale: a number; 1 returns `inputs` as they are, 0 stops the gradient.

    Returns:
      `inputs` (same values and tree).

    Counterpart: `optax.scale_gradient` (optax/_src/utils.py).

    Examples:
      >>> import jax
      >>> from purejax import optim
      >>> jax.grad(lambda x: optim.scale_gradient(x, 0.5) ** 2)(3.0).item()
      3.0
    """
    check_number(where("scale_gradient"), "scale", scale)
    if isinstance(scale, (int, float)) and scale == 1.0:
        return inputs
    if isinstance(scale, (int, float)) and scale == 0.0:
        return jax.lax.stop_gradient(inputs)
    return _scale_gradient(inputs, scale)
