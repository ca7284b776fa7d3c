"""Clipping against Optax: chained with a moving average for 50 steps, the global norm, per-example clipping."""

import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params
from purejax.optim import chain, scale_by_learning_rate
from tests._asserts import assert_bitwise

PLAIN = [
    (
        "clip_by_global_norm, clip, ema",
        lambda: chain(ours.clip_by_global_norm(2.0), ours.clip(0.3), ours.ema(0.9), scale_by_learning_rate(0.1)),
        lambda: optax.chain(
            optax.clip_by_global_norm(2.0), optax.clip(0.3), optax.ema(0.9), optax.scale_by_learning_rate(0.1)
        ),
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx", PLAIN, ids=[r[0] for r in PLAIN])
def test_matches_optax(name, ours_tx, theirs_tx):
    assert compare_plain(ours_tx(), theirs_tx()) <= OPTIMIZER_RTOL


def test_global_norm_and_per_example_clip_match_optax():
    params = example_params()
    assert_bitwise(ours.global_norm(params), optax.tree.norm(params))
    grads = [jnp.array([[0, 0, 0], [0, 3, 4], [4, 0, 3], [3, 4, 0]], jnp.float32), jnp.ones((4, 2), jnp.float32)]
    for clip in (jnp.inf, 0.0, 1.25):
        assert_bitwise(ours.per_example_global_norm_clip(grads, clip), optax.per_example_global_norm_clip(grads, clip))


def test_per_example_clip_needs_a_batch_axis():
    with pytest.raises(ValueError, match="batch axis"):
        ours.per_example_global_norm_clip([jnp.ones((4, 2)), jnp.ones((3,))], 1.0)
