"""The digits MLP beyond the generic contract (`tests/test_models.py`): the digits batch check that
every digits model shares (`purejax.data.tasks.digits.check_digits`, bound as `mlp.check_digits`),
and a non-default `hidden` on both sides."""
from __future__ import annotations

import chex
import jax
import numpy as np
import pytest

import purejax.random
from flaxed.models import mlp as flaxed_mlp
from purejax.models import mlp
from tests._asserts import FORWARD_RTOL, assert_bitwise

BAD_BATCHES = [  # (what is wrong, how to break a good batch)
    ("not a dict", lambda b: (b["image"], b["label"])),
    ("a missing label", lambda b: {"image": b["image"]}),
    ("an extra key", lambda b: {**b, "mask": np.ones(len(b["label"]), bool)}),
    ("flat images", lambda b: {**b, "image": b["image"].reshape(len(b["label"]), 64)}),
    ("one label too few", lambda b: {**b, "label": b["label"][1:]}),
    ("one-hot labels", lambda b: {**b, "label": np.eye(10, dtype=np.int32)[b["label"]]}),
    ("float labels", lambda b: {**b, "label": b["label"].astype(np.float32)}),
    ("integer images", lambda b: {**b, "image": (16 * b["image"]).astype(np.int32)}),
]


@pytest.mark.parametrize("what, breaks", BAD_BATCHES, ids=[row[0] for row in BAD_BATCHES])
def test_check_digits_names_model_expected_and_got(what, breaks, key):
    bad = breaks(mlp.example_batch(key))
    with pytest.raises(ValueError) as error:
        mlp.check_digits(bad, "some_model")
    message = str(error.value)
    assert message.startswith("some_model: expected a batch {'image': float[B, 8, 8, 1], 'label': int[B]}, got ")
    if isinstance(bad, dict):  # the actual dtypes and shapes are spelled out
        assert all(f"'{name}': '{np.asarray(v).dtype}{list(np.shape(v))}'" in message for name, v in bad.items())


def test_check_digits_accepts_tracers_and_short_batches(key):
    batch = mlp.example_batch(key, batch_size=3)
    jax.jit(lambda b: mlp.check_digits(b, "mlp") or 0)(batch)  # shapes and dtypes of tracers
    mlp.check_digits({k: v[:1] for k, v in batch.items()}, "mlp")


@pytest.mark.parametrize("hidden", [8, 33])
def test_hidden_width_agrees_on_both_sides(hidden, key):
    batch = mlp.example_batch(key)
    variables = mlp.init(key, batch, hidden=hidden)
    assert_bitwise(variables, flaxed_mlp.init(key, batch, hidden=hidden))
    assert variables["params"]["Dense_1"]["kernel"].shape == (hidden, hidden)
    step_key = purejax.random.PRNGKey(1)
    chex.assert_trees_all_close(mlp.loss_fn(variables, batch, step_key, hidden=hidden),
                                flaxed_mlp.loss_fn(variables, batch, step_key, hidden=hidden), rtol=FORWARD_RTOL)
