"""A character-level LSTM language model, made pure: the state goes in and comes out.

    x_t          = embedding[byte_t]                          # [batch, features]
    (c_t, h_t)   = LSTMCell((c_{t-1}, h_{t-1}), x_t)          # [batch, hidden] each
    logits_t     = h_t @ W + b                                # [batch, 256]: the next byte
    (c_0, h_0)   = (c0, tanh(c0))                             # learned, one vector for every sequence
    loss         = mean_t -log softmax(logits_t)[byte_{t+1}]  # nats per byte

A PyTorch model keeps `(h, c)` on `self` and overwrites it; here `apply` takes the carry and
returns the new one, and the learned initial state `c0` is one more parameter. `tbptt_loss` cuts
a sequence into chunks and hands each chunk's final carry on through `jax.lax.stop_gradient`
(PyTorch's `hc.detach()`); `sample` generates bytes, greedily or at a temperature, in `lax.scan`.

Data: the text task, `purejax/data/tasks/text.py`: the bytes of Python's standard library
sources (first `MAX_BYTES`) or of a file (`path=`), the first 90% to train, the last 10% to test
(split by position: unseen text). The vocabulary is the 256 byte values, for any file: nothing to
build or mismatch. Batches are `{'tokens': int32[B, T + 1]}`: inputs `tokens[:, :-1]`, targets
`tokens[:, 1:]`. Goal: a test loss below 0.8 x the unigram entropy of the training bytes (the
best context-free loss). The task's functions are bound here and in `flaxed/models/lstm_lm.py`.

Shared with `flaxed/models/lstm_lm.py` (imported from here): `DEFAULTS`, `HPARAMS`, `NAME`,
`check_batch`, `check_sample_args`.

Counterpart: `flaxed/models/lstm_lm.py` (`flax.linen.RNN(LSTMCell)`, `jax.random.categorical`, `optax.adam`).

References:
  Hochreiter and Schmidhuber, *Long Short-Term Memory*, 1997.
  Williams and Peng, *An Efficient Gradient-Based Algorithm for On-Line Training of Recurrent
  Network Trajectories*, 1990 (truncated BPTT).
  Mielke, *From PyTorch to JAX: towards neural net frameworks that purify stateful code*, 2020.
  https://sjmielke.com/jax-purify.htm

Differences:
  The PyTorch seed carries `(h, c)` and sums the loss over the sequence; here the carry is Flax's
  `(c, h)` and the loss is the mean per predicted byte (learning rates do not depend on T).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

import purejax.nn as nn
import purejax.optim as optim
import purejax.random
from purejax import losses
from purejax.data.tasks import text

NAME = "lstm_lm"
DEFAULTS = {"steps": 200, "batch_size": 32, "learning_rate": 5e-3}
HPARAMS = {"features": 32, "hidden": 64}  # embedding size, LSTM size


# --- data: the task purejax/data/tasks/text.py, shared by purejax and flaxed -----------------

SEQ_LEN = text.SEQ_LEN  # T: predictions per training window
MAX_BYTES = text.MAX_BYTES  # of the text; the last 10% are the test split
TEST_FRACTION = text.TEST_FRACTION
load_data = text.load_data
train_batches = text.train_batches
eval_batches = text.eval_batches
example_batch = text.example_batch
unigram_entropy = text.unigram_entropy
learning_goal = text.learning_goal


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    text.check_text(batch, NAME)


# --- the model -------------------------------------------------------------------------------


def learned_carry(c0, batch_size: int) -> tuple:
    """`(c, h) = (c0, tanh(c0))`, each broadcast to `[batch, hidden]`: the state before the first byte."""
    shape = (batch_size,) + tuple(c0.shape)
    return jnp.broadcast_to(c0, shape), jnp.broadcast_to(jnp.tanh(c0), shape)  # [batch, hidden] each


@dataclasses.dataclass(frozen=True)
class LSTMLM(nn.Layer):
    """Embed -> LSTM -> Dense: `forward(scope, tokens: int[B, T], carry=None) -> (carry, logits [B, T, vocab])`.

    Variables: `{'params': {'Embed_0': {'embedding': [vocab, features]}, 'c0': [hidden],
    'RNN_0': {'cell': {'ii'..'io', 'hi'..'ho'}}, 'Dense_0': {'kernel': [hidden, vocab], 'bias': [vocab]}}}`.
    `carry=None` starts from the learned state `learned_carry(c0, B)`.
    """

    vocab_size: int = text.VOCAB
    features: int = HPARAMS["features"]
    hidden: int = HPARAMS["hidden"]

    def forward(self, scope, tokens, carry=None):
        x = scope.child(nn.Embed(self.vocab_size, self.features))(tokens)  # [batch, time, features]
        c0 = scope.param("c0", nn.initializers.zeros, (self.hidden,))  # [hidden]
        carry = learned_carry(c0, tokens.shape[0]) if carry is None else carry
        carry, h = scope.child(nn.RNN(nn.LSTMCell(self.hidden), fused=None))(x, initial_carry=carry, return_carry=True)
        return carry, scope.child(nn.Dense(self.vocab_size))(h)  # [batch, time, vocab]


def build(**hparams) -> LSTMLM:
    """`LSTMLM(vocab_size=256, features=32, hidden=64)`, overridden by `hparams`."""
    return LSTMLM(**hparams)


def init(key, batch, **hparams) -> dict:
    """The variables for `batch['tokens'][:, :-1]`, Flax's names and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["tokens"])[:, :-1])


