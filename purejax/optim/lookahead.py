"""Lookahead: a fast optimizer explores k steps, then slow weights move part of the way toward it.

    fast:  phi_{t+1} = phi_t + fast_optimizer(g_t)                     every step
    slow:  theta <- theta + alpha * (phi - theta);  phi <- theta       every sync_period steps

The parameters are a pair `LookaheadParams(fast, slow)`; gradients are taken at `fast`. Both steps
are written as one update of the pair (so it jits): with `d = phi + u - theta` and `s` = "this step
syncs", the slow update is `alpha * s * d` and the fast one is `u - s * (1 - alpha) * d`.

Counterpart: `optax.lookahead`, `optax.LookaheadParams`, `optax.LookaheadState`
(optax/_src/lookahead.py).

References:
  Michael R. Zhang et al., *Lookahead Optimizer: k steps forward, 1 step back*, NeurIPS 2019.
  https://arxiv.org/abs/1907.08610

Differences:
  `init` with plain (not `LookaheadParams`) params uses them as the fast params silently; Optax
  logs a warning.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_positive_int, check_probability
from purejax.optim.base import GradientTransformation, check_state, check_transformation, named, where


class LookaheadState(NamedTuple):
    fast_state: Any  # the fast optimizer's state
    steps_since_sync: jax.Array  # shape=(), dtype=int32; 0..sync_period-1


class LookaheadParams(NamedTuple):
    """The pair of parameter trees lookahead optimizes: gradients are taken at `fast`."""

    fast: Any
    slow: Any

    @classmethod
    def init_synced(cls, params: Any) -> LookaheadParams:
        """Both copies equal to `params`."""
        return cls(slow=params, fast=params)


@named
def lookahead(
    fast_optimizer: GradientTransformation, sync_period: int, slow_step_size, reset_state: bool = False
) -> GradientTransformation:
    """Wrap `fast_optimizer` in Lookahead's k-steps-forward, one-step-back scheme.

    Args:
      fast_optimizer: the inner optimizer (its updates are added to the fast params).
      sync_period: `k`, fast steps between two synchronizations (>= 1).
      slow_step_size: `alpha`, how far the slow weights move toward the fast ones.
      reset_state: re-initialize the fast optimizer's state at each synchronization.

    Returns:
      A `GradientTransformation` over `LookaheadParams`: `update(grads_at_fast, state, params)`
      returns `LookaheadParams(fast_updates, slow_updates)`; state `LookaheadState`.

    Counterpart: `optax.lookahead` (optax/_src/lookahead.py).

    References:
      Zhang et al., *Lookahead Optimizer*, 2019. https://arxiv.org/abs/1907.08610

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> tx = optim.lookahead(optim.sgd(0.1), sync_period=2, slow_step_size=0.5)
      >>> params = optim.LookaheadParams.init_synced(jnp.array([1.0]))
      >>> state = tx.init(params)
      >>> for _ in range(2):
      ...     updates, state = tx.update(jnp.array([1.0]), state, params)
      ...     params = optim.apply_updates(params, updates)
      >>> [round(x, 3) for x in (params.fast[0].item(), params.slow[0].item())]
      [0.9, 0.9]
    """
    w = where("lookahead")
    check_transformation(w, "fast_optimizer", fast_optimizer)
    check_positive_int(w, "sync_period", sync_period)
    check_probability(w, "slow_step_size", slow_step_size, hint="write e.g. slow_step_size=0.5")
    check_bool(w, "reset_state", reset_state)

    def init_fn(params):
        fast_params = getattr(params, "fast", None)
        fast_params = params if fast_params is None else fast_params
        return LookaheadState(fast_state=fast_optimizer.init(fast_params), steps_since_sync=jnp.zeros([], jnp.int32))

    def update_fn(updates, state, params=None):
        if not isinstance(params, LookaheadParams):
            raise ValueError(
                "purejax.optim.lookahead: update needs params=LookaheadParams(fast, slow); "
                "start from LookaheadParams.init_synced(params)"
            )
        check_state("lookahead", state, LookaheadState)
        updates, fast_state = fast_optimizer.update(updates, state.fast_state, params.fast)
        sync_next = state.steps_since_sync == (sync_period - 1)
        last_difference = tree.map(lambda f, u, s: f + u - s, params.fast, updates, params.slow)  # phi + u - theta
        slow_updates = tree.map(lambda d: slow_step_size * sync_next * d, last_difference)
        fast_updates = tree.map(lambda u, d: u - sync_next * (1 - slow_step_size) * d, updates, last_difference)
        if reset_state:  # jittable reset: pick the fresh state on the syncing step
            initial_state = fast_optimizer.init(params.fast)
            fast_state = tree.map(lambda c, i: (1 - sync_next) * c + sync_next * i, fast_state, initial_state)
        steps_since_sync = (state.steps_since_sync + 1) % sync_period
        return LookaheadParams(fast=fast_updates, slow=slow_updates), LookaheadState(fast_state, steps_since_sync)

    return GradientTransformation(init_fn, update_fn)
