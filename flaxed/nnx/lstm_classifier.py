"""The digits LSTM classifier with Flax NNX and Optax: `nnx.RNN(nnx.OptimizedLSTMCell)` twice, `optax.adam`.

    x = relu(Linear(rows))                        # [batch, time=8, features]: one row per step
    x = RNN(OptimizedLSTMCell)(x), num_layers times   # [batch, time, hidden]
    logits = Linear(x[:, -1])                     # [batch, 10]: the last step

NNX's `OptimizedLSTMCell` keeps the four gates fused: one input `Linear` `dense_i` with kernel
`[in, 4 * hidden]` (no bias) and one recurrent `Linear` `dense_h` with kernel
`[hidden, 4 * hidden]` and bias `[4 * hidden]`, the gates `i, f, g, o` side by side. linen's
`OptimizedLSTMCell` stores the same numbers as eight layers (`ii, if, ig, io`, `hi, hf, hg, ho`);
the conversion (`flaxed.nnx.variables.fused_cell_paths`) splits and concatenates them, bitwise.

Counterpart: `purejax/models/lstm_classifier.py` (`DEFAULTS`, `NAME`, `check_batch`,
`as_sequence` come from there) and `flaxed/models/lstm_classifier.py` (linen). The data: digits.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`); NNX's fused cell draws one
  orthogonal `[hidden, 4 * hidden]` recurrent kernel where linen draws four `[hidden, hidden]`,
  so the values differ from linen's even where the keys would agree.
"""

from __future__ import annotations

import jax.numpy as jnp
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from purejax.data.tasks import digits
from purejax.models.lstm_classifier import DEFAULTS, NAME, as_sequence, check_batch

# --- data: the task purejax/data/tasks/digits.py, shared by purejax and flaxed ---------------

load_data = digits.load_data
train_batches = digits.train_batches
eval_batches = digits.eval_batches
example_batch = digits.example_batch
learning_goal = digits.learning_goal

ROW = 8  # pixels per row: the features of one time step


class LSTMClassifier(nnx.Module):
    """`Linear -> relu` per row, `num_layers` stacked `nnx.RNN(nnx.OptimizedLSTMCell)`, `Linear` on the last step."""

    def __init__(
        self, features: int = 32, hidden: int = 32, num_layers: int = 2, num_classes: int = digits.NUM_CLASSES, *, rngs
    ):
        self.linear1 = nnx.Linear(ROW, features, rngs=rngs)
        self.rnns, previous = nnx.List(), features
        self.hidden = hidden
        for _ in range(num_layers):  # rngs=False: the RNN keeps no key; the zero carry is passed in
            self.rnns.append(nnx.RNN(nnx.OptimizedLSTMCell(previous, hidden, rngs=rngs), rngs=False))
            previous = hidden
        self.linear2 = nnx.Linear(hidden, num_classes, rngs=rngs)

    def __call__(self, sequence):
        x = nnx.relu(self.linear1(sequence))  # [batch, time, features]
        zeros = jnp.zeros((x.shape[0], self.hidden), x.dtype)  # [batch, hidden]
        for rnn in self.rnns:
            x = rnn(x, initial_carry=(zeros, zeros))  # [batch, time, hidden]; carry (c, h) from zeros
        return self.linear2(x[:, -1])  # [batch, 10]


def paths(num_layers: int = 2, **_) -> dict:
    """`{NNX module path: linen module path}`; each cell is fused on the NNX side."""
    table = {("linear1",): ("Dense_0",), ("linear2",): ("Dense_1",)}
    for i in range(num_layers):
        table.update(layout.fused_cell_paths(("rnns", i, "cell"), (f"RNN_{i}", "cell")))
    return table


def build(**hparams) -> LSTMClassifier:
    """`LSTMClassifier(**hparams)`, its arrays drawn from `hparams['rngs']` (default `Rngs(0)`)."""
    return LSTMClassifier(**{"rngs": nnx.Rngs(0), **hparams})


def to_variables(model: LSTMClassifier) -> dict:
    """Linen's 'params': `Dense_0`, `RNN_i/cell/{ii..io, hi..ho}` (gates unfused), `Dense_1`."""
    return layout.to_variables(model, paths(num_layers=len(model.rnns)))


def from_variables(variables, **hparams) -> LSTMClassifier:
    """The `LSTMClassifier` holding linen-layout `variables` (gates fused), bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, paths(**hparams))


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def predict(variables: dict, image, **hparams):
    """Logits `[B, 10]` for `image: [B, 8, 8, 1]`."""
    return from_variables(variables, **hparams)(as_sequence(image))


def loss(model: LSTMClassifier, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `(cross-entropy, {'accuracy'})`; `key`, `train` unused."""
    logits, labels = model(as_sequence(batch["image"])), jnp.asarray(batch["label"])  # [batch, 10], [batch]
    value = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
    return value, {"accuracy": jnp.mean(jnp.argmax(logits, axis=-1) == labels)}


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`loss(from_variables(variables), ...)`, the contract's functional loss."""
    check_batch(batch)
    return loss(from_variables(variables, **hparams), batch, key, train)


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
    "from_variables",
    "init",
    "learning_goal",
    "load_data",
    "loss",
    "loss_fn",
    "optimizer",
    "paths",
    "predict",
    "to_variables",
    "train_batches",
]
