"""The digits task: scikit-learn's 8x8 handwritten digits, a fixed split, batches, and the goals.

    data     1,797 images, grey levels 0..16 scaled to [0, 1]: float32[8, 8, 1]; labels 0..9
    split    shuffled with `DIGITS_KEY`: 1,438 training and 359 test digits, the same for everyone
    batches  {'image': float32[B, 8, 8, 1], 'label': int32[B]}
    upscale  `upscale(batch, factor)`: nearest neighbour, each pixel a `factor x factor` block,
             {'image': float32[B, 8 * factor, 8 * factor, 1], ...}: the 8x8 digits as 16x16 or
             32x32 images for the CNN's and ResNet's `image_size` (the batches above stay 8x8)
    goals    classifiers: test accuracy >= 0.9 (`learning_goal`);
             generative models of the pixels given the label: a test loss in nats per digit below
             the per-class pixel-mean baseline (`generation_goal`, `pixel_mean_baseline`)

The classifiers `mlp`, `cnn`, `resnet` and `lstm_classifier` and the VAE train on it; each model
module, purejax's and flaxed's alike, binds the functions here (`train_batches = ...`), so the
data are defined once. Loading needs scikit-learn (the `data` extra), and happens on first use.

Counterpart: `sklearn.datasets.load_digits` (the images and labels); the batches replace the
seeds' `tf.data` / `torch.utils.data` loaders (see `purejax/data/batching.py`).
"""

from __future__ import annotations

import functools
from typing import cast

import jax.numpy as jnp
import numpy as np

import purejax.random
from purejax.checks import check_bool, check_key, check_metric, check_positive_int
from purejax.data.batching import check_test_fraction, split, task_batches

DIGITS_KEY = purejax.random.PRNGKey(0)  # the fixed split every model uses
IMAGE_SIZE = 8  # height and width of one digit, in pixels
IMAGE_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)  # height, width, channels of one digit
PIXELS = 64  # 8 x 8 grey levels
NUM_CLASSES = 10
GOAL_ACCURACY = 0.9  # test accuracy the default budget must reach


def load_digits(key=DIGITS_KEY, test_fraction: float = 0.2) -> dict:
    """`{'train': ..., 'test': ...}`, each `{'image': float32[n, 8, 8, 1] in [0, 1], 'label': int32[n]}`.

    With the default key and fraction: 1,438 training and 359 test digits, the same for everyone.

    Args:
      key: a PRNG key (`uint32[2]`) that shuffles the 1,797 digits before the split.
      test_fraction: the share of test digits, in (0, 1), leaving both splits non-empty.

    Raises:
      TypeError / ValueError naming `load_digits` and the argument, checked before anything is
      loaded; ImportError without scikit-learn.
    """
    where = "purejax.data.load_digits"
    check_key(where, "key", key)
    check_test_fraction(where, 1797, test_fraction)  # the size of scikit-learn's digits
    try:
        from sklearn.datasets import load_digits as sklearn_digits
        from sklearn.utils import Bunch
    except ImportError as error:  # scikit-learn is optional: the `data` extra
        raise ImportError("purejax.data.load_digits needs scikit-learn: pip install 'purejax[data]'") from error
    digits = cast(Bunch, sklearn_digits())  # a Bunch, not the (X, y) pair: return_X_y is False
    data = {
        "image": (digits.images / 16.0).astype(np.float32)[..., None],  # [1797, 8, 8, 1]
        "label": digits.target.astype(np.int32),
    }  # [1797]
    train, test = split(data, key, test_fraction)
    return {"train": train, "test": test}


@functools.lru_cache(maxsize=1)
def load_data() -> dict:
    """`{'train': {'image': [1438, 8, 8, 1], 'label': [1438]}, 'test': {... 359 digits}}`."""
    return load_digits()


# Endless shuffled `{'image': [B, 8, 8, 1], 'label': [B]}` batches of the training digits, the
# test digits in order (the last batch possibly short), and the first training batch.
train_batches, eval_batches, example_batch = task_batches(load_data)


def check_digits(batch, name: str, image_size: int = IMAGE_SIZE) -> None:
    """Raise a ValueError naming model `name`, the expected and the actual shapes and dtypes.

    A digits batch is `{'image': float[B, S, S, 1], 'label': int[B]}` with `S = image_size`
    (8, the digits' own size, by default); works on tracers too. Square images of another size
    are refused with the hyperparameter to pass (`image_size=32`), 8x8 digits given to a larger
    model with the `upscale` that enlarges them.
    """
    image_size = check_positive_int(name, "image_size", image_size)
    s = image_size
    expected = f"{{'image': float[B, {s}, {s}, 1], 'label': int[B]}}"
    if not isinstance(batch, dict):
        raise ValueError(f"{name}: expected a batch {expected}, got {type(batch).__name__}")
    got = {k: f"{jnp.result_type(v)}{list(np.shape(v))}" for k, v in batch.items()}
    if set(batch) != {"image", "label"}:
        raise ValueError(f"{name}: expected a batch {expected}, got {got}")
    image, label = np.shape(batch["image"]), np.shape(batch["label"])
    if (
        len(image) != 4
        or image[1:] != (s, s, 1)
        or label != image[:1]
        or not jnp.issubdtype(jnp.result_type(batch["image"]), jnp.floating)
        or not jnp.issubdtype(jnp.result_type(batch["label"]), jnp.integer)
    ):
        raise ValueError(f"{name}: expected a batch {expected}, got {got}{_size_hint(image, s)}")


