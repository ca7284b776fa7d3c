"""A digits classifier that reads each 8x8 image row by row, as a sequence, with two stacked LSTMs.

    x_t        = relu(row_t @ W_p + b_p)                     # [batch, features], t = 1..8
    h^1_t      = LSTM_1(h^1_{t-1}, x_t)                      # [batch, hidden], carry (c, h) from zeros
    h^2_t      = LSTM_2(h^2_{t-1}, h^1_t)                    # [batch, hidden]
    logits     = h^2_8 @ W + b                               # [batch, 10], the last step's output
    loss       = mean(softmax cross-entropy(logits, label))

The seeds' Flax LSTM classifies text: an embedding, stacked `OptimizedLSTMCell`s scanned over
time, a dense head on the last step. Here the "tokens" are the image's 8 rows of 8 pixels, so the
embedding becomes a per-step projection (a `Dense` applied to every row); each LSTM is an `RNN`
(a `lax.scan` of the cell) and the head reads the top layer's output at the last row, which has
seen the whole image. The data are the digits task, `purejax/data/tasks/digits.py` (the split,
batches and learning goal of every digits classifier); its functions are bound here and in
`flaxed/models/lstm_classifier.py`.

Shared with `flaxed/models/lstm_classifier.py` (imported from here): `DEFAULTS`, `NAME`,
`check_batch`, `as_sequence`.

Counterpart: `flaxed/models/lstm_classifier.py` (`nn.Dense`, `nn.RNN(nn.OptimizedLSTMCell)` and
`optax.adam`).

References:
  Hochreiter & Schmidhuber, *Long Short-Term Memory*, 1997,
  https://www.bioinf.jku.at/publications/older/2604.pdf
  Graves, Mohamed & Hinton, *Speech Recognition with Deep Recurrent Neural Networks*, 2013
  (stacked LSTMs), https://arxiv.org/abs/1303.5778
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

import purejax.nn as nn
import purejax.optim as optim
from purejax import losses
from purejax.data.tasks import digits

NAME = "lstm_classifier"
# ~96% test accuracy in a few seconds. A gentle rate keeps the two sides' trajectories together: the
# float rounding of the fused LSTM path grows with training, past rtol 1e-4 within 100 steps at 1e-2.
DEFAULTS = {"steps": 300, "batch_size": 64, "learning_rate": 3e-3}


# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal
accuracy = digits.accuracy


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    digits.check_digits(batch, NAME)


def as_sequence(image):
    """Rows as time steps: `[batch, 8, 8, 1] -> [batch, time=8, features=8]` (row t is step t)."""
    image = jnp.asarray(image)
    return image.reshape(image.shape[:3])  # [batch, time, 8]


# --- the model -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LSTMClassifier(nn.Layer):
    """`Dense -> relu` on every row, `num_layers` stacked LSTMs over the rows, `Dense` on the last step.

    Attributes:
      features: size of each row's projection (default 32).
      hidden: LSTM size of every layer (default 32).
      num_layers: stacked LSTMs, each reading the sequence of outputs of the one below (default 2).
      num_classes: outputs, one logit per class (default 10).

    Call: `forward(scope, sequence)` with `sequence: float[batch, time, 8]` (see `as_sequence`);
    returns `logits: [batch, 10]`.
    Variables: `{'params': {'Dense_0': projection, 'RNN_0': {'cell': {'ii'.., 'hi'..}}, 'RNN_1': ...,
    'Dense_1': head}}`; the cells are `OptimizedLSTMCell`s (LSTMCell's variables, fused gates).

    Counterpart: `LSTMClassifier` in `flaxed/models/lstm_classifier.py`.

    Differences:
      The seed's model passes a carry made by `initialize_carry` explicitly and puts a Dense
      between the LSTMs; here each `RNN` starts from zeros by itself and the LSTMs feed each
      other directly. PyTorch would write the stack as one `nn.LSTM(..., num_layers=2,
      batch_first=True)` and read `output[:, -1]`.
    """

    features: int = 32
    hidden: int = 32
    num_layers: int = 2
    num_classes: int = digits.NUM_CLASSES

    def forward(self, scope: nn.Scope, sequence):
        x = nn.relu(scope.child(nn.Dense(self.features))(sequence))  # [batch, time, features]
        for _ in range(self.num_layers):
            x = scope.child(nn.RNN(nn.OptimizedLSTMCell(self.hidden), fused=None))(x)  # [batch, time, hidden]
        return scope.child(nn.Dense(self.num_classes))(x[:, -1])  # [batch, 10]


def build(**hparams) -> LSTMClassifier:
    """`LSTMClassifier(**hparams)`: `features=32, hidden=32, num_layers=2` by default."""
    return LSTMClassifier(**hparams)


def init(key, batch, **hparams) -> dict:
    """`{'params': ...}`, Flax's keys and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, as_sequence(batch["image"]))


def predict(variables: dict, image, **hparams):
    """Logits `[B, 10]` for `image: [B, 8, 8, 1]`."""
    return build(**hparams).apply(variables, as_sequence(image))


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, {'accuracy'})`; `key` and `train` are unused (no randomness)."""
    check_batch(batch)
    logits = predict(variables, batch["image"], **hparams)  # [batch, 10]
    labels = jnp.asarray(batch["label"])
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return loss, {"accuracy": accuracy(logits, labels)}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


__all__ = [
    "DEFAULTS",
    "LSTMClassifier",
    "NAME",
    "as_sequence",
    "build",
    "check_batch",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "predict",
    "train_batches",
]
