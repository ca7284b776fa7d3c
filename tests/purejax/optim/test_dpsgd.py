"""DP-SGD against `optax.contrib.dpsgd`, 50 jitted steps on per-example gradients: the noise bit for bit."""

import optax.contrib
import pytest

import purejax.optim as ours
from comparisons.parity.tables.optim_sgd import linear_schedule
from tests._asserts import assert_noise_is_optax_bits

SCHEDULE = linear_schedule(0.1, 0.01, 30)

KEYED = [  # (name, ours, theirs, per_example): the noise must be the same bits
    ("dpsgd", lambda: ours.dpsgd(0.1, 1.0, 1.1, 0), lambda: optax.contrib.dpsgd(0.1, 1.0, 1.1, 0), True),
    (
        "dpsgd schedule momentum nesterov",
        lambda: ours.dpsgd(SCHEDULE, 0.5, 0.3, 5, momentum=0.9, nesterov=True),
        lambda: optax.contrib.dpsgd(SCHEDULE, 0.5, 0.3, 5, momentum=0.9, nesterov=True),
        True,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, per_example", KEYED, ids=[r[0] for r in KEYED])
def test_noise_matches_optax_bitwise(name, ours_tx, theirs_tx, per_example):
    assert_noise_is_optax_bits(name, ours_tx, theirs_tx, per_example)