def _size_hint(image: tuple, image_size: int) -> str:
    """What to write when the images are square but not `image_size` on a side; else nothing."""
    if len(image) != 4 or image[3] != 1 or image[1] != image[2] or image[1] == image_size:
        return ""
    side = image[1]
    hint = (
        f"; for {side}x{side} images pass the hyperparameter image_size={side} "
        f"(init(key, batch, image_size={side}), loss_fn(..., image_size={side}))"
    )
    if side < image_size and image_size % side == 0:
        hint += (
            f", or enlarge them to {image_size}x{image_size}: "
            f"purejax.data.tasks.digits.upscale(batch, {image_size // side})"
        )
    return hint


def upscale(batch: dict, factor: int) -> dict:
    """The digits `factor` times larger on each side, by nearest neighbour; labels unchanged.

        image'[b, i, j, 0] = image[b, i // factor, j // factor, 0]    # each pixel a factor x factor block

    The same numbers in more pixels: no smoothing, so a model sees exactly the digit it saw at 8x8,
    only at a size where convolutions and pooling cost more (`upscale(batch, 4)`: 32x32 images for
    a CNN or ResNet built with `image_size=32`).

    Args:
      batch: `{'image': float[B, S, S, 1], 'label': int[B]}`, a digits batch of any square size `S`.
      factor: a positive integer, the new side over the old.

    Returns:
      `{'image': float[B, S * factor, S * factor, 1] (NumPy, the input's dtype), 'label': int[B]}`.

    Counterpart: `np.repeat` on both axes; `jax.image.resize(image, shape, 'nearest')` gives the
    same for an integer factor.

    Examples:
      >>> import numpy as np
      >>> batch = {'image': np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1), 'label': np.zeros(1, np.int32)}
      >>> upscale(batch, 2)['image'][0, ..., 0]
      array([[0., 0., 1., 1.],
             [0., 0., 1., 1.],
             [2., 2., 3., 3.],
             [2., 2., 3., 3.]], dtype=float32)
    """
    where = "purejax.data.tasks.digits.upscale"
    factor = check_positive_int(where, "factor", factor)
    side = IMAGE_SIZE  # any square size is upscaled: the check reads it from the batch
    if isinstance(batch, dict) and "image" in batch and np.ndim(batch["image"]) == 4:
        side = np.shape(batch["image"])[1]
    check_digits(batch, where, side)
    image = np.repeat(np.repeat(np.asarray(batch["image"]), factor, axis=1), factor, axis=2)  # [B, S * f, S * f, 1]
    return {"image": image, "label": batch["label"]}


def accuracy(logits, labels):
    """The fraction of examples whose largest logit is the label: `mean(argmax(logits) == label)`."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def learning_goal(eval_metrics: dict) -> tuple[bool, str]:
    """Learned when at least 90% of the test digits are classified correctly."""
    accuracy = check_metric("purejax.data.tasks.digits.learning_goal", "eval_metrics", eval_metrics, "accuracy")
    return accuracy >= GOAL_ACCURACY, f"test accuracy {accuracy:.3f} >= {GOAL_ACCURACY}"


@functools.lru_cache(maxsize=2)
def pixel_mean_baseline(by_class: bool = True) -> float:
    """The test loss of a model that never looks at the image: each pixel predicted by its mean.

        p[c]  = mean of the training images of class c        # [64]; one p for all if not by_class
        loss  = mean_test sum_pixels bce(logit(p[label]), pixels)   # KL = 0: no latent

    With the default split: 22.08 nats a digit by class, 27.01 without the label; an untrained
    VAE scores about 45.6 and a perfect reconstruction (the targets' own entropy) 13.6.
    """
    check_bool("purejax.data.tasks.digits.pixel_mean_baseline", "by_class", by_class)
    data = load_data()
    train, test = (data[s]["image"].reshape(-1, PIXELS).astype(np.float64) for s in ("train", "test"))
    if by_class:
        means = np.stack([train[data["train"]["label"] == c].mean(axis=0) for c in range(NUM_CLASSES)])  # [10, 64]
        p = means[data["test"]["label"]]  # [n_test, 64]
    else:
        p = np.broadcast_to(train.mean(axis=0), test.shape)  # [n_test, 64]
    p = np.clip(p, 1e-6, 1 - 1e-6)
    bce = -(test * np.log(p) + (1 - test) * np.log(1 - p))  # [n_test, 64]
    return float(bce.sum(axis=1).mean())


def generation_goal(eval_metrics: dict) -> tuple[bool, str]:
    """Learned when the test -ELBO beats the class-conditional pixel-mean baseline (the VAE's goal).

    That baseline is the best any decoder can do from the label alone; a VAE below it has an
    encoder and a latent that carry real information about each digit (its style), worth more
    than the KL cost of sending it. The untrained VAE scores about 2x the baseline.
    """
    loss = check_metric("purejax.data.tasks.digits.generation_goal", "eval_metrics", eval_metrics, "loss")
    limit = pixel_mean_baseline(by_class=True)
    return loss < limit, f"test -ELBO {loss:.2f} < {limit:.2f} (per-class pixel-mean baseline)"


__all__ = [
    "DIGITS_KEY",
    "GOAL_ACCURACY",
    "IMAGE_SHAPE",
    "IMAGE_SIZE",
    "NUM_CLASSES",
    "PIXELS",
    "accuracy",
    "check_digits",
    "eval_batches",
    "example_batch",
    "generation_goal",
    "learning_goal",
    "load_data",
    "load_digits",
    "pixel_mean_baseline",
    "train_batches",
    "upscale",
]
