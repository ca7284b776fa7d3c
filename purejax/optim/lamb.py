"""LAMB: Adam's direction plus decoupled weight decay, rescaled per layer by a trust ratio.

    lamb = chain(scale_by_adam, add_decayed_weights(wd, mask), scale_by_trust_ratio, scale_by_learning_rate)

A large-batch optimizer built from Adam's block (`purejax.optim.adam`) and the shared trust ratio
(`purejax.optim.transforms.trust_ratio`); the math is in `lamb`'s docstring.

Counterpart: `optax.lamb` (optax/_src/alias.py).
"""

from __future__ import annotations

from purejax.optim.adam import scale_by_adam
from purejax.optim.base import GradientTransformation, chain, named
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.masking import MaskOrFn
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.transforms.trust_ratio import scale_by_trust_ratio


@named
def lamb(
    learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-6, eps_root=0.0, weight_decay=0.0, mask: MaskOrFn = None
) -> GradientTransformation:
    """LAMB: Adam's direction plus decoupled weight decay, rescaled per layer by a trust ratio.

        d_t = m^_t / (sqrt(v^_t + eps_root) + eps) + wd * p      # Adam direction + weight decay
        u_t = -lr_t * (||p|| / ||d_t||) * d_t                    # layer-wise trust ratio

    Args:
      learning_rate: a number or a schedule `count -> value`.
      b1, b2: Adam's moment decays.
      eps, eps_root: Adam's constants outside and inside the square root.
      weight_decay: a number or a schedule; decoupled (added after Adam's scaling).
      mask: which parameters get weight decay (a tree of booleans or a function of params).

    Returns:
      A `GradientTransformation` (needs params).

    Counterpart: `optax.lamb` (optax/_src/alias.py).

    References:
      Yang You et al., *Large Batch Optimization for Deep Learning: Training BERT in 76
      minutes*, ICLR 2020. https://arxiv.org/abs/1904.00962

    Differences:
      As Optax: the trust ratio uses no clipping function `phi` (the paper allows one) and falls
      back to 1 when either norm is zero. PyTorch ships no LAMB; common ports (e.g. NVIDIA
      Apex's `FusedLAMB`) also clip the global gradient norm first.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.lamb(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.842, -1.842]
    """
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root),
        add_decayed_weights(weight_decay=weight_decay, mask=mask),
        scale_by_trust_ratio(),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
