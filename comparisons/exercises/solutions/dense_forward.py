"""Exercise `dense_forward` (tour: docs/tour/03_layers.md): a Dense layer's forward pass on Flax's variables.

Write `dense_forward(params, inputs)`: what `flax.linen.Dense(features).apply({'params': params},
inputs)` computes, on the parameters Flax made (`{'kernel': [in, out], 'bias': [out]}`, no
`'bias'` when `use_bias=False`), for inputs with any number of leading batch axes.

Use jax.numpy and jax.lax; the grader refuses a file that imports flax or purejax.nn. Check your
file with:

    python -m comparisons exercise dense_forward --check exercises/dense_forward.py
"""

from __future__ import annotations

from jax import lax


def dense_forward(params, inputs):
    """A Dense layer's output: `inputs @ kernel + bias` over the last axis.

        y[..., j] = sum_i inputs[..., i] * kernel[i, j] + bias[j]

    Flax contracts the last axis of `inputs` with the first of `kernel` (`lax.dot_general`), so
    every leading axis is a batch axis; the bias is added when the layer has one.

    Args:
      params: `{'kernel': [in, out], 'bias': [out]}`; without `'bias'` when `use_bias=False`.
      inputs: `[..., in]`.

    Returns:
      `[..., out]`.
    """
    kernel = params["kernel"]  # [in, out]
    contract = (((inputs.ndim - 1,), (0,)), ((), ()))  # inputs' last axis with kernel's first
    y = lax.dot_general(inputs, kernel, contract)  # [..., out]
    if "bias" in params:
        y = y + params["bias"]  # [..., out]
    return y
