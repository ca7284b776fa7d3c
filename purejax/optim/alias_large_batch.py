"""Optimizers for large batches and large models: LAMB, LARS (trust ratios), SM3, Adafactor (light memory).

    lamb      = chain(scale_by_adam, add_decayed_weights(wd, mask), scale_by_trust_ratio, scale_by_learning_rate)
    lars      = chain(add_decayed_weights(wd, mask), masked(scale_by_trust_ratio(c, eps)), scale_by_learning_rate,
                      trace(momentum))
    sm3       = chain(scale_by_sm3(momentum), scale(-lr))
    adafactor = chain(scale_by_factored_rms, clip_by_block_rms, scale_by_learning_rate(flip_sign=False),
                      scale_by_param_block_rms, ema, add_decayed_weights, scale(-1))   # optional parts

Counterpart: `optax.lamb`, `optax.lars`, `optax.sm3`, `optax.adafactor` (optax/_src/alias.py).
"""
from __future__ import annotations

from typing import Any, Callable

import jax.numpy as jnp

from purejax.optim.base import GradientTransformation, chain
from purejax.optim.transforms.clipping import clip_by_block_rms
from purejax.optim.factored import scale_by_factored_rms, scale_by_sm3
from purejax.optim.transforms.momentum import ema, trace
from purejax.optim.transforms.scaling import ScalarOrSchedule, scale, scale_by_learning_rate
from purejax.optim.transforms.trust_ratio import scale_by_param_block_rms, scale_by_trust_ratio
from purejax.optim.transforms.adding import add_decayed_weights

MaskOrFn = Any | Callable[[Any], Any] | None


def lamb(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-6, eps_root=0.0, weight_decay=0.0,
         mask: MaskOrFn = None) -> GradientTransformation:
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
    """
    from purejax.optim.adam_family import scale_by_adam  # written alongside; imported here to keep modules apart

    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root),
        add_decayed_weights(weight_decay=weight_decay, mask=mask),
        scale_by_trust_ratio(),
        scale_by_learning_rate(learning_rate),
    )


def lars(learning_rate: ScalarOrSchedule, weight_decay=0.0, weight_decay_mask: MaskOrFn = True,
         trust_coefficient=0.001, eps=0.0, trust_ratio_mask: MaskOrFn = True, momentum=0.9,
         nesterov: bool = False) -> GradientTransformation:
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
    """
    from purejax.optim.transforms.masking import masked  # written alongside; imported here to keep modules apart

    return chain(
        add_decayed_weights(weight_decay, mask=weight_decay_mask),
        masked(scale_by_trust_ratio(trust_coefficient=trust_coefficient, eps=eps), trust_ratio_mask),
        scale_by_learning_rate(learning_rate),
        trace(decay=momentum, nesterov=nesterov),
    )


def sm3(learning_rate: ScalarOrSchedule, momentum=0.9) -> GradientTransformation:
    """SM3: Adagrad whose accumulators are shared along each axis (memory `n + m` for `[n, m]`).

        v(i, j) = min(mu_row(i), mu_col(j)) + g(i, j)**2         # cover-based accumulator
        mu_row(i) = max_j v(i, j),  mu_col(j) = max_i v(i, j)    # one number per row and column
        m_t = (1 - momentum) g / sqrt(v + 1e-8) + momentum m_{t-1}
        u_t = -lr m_t

    Args:
      learning_rate: a number (or, here also, a schedule `count -> value`).
      momentum: decay of the momentum of the scaled gradients.

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.sm3` (optax/_src/alias.py).

    References:
      Rohan Anil, Vineet Gupta, Tomer Koren, Yoram Singer, *Memory-Efficient Adaptive
      Optimization*, NeurIPS 2019. https://arxiv.org/abs/1901.11150

    Differences:
      Optax ends with `scale(-learning_rate)`, which takes numbers only; here a schedule is also
      accepted (then the last state is a `ScaleByScheduleState`). Scalar parameters work here (see
      `scale_by_sm3`). PyTorch ships no SM3.
    """
    return chain(scale_by_sm3(momentum), scale_by_learning_rate(learning_rate))


def adafactor(learning_rate: ScalarOrSchedule | None = None, min_dim_size_to_factor: int = 128, decay_rate=0.8,
              decay_offset=0, multiply_by_parameter_scale: bool = True, clipping_threshold=1.0, momentum=None,
              dtype_momentum=jnp.float32, weight_decay_rate=None, eps=1e-30, factored: bool = True,
              weight_decay_mask: MaskOrFn = None) -> GradientTransformation:
    """Adafactor: factored second moments, update clipping, steps relative to the weights' size.

        beta_t = 1 - (t + 1)**(-decay_rate)                       # rising second-moment decay
        V_t ~ outer(R_t, C_t) / mean(R_t)  (factored leaves)      # see scale_by_factored_rms
        d_t = g_t / sqrt(V_t)
        d_t <- d_t / max(1, rms(d_t) / clipping_threshold)        # update clipping
        d_t <- lr_t * max(rms(p), 1e-3) * d_t                     # relative step size
        d_t <- ema(d_t, momentum)                                 # optional, not debiased
        d_t <- d_t + weight_decay_rate * p                        # optional
        u_t = -d_t

    Args:
      learning_rate: a number, a schedule `count -> value`, or `None` (no scaling).
      min_dim_size_to_factor: factor a leaf only if its second-largest axis is this long.
      decay_rate: the exponent of the second-moment decay schedule.
      decay_offset: subtracted from the step count (fine-tuning).
      multiply_by_parameter_scale: scale steps by the parameters' RMS.
      clipping_threshold: update-clipping RMS, or `None` for no clipping.
      momentum: EMA decay of the updates, or `None`.
      dtype_momentum: dtype of the momentum buffer.
      weight_decay_rate: a number, a schedule, or `None`.
      eps: added to the squared gradients.
      factored: factor second moments at all.
      weight_decay_mask: which parameters get weight decay.

    Returns:
      A `GradientTransformation` (needs params).

    Counterpart: `optax.adafactor` (optax/_src/alias.py).

    References:
      Noam Shazeer, Mitchell Stern, *Adafactor: Adaptive Learning Rates with Sublinear Memory
      Cost*, ICML 2018. https://arxiv.org/abs/1804.04235

    Differences:
      As Optax: the weight decay is added after the learning rate (it is not multiplied by it),
      and eps is added to g**2 (the paper's eps_1). Hugging Face's PyTorch `Adafactor` also uses
      the paper's relative step `min(1e-2, 1/sqrt(t))` when `lr=None`; here `None` means no scaling.
    """
    tx = [scale_by_factored_rms(factored, decay_rate, decay_offset, min_dim_size_to_factor, eps)]
    if clipping_threshold is not None:
        tx.append(clip_by_block_rms(clipping_threshold))
    if learning_rate is not None:
        tx.append(scale_by_learning_rate(learning_rate, flip_sign=False))
    if multiply_by_parameter_scale:
        tx.append(scale_by_param_block_rms())
    if momentum is not None:
        tx.append(ema(momentum, debias=False, accumulator_dtype=dtype_momentum))
    if weight_decay_rate is not None:
        tx.append(add_decayed_weights(weight_decay_rate, mask=weight_decay_mask))
    tx.append(scale(-1))  # descent: follow the negative direction
    return chain(*tx)
