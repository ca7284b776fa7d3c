"""The digits CNN beyond the generic contract (`test_contract.py`): what `train` switches.

- eval (`train=False`) normalizes with the running averages: an example's logits do not depend on
  the rest of its batch, do depend on 'batch_stats', and no key is used (no dropout);
- training draws its dropout masks from the loss_fn's key, and needs one;
- the running averages move by Flax's rule and stay equal on both sides while training.
"""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random
from comparisons.training.pair import train_pair
from flaxed.models import cnn as flaxed_cnn
from purejax.models import cnn
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL, assert_refused

SIDES = [pytest.param(cnn, id="purejax"), pytest.param(flaxed_cnn, id="flaxed")]


def _shifted_stats(variables, key) -> dict:
    """The variables with running averages far from their initial 0 and 1 (as after training)."""
    leaves, treedef = jax.tree_util.tree_flatten(variables["batch_stats"])
    keys = purejax.random.split(key, len(leaves))
    moved = [jnp.abs(x + purejax.random.normal(k, x.shape)) + 0.5 for x, k in zip(leaves, keys, strict=True)]
    return {**variables, "batch_stats": jax.tree_util.tree_unflatten(treedef, moved)}


def _logits(module, variables, image, train, key=None, **hparams):
    rngs = {} if key is None else {"rngs": {"dropout": key}}
    mutable = {"mutable": ["batch_stats"]} if train else {}
    out = module.build(**hparams).apply(variables, image, train=train, **rngs, **mutable)
    return out[0] if train else out  # [batch, 10]


@pytest.mark.parametrize("module", SIDES)
def test_eval_uses_running_averages_and_no_dropout(module, key):
    batch = cnn.example_batch(key, batch_size=8)
    variables = _shifted_stats(cnn.init(key, batch), purejax.random.PRNGKey(3))
    whole = _logits(module, variables, batch["image"], train=False)
    # per example: the first two digits get the same logits alone as inside the batch of 8
    np.testing.assert_allclose(
        _logits(module, variables, batch["image"][:2], train=False), whole[:2], rtol=FORWARD_RTOL, atol=1e-6
    )
    # ... while training (dropout off here) normalizes with the batch's statistics, which a batch of 2 changes
    alone, inside = (
        _logits(module, variables, image, True, dropout_rate=0.0) for image in (batch["image"][:2], batch["image"])
    )
    assert not np.allclose(alone, inside[:2], rtol=1e-3)
    # the running averages are read: other averages, other logits
    assert not np.allclose(_logits(module, cnn.init(key, batch), batch["image"], train=False), whole, rtol=1e-3)
    # deterministic: any key, or none, gives the same loss, and no statistics come back
    results = [
        module.loss_fn(variables, batch, k, train=False)
        for k in (None, purejax.random.PRNGKey(1), purejax.random.PRNGKey(2))
    ]
    for loss, metrics in results:
        assert set(metrics) == {"accuracy"}
        np.testing.assert_array_equal(loss, results[0][0])


def test_eval_agrees_on_both_sides_with_moved_averages(key):
    batch = cnn.example_batch(key, batch_size=8)
    variables = _shifted_stats(cnn.init(key, batch), purejax.random.PRNGKey(3))
    chex.assert_trees_all_close(
        cnn.loss_fn(variables, batch, None, train=False),
        flaxed_cnn.loss_fn(variables, batch, None, train=False),
        rtol=FORWARD_RTOL,
    )


@pytest.mark.parametrize("module", SIDES)
def test_dropout_masks_come_from_the_key(module, key):
    batch = cnn.example_batch(key, batch_size=8)
    variables = cnn.init(key, batch)
    k1, k2 = purejax.random.PRNGKey(1), purejax.random.PRNGKey(2)
    loss = {k: module.loss_fn(variables, batch, kk)[0] for k, kk in (("a", k1), ("again", k1), ("b", k2))}
    np.testing.assert_array_equal(loss["a"], loss["again"])
    assert loss["a"] != loss["b"]
    # without dropout the key no longer matters
    no_drop = [module.loss_fn(variables, batch, k, dropout_rate=0.0)[0] for k in (k1, k2)]
    np.testing.assert_array_equal(no_drop[0], no_drop[1])
    with pytest.raises(ValueError, match="cnn: training needs a key for dropout"):
        module.loss_fn(variables, batch, None, train=True)


@pytest.mark.parametrize("module", SIDES)
def test_running_averages_follow_the_momentum_rule(module, key):
    """After one step: `mean' = momentum * mean + (1 - momentum) * batch mean` (likewise `var`)."""
    batch = cnn.example_batch(key, batch_size=8)
    variables = cnn.init(key, batch)
    _, metrics = module.loss_fn(variables, batch, purejax.random.PRNGKey(1))
    conv = (
        jax.lax.conv_general_dilated(  # Conv_0, written out: [batch, 8, 8, 16]
            jnp.asarray(batch["image"]),
            variables["params"]["Conv_0"]["kernel"],
            (1, 1),
            "SAME",
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
        )
        + variables["params"]["Conv_0"]["bias"][None, None, None, :]
    )
    momentum = cnn.build().momentum
    new = metrics["batch_stats"]["BatchNorm_0"]
    np.testing.assert_allclose(new["mean"], (1 - momentum) * conv.mean(axis=(0, 1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new["var"], momentum + (1 - momentum) * conv.var(axis=(0, 1, 2)), rtol=1e-5)


def test_running_averages_move_identically_while_training(key):
    result = train_pair("cnn", steps=10, evaluate_at_end=False)
    ours, theirs = result["purejax"]["state"].batch_stats, result["flaxed"]["state"].batch_stats
    chex.assert_trees_all_close(ours, theirs, rtol=GRADIENT_RTOL, atol=1e-6)
    initial = cnn.init(key, cnn.example_batch(key))["batch_stats"]  # means 0, variances 1
    for moved, start in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(initial), strict=True):
        assert np.abs(np.asarray(moved) - np.asarray(start)).max() > 1e-2, "the running averages did not move"


@pytest.mark.parametrize("module", SIDES)
def test_image_size_too_small_for_the_poolings_is_refused(module):
    """Each stage's 2x2 max pool halves the side: 3 stages need at least 8x8 images."""
    assert module.build(features=(8, 8, 8), image_size=8).image_size == 8
    assert_refused(lambda: module.build(features=(8, 8, 8), image_size=4), ValueError, "cnn", "at least 8")
    assert_refused(lambda: module.build(image_size=2.0), TypeError, "cnn", "image_size")
