"""The row-by-row digits LSTM with Flax and Optax: `nn.Dense`, `nn.RNN(nn.OptimizedLSTMCell)` twice, `nn.Dense`.

    x_t     = relu(Dense(row_t))                   # [batch, features], t = 1..8
    h^1     = RNN(OptimizedLSTMCell)(x)            # [batch, time, hidden]
    h^2     = RNN(OptimizedLSTMCell)(h^1)          # [batch, time, hidden]
    logits  = Dense(h^2[:, -1])                    # [batch, 10]

Counterpart: `purejax/models/lstm_classifier.py` (`DEFAULTS`, `NAME`, `check_batch`, `as_sequence`
are imported from there). The data, batches and learning goal are the task
`purejax/data/tasks/digits.py`, bound here as purejax's module binds them.
"""

from __future__ import annotations

import flax.linen as nn
import jax.numpy as jnp
import optax

from purejax.data.tasks import digits
from purejax.models.lstm_classifier import DEFAULTS, NAME, as_sequence, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal


class LSTMClassifier(nn.Module):
    """`Dense -> relu` per row, `num_layers` stacked `nn.RNN(nn.OptimizedLSTMCell)`, `Dense` on the last step."""

    features: int = 32
    hidden: int = 32
    num_layers: int = 2
    num_classes: int = digits.NUM_CLASSES

    @nn.compact
    def __call__(self, sequence):
        x = nn.relu(nn.Dense(self.features)(sequence))  # [batch, time, features]
        for _ in range(self.num_layers):
            cell = nn.OptimizedLSTMCell(self.hidden, parent=None)  # unbound, so the RNN adopts it as RNN_i/cell
            x = nn.RNN(cell)(x)  # [batch, time, hidden]
        return nn.Dense(self.num_classes)(x[:, -1])  # [batch, 10]


def build(**hparams) -> LSTMClassifier:
    """`LSTMClassifier(**hparams)`."""
    return LSTMClassifier(**hparams)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, rows)` with `rows: [B, 8, 8]`."""
    check_batch(batch)
    return build(**hparams).init(key, as_sequence(batch["image"]))


def predict(variables: dict, image, **hparams):
    """Logits `[B, 10]` for `image: [B, 8, 8, 1]`."""
    return build(**hparams).apply(variables, as_sequence(image))


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean softmax cross-entropy, {'accuracy'})` with `optax`; `key` and `train` are unused."""
    check_batch(batch)
    logits = predict(variables, batch["image"], **hparams)  # [batch, 10]
    labels = jnp.asarray(batch["label"])
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    accuracy = jnp.mean(jnp.argmax(logits, axis=-1) == labels)
    return loss, {"accuracy": accuracy}


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


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
