"""DoG, "distance over gradients": a learning-rate-free step size from how far the parameters went.

    r_t = max(r_{t-1}, ||x_t - x_0||)          # per leaf; r_0 = reps_rel * (1 + ||x_0||)
    G_t = G_{t-1} + ||g_t||**2                 # per leaf
    u_t = global_scale * r_t / sqrt(G_t + eps) * g_t

(positive: descend by chaining `scale_by_learning_rate(1.0)`). This is layer-wise DoG: one
`r` and one `G` per leaf of the tree.

Differences:
  As in Optax, `G` is kept with shape `[1]` and broadcast against each leaf, so with
  `jax_numpy_rank_promotion='raise'` this transformation (Optax's too) raises; allow rank
  promotion around it.

Counterpart: `optax.scale_by_distance_over_gradients`, `ScaleByDistanceOverGradientsState`
(optax/_src/transform.py).

References:
  Maor Ivgi, Oliver Hinder, Yair Carmon, *DoG is SGD's Best Friend: A Parameter-Free Dynamic
  Step Size Schedule*, ICML 2023. https://arxiv.org/abs/2302.12022
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_dtype, check_number
from purejax.optim.base import GradientTransformation, check_params, check_state, named, where


class ScaleByDistanceOverGradientsState(NamedTuple):
    max_dist: Any  # like params, each leaf shape=(); r, the largest distance from the start
    grad_sum_of_squares: Any  # like params, each leaf shape=(1,); G, the summed squared gradient norms
    init_params: Any  # like params, dtype param_dtype; x_0


def _l2(x, y=0.0):
    return jnp.sqrt(jnp.square(x - y).sum())


@named
def scale_by_distance_over_gradients(
    reps_rel=1e-6, eps=1e-8, param_dtype=jnp.float32, global_scale=1.0
) -> GradientTransformation:
    """Layer-wise DoG: scale each leaf's gradient by `r / sqrt(G + eps)` (see the module).

    Args:
      reps_rel: the first distance, relative to `1 + ||x_0||` (keeps the first steps non-zero).
      eps: added to `G` under the root.
      param_dtype: dtype of the stored initial parameters.
      global_scale: a factor on every step.

    Returns:
      A `GradientTransformation` with state `ScaleByDistanceOverGradientsState`; `update` needs
      `params`.

    Counterpart: `optax.scale_by_distance_over_gradients` (optax/_src/transform.py).

    References:
      Ivgi, Hinder and Carmon, *DoG is SGD's Best Friend*, 2023. https://arxiv.org/abs/2302.12022

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.scale_by_distance_over_gradients()
      >>> params = jnp.array([3.0, 4.0])
      >>> updates, state = tx.update(jnp.array([1.0, 0.0]), tx.init(params), params)
      >>> [round(u, 9) for u in updates.tolist()]  # r_0 = 1e-6 * 6, G = 1
      [6e-06, 0.0]
    """
    w = where("scale_by_distance_over_gradients")
    check_number(w, "reps_rel", reps_rel, minimum=0.0)
    check_number(w, "eps", eps, minimum=0.0)
    check_dtype(w, "param_dtype", param_dtype, jnp.floating, "a float dtype such as jnp.float32", error=TypeError)
    check_number(w, "global_scale", global_scale)

    def init_fn(params):
        return ScaleByDistanceOverGradientsState(
            tree.map(lambda x: reps_rel * (1 + _l2(x)), params),
            tree.map(lambda x: jnp.zeros(1), params),
            tree.map(lambda x: x.astype(param_dtype), params),
        )

    def update_fn(updates, state, params=None):
        check_state("scale_by_distance_over_gradients", state, ScaleByDistanceOverGradientsState)
        check_params("scale_by_distance_over_gradients", params, updates)
        max_dist = tree.map(lambda d, x, y: jnp.maximum(d, _l2(x, y)), state.max_dist, params, state.init_params)
        g_sos = tree.map(lambda s, g: s + jnp.square(g).sum(), state.grad_sum_of_squares, updates)
        updates = tree.map(lambda g, d, s: global_scale * (d / jnp.sqrt(s + eps)) * g, updates, max_dist, g_sos)
        return updates, ScaleByDistanceOverGradientsState(max_dist, g_sos, state.init_params)

    return GradientTransformation(init_fn, update_fn)
