"""Adam's relatives, ready to use: `adabelief`, `radam`, `yogi`, `lion`, `novograd`.

Each is a `chain` of a building block (`purejax.optim.adam_variants`, `purejax.optim.sign_and_norm`)
and `scale_by_learning_rate`; `learning_rate` is a number or a schedule `count -> value`.

Counterpart: `optax.adabelief`, `optax.radam`, `optax.yogi`, `optax.lion`, `optax.novograd`
(optax/_src/alias.py). Same argument names, order and defaults.
"""
from __future__ import annotations

from typing import Any, Callable

from purejax.optim.adam_variants import scale_by_belief, scale_by_radam, scale_by_yogi
from purejax.optim.base import GradientTransformation, chain
from purejax.optim.transforms.scaling import ScalarOrSchedule, scale_by_learning_rate
from purejax.optim.sign_and_norm import scale_by_lion, scale_by_novograd
from purejax.optim.transforms.adding import add_decayed_weights


def adabelief(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-16, eps_root=1e-16, *,
              nesterov: bool = False) -> GradientTransformation:
    """AdaBelief: Adam scaled by the spread of g around its prediction m, not by the size of g.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                          # first moment
        s_t = b2 * s_{t-1} + (1 - b2) * (g_t - m_t)**2 + eps_root    # belief (central moment)
        u_t = -lr_t * m^_t / (sqrt(s^_t) + eps)                      # hats: bias correction

    Args:
      learning_rate: a number or a schedule.
      b1, b2: scalars, decays of the two moments.
      eps: scalar outside the square root; eps_root: scalar added to s every step.
      nesterov: use Nadam's look-ahead first moment.

    Returns:
      A `GradientTransformation`; state `(ScaleByBeliefState, scale state)`.

    Counterpart: `optax.adabelief` (optax/_src/alias.py).

    References:
      Juntang Zhuang et al., *AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed
      Gradients*, NeurIPS 2020. https://arxiv.org/abs/2010.07468

    PyTorch: not in `torch.optim`; the authors' `adabelief-pytorch` has the same eps placement
    and defaults, plus decoupled weight decay and an optional RAdam-style rectification.
    """
    return chain(scale_by_belief(b1=b1, b2=b2, eps=eps, eps_root=eps_root, nesterov=nesterov),
                 scale_by_learning_rate(learning_rate))


def radam(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, threshold=5.0, *,
          nesterov: bool = False) -> GradientTransformation:
    """Rectified Adam: momentum SGD while v^ is too noisy, then Adam times a rectification r_t.

        rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2**t / (1 - b2**t)
        r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        u_t = -lr_t * r_t * m^_t / (sqrt(v^_t + eps_root) + eps)   if rho_t >= threshold
              -lr_t * m^_t                                          otherwise

    Args:
      learning_rate, b1, b2, eps, eps_root, nesterov: as `adam`.
      threshold: scalar; rectify only when `rho_t >= threshold`.

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.radam` (optax/_src/alias.py).

    References:
      Liyuan Liu et al., *On the Variance of the Adaptive Learning Rate and Beyond*, ICLR 2020.
      https://arxiv.org/abs/1908.03265

    PyTorch: `torch.optim.RAdam` rectifies when `rho_t > 5` (strictly), has no `eps_root`, and
    its `weight_decay` is L2 unless `decoupled_weight_decay=True`.
    """
    return chain(scale_by_radam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, threshold=threshold, nesterov=nesterov),
                 scale_by_learning_rate(learning_rate))


def yogi(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-3) -> GradientTransformation:
    """Yogi: Adam whose second moment changes additively, by at most (1 - b2) g**2 a step.

        v_t = v_{t-1} - (1 - b2) * sign(v_{t-1} - g_t**2) * g_t**2    # second moment
        u_t = -lr_t * m^_t / (sqrt(v^_t) + eps)                       # m, v start at 1e-6

    Args:
      learning_rate: a number or a schedule.
      b1, b2: scalars, decays of the two moments.
      eps: scalar outside the square root (1e-3, much larger than Adam's).

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.yogi` (optax/_src/alias.py).

    References:
      Manzil Zaheer et al., *Adaptive Methods for Nonconvex Optimization*, NeurIPS 2018.
      https://papers.nips.cc/paper/8186-adaptive-methods-for-nonconvex-optimization

    PyTorch: not in `torch.optim` (`torch-optimizer`'s Yogi starts its moments at 1e-6 as here).
    """
    return chain(scale_by_yogi(b1=b1, b2=b2, eps=eps), scale_by_learning_rate(learning_rate))


def lion(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.99, mu_dtype=None,
         weight_decay: ScalarOrSchedule = 1e-3, mask: Any | Callable[[Any], Any] | None = None
         ) -> GradientTransformation:
    """Lion: a step of equal size in every coordinate, along the sign of a momentum blend.

        c_t = b1 * m_{t-1} + (1 - b1) * g_t                  # interpolation
        u_t = -lr_t * (sign(c_t) + weight_decay * p_t)       # decoupled weight decay
        m_t = b2 * m_{t-1} + (1 - b2) * g_t                  # momentum

    Use a learning rate 3-10x smaller than AdamW's and a weight decay 3-10x larger.

    Args:
      learning_rate: a number or a schedule.
      b1: scalar, weight of the momentum in the step; b2: scalar, decay of the momentum.
      mu_dtype: dtype of the momentum; None keeps the params'.
      weight_decay: a number or a schedule; mask: as in `adamw`.

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.lion` (optax/_src/alias.py).

    References:
      Xiangning Chen et al., *Symbolic Discovery of Optimization Algorithms*, NeurIPS 2023.
      https://arxiv.org/abs/2302.06675

    PyTorch: not in `torch.optim`; `lion-pytorch` applies the same decoupled decay
    (`p *= 1 - lr * wd`) with default `weight_decay` 0.
    """
    return chain(scale_by_lion(b1=b1, b2=b2, mu_dtype=mu_dtype),
                 add_decayed_weights(weight_decay, mask),
                 scale_by_learning_rate(learning_rate))


def novograd(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.25, eps=1e-6, eps_root=0.0,
             weight_decay=0.0) -> GradientTransformation:
    """NovoGrad: gradients normalized per layer by an EMA of their squared norm, then momentum.

        v_t = b2 * v_{t-1} + (1 - b2) * ||g_t||**2             # one scalar per leaf; v_1 = ||g_1||**2
        m_t = b1 * m_{t-1} + g_t / (sqrt(v_t + eps_root) + eps) + weight_decay * p_t  # m_1 = that sum
        u_t = -lr_t * m_t

    Args:
      learning_rate: a number or a schedule.
      b1: scalar, momentum; b2: scalar, decay of the per-layer second moment.
      eps, eps_root: scalars outside / inside the square root.
      weight_decay: scalar, added to the normalized gradient (inside the momentum).

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.novograd` (optax/_src/alias.py).

    References:
      Boris Ginsburg et al., *Stochastic Gradient Methods with Layer-wise Adaptive Moments for
      Training of Deep Networks*, 2019. https://arxiv.org/abs/1905.11286

    PyTorch: not in `torch.optim`; NVIDIA Apex's `FusedNovoGrad` has the same rule (with an
    optional `(1 - b1)` gradient averaging).
    """
    return chain(scale_by_novograd(b1=b1, b2=b2, eps=eps, eps_root=eps_root, weight_decay=weight_decay),
                 scale_by_learning_rate(learning_rate))
