"""The digits task: scikit-learn's digits split once by `DIGITS_KEY`, and the batch check every digits model
shares (`check_digits`, bound by each model as `mlp.check_digits`, ...), which names the model, what it
expected and what it got."""

import jax
import numpy as np
import pytest

from purejax.data import DIGITS_KEY, load_digits
from purejax.data.tasks import digits as task  # the module: its check_digits and example_batch
from tests._asserts import assert_bitwise, assert_refused


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_digits_shapes_and_dtypes(digits):
    assert set(digits) == {"train", "test"}
    for part, n in (("train", 1438), ("test", 359)):
        image, label = digits[part]["image"], digits[part]["label"]
        assert image.shape == (n, 8, 8, 1) and image.dtype == np.float32
        assert label.shape == (n,) and label.dtype == np.int32
        assert image.min() == 0.0 and image.max() == 1.0
        assert set(label.tolist()) == set(range(10))


def test_digits_are_all_accounted_for_and_deterministic(digits):
    """Exactly scikit-learn's 1,797 digits, each once with its label, in the order DIGITS_KEY fixes."""
    from sklearn.datasets import load_digits as sklearn_digits

    original = sklearn_digits()
    ours = np.concatenate([digits["train"]["image"], digits["test"]["image"]])[..., 0] * 16  # [1797, 8, 8]
    labels = np.concatenate([digits["train"]["label"], digits["test"]["label"]])
    order = np.asarray(jax.random.permutation(DIGITS_KEY, 1797))  # test first, then train
    order = np.concatenate([order[359:], order[:359]])
    assert sorted(order.tolist()) == list(range(1797))
    np.testing.assert_array_equal(ours, original.images[order])
    np.testing.assert_array_equal(labels, original.target[order])


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
    bad = breaks(task.example_batch(key))
    with pytest.raises(ValueError) as error:
        task.check_digits(bad, "some_model")
    message = str(error.value)
    assert message.startswith("some_model: expected a batch {'image': float[B, 8, 8, 1], 'label': int[B]}, got ")
    if isinstance(bad, dict):  # the actual dtypes and shapes are spelled out
        assert all(f"'{name}': '{np.asarray(v).dtype}{list(np.shape(v))}'" in message for name, v in bad.items())


def test_check_digits_accepts_tracers_and_short_batches(key):
    batch = task.example_batch(key, batch_size=3)
    jax.jit(lambda b: task.check_digits(b, "mlp") or 0)(batch)  # shapes and dtypes of tracers
    task.check_digits({k: v[:1] for k, v in batch.items()}, "mlp")


def test_check_digits_takes_the_image_size_and_names_the_hparam_to_pass(key):
    batch = task.example_batch(key, batch_size=2)
    large = task.upscale(batch, 2)  # [2, 16, 16, 1]
    task.check_digits(large, "cnn", image_size=16)
    assert_refused(
        lambda: task.check_digits(large, "cnn"),
        ValueError,
        "cnn: expected a batch {'image': float[B, 8, 8, 1], 'label': int[B]}, got ",
        "'float32[2, 16, 16, 1]'",
        "image_size=16",
    )
    assert_refused(  # 8x8 digits for a 32x32 model: the size to pass, or the upscale that fits
        lambda: task.check_digits(batch, "resnet", 32),
        ValueError,
        "resnet: expected a batch {'image': float[B, 32, 32, 1]",
        "image_size=8",
        "upscale(batch, 4)",
    )
    with pytest.raises(ValueError, match="image_size=8") as error:  # 12 is no whole multiple of 8: no upscale
        task.check_digits(batch, "cnn", 12)
    assert "upscale" not in str(error.value)
    assert_refused(lambda: task.check_digits(batch, "cnn", 0), ValueError, "cnn", "image_size", "positive")


@pytest.mark.parametrize("factor", [1, 2, 4])
def test_upscale_repeats_each_pixel_as_a_block(factor, key):
    """`image'[b, i, j] = image[b, i // factor, j // factor]`: jax.image.resize's 'nearest', bitwise."""
    batch = task.example_batch(key, batch_size=3)
    large = task.upscale(batch, factor)
    side = 8 * factor
    rows = np.arange(side) // factor
    assert_bitwise(large["image"], batch["image"][:, rows][:, :, rows])
    assert_bitwise(large["image"], np.asarray(jax.image.resize(batch["image"], (3, side, side, 1), "nearest")))
    assert_bitwise(large["label"], batch["label"])
    task.check_digits(large, "cnn", side)


def test_upscale_refuses_mistakes(key):
    batch = task.example_batch(key, batch_size=2)
    assert_refused(lambda: task.upscale(batch, 0), ValueError, "upscale", "factor", "positive")
    assert_refused(lambda: task.upscale(batch, 2.0), TypeError, "upscale", "factor")
    assert_refused(lambda: task.upscale({"image": batch["image"]}, 2), ValueError, "upscale", "expected a batch")
