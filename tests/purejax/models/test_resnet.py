"""The small ResNet beyond the generic contract (`test_contract.py`).

- the variables tree: blocks named `ResNetBlock_i`, a projection shortcut only where the shape changes;
- a block whose residual branch is switched off (last BatchNorm scale and bias 0) passes its input
  through the shortcut: `relu(x)`, or `relu(BN(conv1x1(x)))` when it projects;
- training returns new running averages for every BatchNorm; evaluation normalizes with them, so an
  example's logits do not depend on its batch;
- after training side by side, the running averages and `predict` agree; other depths build the same.
"""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random
from comparisons.training.pair import train_pair
from flaxed.models import resnet as flaxed_resnet
from purejax.models import resnet
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL, assert_bitwise

SIDES = [pytest.param(resnet, id="purejax"), pytest.param(flaxed_resnet, id="flaxed")]


def _shapes(tree):
    return jax.tree_util.tree_map(lambda x: tuple(x.shape), tree)


def test_variables_tree(key):
    variables = resnet.init(key, resnet.example_batch(key))
    bn = lambda c: {"scale": (c,), "bias": (c,)}  # noqa: E731
    stats = lambda c: {"mean": (c,), "var": (c,)}  # noqa: E731
    assert _shapes(variables["params"]) == {
        "Conv_0": {"kernel": (3, 3, 1, 16)},
        "BatchNorm_0": bn(16),
        "ResNetBlock_0": {
            "Conv_0": {"kernel": (3, 3, 16, 16)},
            "BatchNorm_0": bn(16),
            "Conv_1": {"kernel": (3, 3, 16, 16)},
            "BatchNorm_1": bn(16),
        },
        "ResNetBlock_1": {
            "Conv_0": {"kernel": (3, 3, 16, 32)},
            "BatchNorm_0": bn(32),
            "Conv_1": {"kernel": (3, 3, 32, 32)},
            "BatchNorm_1": bn(32),
            "Conv_2": {"kernel": (1, 1, 16, 32)},
            "BatchNorm_2": bn(32),
        },  # the projection
        "Dense_0": {"kernel": (32, 10), "bias": (10,)},
    }
    assert _shapes(variables["batch_stats"]) == {
        "BatchNorm_0": stats(16),
        "ResNetBlock_0": {"BatchNorm_0": stats(16), "BatchNorm_1": stats(16)},
        "ResNetBlock_1": {"BatchNorm_0": stats(32), "BatchNorm_1": stats(32), "BatchNorm_2": stats(32)},
    }


@pytest.mark.parametrize("module", SIDES)
@pytest.mark.parametrize("features, strides", [(16, 1), (32, 2)], ids=["identity", "projection"])
def test_block_without_its_branch_is_the_shortcut(module, features, strides, key):
    x = purejax.random.normal(key, (4, 8, 8, 16))  # [batch, 8, 8, 16]
    block = module.ResNetBlock(features, strides)
    variables = block.init(purejax.random.PRNGKey(1), x, False)
    params = variables["params"]
    off = {
        "scale": jnp.zeros_like(params["BatchNorm_1"]["scale"]),
        "bias": jnp.zeros_like(params["BatchNorm_1"]["bias"]),
    }
    variables = {**variables, "params": {**params, "BatchNorm_1": off}}  # the residual branch is now 0
    out = block.apply(variables, x, False)  # [batch, 8 / strides, 8 / strides, features]
    if strides == 1:
        assert_bitwise(out, jnp.maximum(x, 0.0))
        return
    shortcut = jax.lax.conv_general_dilated(
        x, params["Conv_2"]["kernel"], (2, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )  # [batch, 4, 4, 32]
    stats, bn = variables["batch_stats"]["BatchNorm_2"], params["BatchNorm_2"]
    mean, var, scale, bias = (v.reshape(1, 1, 1, -1) for v in (stats["mean"], stats["var"], bn["scale"], bn["bias"]))
    expected = (shortcut - mean) / jnp.sqrt(var + 1e-5) * scale + bias  # BatchNorm_2 with its running averages
    np.testing.assert_allclose(out, jnp.maximum(expected, 0.0), rtol=FORWARD_RTOL, atol=1e-6)


@pytest.mark.parametrize("module", SIDES)
def test_train_returns_every_running_average_and_eval_uses_them(module, key):
    batch = resnet.example_batch(key, batch_size=8)
    variables = resnet.init(key, batch)
    _, metrics = module.loss_fn(variables, batch, None, train=True)
    assert set(metrics) == {"accuracy", "batch_stats"}
    chex.assert_trees_all_equal_shapes_and_dtypes(metrics["batch_stats"], variables["batch_stats"])
    assert all(
        np.abs(np.asarray(new) - np.asarray(old)).max() > 0
        for new, old in zip(
            jax.tree_util.tree_leaves(metrics["batch_stats"]),
            jax.tree_util.tree_leaves(variables["batch_stats"]),
            strict=True,
        )
    )
    moved = {**variables, "batch_stats": metrics["batch_stats"]}
    _, eval_metrics = module.loss_fn(moved, batch, None, train=False)
    assert set(eval_metrics) == {"accuracy"}
    whole = module.predict(moved, batch["image"])  # [8, 10]
    np.testing.assert_allclose(module.predict(moved, batch["image"][:2]), whole[:2], rtol=FORWARD_RTOL, atol=1e-6)
    assert not np.allclose(module.predict(variables, batch["image"]), whole, rtol=1e-3)  # the averages are read


def test_trained_sides_agree_on_running_averages_and_predictions():
    result = train_pair("resnet", steps=20, evaluate_at_end=False)
    ours, theirs = result["purejax"]["state"], result["flaxed"]["state"]
    chex.assert_trees_all_close(ours.batch_stats, theirs.batch_stats, rtol=GRADIENT_RTOL, atol=1e-6)
    images = resnet.load_data()["test"]["image"][:64]
    logits = [
        module.predict({"params": state.params, "batch_stats": state.batch_stats}, images)
        for module, state in ((resnet, ours), (flaxed_resnet, theirs))
    ]
    np.testing.assert_allclose(logits[0], logits[1], rtol=GRADIENT_RTOL, atol=1e-5)


def test_other_depths_build_the_same_on_both_sides(key):
    batch = resnet.example_batch(key)
    hparams = {"stage_features": (8, 8, 16)}  # three blocks, only the last one projects
    variables = resnet.init(key, batch, **hparams)
    assert_bitwise(variables, flaxed_resnet.init(key, batch, **hparams))
    assert sorted(variables["params"]) == [
        "BatchNorm_0",
        "Conv_0",
        "Dense_0",
        "ResNetBlock_0",
        "ResNetBlock_1",
        "ResNetBlock_2",
    ]
    assert "Conv_2" in variables["params"]["ResNetBlock_2"] and "Conv_2" not in variables["params"]["ResNetBlock_1"]
    chex.assert_trees_all_close(
        resnet.loss_fn(variables, batch, None, **hparams),
        flaxed_resnet.loss_fn(variables, batch, None, **hparams),
        rtol=FORWARD_RTOL,
    )
