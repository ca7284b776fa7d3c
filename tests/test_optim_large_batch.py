"""LAMB, LARS, SM3, Adafactor and their building blocks against Optax, 50 jitted steps side by side."""
import jax
import jax.numpy as jnp
import optax
import pytest

from comparisons.parity.measures import OPTIMIZER_RTOL, OPTIMIZER_FLOOR, leaves_rel
from comparisons.parity.tables.optim_harness import example_params, run
from comparisons.parity.tables.optim_harness import compare as compare_plain
from comparisons.parity.tables.optim_sgd import DECAY_MASK, linear_schedule, without_scalars
import purejax.optim as ours
from purejax.optim import chain, scale_by_learning_rate

SCHEDULE = linear_schedule(0.1, 0.01, 30)
NOT_BIAS = lambda p: jax.tree_util.tree_map(lambda x: jnp.ndim(x) != 1, p)  # noqa: E731


def vectors_and_up():
    return without_scalars(example_params())  # Optax's SM3 fails on 0-d parameters


ROWS = [  # (name, ours, theirs, params)
    ("lamb", lambda: ours.lamb(0.01), lambda: optax.lamb(0.01), example_params),
    ("lamb schedule weight_decay mask", lambda: ours.lamb(SCHEDULE, 0.8, 0.99, 1e-4, 1e-8, 1e-2, DECAY_MASK),
     lambda: optax.lamb(SCHEDULE, 0.8, 0.99, 1e-4, 1e-8, 1e-2, DECAY_MASK), example_params),
    ("lars", lambda: ours.lars(0.1), lambda: optax.lars(0.1), example_params),
    ("lars schedule masks nesterov",
     lambda: ours.lars(SCHEDULE, 1e-3, DECAY_MASK, 0.01, 1e-6, NOT_BIAS, 0.8, True),
     lambda: optax.lars(SCHEDULE, 1e-3, DECAY_MASK, 0.01, 1e-6, NOT_BIAS, 0.8, True), example_params),
    ("sm3", lambda: ours.sm3(0.1), lambda: optax.sm3(0.1), vectors_and_up),
    ("sm3 momentum", lambda: ours.sm3(0.05, momentum=0.5), lambda: optax.sm3(0.05, momentum=0.5), vectors_and_up),
    ("adafactor", lambda: ours.adafactor(), lambda: optax.adafactor(), example_params),
    ("adafactor factored schedule momentum decay",
     lambda: ours.adafactor(SCHEDULE, 2, 0.7, 0, False, None, 0.9, jnp.bfloat16, 1e-3, 1e-20, True, NOT_BIAS),
     lambda: optax.adafactor(SCHEDULE, 2, 0.7, 0, False, None, 0.9, jnp.bfloat16, 1e-3, 1e-20, True, NOT_BIAS),
     example_params),
    ("scale_by_trust_ratio",
     lambda: chain(ours.scale_by_trust_ratio(1e-2, 0.5, 1e-3), scale_by_learning_rate(0.1)),
     lambda: optax.chain(optax.scale_by_trust_ratio(1e-2, 0.5, 1e-3), optax.scale_by_learning_rate(0.1)),
     example_params),
    ("scale_by_sm3 b2<1, scale_by_param_block_norm",
     lambda: chain(ours.scale_by_sm3(0.5, 0.9, 1e-6), ours.scale_by_param_block_norm(),
                   scale_by_learning_rate(0.01)),
     lambda: optax.chain(optax.scale_by_sm3(0.5, 0.9, 1e-6), optax.scale_by_param_block_norm(),
                         optax.scale_by_learning_rate(0.01)), vectors_and_up),
]


@pytest.mark.parametrize("name, ours_tx, theirs_tx, params", ROWS, ids=[r[0] for r in ROWS])
def test_matches_optax(name, ours_tx, theirs_tx, params):
    assert compare_plain(ours_tx(), theirs_tx(), params=params()) <= OPTIMIZER_RTOL


def test_sm3_scalar_parameter_is_a_length_one_vector():
    """Optax's SM3 cannot take a 0-d parameter; ours treats it exactly as Optax treats shape (1,)."""
    a = run(ours.sm3(0.1), ours.apply_updates, {"s": jnp.asarray(0.7, jnp.float32)}, steps=20)
    b = run(optax.sm3(0.1), optax.apply_updates, {"s": jnp.asarray([0.7], jnp.float32)}, steps=20)
    assert leaves_rel([u["s"].reshape(1) for u in a.updates], [u["s"] for u in b.updates], OPTIMIZER_FLOOR) <= OPTIMIZER_RTOL


@pytest.mark.parametrize("tx", [ours.scale_by_sm3(), ours.scale_by_factored_rms()],
                         ids=["scale_by_sm3", "scale_by_factored_rms"])
def test_mismatched_grads_name_the_path(tx):
    params = example_params()
    grads = {**params, "Conv_0": {}}  # 'kernel' missing
    with pytest.raises(ValueError, match=r"\['Conv_0'\]"):
        tx.update(grads, tx.init(params), params)


@pytest.mark.parametrize("make", [ours.lamb, ours.lars, ours.adafactor, ours.scale_by_trust_ratio,
                                  ours.scale_by_factored_rms])
def test_params_are_required(make):
    tx = make(0.1) if make in (ours.lamb, ours.lars, ours.adafactor) else make()
    params = example_params()
    with pytest.raises(ValueError, match="params"):
        tx.update(params, tx.init(params))
