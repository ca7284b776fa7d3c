"""SGD and its relatives as chains of building blocks: momentum, noise, privacy, Fromage.

    sgd            = chain(trace(momentum, nesterov) | identity, scale_by_learning_rate(lr))
    noisy_sgd      = chain(add_noise(eta, gamma, key), scale_by_learning_rate(lr))
    dpsgd          = chain(differentially_private_aggregate(clip, noise, seed), trace | identity,
                           scale_by_learning_rate(lr))
    fromage        = chain(scale_by_trust_ratio(min_norm), scale_by_learning_rate(lr * k), add_decayed_weights(k - 1))

Every `learning_rate` is a number or a schedule `count -> value`.

Counterpart: `optax.sgd`, `optax.noisy_sgd`, `optax.fromage` (optax/_src/alias.py);
`optax.contrib.dpsgd` (optax/contrib/_privacy.py).
"""
from __future__ import annotations

from typing import Any

from purejax.optim.base import GradientTransformation, chain, identity
from purejax.optim.noise import differentially_private_aggregate
from purejax.optim.transforms.adding import add_noise
from purejax.optim.transforms.momentum import trace
from purejax.optim.transforms.scaling import ScalarOrSchedule, scale_by_learning_rate
from purejax.optim.transforms.trust_ratio import scale_by_trust_ratio
from purejax.optim.transforms.adding import add_decayed_weights


def sgd(learning_rate: ScalarOrSchedule, momentum=None, nesterov: bool = False,
        accumulator_dtype: Any | None = None) -> GradientTransformation:
    """Stochastic gradient descent, with optional heavy-ball or Nesterov momentum.

        u_t = -lr_t g_t                                   # no momentum
        m_t = g_t + mu m_{t-1}                            # momentum buffer, m_0 = 0
        u_t = -lr_t m_t                                   # heavy ball
        u_t = -lr_t (g_t + mu m_t)                        # Nesterov

    Args:
      learning_rate: a number or a schedule `count -> value`.
      momentum: `mu`; `None` for no momentum (and no state for it).
      nesterov: use the Nesterov form.
      accumulator_dtype: dtype of the momentum buffer; `None` keeps the params' dtype.

    Returns:
      A `GradientTransformation`.

    Counterpart: `optax.sgd` (optax/_src/alias.py).

    References:
      Ilya Sutskever, James Martens, George Dahl, Geoffrey Hinton, *On the importance of
      initialization and momentum in deep learning*, ICML 2013.
      http://proceedings.mlr.press/v28/sutskever13.pdf

    Differences:
      Same as `torch.optim.SGD(lr, momentum, nesterov=...)` with its default `dampening=0`: the
      buffer sums raw gradients and the learning rate multiplies it afterwards, so changing the
      learning rate rescales the whole remembered velocity at once. (Sutskever et al. write
      `v_t = mu v_{t-1} - lr g_t`, with the learning rate inside the buffer; the two agree only for
      a constant learning rate.) PyTorch's `dampening` (`m_t = mu m_{t-1} + (1 - dampening) g_t`)
      and `weight_decay` (L2 added to the gradient) have no counterpart here; chain
      `add_decayed_weights` first for the latter.
    """
    momentum_tx = trace(decay=momentum, nesterov=nesterov, accumulator_dtype=accumulator_dtype) \
        if momentum is not None else identity()
    return chain(momentum_tx, scale_by_learning_rate(learning_rate))


def noisy_sgd(learning_rate: ScalarOrSchedule, eta=0.01, gamma=0.55, key=None) -> GradientTransformation:
    """SGD on gradients with annealed Gaussian noise added.

        sigma_t**2 = eta / t**gamma,  t = 1, 2, ...       # annealed noise variance
        u_t = -lr_t (g_t + sigma_t z_t),  z_t ~ N(0, I)   # z drawn from the state's key

    Args:
      learning_rate: a number or a schedule `count -> value`.
      eta: the noise variance at the first step.
      gamma: the variance's decay exponent.
      key: an int seed or a raw `uint32[2]` key; required.

    Returns:
      A `GradientTransformation`; the same key gives bit-for-bit the same noise as Optax.

    Counterpart: `optax.noisy_sgd` (optax/_src/alias.py).

    References:
      Arvind Neelakantan et al., *Adding Gradient Noise Improves Learning for Very Deep
      Networks*, 2015. https://arxiv.org/abs/1511.06807

    Differences:
      `key` is required (Optax falls back to key 0 with a warning); no deprecated `seed=`.
      PyTorch has no noisy SGD.
    """
    return chain(add_noise(eta, gamma, key), scale_by_learning_rate(learning_rate))


def dpsgd(learning_rate: ScalarOrSchedule, l2_norm_clip, noise_multiplier, seed, momentum=None,
          nesterov: bool = False) -> GradientTransformation:
    """Differentially private SGD: clip each example's gradient, add Gaussian noise, average.

        c_i = min(1, C / ||G_i||)                                  # per-example clip, C = l2_norm_clip
        g = (sum_i c_i G_i + C * noise_multiplier * z) / batch     # noisy mean, z ~ N(0, I)
        m_t = g + mu m_{t-1}                                       # optional momentum (as sgd)
        u_t = -lr_t m_t

    The updates passed to `update` are per-example gradients: every leaf `[batch, *shape]`, e.g.
    from `jax.vmap(jax.grad(loss), in_axes=(None, 0))(params, batch)`.

    Args:
      learning_rate: a number or a schedule `count -> value`.
      l2_norm_clip: `C`, the largest norm one example may contribute.
      noise_multiplier: the noise's standard deviation in units of `C`.
      seed: an int seed (or a raw `uint32[2]` key) for the noise.
      momentum: `mu`; `None` for no momentum.
      nesterov: use Nesterov momentum.

    Returns:
      A `GradientTransformation`; the same seed gives bit-for-bit the same noise as Optax.

    Counterpart: `optax.contrib.dpsgd` (optax/contrib/_privacy.py).

    References:
      Martin Abadi et al., *Deep Learning with Differential Privacy*, CCS 2016.
      https://arxiv.org/abs/1607.00133

    Differences:
      Optax takes `seed` only; here a raw `uint32[2]` key is accepted too. PyTorch's Opacus
      (`DPOptimizer`) computes the same noisy sum but divides by the *expected* batch size of
      Poisson sampling, and draws from torch's generator, so its numbers differ.
    """
    momentum_tx = trace(decay=momentum, nesterov=nesterov) if momentum is not None else identity()
    return chain(
        differentially_private_aggregate(l2_norm_clip=l2_norm_clip, noise_multiplier=noise_multiplier, key=seed),
        momentum_tx,
        scale_by_learning_rate(learning_rate),
    )


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
    """
    if not callable(learning_rate):
        mult = 1 / (1 + learning_rate**2) ** 0.5  # k
        return chain(
            scale_by_trust_ratio(min_norm),
            scale_by_learning_rate(learning_rate * mult),
            add_decayed_weights(mult - 1),
        )
    mult_lr = lambda count: 1 / (1 + learning_rate(count) ** 2) ** 0.5  # noqa: E731  # k_t
    return chain(
        scale_by_trust_ratio(min_norm),
        scale_by_learning_rate(lambda c: mult_lr(c) * learning_rate(c)),
        add_decayed_weights(lambda c: mult_lr(c) - 1),
    )
