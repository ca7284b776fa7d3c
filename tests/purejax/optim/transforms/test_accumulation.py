"""MultiSteps: one update every k mini-steps, the mean of their gradients, and nothing in between."""

import jax.numpy as jnp

from purejax.optim import MultiSteps, scale


def test_multisteps_emits_only_every_k_steps():
    ms = MultiSteps(scale(1.0), 3)
    params = {"w": jnp.zeros(2)}
    state, emitted = ms.init(params), []
    for g in (1.0, 2.0, 6.0, 5.0):
        updates, state = ms.update({"w": jnp.full(2, g)}, state, params)
        emitted.append(float(updates["w"][0]))
    assert emitted == [0.0, 0.0, 3.0, 0.0]  # the mean of 1, 2, 6 on the third mini-step
    assert not ms.has_updated(state) and int(state.gradient_step) == 1
