"""SM3 against Optax, 50 jitted steps side by side (also chained with `scale_by_param_block_norm`), a
0-d parameter, and updates of another tree."""

import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import OPTIMIZER_FLOOR, OPTIMIZER_RTOL, leaves_rel
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_harness import example_params, run
from comparisons.parity.tables.optim_sgd import without_scalars
from purejax.optim import chain, scale_by_learning_rate
from tests._asserts import assert_update_names_the_path


def vectors_and_up():
    return without_scalars(example_params())  # Optax's SM3 fails on 0-d parameters


ROWS = [  # (name, ours, theirs, params)
    ("sm3", lambda: ours.sm3(0.1), lambda: optax.sm3(0.1), vectors_and_up),
    ("sm3 momentum", lambda: ours.sm3(0.05, momentum=0.5), lambda: optax.sm3(0.05, momentum=0.5), vectors_and_up),
    (
        "scale_by_sm3 b2<1, scale_by_param_block_norm",
        lambda: chain(
            ours.scale_by_sm3(0.5, 0.9, 1e-6), ours.scale_by_param_block_norm(), scale_by_learning_rate(0.01)
        ),
        lambda: optax.chain(
            optax.scale_by_sm3(0.5, 0.9, 1e-6), optax.scale_by_param_block_norm(), optax.scale_by_learning_rate(0.01)
        ),
        vectors_and_up,
    ),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, params", ROWS, ids=[r[0] for r in ROWS])
def test_matches_optax(name, ours_tx, theirs_tx, params):
    assert compare_plain(ours_tx(), theirs_tx(), params=params()) <= OPTIMIZER_RTOL


def test_sm3_scalar_parameter_is_a_length_one_vector():
    """Optax's SM3 cannot take a 0-d parameter; ours treats it exactly as Optax treats shape (1,)."""
    a = run(ours.sm3(0.1), ours.apply_updates, {"s": jnp.asarray(0.7, jnp.float32)}, steps=20)
    b = run(optax.sm3(0.1), optax.apply_updates, {"s": jnp.asarray([0.7], jnp.float32)}, steps=20)
    assert (
        leaves_rel([u["s"].reshape(1) for u in a.updates], [u["s"] for u in b.updates], OPTIMIZER_FLOOR)
        <= OPTIMIZER_RTOL
    )


@pytest.mark.parametrize("tx", [ours.scale_by_sm3()], ids=["scale_by_sm3"])
def test_mismatched_grads_name_the_path(tx):
    params = example_params()
    grads = {**params, "Conv_0": {}}  # 'kernel' missing
    assert_update_names_the_path(tx, grads, params, "['Conv_0']")
