"""The character-level LSTM language model with Flax NNX and Optax: `nnx.RNN(nnx.LSTMCell)`, `optax.adam`.

    x_t          = embedding[byte_t]                          # [batch, features]
    (c_t, h_t)   = LSTMCell((c_{t-1}, h_{t-1}), x_t)          # [batch, hidden] each
    logits_t     = h_t @ W + b                                # [batch, 256]: the next byte
    (c_0, h_0)   = (c0, tanh(c0))                             # learned: an nnx.Param of the module
    loss         = mean_t -log softmax(logits_t)[byte_{t+1}]  # nats per byte

NNX could keep the carry on the module, as PyTorch does; this twin keeps it outside, as linen and
purejax do: `model(tokens, carry)` returns `(carry, logits)`, so truncated BPTT (`tbptt_loss`,
`stop_gradient` between chunks) and sampling in `lax.scan` read the same on all three sides.
`nnx.LSTMCell` keeps its gates as eight `nnx.Linear` (`ii`, `if_`, ... `ho`; `if` is a Python
keyword), linen's layout under other attribute names.

Counterpart: `purejax/models/lstm_lm.py` (`DEFAULTS`, `HPARAMS`, `NAME`, `check_batch`,
`check_sample_args` come from there) and `flaxed/models/lstm_lm.py` (linen). The data: the text task.

Differences:
  `init(key, batch)` draws with NNX's rule (`nnx.Rngs(key)`), so its values differ from linen's.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from flaxed.nnx import variables as layout
from purejax.data.tasks import text
from purejax.models.lstm_lm import DEFAULTS, HPARAMS, NAME, check_batch, check_sample_args

# --- data: the task purejax/data/tasks/text.py, shared by purejax and flaxed -----------------

load_data = text.load_data
train_batches = text.train_batches
eval_batches = text.eval_batches
example_batch = text.example_batch
unigram_entropy = text.unigram_entropy
learning_goal = text.learning_goal

PATHS = {  # NNX -> linen; c0 sits at the root on both sides
    (): (),
    ("embed",): ("Embed_0",),
    ("linear",): ("Dense_0",),
    **layout.lstm_cell_paths(("rnn", "cell"), ("RNN_0", "cell")),
}


class LSTMLM(nnx.Module):
    """Embed -> LSTM -> Linear: `model(tokens: int[B, T], carry=None) -> (carry, logits [B, T, vocab])`."""

    def __init__(
        self,
        vocab_size: int = text.VOCAB,
        features: int = HPARAMS["features"],
        hidden: int = HPARAMS["hidden"],
        *,
        rngs: nnx.Rngs,
    ):
        self.embed = nnx.Embed(vocab_size, features, rngs=rngs)
        self.c0 = nnx.Param(nnx.initializers.zeros_init()(rngs.params(), (hidden,)))  # [hidden]: learned initial cell
        self.rnn = nnx.RNN(nnx.LSTMCell(features, hidden, rngs=rngs), rngs=False)
        self.linear = nnx.Linear(hidden, vocab_size, rngs=rngs)

    def __call__(self, tokens, carry=None):
        x = self.embed(tokens)  # [batch, time, features]
        if carry is None:  # the learned state (c, h) = (c0, tanh(c0)), [batch, hidden] each
            c0 = self.c0[...]
            shape = (tokens.shape[0], c0.shape[0])
            carry = jnp.broadcast_to(c0, shape), jnp.broadcast_to(jnp.tanh(c0), shape)
        carry, h = self.rnn(x, initial_carry=carry, return_carry=True)  # h: [batch, time, hidden]
        return carry, self.linear(h)  # [batch, time, vocab]


def build(**hparams) -> LSTMLM:
    """`LSTMLM(**hparams)`, its arrays drawn from `hparams['rngs']` (default `Rngs(0)`)."""
    return LSTMLM(**{"rngs": nnx.Rngs(0), **hparams})


def to_variables(model: LSTMLM) -> dict:
    """`{'params': {'Embed_0', 'c0', 'RNN_0': {'cell': {'ii'..'ho'}}, 'Dense_0'}}`, linen's layout."""
    return layout.to_variables(model, PATHS)


def from_variables(variables, **hparams) -> LSTMLM:
    """The `LSTMLM` holding linen-layout `variables`, bitwise."""
    return layout.from_variables(lambda: build(**hparams), variables, PATHS)


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def model_chunk_loss(model: LSTMLM, tokens, carry=None):
    """`(loss, (metrics, carry))` of `model` for one window `tokens: int[B, T + 1]` from `carry`."""
    tokens = jnp.asarray(tokens)
    carry, logits = model(tokens[:, :-1], carry)  # [batch, T, vocab]
    targets = tokens[:, 1:]  # [batch, T]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == targets).mean()
    return loss, ({"bits_per_byte": loss / math.log(2), "accuracy": accuracy}, carry)


def chunk_loss(variables, tokens, carry=None, **hparams):
    """`(loss, (metrics, carry))` for one window `tokens: int[B, T + 1]` from `carry` (None: learned)."""
    return model_chunk_loss(from_variables(variables, **hparams), tokens, carry)


def loss(model: LSTMLM, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: the whole window from the learned state; `key`, `train` unused."""
    value, (metrics, _) = model_chunk_loss(model, batch["tokens"])
    return value, metrics


def tbptt_loss(variables, tokens, bptt_length: int, carry=None, **hparams):
    """Truncated BPTT: `chunk_loss` over chunks of `bptt_length` predictions, the carry detached between."""
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
    """`(mean cross-entropy in nats, {'bits_per_byte', 'accuracy'})`; with `bptt_length`, `tbptt_loss`."""
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
    """`length` bytes that continue `prompt`, greedily or at `temperature` (keys: `split(key, length)`)."""
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
    model = from_variables(variables, **dict(hparams))
    carry, logits = model(prompt)  # [1, P, vocab]
    graphdef, arrays = nnx.split(model)  # a JAX transform takes arrays: the scan rebuilds the module from them

    def step(state, key_t):
        carry, logits = state  # logits: [1, vocab]
        if greedy:
            byte = jnp.argmax(logits, axis=-1)  # [1]
        else:
            byte = jax.random.categorical(key_t, logits / temperature, axis=-1)  # [1]
        carry, logits = nnx.merge(graphdef, arrays, copy=True)(byte[:, None].astype(jnp.int32), carry)  # [1, 1, vocab]
        return (carry, logits[:, -1]), byte[0]

    _, out = jax.lax.scan(step, (carry, logits[:, -1]), jax.random.split(key, length))  # out: [length]
    return out


__all__ = [
    "DEFAULTS",
    "HPARAMS",
    "LSTMLM",
    "NAME",
    "PATHS",
    "build",
    "check_batch",
    "check_sample_args",
    "chunk_loss",
    "eval_batches",
    "example_batch",
    "from_variables",
    "init",
    "learning_goal",
    "load_data",
    "loss",
    "loss_fn",
    "model_chunk_loss",
    "optimizer",
    "sample",
    "tbptt_loss",
    "to_variables",
    "train_batches",
    "unigram_entropy",
]
