"""A multilayer perceptron that classifies 8x8 handwritten digits, the seeds' first Flax classifier.

    h1 = relu(flatten(image) @ W1 + b1)           # [batch, hidden]
    h2 = relu(h1 @ W2 + b2)                       # [batch, hidden]
    logits = h2 @ W3 + b3                         # [batch, 10]
    loss = mean(logsumexp(logits) - logits[label])  # softmax cross-entropy, integer labels

The data are scikit-learn's digits (`purejax.data.load_digits`): 1,438 training and 359 test
images `float32[8, 8, 1]` in [0, 1], labels 0..9. `purejax/models/cnn.py` reads the same data
through the functions here.

Shared with `flaxed/models/mlp.py` (imported from here): `DEFAULTS`, `load_data`,
`train_batches`, `eval_batches`, `example_batch`, `check_batch`, `learning_goal`.

Counterpart: `flaxed/models/mlp.py` (`flax.linen.Dense` in an `@nn.compact` module, `optax.adam`).

References:
  Rumelhart, Hinton & Williams, *Learning representations by back-propagating errors*, 1986,
  https://doi.org/10.1038/323533a0
"""
from __future__ import annotations

import dataclasses
import functools

import jax.numpy as jnp
import numpy as np

import purejax.nn as nn
import purejax.optim as optim
from purejax import data as datasets
from purejax import losses

NAME = "mlp"
IMAGE_SHAPE = (8, 8, 1)  # height, width, channels of one digit
NUM_CLASSES = 10
DEFAULTS = {"steps": 300, "batch_size": 64, "learning_rate": 3e-3}
GOAL_ACCURACY = 0.9  # test accuracy the default budget must reach


# --- data (shared with flaxed; cnn.py reads the same digits) ------------------------------------

@functools.lru_cache(maxsize=1)
def load_data() -> dict:
    """`{'train': {'image': [1438, 8, 8, 1], 'label': [1438]}, 'test': {... 359 digits}}`."""
    return datasets.load_digits()


def train_batches(key, batch_size: int):
    """Endless shuffled training batches `{'image': [B, 8, 8, 1], 'label': [B]}`, a new order each epoch."""
    return datasets.batches(load_data()["train"], batch_size, key=key, epochs=None)


def eval_batches(batch_size: int):
    """The test split in order, the last batch possibly short."""
    return datasets.batches(load_data()["test"], batch_size, remainder="keep")


def example_batch(key, batch_size: int = 4) -> dict:
    """A batch of the model's format: `{'image': float32[B, 8, 8, 1], 'label': int32[B]}`."""
    return next(train_batches(key, batch_size))


def check_digits(batch, name: str) -> None:
    """Raise a ValueError naming model `name`, the expected and the actual shapes and dtypes.

    A digits batch is `{'image': float[B, 8, 8, 1], 'label': int[B]}`; works on tracers too.
    """
    expected = "{'image': float[B, 8, 8, 1], 'label': int[B]}"
    if not isinstance(batch, dict):
        raise ValueError(f"{name}: expected a batch {expected}, got {type(batch).__name__}")
    got = {k: f"{jnp.result_type(v)}{list(np.shape(v))}" for k, v in batch.items()}
    if set(batch) != {"image", "label"}:
        raise ValueError(f"{name}: expected a batch {expected}, got {got}")
    image, label = np.shape(batch["image"]), np.shape(batch["label"])
    if (len(image) != 4 or image[1:] != IMAGE_SHAPE or label != image[:1]
            or not jnp.issubdtype(jnp.result_type(batch["image"]), jnp.floating)
            or not jnp.issubdtype(jnp.result_type(batch["label"]), jnp.integer)):
        raise ValueError(f"{name}: expected a batch {expected}, got {got}")


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    check_digits(batch, NAME)


def learning_goal(eval_metrics: dict) -> tuple[bool, str]:
    """Learned when at least 90% of the test digits are classified correctly."""
    accuracy = eval_metrics["accuracy"]
    return accuracy >= GOAL_ACCURACY, f"test accuracy {accuracy:.3f} >= {GOAL_ACCURACY}"


def accuracy(logits, labels):
    """The fraction of examples whose largest logit is the label: `mean(argmax(logits) == label)`."""
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


# --- the model -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class MLP(nn.Layer):
    """`flatten -> Dense(hidden) -> relu -> Dense(hidden) -> relu -> Dense(num_classes)`.

    Attributes:
      hidden: units of each hidden layer (default 64).
      num_classes: outputs, one logit per class (default 10).

    Call: `forward(scope, image)` with `image: float[batch, 8, 8, 1]`; returns `logits: [batch, 10]`.
    Variables: `{'params': {'Dense_0': {'kernel': [64, hidden], 'bias': [hidden]}, 'Dense_1': ...,
    'Dense_2': {'kernel': [hidden, 10], 'bias': [10]}}}`.

    Counterpart: `MLP` in `flaxed/models/mlp.py`, an `@nn.compact` `flax.linen.Module`.
    """

    hidden: int = 64
    num_classes: int = NUM_CLASSES

    def forward(self, scope: nn.Scope, image):
        x = image.reshape((image.shape[0], -1))  # [batch, 64]
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        x = nn.relu(scope.child(nn.Dense(self.hidden))(x))  # [batch, hidden]
        return scope.child(nn.Dense(self.num_classes))(x)  # [batch, 10]


def build(hidden: int = 64) -> MLP:
    """The classifier with `hidden` units per hidden layer."""
    return MLP(hidden=hidden)


def init(key, batch, **hparams) -> dict:
    """`{'params': {'Dense_0', 'Dense_1', 'Dense_2'}}`, Flax's keys and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["image"]))


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, {'accuracy': ...})`; `key` and `train` are unused (no randomness)."""
    check_batch(batch)
    logits = build(**hparams).apply(variables, batch["image"])  # [batch, 10]
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()
    return loss, {"accuracy": accuracy(logits, batch["label"])}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """Adam with its default moments, `optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


__all__ = ["DEFAULTS", "MLP", "NAME", "accuracy", "build", "check_batch", "check_digits", "eval_batches",
           "example_batch", "init", "learning_goal", "load_data", "loss_fn", "optimizer", "train_batches"]
