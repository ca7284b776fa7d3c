"""The character-level LSTM language model with Flax and Optax: `nn.Embed`, `nn.RNN(nn.LSTMCell)`, `nn.Dense`.

    x_t          = embedding[byte_t]                          # [batch, features]
    (c_t, h_t)   = LSTMCell((c_{t-1}, h_{t-1}), x_t)          # [batch, hidden] each
    logits_t     = h_t @ W + b                                # [batch, 256]
    (c_0, h_0)   = (c0, tanh(c0))                             # a learned parameter, self.param('c0', ...)
    loss         = mean_t optax.softmax_cross_entropy_with_integer_labels(logits_t, byte_{t+1})

Truncated BPTT passes each chunk's final carry on through `jax.lax.stop_gradient`; `sample`
draws with `jax.random.categorical` inside `jax.lax.scan`.

Counterpart: `purejax/models/lstm_lm.py` (`DEFAULTS`, `NAME`, `check_batch`, `HPARAMS`,
`check_sample_args` are imported from there). The data, batches and learning goal are the task
`purejax/data/tasks/text.py`, bound here as purejax's module binds them.

Differences:
  The cell is built with `parent=None`. A module created inside an `@nn.compact` method belongs to
  that method's module, so `nn.RNN(nn.LSTMCell(64))` in here would store the cell's parameters as
  `LSTMCell_0` beside `RNN_0` (which holds none); unbound, the RNN adopts it as `RNN_0/cell`, the
  layout `nn.RNN` has on its own and purejax's `RNN` always has.
"""

from __future__ import annotations

import functools
import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from purejax.data.tasks import text
from purejax.models.lstm_lm import DEFAULTS, HPARAMS, NAME, check_batch, check_sample_args

# --- data: the task purejax/data/tasks/text.py, shared by purejax and flaxed -----------------

load_data = text.load_data
train_batches = text.train_batches
eval_batches = text.eval_batches
example_batch = text.example_batch
unigram_entropy = text.unigram_entropy
learning_goal = text.learning_goal


class LSTMLM(nn.Module):
    """Embed -> LSTM -> Dense: `(tokens: int[B, T], carry=None) -> (carry, logits [B, T, vocab])`."""

    vocab_size: int = text.VOCAB
    features: int = HPARAMS["features"]
    hidden: int = HPARAMS["hidden"]

    @nn.compact
    def __call__(self, tokens, carry=None):
        x = nn.Embed(self.vocab_size, self.features)(tokens)  # [batch, time, features]
        c0 = self.param("c0", nn.initializers.zeros_init(), (self.hidden,))  # [hidden]
        if carry is None:  # the learned state (c, h) = (c0, tanh(c0)), [batch, hidden] each
            shape = (tokens.shape[0], self.hidden)
            carry = jnp.broadcast_to(c0, shape), jnp.broadcast_to(jnp.tanh(c0), shape)
        cell = nn.LSTMCell(self.hidden, parent=None)  # unbound, so the RNN adopts it as RNN_0/cell
        carry, h = nn.RNN(cell)(x, initial_carry=carry, return_carry=True)
        return carry, nn.Dense(self.vocab_size)(h)  # [batch, time, vocab]


def build(**hparams) -> LSTMLM:
    """`LSTMLM(vocab_size=256, features=32, hidden=64)`, overridden by `hparams`."""
    return LSTMLM(**hparams)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, tokens[:, :-1])`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["tokens"])[:, :-1])


def chunk_loss(variables, tokens, carry=None, **hparams):
    """`(loss, (metrics, carry))` for one window `tokens: int[B, T + 1]`, from `carry` (None: learned)."""
    tokens = jnp.asarray(tokens)
    carry, logits = build(**hparams).apply(variables, tokens[:, :-1], carry)  # [batch, T, vocab]
    targets = tokens[:, 1:]  # [batch, T]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == targets).mean()
    return loss, ({"bits_per_byte": loss / math.log(2), "accuracy": accuracy}, carry)


def tbptt_loss(variables, tokens, bptt_length: int, carry=None, **hparams):
    """Truncated BPTT: `chunk_loss` per chunk of `bptt_length` predictions, `carry` detached in between."""
    tokens = jnp.asarray(tokens)
    steps = tokens.shape[1] - 1
    if int(bptt_length) != bptt_length or bptt_length < 1:
        raise ValueError(f"{NAME}: bptt_length must be a positive integer, got {bptt_length!r}")
    total, hits = 0.0, 0.0
    for start in range(0, steps, bptt_length):
        chunk = tokens[:, start : start + bptt_length + 1]  # [batch, n + 1]
        n = chunk.shape[1] - 1
        loss, (metrics, carry) = chunk_loss(variables, chunk, carry, **hparams)
        carry = jax.lax.stop_gradient(carry)  # PyTorch: hc.detach()
        total, hits = total + n * loss, hits + n * metrics["accuracy"]
    loss = total / steps
    return loss, ({"bits_per_byte": loss / math.log(2), "accuracy": hits / steps}, carry)


def loss_fn(variables, batch, key=None, train: bool = True, bptt_length: int | None = None, **hparams):
    """`(mean cross-entropy in nats, {'bits_per_byte', 'accuracy'})`; with `bptt_length`, truncated BPTT."""
    check_batch(batch)
    if bptt_length is None:
        loss, (metrics, _) = chunk_loss(variables, batch["tokens"], **hparams)
    else:
        loss, (metrics, _) = tbptt_loss(variables, batch["tokens"], bptt_length, **hparams)
    return loss, metrics


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


def sample(
    variables, key, prompt: bytes, length: int, temperature: float = 1.0, greedy: bool = False, **hparams
) -> bytes:
    """`length` bytes continuing `prompt`: argmax, or `jax.random.categorical(key_t, logits / temperature)`."""
    prompt = check_sample_args(prompt, length, temperature)
    if length == 0:
        return b""
    out = _generate(
        variables,
        key,
        jnp.asarray(prompt),
        jnp.float32(temperature),
        length=int(length),
        greedy=bool(greedy),
        hparams=tuple(sorted(hparams.items())),
    )  # [length]
    return bytes(np.asarray(out).astype(np.uint8))


@functools.partial(jax.jit, static_argnames=("length", "greedy", "hparams"))
def _generate(variables, key, prompt, temperature, *, length: int, greedy: bool, hparams: tuple):
    """`int32[length]`: read `prompt: int32[1, P]`, then one byte per step of `lax.scan`."""
    model = build(**dict(hparams))
    carry, logits = model.apply(variables, prompt)  # [1, P, vocab]

    def step(state, key_t):
        carry, logits = state  # logits: [1, vocab]
        if greedy:
            byte = jnp.argmax(logits, axis=-1)  # [1]
        else:
            byte = jax.random.categorical(key_t, logits / temperature, axis=-1)  # [1]
        carry, logits = model.apply(variables, byte[:, None].astype(jnp.int32), carry)  # [1, 1, vocab]
        return (carry, logits[:, -1]), byte[0]

    _, out = jax.lax.scan(step, (carry, logits[:, -1]), jax.random.split(key, length))  # out: [length]
    return out


__all__ = [
    "DEFAULTS",
    "LSTMLM",
    "NAME",
    "build",
    "check_batch",
    "chunk_loss",
    "eval_batches",
    "example_batch",
    "init",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "sample",
    "tbptt_loss",
    "train_batches",
    "unigram_entropy",
]
