"""The VAE beyond the generic contract (`test_contract.py`): `sample` on both sides, the
reparameterisation noise drawn from the loss key, the variables layout, other widths, and the
baselines of the learning goal expressed as VAEs."""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random
from flaxed.models import vae as flaxed_vae
from purejax import losses
from purejax.models import vae
from tests._asserts import FORWARD_RTOL, assert_bitwise

KEY = purejax.random.PRNGKey(0)
SIDES = {"purejax": vae, "flaxed": flaxed_vae}


@pytest.fixture(scope="module")
def batch():
    return vae.example_batch(KEY, batch_size=8)


@pytest.fixture(scope="module")
def variables(batch):
    return vae.init(KEY, batch)


def test_variables_layout(variables):
    shapes = jax.tree_util.tree_map(np.shape, variables)
    assert shapes == {
        "params": {
            "encoder": {
                "Dense_0": {"kernel": (64 + 10, 64), "bias": (64,)},  # [pixels, one_hot] -> hidden
                "Dense_1": {"kernel": (64, 2 * 4), "bias": (2 * 4,)},
            },  # -> (mean, logvar)
            "decoder": {
                "Dense_0": {"kernel": (4 + 10, 64), "bias": (64,)},  # [z, one_hot] -> hidden
                "Dense_1": {"kernel": (64, 64), "bias": (64,)},
            },  # -> pixel logits
        }
    }


def test_sample_same_key_same_digits_on_both_sides(variables):
    labels = jnp.arange(10)
    ours = vae.sample(variables, purejax.random.PRNGKey(3), labels)
    theirs = flaxed_vae.sample(variables, purejax.random.PRNGKey(3), labels)
    chex.assert_shape(ours, (10, 8, 8, 1))
    assert float(ours.min()) >= 0.0 and float(ours.max()) <= 1.0
    chex.assert_trees_all_close(ours, theirs, rtol=FORWARD_RTOL, atol=1e-6)
    assert_bitwise(ours, vae.sample(variables, purejax.random.PRNGKey(3), labels))  # deterministic
    chex.assert_trees_all_close(
        jax.jit(vae.sample)(variables, purejax.random.PRNGKey(3), labels), ours, rtol=FORWARD_RTOL, atol=1e-6
    )
    other = vae.sample(variables, purejax.random.PRNGKey(4), labels)
    assert not np.allclose(ours, other), "the key does not change the samples"


@pytest.mark.parametrize("side", SIDES)
def test_sample_decodes_normal_noise_with_the_label(side, variables):
    """`sample` is `sigmoid(decode(normal(key, [n, latent]), labels))`, and the label matters."""
    module, key, labels = SIDES[side], purejax.random.PRNGKey(5), jnp.array([0, 1, 7])
    z = purejax.random.normal(key, (3, 4))  # [n, latent]
    expected = jax.nn.sigmoid(vae.decode(variables, z, labels)).reshape(3, 8, 8, 1)
    chex.assert_trees_all_close(module.sample(variables, key, labels), expected, rtol=FORWARD_RTOL, atol=1e-6)
    other_labels = module.sample(variables, key, jnp.array([2, 3, 4]))
    assert not np.allclose(module.sample(variables, key, labels), other_labels), "the label is ignored"


@pytest.mark.parametrize("side", SIDES)
def test_sample_refuses_labels_of_the_wrong_shape(side, variables):
    with pytest.raises(ValueError, match=r"vae: sample expects labels of shape \[n\], got \[3, 1\]"):
        SIDES[side].sample(variables, KEY, jnp.zeros((3, 1), jnp.int32))


