"""The optimizer interface and its smallest pieces, beside Optax: chain, identity, scale*, weight decay.

`base.py` (chain, identity, apply_updates) with the building blocks it is first chained with
(`transforms/scaling.py`, `transforms/adding.py`'s weight decay): 50 steps of each against Optax,
the states' classes, and the errors.
"""

import jax.numpy as jnp
import optax
import pytest

import purejax.optim as po
from comparisons.parity.measures import OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import compare, example_params
from tests._asserts import assert_bitwise

SCHEDULE = lambda count: 0.1 / (1.0 + count)  # noqa: E731  (plain Python: runs on either side)


# (name, a factory taking the module, so one line builds both sides)
CASES = [
    ("identity", lambda m: m.chain(m.identity(), m.scale(-0.01))),
    ("scale", lambda m: m.scale(-0.05)),
    ("scale_by_schedule", lambda m: m.chain(m.scale_by_schedule(SCHEDULE), m.scale(-1.0))),
    ("scale_by_learning_rate", lambda m: m.scale_by_learning_rate(0.02)),
    ("scale_by_learning_rate schedule", lambda m: m.scale_by_learning_rate(SCHEDULE)),
    (
        "scale_by_learning_rate flip_sign=False",
        lambda m: m.chain(m.scale_by_learning_rate(0.02, flip_sign=False), m.scale(-1.0)),
    ),
    ("chain of three", lambda m: m.chain(m.scale(0.5), m.add_decayed_weights(1e-2), m.scale_by_learning_rate(0.1))),
    ("add_decayed_weights schedule", lambda m: m.chain(m.add_decayed_weights(SCHEDULE), m.scale(-0.01))),
]


@pytest.mark.parametrize("name,factory", CASES, ids=[c[0] for c in CASES])
def test_fifty_steps_beside_optax(name, factory):
    assert compare(factory(po), factory(optax)) <= OPTIMIZER_RTOL


def test_apply_updates_keeps_param_dtypes_and_none_leaves():
    params = {"w": jnp.ones(3, jnp.bfloat16), "b": None, "n": jnp.arange(3)}
    updates = {"w": jnp.full(3, 0.25, jnp.float32), "b": None, "n": jnp.ones(3, jnp.int32)}
    assert_bitwise(po.apply_updates(params, updates), optax.apply_updates(params, updates))


def test_state_classes_mirror_optax():
    params = example_params()
    for ours, theirs in [
        (po.scale_by_schedule(SCHEDULE), optax.scale_by_schedule(SCHEDULE)),
        (po.add_decayed_weights(SCHEDULE), optax.add_decayed_weights(SCHEDULE)),
        (po.identity(), optax.identity()),
    ]:
        a, b = ours.init(params), theirs.init(params)
        assert type(a).__name__ == type(b).__name__ and a._fields == b._fields


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda p: po.chain(po.scale(1.0)).update(p, (), p), "the state holds 0 states for 1 transformations"),
        (lambda p: po.add_decayed_weights(0.1).update(p, po.EmptyState()), "needs the current parameters"),
        (
            lambda p: po.add_decayed_weights(0.1).update({"x": 1.0}, po.EmptyState(), p),
            "purejax.optim.add_decayed_weights.update: params differ from the updates' tree",
        ),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError) as info:
        call(example_params())
    assert message in str(info.value)
