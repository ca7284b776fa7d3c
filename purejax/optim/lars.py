"""LARS: SGD with momentum, each layer's step scaled by a trust ratio.

    lars = chain(add_decayed_weights(wd, mask), masked(scale_by_trust_ratio(c, eps)), scale_by_learning_rate,
                 trace(momentum))

A large-batch optimizer built from shared blocks (`purejax.optim.transforms`); the math is in
`lars`'s docstring.

Counterpart: `optax.lars` (optax/_src/alias.py).
"""

from __future__ import annotations

from purejax.checks import check_bool, check_number
from purejax.optim.base import GradientTransformation, chain, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.masking import MaskOrFn, check_mask, masked
from purejax.optim.transforms.momentum import trace
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.transforms.trust_ratio import scale_by_trust_ratio


@named
def lars(
    learning_rate: ScalarOrSchedule,
    weight_decay=0.0,
    weight_decay_mask: MaskOrFn = True,
    trust_coefficient=0.001,
    eps=0.0,
    trust_ratio_mask: MaskOrFn = True,
    momentum=0.9,
    nesterov: bool = False,
) -> GradientTransformation:
    """LARS: SGD with momentum, each layer's step scaled by a trust ratio.

        d_t = g_t + wd * p                                         # L2 weight decay
        d_t <- c * ||p|| / (||d_t|| + eps) * d_t                   # trust ratio, c = trust_coefficient
        m_t = -lr_t d_t + mu m_{t-1},   u_t = m_t                  # momentum on the scaled step

    Args:
      learning_rate: a number or a schedule `count -> value`.
      weight_decay: a number or a schedule.
      weight_decay_mask: which parameters get weight decay (default: all).
      trust_coefficient: `c`.
      eps: added to the update norm in the trust ratio.
      trust_ratio_mask: which parameters get the trust ratio (default: all; often not biases).
      momentum: `mu`.
      nesterov: use Nesterov momentum.

    Returns:
      A `GradientTransformation` (needs params).

    Counterpart: `optax.lars` (optax/_src/alias.py).

    References:
      Yang You, Igor Gitman, Boris Ginsburg, *Large Batch Training of Convolutional Networks*,
      2017. https://arxiv.org/abs/1708.03888

    Differences:
      As Optax and the paper: the learning rate enters *before* the momentum buffer, so the
      buffer holds steps, not gradients (unlike `sgd` here and `torch.optim.SGD`). PyTorch ships
      no LARS.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.lars(learning_rate=1.0)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(u, 4) for u in updates['w'].tolist()]  # -lr * 0.001 * |w| / |g| * g: a layer-relative step
      [-0.0016, 0.0016]
    """
    w = where("lars")
    check_bool(w, "nesterov", nesterov)
    check_number(w, "momentum", momentum)
    check_mask(w, "weight_decay_mask", weight_decay_mask)
    check_mask(w, "trust_ratio_mask", trust_ratio_mask)
    return chain(
        add_decayed_weights(weight_decay, mask=weight_decay_mask),
        masked(scale_by_trust_ratio(trust_coefficient=trust_coefficient, eps=eps), trust_ratio_mask),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
        trace(decay=momentum, nesterov=nesterov),
    )
