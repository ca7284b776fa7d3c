"""Root-mean-square optimizers, ready to use: `rmsprop`, `adagrad`, `adadelta`.

Each is a `chain` of a building block from `purejax.optim.rms` and `scale_by_learning_rate`;
`learning_rate` is a number or a schedule `count -> value`.

Counterpart: `optax.rmsprop`, `optax.adagrad`, `optax.adadelta` (optax/_src/alias.py). Same
argument names, order and defaults.
"""
from __future__ import annotations

from typing import Any, Callable

from purejax.optim.base import GradientTransformation, chain, identity
from purejax.optim.transforms.momentum import trace
from purejax.optim.rms import scale_by_adadelta, scale_by_rms, scale_by_rss, scale_by_stddev
from purejax.optim.transforms.scaling import ScalarOrSchedule, scale_by_learning_rate
from purejax.optim.transforms.adding import add_decayed_weights


def rmsprop(learning_rate: ScalarOrSchedule, decay=0.9, eps=1e-8, initial_scale=0.0, eps_in_sqrt: bool = True,
            centered: bool = False, momentum=None, nesterov: bool = False,
            bias_correction: bool = False) -> GradientTransformation:
    """RMSProp: divide each gradient by a running root mean square of its past values.

        v_t = decay * v_{t-1} + (1 - decay) * g_t**2       # second moment, v_0 = initial_scale
        s_t = sqrt(v_t + eps)                              # or sqrt(v_t) + eps if not eps_in_sqrt
        centered: m_t = decay * m_{t-1} + (1 - decay) * g_t,  s_t = sqrt(v_t - m_t**2 + eps)
        u_t = -lr_t * g_t / s_t                            # then, with momentum:
        b_t = momentum * b_{t-1} + u_t,  u_t <- b_t        # (nesterov: u_t + momentum * b_t)

    Args:
      learning_rate: a number or a schedule.
      decay: scalar, decay of the moments (PyTorch calls it `alpha`).
      eps: scalar added to the denominator.
      initial_scale: scalar starting value of v (PyTorch 0, TF1 1).
      eps_in_sqrt: put `eps` inside the square root (True) or outside (False, as PyTorch).
      centered: divide by the running standard deviation instead of the RMS.
      momentum: scalar decay of a momentum trace on the scaled step, or None for none.
      nesterov: Nesterov momentum (with `momentum`).
      bias_correction: divide the moments by `1 - decay**t`.

    Returns:
      A `GradientTransformation`; state `(ScaleByRmsState or ScaleByRStdDevState, scale state,
      TraceState or EmptyState)`.

    Counterpart: `optax.rmsprop` (optax/_src/alias.py).

    References:
      Geoffrey Hinton, *Neural Networks for Machine Learning*, lecture 6e, 2012.
      https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf
      Alex Graves, *Generating Sequences With Recurrent Neural Networks*, 2013 (centered).
      https://arxiv.org/abs/1308.0850

    PyTorch: `torch.optim.RMSprop` defaults to `alpha=0.99` (not 0.9) and puts eps *outside* the
    root (`eps_in_sqrt=False` here). Its momentum buffer accumulates `g / s` and is multiplied by
    the learning rate afterwards; here (as Optax) the momentum accumulates `-lr * g / s`, which is
    the same for a constant learning rate but not under a schedule.
    """
    block = scale_by_stddev if centered else scale_by_rms
    return chain(block(decay=decay, eps=eps, initial_scale=initial_scale, eps_in_sqrt=eps_in_sqrt,
                       bias_correction=bias_correction),
                 scale_by_learning_rate(learning_rate),
                 trace(decay=momentum, nesterov=nesterov) if momentum is not None else identity())


def adagrad(learning_rate: ScalarOrSchedule, initial_accumulator_value=0.1, eps=1e-7) -> GradientTransformation:
    """Adagrad: divide by the root of the sum of *all* squared gradients so far.

        G_t = G_{t-1} + g_t**2                     # sum of squares, G_0 = initial_accumulator_value
        u_t = -lr_t * g_t / sqrt(G_t + eps)        # (0 where G_t = 0)

    Steps only shrink: rare features keep large steps, frequent ones get small steps.

    Args:
      learning_rate: a number or a schedule.
      initial_accumulator_value: scalar, the starting value of G.
      eps: scalar inside the square root.

    Returns:
      A `GradientTransformation`; state `(ScaleByRssState, scale state)`.

    Counterpart: `optax.adagrad` (optax/_src/alias.py).

    References:
      John Duchi, Elad Hazan, Yoram Singer, *Adaptive Subgradient Methods for Online Learning and
      Stochastic Optimization*, JMLR 2011. https://jmlr.org/papers/v12/duchi11a.html

    PyTorch: `torch.optim.Adagrad` starts G at 0 (not 0.1), puts eps=1e-10 *outside* the root
    (`g / (sqrt(G) + eps)`), and offers an `lr_decay` that divides the learning rate by
    `1 + (t - 1) * lr_decay`.
    """
    return chain(scale_by_rss(initial_accumulator_value=initial_accumulator_value, eps=eps),
                 scale_by_learning_rate(learning_rate))


def adadelta(learning_rate: ScalarOrSchedule | None = None, rho=0.9, eps=1e-6, weight_decay=0.0,
             weight_decay_mask: Any | Callable[[Any], Any] | None = None) -> GradientTransformation:
    """Adadelta: steps in the units of the parameters, from the ratio of two running RMS.

        g_t <- g_t + weight_decay * p_t                                       # L2 (before scaling)
        E[g**2]_t  = rho * E[g**2]_{t-1} + (1 - rho) * g_t**2
        dx_t       = sqrt(E[dx**2]_{t-1} + eps) / sqrt(E[g**2]_t + eps) * g_t
        E[dx**2]_t = rho * E[dx**2]_{t-1} + (1 - rho) * dx_t**2
        u_t = -lr_t * dx_t

    Args:
      learning_rate: a number, a schedule, or None. None means *no* scaling at all, not even the
        minus sign (as in Optax): the updates then point up the gradient, so pass a learning rate
        (PyTorch's default is 1.0) to descend.
      rho: scalar, decay of both averages.
      eps: scalar inside both square roots.
      weight_decay: a number or a schedule, added to the gradient before the scaling (L2).
      weight_decay_mask: as `mask` in `adamw`.

    Returns:
      A `GradientTransformation`; state `(weight-decay state, ScaleByAdaDeltaState, scale state)`.

    Counterpart: `optax.adadelta` (optax/_src/alias.py).

    References:
      Matthew D. Zeiler, *ADADELTA: An Adaptive Learning Rate Method*, 2012.
      https://arxiv.org/abs/1212.5701

    PyTorch: `torch.optim.Adadelta` has the same rule and defaults (rho 0.9, eps 1e-6, L2 weight
    decay) with `lr=1.0`.
    """
    return chain(add_decayed_weights(weight_decay, mask=weight_decay_mask),
                 scale_by_adadelta(rho=rho, eps=eps),
                 scale_by_learning_rate(learning_rate))
