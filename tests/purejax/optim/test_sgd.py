"""SGD and noisy SGD against Optax, 50 jitted steps side by side; the noise must be Optax's bits.

Rows `(name, ours, theirs)` run through `optim_harness.compare`; the noisy rows through
`optim_sgd.compare_keyed` (also bitwise).
"""

import jax
import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
import purejax.random
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_sgd import linear_schedule
from tests._asserts import assert_noise_is_optax_bits

SCHEDULE = linear_schedule(0.1, 0.01, 30)

PLAIN = [
    ("sgd", lambda: ours.sgd(0.1), lambda: optax.sgd(0.1)),
    (
        "sgd schedule nesterov bf16",
        lambda: ours.sgd(SCHEDULE, 0.9, True, jnp.bfloat16),
        lambda: optax.sgd(SCHEDULE, 0.9, True, jnp.bfloat16),
    ),
]

KEYED = [  # (name, ours, theirs, per_example): the noise must be the same bits; add_noise is noisy_sgd's core
    ("noisy_sgd", lambda: ours.noisy_sgd(0.1, key=0), lambda: optax.noisy_sgd(0.1, key=0), False),
    (
        "noisy_sgd schedule raw key",
        lambda: ours.noisy_sgd(SCHEDULE, 0.1, 0.3, purejax.random.PRNGKey(7)),
        lambda: optax.noisy_sgd(SCHEDULE, 0.1, 0.3, jax.random.key(7)),
        False,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx", PLAIN, ids=[r[0] for r in PLAIN])
def test_matches_optax(name, ours_tx, theirs_tx):
    assert compare_plain(ours_tx(), theirs_tx()) <= OPTIMIZER_RTOL


@pytest.mark.parametrize("name, ours_tx, theirs_tx, per_example", KEYED, ids=[r[0] for r in KEYED])
def test_noise_matches_optax_bitwise(name, ours_tx, theirs_tx, per_example):
    assert_noise_is_optax_bits(name, ours_tx, theirs_tx, per_example)
