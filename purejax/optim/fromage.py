"""Fromage: a trust-ratio step, then shrink the weights so their norm does not grow.

    fromage = chain(scale_by_trust_ratio(min_norm), scale_by_learning_rate(lr * k), add_decayed_weights(k - 1))

The blocks are shared ones (`purejax.optim.transforms.trust_ratio`,
`purejax.optim.transforms.adding`); the math is in `fromage`'s docstring.

Counterpart: `optax.fromage` (optax/_src/alias.py).
"""

from __future__ import annotations

from purejax.checks import check_number
from purejax.optim.base import GradientTransformation, chain, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.transforms.trust_ratio import scale_by_trust_ratio


@named
def fromage(learning_rate: ScalarOrSchedule, min_norm=1e-6) -> GradientTransformation:
    """Fromage: a trust-ratio step, then shrink the weights so their norm does not grow.

        k_t = 1 / sqrt(1 + lr_t**2)                       # norm-preserving factor
        u_t = -lr_t k_t g_t ||p|| / ||g_t||               # trust-ratio step of relative size lr_t
        u_t <- u_t + (k_t - 1) p                          # p + u_t = k_t (p - lr_t g ||p|| / ||g||)

    Each layer moves by a relative distance of about `lr_t`, measured in the deep relative trust
    distance, so one learning rate suits every layer and model.

    Args:
      learning_rate: a number or a schedule `count -> value` (0.01 is the paper's default).
      min_norm: lower bound on both norms in the trust ratio.

    Returns:
      A `GradientTransformation` (needs params).

    Counterpart: `optax.fromage` (optax/_src/alias.py).

    References:
      Jeremy Bernstein, Arash Vahdat, Yisong Yue, Ming-Yu Liu, *On the distance between two
      neural networks and the stability of learning*, NeurIPS 2020.
      https://arxiv.org/abs/2002.03432

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.fromage(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.838, -1.833]
    """
    check_learning_rate(learning_rate)
    check_number(where("fromage"), "min_norm", min_norm, minimum=0)
    if not callable(learning_rate):
        mult = 1 / (1 + learning_rate**2) ** 0.5  # k
        return chain(
            scale_by_trust_ratio(min_norm),
            scale_by_learning_rate(learning_rate * mult),
            add_decayed_weights(mult - 1),
        )

    def mult_lr(count):
        return 1 / (1 + learning_rate(count) ** 2) ** 0.5  # k_t

    return chain(
        scale_by_trust_ratio(min_norm),
        scale_by_learning_rate(lambda c: mult_lr(c) * learning_rate(c)),
        add_decayed_weights(lambda c: mult_lr(c) - 1),
    )
