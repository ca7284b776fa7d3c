"""Rprop: a step size per coordinate that grows while the gradient keeps its sign and shrinks when it flips.

    s_t = g_t * g_{t-1}                                  # > 0: same sign, < 0: overshot
    eta_t = clip(eta_{t-1} * (eta_plus if s_t > 0 else eta_minus), min, max)   (unchanged if s_t = 0)
    u_t = -eta_t * sign(g_t),  and 0 where s_t < 0 (the step after a flip is skipped, g_t forgotten)

Only the gradient's sign is used. Full-batch only: the sign of a noisy mini-batch gradient flips
too often.

Counterpart: `optax.scale_by_rprop`, `optax.ScaleByRpropState` (optax/_src/transform.py);
`optax.rprop` (optax/_src/alias.py).

References:
  Martin Riedmiller, Heinrich Braun, *A Direct Adaptive Method for Faster Backpropagation
  Learning: The RPROP Algorithm*, ICNN 1993. https://doi.org/10.1109/ICNN.1993.298623
  Christian Igel, Michael Hüsken, *Improving the Rprop Learning Algorithm*, 2000 (the iRprop-
  variant that Optax and PyTorch implement).

Differences:
  Optax 0.2.8 emits at each call the step computed at the *previous* call (zero at the first
  call), a one-step lag that the papers and `torch.optim.Rprop` do not have. purejax mirrors it,
  so that the two packages agree step for step.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_number, check_probability, fail
from purejax.optim.base import GradientTransformation, GradientTransformationExtraArgs, chain, check_state, named, where
from purejax.optim.transforms.scaling import scale
from purejax.optim.tree_math import full_like, zeros_like


class ScaleByRpropState(NamedTuple):
    step_sizes: Any  # like params; eta, one step size per coordinate
    prev_updates: Any  # like params; the last step (0 after a sign flip)


@named
def scale_by_rprop(
    learning_rate, eta_minus=0.5, eta_plus=1.2, min_step_size=1e-6, max_step_size=50.0
) -> GradientTransformation:
    """Rprop's step `eta * sign(g)` (positive: descend by chaining `scale(-1)`).

    Args:
      learning_rate: the initial step size of every coordinate.
      eta_minus: factor applied to a step size when the gradient's sign flips (< 1).
      eta_plus: factor applied while the sign stays (> 1).
      min_step_size, max_step_size: the range of the step sizes.

    Returns:
      A `GradientTransformation` with state `ScaleByRpropState(step_sizes, prev_updates)`.

    Counterpart: `optax.scale_by_rprop` (optax/_src/transform.py).
    """
    w = where("scale_by_rprop")
    check_number(w, "learning_rate", learning_rate, minimum=0.0, hint="Rprop takes a number, not a schedule")
    check_probability(w, "eta_minus", eta_minus, hint="a flip shrinks the step, e.g. eta_minus=0.5")
    check_number(w, "eta_plus", eta_plus, minimum=1.0, hint="a kept sign grows the step, e.g. eta_plus=1.2")
    check_number(w, "min_step_size", min_step_size, minimum=0.0)
    check_number(w, "max_step_size", max_step_size, minimum=0.0)
    if not hasattr(min_step_size, "dtype") and not hasattr(max_step_size, "dtype") and max_step_size < min_step_size:
        raise fail(
            ValueError,
            w,
            "max_step_size",
            f"at least min_step_size={min_step_size}",
            max_step_size,
            "write e.g. min_step_size=1e-6, max_step_size=50.0",
        )

    def init_fn(params):
        return ScaleByRpropState(full_like(params, learning_rate), zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_rprop", state, ScaleByRpropState)
        sign = tree.map(lambda g, prev: g * prev, updates, state.prev_updates)
        step_sizes = tree.map(
            lambda s, eta: jnp.where(
                s == 0, eta, jnp.clip(eta * jnp.where(s > 0, eta_plus, eta_minus), min=min_step_size, max=max_step_size)
            ),
            sign,
            state.step_sizes,
        )
        prev_updates = tree.map(
            lambda s, g, eta: jnp.where(s < 0, jnp.zeros_like(g), eta * jnp.sign(g)), sign, updates, step_sizes
        )
        updates = tree.map(  # the step of the previous call, as Optax 0.2.8 emits it (see Differences)
            lambda s, u, prev: jnp.where(s < 0, jnp.zeros_like(prev), prev), sign, prev_updates, state.prev_updates
        )
        return updates, ScaleByRpropState(step_sizes, prev_updates)

    return GradientTransformation(init_fn, update_fn)


@named
def rprop(
    learning_rate, eta_minus=0.5, eta_plus=1.2, min_step_size=1e-6, max_step_size=50.0
) -> GradientTransformationExtraArgs:
    """Rprop: sign descent with a step size per coordinate, adapted by the sign's history.

    Args:
      learning_rate: the initial step size (a number; no schedule).
      eta_minus, eta_plus: the step-size factors on a sign flip and on a kept sign.
      min_step_size, max_step_size: the range of the step sizes.

    Returns:
      A `GradientTransformationExtraArgs`; state `(ScaleByRpropState, EmptyState())`.

    Counterpart: `optax.rprop` (optax/_src/alias.py).

    References:
      Riedmiller and Braun, *RPROP*, 1993; Igel and Hüsken, *Improving the Rprop Learning
      Algorithm*, 2000.

    Differences:
      `torch.optim.Rprop` has the same defaults, `etas=(0.5, 1.2)`, `step_sizes=(1e-6, 50)`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.rprop(0.1)
      >>> state = tx.init(jnp.zeros(1))
      >>> u1, state = tx.update(jnp.array([2.0]), state)
      >>> u2, state = tx.update(jnp.array([2.0]), state)
      >>> [round(u1[0].item(), 3), round(u2[0].item(), 3)]  # one step behind, as Optax's
      [-0.0, -0.1]
    """
    return chain(
        scale_by_rprop(learning_rate, eta_minus, eta_plus, min_step_size, max_step_size),
        scale(-1.0),
    )
