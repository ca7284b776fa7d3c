"""Adam-family optimizers, ready to use: `adam`, `nadam`, `adamw`, `adamax`, `amsgrad`.

Each is a `chain` of a building block from `purejax.optim.adam_family` and `scale_by_learning_rate`
(which supplies the minus sign), so

    updates, state = adam(1e-3).update(grads, state)   # updates = -lr * m^ / (sqrt(v^) + eps)

`learning_rate` is a number or a schedule `count -> value` (count = updates taken so far).

Counterpart: `optax.adam`, `optax.nadam`, `optax.adamw`, `optax.adamax`, `optax.amsgrad`
(optax/_src/alias.py). Same argument names, order and defaults.
"""
from __future__ import annotations

from typing import Any, Callable

from purejax.optim.adam_family import scale_by_adam, scale_by_adamax, scale_by_amsgrad
from purejax.optim.base import GradientTransformation, chain
from purejax.optim.transforms.scaling import ScalarOrSchedule, scale_by_learning_rate
from purejax.optim.transforms.adding import add_decayed_weights


def adam(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *,
         nesterov: bool = False) -> GradientTransformation:
    """Adam: a step along the first moment, scaled per element by the root of the second.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                      # first moment
        v_t = b2 * v_{t-1} + (1 - b2) * g_t**2                   # second moment
        m^_t = m_t / (1 - b1**t),  v^_t = v_t / (1 - b2**t)      # bias correction, t = 1, 2, ...
        u_t = -lr_t * m^_t / (sqrt(v^_t + eps_root) + eps)        # update

    Args:
      learning_rate: a number or a schedule `count -> value`.
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the second moment.
      eps: scalar added outside the square root (as the paper).
      eps_root: scalar added inside the square root (for meta-gradients through Adam).
      mu_dtype: dtype of the first moment; None keeps the params'.
      nesterov: use Nadam's look-ahead first moment (see `nadam`).

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.adam` (optax/_src/alias.py).

    References:
      Diederik P. Kingma, Jimmy Ba, *Adam: A Method for Stochastic Optimization*, 2014.
      https://arxiv.org/abs/1412.6980

    PyTorch: `torch.optim.Adam` has the same eps placement, defaults and bias correction, but its
    `weight_decay` is L2 regularisation (added to g *before* the moments), equivalent to
    `chain(add_decayed_weights(wd), adam(lr))`, not to `adamw`.
    """
    return chain(scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov),
                 scale_by_learning_rate(learning_rate))


def nadam(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None, *,
          nesterov: bool = True) -> GradientTransformation:
    """Nadam: Adam with Nesterov momentum, i.e. `adam(..., nesterov=True)`.

        m^_t = b1 * m_t / (1 - b1**(t+1)) + (1 - b1) * g_t / (1 - b1**t)   # look-ahead moment
        u_t  = -lr_t * m^_t / (sqrt(v^_t + eps_root) + eps)                 # v^_t as in Adam

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype: as `adam`.
      nesterov: True (this is `functools.partial(adam, nesterov=True)` in Optax).

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.nadam` (optax/_src/alias.py).

    References:
      Timothy Dozat, *Incorporating Nesterov Momentum into Adam*, ICLR workshop 2016.
      https://openreview.net/pdf?id=OM0jvwB8jIp57ZJjtNEZ

    PyTorch: `torch.optim.NAdam` also warms the momentum up with a schedule
    `mu_t = b1 * (1 - 0.5 * 0.96**(t * momentum_decay))`, which Optax (and we) do not; Dozat's
    extra `b2` factor in `v^` is omitted by both.
    """
    return adam(learning_rate, b1, b2, eps, eps_root, mu_dtype, nesterov=nesterov)


def adamw(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None,
          weight_decay: ScalarOrSchedule = 1e-4, mask: Any | Callable[[Any], Any] | None = None, *,
          nesterov: bool = False) -> GradientTransformation:
    """AdamW: Adam with *decoupled* weight decay, added after the adaptive scaling.

        u_t = -lr_t * (m^_t / (sqrt(v^_t + eps_root) + eps) + weight_decay * p_t)

    The decay term is not divided by `sqrt(v^)`, so every weight decays at the same rate.

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype, nesterov: as `adam`.
      weight_decay: a number or a schedule; multiplied by the learning rate too.
      mask: a tree of booleans like params (or a prefix), or `params -> tree`; decay where True.

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.adamw` (optax/_src/alias.py).

    References:
      Ilya Loshchilov, Frank Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
      https://arxiv.org/abs/1711.05101

    PyTorch: `torch.optim.AdamW` computes the same thing (`p *= 1 - lr * wd`, then the Adam
    step) but its default `weight_decay` is 1e-2, not 1e-4. The paper multiplies the decay by the
    schedule multiplier only, not by the base learning rate.
    """
    return chain(scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov),
                 add_decayed_weights(weight_decay, mask),
                 scale_by_learning_rate(learning_rate))


def adamax(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8) -> GradientTransformation:
    """Adamax: Adam with the infinity norm in place of the root mean square.

        m_t = b1 * m_{t-1} + (1 - b1) * g_t                  # first moment
        v_t = max(|g_t| + eps, b2 * v_{t-1})                 # infinity norm (no bias correction)
        u_t = -lr_t * m_t / (1 - b1**t) / v_t                # update

    Args:
      learning_rate: a number or a schedule.
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the infinity norm.
      eps: scalar added to |g|.

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.adamax` (optax/_src/alias.py).

    References:
      Kingma and Ba, *Adam: A Method for Stochastic Optimization*, 2014, section 7.1.
      https://arxiv.org/abs/1412.6980

    PyTorch: `torch.optim.Adamax` is the same rule (eps inside the max, lr default 2e-3); its
    `weight_decay` is L2.
    """
    return chain(scale_by_adamax(b1=b1, b2=b2, eps=eps), scale_by_learning_rate(learning_rate))


def amsgrad(learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, mu_dtype=None,
            bias_correction_mu: bool = True, bias_correction_nu: bool = True) -> GradientTransformation:
    """AMSGrad: Adam divided by the running maximum of the second moment.

        v_max_t = max(v_max_{t-1}, v^_t)                       # long-term memory
        u_t = -lr_t * m^_t / (sqrt(v_max_t + eps_root) + eps)  # update

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype: as `adam`.
      bias_correction_mu: correct m (set False for the paper's algorithm).
      bias_correction_nu: correct v before the maximum (set False for the paper's algorithm).

    Returns:
      A `GradientTransformation`; state `(ScaleByAmsgradState, scale state)`.

    Counterpart: `optax.amsgrad` (optax/_src/alias.py).

    References:
      Sashank J. Reddi, Satyen Kale, Sanjiv Kumar, *On the Convergence of Adam and Beyond*,
      ICLR 2018. https://openreview.net/forum?id=ryQu7f-RZ

    PyTorch: `torch.optim.Adam(amsgrad=True)` takes the maximum of the *uncorrected* v and then
    divides by the current `1 - b2**t`, which is neither of Optax's two settings.
    """
    return chain(scale_by_amsgrad(b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype,
                                  bias_correction_mu=bias_correction_mu, bias_correction_nu=bias_correction_nu),
                 scale_by_learning_rate(learning_rate))