def chunk_loss(variables, tokens, carry=None, **hparams):
    """`(loss, (metrics, carry))` for one window `tokens: int[B, T + 1]` from `carry` (None: learned).

    loss: mean next-byte cross-entropy in nats; metrics: `bits_per_byte`, `accuracy` (argmax hits);
    carry: `(c, h)` after the last input, each `[B, hidden]`, to continue the text from.
    """
    tokens = jnp.asarray(tokens)
    carry, logits = build(**hparams).apply(variables, tokens[:, :-1], carry=carry)  # [batch, T, vocab]
    targets = tokens[:, 1:]  # [batch, T]
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == targets).mean()
    return loss, ({"bits_per_byte": loss / math.log(2), "accuracy": accuracy}, carry)


def tbptt_loss(variables, tokens, bptt_length: int, carry=None, **hparams):
    """Truncated BPTT: `chunk_loss` over chunks of `bptt_length` predictions, the carry detached between.

        carry = carry_in (None: learned)
        for k, chunk in enumerate(chunks of tokens):   # chunk k: tokens[:, k n : (k + 1) n + 1]
            loss_k, carry = chunk_loss(chunk, carry)
            carry = stop_gradient(carry)               # PyTorch: hc = (h.detach(), c.detach())
        loss = sum_k n_k loss_k / sum_k n_k            # the mean over every predicted byte

    The loss equals `chunk_loss` of the whole window (the forward pass is unchanged); the gradient
    drops every path that crosses a chunk boundary: it is the sum of the chunks' own gradients.
    Unlike PyTorch's per-chunk `backward()`, one `grad` of this sum keeps every chunk's residuals
    until the backward pass; to bound memory, step per chunk, passing the returned carry on.

    Args:
      tokens: `int[B, L + 1]`; the last chunk may be shorter than `bptt_length`.
      bptt_length: predictions per chunk, `>= 1`.
      carry: the `(c, h)` to start from, each `[B, hidden]`; gradients do flow into it.

    Returns: `(loss, (metrics, carry))`, as `chunk_loss`; the final carry is detached.
    """
    tokens = jnp.asarray(tokens)
    steps = tokens.shape[1] - 1
    if int(bptt_length) != bptt_length or bptt_length < 1:
        raise ValueError(f"{NAME}: bptt_length must be a positive integer, got {bptt_length!r}")
    total, hits = 0.0, 0.0
    for start in range(0, steps, bptt_length):
        chunk = tokens[:, start : start + bptt_length + 1]  # [batch, n + 1]: overlaps the next by one byte
        n = chunk.shape[1] - 1
        loss, (metrics, carry) = chunk_loss(variables, chunk, carry, **hparams)
        carry = lax.stop_gradient(carry)  # the value goes on, the gradient stops here
        total, hits = total + n * loss, hits + n * metrics["accuracy"]
    loss = total / steps
    return loss, ({"bits_per_byte": loss / math.log(2), "accuracy": hits / steps}, carry)


def loss_fn(variables, batch, key=None, train: bool = True, bptt_length: int | None = None, **hparams):
    """`(mean cross-entropy in nats, {'bits_per_byte', 'accuracy'})`; with `bptt_length`, `tbptt_loss`.

    Starts from the learned carry; `key` and `train` are unused (no dropout, nothing random).
    """
    check_batch(batch)
    if bptt_length is None:
        loss, (metrics, _) = chunk_loss(variables, batch["tokens"], **hparams)
    else:
        loss, (metrics, _) = tbptt_loss(variables, batch["tokens"], bptt_length, **hparams)
    return loss, metrics


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


def check_sample_args(prompt, length, temperature) -> np.ndarray:
    """The prompt as `int32[1, P]`, or a ValueError naming the model and the bad argument."""
    if not isinstance(prompt, (bytes, bytearray)) or not prompt:
        raise ValueError(f"{NAME}: sample needs a non-empty bytes prompt (e.g. b'def '), got {prompt!r}")
    if int(length) != length or length < 0:
        raise ValueError(f"{NAME}: sample length must be a non-negative integer, got {length!r}")
    if not temperature > 0:
        raise ValueError(f"{NAME}: sample temperature must be positive, got {temperature!r}")
    return np.frombuffer(bytes(prompt), np.uint8).astype(np.int32)[None, :]  # [1, P]


def sample(
    variables, key, prompt: bytes, length: int, temperature: float = 1.0, greedy: bool = False, **hparams
) -> bytes:
    """`length` bytes that continue `prompt` (the continuation only).

        carry, logits = apply(prompt)                            # read the prompt, from the learned state
        for t, key_t in enumerate(split(key, length)):           # lax.scan
            byte_t = argmax(logits) if greedy else categorical(key_t, logits / temperature)
            carry, logits = apply(byte_t, carry)                 # one step

    `greedy` ignores `key` and `temperature`; a lower temperature sharpens the distribution.
    """
    tokens = check_sample_args(prompt, length, temperature)  # [1, P]
    if length == 0:
        return b""
    out = _generate(
        variables,
        key,
        jnp.asarray(tokens),
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
            byte = purejax.random.categorical(key_t, logits / temperature, axis=-1)  # [1]
        carry, logits = model.apply(variables, byte[:, None].astype(jnp.int32), carry=carry)  # [1, 1, vocab]
        return (carry, logits[:, -1]), byte[0]

    _, out = lax.scan(step, (carry, logits[:, -1]), purejax.random.split(key, length))  # out: [length]
    return out


__all__ = [
    "DEFAULTS",
    "HPARAMS",
    "LSTMLM",
    "NAME",
    "build",
    "check_batch",
    "check_sample_args",
    "chunk_loss",
    "eval_batches",
    "example_batch",
    "init",
    "learned_carry",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "sample",
    "tbptt_loss",
    "train_batches",
    "unigram_entropy",
]