@pytest.mark.parametrize("side", SIDES)
def test_the_noise_is_normal_of_the_loss_key(side, batch, variables):
    """loss_fn's eps is `normal(key, [batch, latent])`: rebuild the loss by hand from the parts."""
    module, step_key = SIDES[side], purejax.random.PRNGKey(7)
    params = variables["params"]
    image, label = jnp.asarray(batch["image"]), jnp.asarray(batch["label"])
    pixels = image.reshape(8, 64)  # [batch, 64]
    mean, logvar = vae.Encoder().apply({"params": params["encoder"]}, pixels, label)  # [batch, 4] x2
    z = mean + jnp.exp(0.5 * logvar) * purejax.random.normal(step_key, (8, 4))  # [batch, 4]
    reconstruction = losses.sigmoid_binary_cross_entropy(vae.decode(variables, z, label), pixels).sum(-1).mean()
    kl = (0.5 * (jnp.exp(logvar) + mean**2 - 1.0 - logvar).sum(-1)).mean()
    loss, metrics = module.loss_fn(variables, batch, step_key)
    chex.assert_trees_all_close(
        (loss, metrics),
        (reconstruction + kl, {"reconstruction": reconstruction, "kl": kl}),
        rtol=FORWARD_RTOL,
        atol=1e-6,
    )
    assert_bitwise(module.loss_fn(variables, batch, step_key), (loss, metrics))
    assert module.loss_fn(variables, batch, purejax.random.PRNGKey(8))[0] != loss, "the key does not draw the noise"


def test_other_widths_agree_on_both_sides(batch):
    hparams = {"hidden": 16, "latent": 2}
    ours = vae.init(KEY, batch, **hparams)
    assert_bitwise(ours, flaxed_vae.init(KEY, batch, **hparams))
    assert ours["params"]["decoder"]["Dense_0"]["kernel"].shape == (2 + 10, 16)
    step_key = purejax.random.PRNGKey(1)
    chex.assert_trees_all_close(
        vae.loss_fn(ours, batch, step_key, **hparams),
        flaxed_vae.loss_fn(ours, batch, step_key, **hparams),
        rtol=FORWARD_RTOL,
    )
    labels = jnp.arange(5)
    chex.assert_trees_all_close(
        vae.sample(ours, step_key, labels, **hparams),
        flaxed_vae.sample(ours, step_key, labels, **hparams),
        rtol=FORWARD_RTOL,
        atol=1e-6,
    )


def _pixel_mean_vae(variables, by_class: bool) -> dict:
    """A VAE that ignores its image: mean = logvar = 0 (KL = 0), logits = logit(pixel means)."""
    data = vae.load_data()["train"]
    images = data["image"].reshape(-1, 64).astype(np.float64)  # [n, 64]
    means = np.stack([images[data["label"] == c].mean(0) if by_class else images.mean(0) for c in range(10)])
    p = np.clip(means, 1e-6, 1 - 1e-6)  # [10, 64]
    hidden_in = np.zeros((4 + 10, 64), np.float32)
    hidden_in[4 + np.arange(10), np.arange(10)] = 1.0  # hidden unit c = one_hot(label)_c, z ignored
    hidden_out = np.zeros((64, 64), np.float32)
    hidden_out[:10] = np.log(p) - np.log1p(-p)  # logit of class c's pixel means
    zeros = jax.tree_util.tree_map(jnp.zeros_like, variables["params"])
    return {
        "params": {
            "encoder": zeros["encoder"],
            "decoder": {
                "Dense_0": {"kernel": jnp.asarray(hidden_in), "bias": jnp.zeros(64)},
                "Dense_1": {"kernel": jnp.asarray(hidden_out), "bias": jnp.zeros(64)},
            },
        }
    }


@pytest.mark.parametrize("by_class", [True, False])
def test_the_baselines_are_vaes_at_zero_kl(by_class, variables):
    """The goal's baseline is in the loss's own units: a VAE can express it, at KL = 0."""
    blind = _pixel_mean_vae(variables, by_class)
    total, count = 0.0, 0
    for batch in vae.eval_batches(64):
        loss, metrics = jax.jit(vae.loss_fn)(blind, batch, KEY)
        assert float(metrics["kl"]) == 0.0
        total, count = total + float(loss) * len(batch["label"]), count + len(batch["label"])
    np.testing.assert_allclose(total / count, vae.pixel_mean_baseline(by_class=by_class), rtol=1e-5)


def test_learning_goal_reads_the_class_baseline():
    limit = vae.pixel_mean_baseline(by_class=True)
    assert 20 < limit < vae.pixel_mean_baseline(by_class=False) < 30  # the label helps
    assert vae.learning_goal({"loss": limit - 0.01})[0] and not vae.learning_goal({"loss": limit + 0.01})[0]
