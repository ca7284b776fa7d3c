"""Per-example, per-layer gradient clipping: each leaf gets its own share of the global clip norm.

    c_leaf = C / sqrt(L)                     uniform=True, L = the number of leaves
    c_leaf = C * sqrt(n_leaf / n_total)      uniform=False, n = parameters in one example's leaf
    then for each leaf: per_example_global_norm_clip(g_leaf, c_leaf)

so that the clipped leaves together have global norm at most C per example (sum of c_leaf**2 = C**2).

Counterpart: `optax.per_example_layer_norm_clip` (optax/transforms/_clipping.py).

References:
  Jiyan He et al., *Exploring the Limits of Differentially Private Deep Learning with Group-wise
  Clipping*, ICLR 2023. https://arxiv.org/abs/2212.01539
"""

from __future__ import annotations

from typing import Any

from purejax import tree
from purejax.checks import check_array, check_bool, check_number
from purejax.optim.base import named, where
from purejax.optim.transforms.clipping import per_example_global_norm_clip


@named
def per_example_layer_norm_clip(grads: Any, global_l2_norm_clip, uniform: bool = True) -> tuple[Any, Any]:
    """Clip each leaf of per-example gradients to its share of `global_l2_norm_clip`, summing the batch.

    Args:
      grads: a pytree of arrays `[batch, *shape]`, example `i` at index `i` of axis 0.
      global_l2_norm_clip: `C`, the clip norm for all leaves together.
      uniform: give every leaf `C / sqrt(L)`; else in proportion to the square root of its size.

    Returns:
      `(clipped_sum, num_clipped)`: two trees like `grads`, the first with the batch axis summed
      away, the second with the number of examples shortened in each leaf (int32 scalars).

    Counterpart: `optax.per_example_layer_norm_clip` (optax/transforms/_clipping.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> grads = {'a': jnp.array([[3.0, 4.0], [0.3, 0.4]])}
      >>> summed, clipped = optim.per_example_layer_norm_clip(grads, 1.0)
      >>> [round(x, 3) for x in summed['a'].tolist()], int(clipped['a'])
      ([0.9, 1.2], 1)
    """
    w = where("per_example_layer_norm_clip")
    check_number(w, "global_l2_norm_clip", global_l2_norm_clip, minimum=0)
    check_bool(w, "uniform", uniform)
    leaves, treedef = tree.flatten(grads)
    for i, leaf in enumerate(leaves):
        check_array(w, f"grads leaf {i}", leaf)
    batch_size = leaves[0].shape[0] if leaves and leaves[0].ndim else None
    if batch_size is None or any(g.ndim < 1 or g.shape[0] != batch_size for g in leaves):
        raise ValueError(
            f"{w}: grads must have a batch axis first, the same "
            f"in every leaf; got shapes {[tuple(g.shape) for g in leaves]}. "
            "Compute them with jax.vmap(jax.grad(loss), in_axes=(None, 0))."
        )
    if uniform:
        clips = [global_l2_norm_clip * (1.0 / len(leaves)) ** 0.5 for _ in leaves]
    else:
        total = sum(g[0].size for g in leaves)
        clips = [global_l2_norm_clip * (g[0].size / total) ** 0.5 for g in leaves]
    results = [per_example_global_norm_clip(g, c) for g, c in zip(leaves, clips, strict=True)]
    return treedef.unflatten([r[0] for r in results]), treedef.unflatten([r[1] for r in results])
