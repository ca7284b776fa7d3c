"""A small decoder-only Transformer on bytes: what each byte attends to is learned, not carried.

    x      = Embed_0[byte_t] + Embed_1[t]                        # [batch, time, features]: token + position
    x      = Dropout(x)
    for each Block_i:                                            # pre-LayerNorm residual blocks
        x  = x + Dropout(Attention(LayerNorm(x), causal mask))   # byte t reads bytes 0..t
        x  = x + Dropout(Dense(gelu(Dense(LayerNorm(x)))))       # [batch, time, mlp_dim] inside
    logits = Dense(LayerNorm(x))                                 # [batch, time, 256]; tied: @ Embed_0.T
    loss   = mean_t -log softmax(logits_t)[byte_{t+1}]           # nats per byte

Where `lstm_lm` squeezes the text so far into a carry `(c, h)`, attention reads every earlier
byte again at each position; the causal mask (`make_causal_mask`) keeps position t from the bytes
after it, so one parallel pass over a window trains all T predictions at once. Each block adds to
the residual stream `x` what LayerNorm-ed attention and MLP compute from it (pre-LN, as GPT-2: the
stream itself is never normalized, which keeps gradients steady without a learning-rate warm-up).

Sampling uses the attention layers' `'cache'` (`decode=True`): each step feeds one byte at its
position, every layer appends that byte's key and value to its cache and attends over the cache,
so a step costs one position's work instead of a pass over the whole text. `sample(...,
use_cache=False)` reads the whole text again at every step (the same bytes, more work); the
bench times both.

Data: the text task, `purejax/data/tasks/text.py`, exactly as `lstm_lm` (the same batches for the
same key, the same test windows of `SEQ_LEN` bytes and learning goal), so the two test losses
compare directly. The context `max_len` is `SEQ_LEN`: the model sees positions 0..31 in training,
and a sample (prompt and continuation together) is at most `max_len` bytes.

Shared with `flaxed/models/transformer_lm.py` (imported from here): `DEFAULTS`, `HPARAMS`, `NAME`,
`check_batch`, `check_length`, `check_sample_args`.

Counterpart: `flaxed/models/transformer_lm.py` (`flax.linen.MultiHeadDotProductAttention`,
`nn.make_causal_mask`, `Embed.attend`, `optax.adam`).

References:
  Vaswani et al., *Attention Is All You Need*, 2017, https://arxiv.org/abs/1706.03762
  Radford et al., *Language Models are Unsupervised Multitask Learners*, 2019 (GPT-2: pre-LN
  blocks, learned positions, tied input and output embeddings).
  Press and Wolf, *Using the Output Embedding to Improve Language Models*, 2017,
  https://arxiv.org/abs/1608.05859

Differences:
  PyTorch's `nn.TransformerEncoderLayer(norm_first=True)` takes a mask where True means *blocked*
  (`generate_square_subsequent_mask` gives -inf above the diagonal); Flax's and purejax's masks
  say True where a position *may* attend. GPT-2 computes gelu's tanh approximation, as
  `nn.gelu` does by default here.
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

NAME = "transformer_lm"
DEFAULTS = {"steps": 200, "batch_size": 32, "learning_rate": 1e-2}
HPARAMS = {
    "features": 64,  # the residual stream's width, d_model
    "num_heads": 4,  # of 16 features each
    "num_layers": 2,
    "mlp_dim": 256,  # 4 x features
    "max_len": text.SEQ_LEN,  # positions: the context the model reads
    "dropout_rate": 0.1,
    "tie_weights": False,  # True: logits = x @ embedding.T, no output Dense
}


# --- data: the task purejax/data/tasks/text.py, shared by purejax and flaxed -----------------

SEQ_LEN = text.SEQ_LEN  # T: predictions per training window
load_data = text.load_data
train_batches = text.train_batches
eval_batches = text.eval_batches
example_batch = text.example_batch
unigram_entropy = text.unigram_entropy
learning_goal = text.learning_goal


def check_batch(batch) -> None:
    """Raise a ValueError naming the model, the expected and the actual shapes."""
    text.check_text(batch, NAME)


def check_length(length: int, max_len: int) -> None:
    """Refuse `length` input bytes when the model has only `max_len` positions."""
    if length > max_len:
        raise ValueError(
            f"{NAME}: the model reads at most max_len={max_len} bytes, got tokens of length {length}; "
            f"cut the text into windows of {max_len} (a batch of {max_len + 1} bytes), or build(max_len={length})"
        )


# --- the model -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Block(nn.Layer):
    """`x + Dropout(Attention(LayerNorm(x)))`, then `x + Dropout(MLP(LayerNorm(x)))`: `[B, T, features]` in and out.

    Variables: 'params' `LayerNorm_0`, `MultiHeadDotProductAttention_0` (`query`, `key`, `value`:
    kernels `[features, heads, head_dim]`; `out`: `[heads, head_dim, features]`), `LayerNorm_1`,
    `Dense_0` `[features, mlp_dim]`, `Dense_1` `[mlp_dim, features]`; with `decode`, 'cache' in the
    attention layer (`cached_key`, `cached_value`: `[B, max_len, heads, head_dim]`, `cache_index`).
    """

    features: int
    num_heads: int
    mlp_dim: int
    dropout_rate: float
    decode: bool = False

    def forward(self, scope, x, mask, train: bool):
        h = scope.child(nn.LayerNorm())(x)  # [batch, time, features]
        h = scope.child(
            nn.MultiHeadDotProductAttention(
                num_heads=self.num_heads, qkv_features=self.features, dropout_rate=self.dropout_rate, decode=self.decode
            )
        )(h, mask=mask, deterministic=not train)  # [batch, time, features]
        x = x + scope.child(nn.Dropout(self.dropout_rate))(h, deterministic=not train)  # residual
        h = nn.gelu(scope.child(nn.Dense(self.mlp_dim))(scope.child(nn.LayerNorm())(x)))  # [batch, time, mlp_dim]
        h = scope.child(nn.Dense(self.features))(h)  # [batch, time, features]
        return x + scope.child(nn.Dropout(self.dropout_rate))(h, deterministic=not train)  # residual


@dataclasses.dataclass(frozen=True)
class TransformerLM(nn.Layer):
    """Embed -> Blocks -> LayerNorm -> logits: `forward(scope, tokens: int[B, T], positions=None, train=False)`.

    Returns the logits `[B, T, vocab]`. `positions: int[B, T]` (None: `0..T-1`, `T <= max_len`) are
    the positions of the tokens, which decoding gives one at a time. With `decode=True` the
    attention layers read and extend their 'cache' (see `init_cache`, `decode_step`).

    Variables: `{'params': {'Embed_0': {'embedding': [vocab, features]}, 'Embed_1': {'embedding':
    [max_len, features]}, 'Block_0'.., 'LayerNorm_0', 'Dense_0': [features, vocab]}}`; with
    `tie_weights=True` no `Dense_0`: the logits are `x @ Embed_0.embedding.T`.
    """

    vocab_size: int = text.VOCAB
    features: int = HPARAMS["features"]
    num_heads: int = HPARAMS["num_heads"]
    num_layers: int = HPARAMS["num_layers"]
    mlp_dim: int = HPARAMS["mlp_dim"]
    max_len: int = HPARAMS["max_len"]
    dropout_rate: float = HPARAMS["dropout_rate"]
    tie_weights: bool = HPARAMS["tie_weights"]
    decode: bool = False

    def forward(self, scope, tokens, positions=None, train: bool = False):
        if positions is None:
            check_length(tokens.shape[1], self.max_len)
            positions = jnp.arange(tokens.shape[1])[None, :]  # [1, time]
        embed = scope.child(nn.Embed(self.vocab_size, self.features))  # one table: the input and, tied, the output
        x = embed(tokens) + scope.child(nn.Embed(self.max_len, self.features))(positions)  # [batch, time, features]
        x = scope.child(nn.Dropout(self.dropout_rate))(x, deterministic=not train)
        mask = None if self.decode else nn.make_causal_mask(tokens)  # [batch, 1, time, time]: key <= query
        for _ in range(self.num_layers):
            block = Block(self.features, self.num_heads, self.mlp_dim, self.dropout_rate, self.decode)
            x = scope.child(block)(x, mask, train)  # [batch, time, features]
        x = scope.child(nn.LayerNorm())(x)  # [batch, time, features]
        if self.tie_weights:
            return embed(x, attend=True)  # [batch, time, vocab]: x @ embedding.T
        return scope.child(nn.Dense(self.vocab_size))(x)  # [batch, time, vocab]


def build(**hparams) -> TransformerLM:
    """`TransformerLM(**HPARAMS)`, overridden by `hparams`."""
    return TransformerLM(**hparams)


def init(key, batch, **hparams) -> dict:
    """The variables for `batch['tokens'][:, :-1]`, Flax's names and values for the same `key`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["tokens"])[:, :-1])


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean next-byte cross-entropy in nats, {'bits_per_byte', 'accuracy'})`.

    `train=True` drops with `rngs={'dropout': key}` (a key is needed when `dropout_rate > 0`);
    `train=False` is deterministic and needs no key.
    """
    check_batch(batch)
    tokens = jnp.asarray(batch["tokens"])
    model = build(**hparams)
    if train and model.dropout_rate > 0 and key is None:
        raise ValueError(f"{NAME}: training needs a key for dropout: loss_fn(variables, batch, key)")
    rngs = {"dropout": key} if train and model.dropout_rate > 0 else {}
    logits = model.apply(variables, tokens[:, :-1], train=train, rngs=rngs)  # [batch, T, vocab]
    targets = tokens[:, 1:]  # [batch, T]
    loss = losses.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == targets).mean()
    return loss, {"bits_per_byte": loss / math.log(2), "accuracy": accuracy}


def optimizer(learning_rate: float) -> optim.GradientTransformation:
    """`optim.adam(learning_rate)`."""
    return optim.adam(learning_rate)


# --- decoding with the cache -----------------------------------------------------------------


def init_cache(variables, batch_size: int, **hparams) -> dict:
    """The empty `'cache'` collection for `batch_size` texts of up to `max_len` bytes.

    Every attention layer's `cached_key`, `cached_value` (`[batch, max_len, heads, head_dim]`,
    zeros) and `cache_index` (0): what a `decode=True` pass over `max_len` positions creates.
    """
    tokens = jnp.zeros((batch_size, build(**hparams).max_len), jnp.int32)  # [batch, max_len]: sizes the cache
    _, state = build(decode=True, **hparams).apply(variables, tokens, mutable=["cache"])
    return state["cache"]


def decode_step(variables, cache, tokens, position, **hparams):
    """`(logits [B, vocab], cache)`: one byte per text, `tokens: int[B, 1]`, at `position`, read into `cache`.

        k_i, v_i = key and value of the new byte, per layer and head
        cache    = cache with k_i, v_i written at cache_index; cache_index + 1
        logits   = the model at this byte, attending over cache[: cache_index + 1]

    The logits equal those of the full causal pass at `position` over the same text.
    """
    positions = jnp.full(tokens.shape, position, jnp.int32)  # [batch, 1]
    logits, state = build(decode=True, **hparams).apply(
        {**variables, "cache": cache}, tokens, positions, mutable=["cache"]
    )  # [batch, 1, vocab]
    return logits[:, -1], state["cache"]


def check_sample_args(prompt, length, temperature, max_len: int) -> np.ndarray:
    """The prompt as `int32[1, P]`, or a ValueError naming the model and the bad argument."""
    if not isinstance(prompt, (bytes, bytearray)) or not prompt:
        raise ValueError(f"{NAME}: sample needs a non-empty bytes prompt (e.g. b'def '), got {prompt!r}")
    if int(length) != length or length < 0:
        raise ValueError(f"{NAME}: sample length must be a non-negative integer, got {length!r}")
    if not temperature > 0:
        raise ValueError(f"{NAME}: sample temperature must be positive, got {temperature!r}")
    if len(prompt) + length > max_len:
        raise ValueError(
            f"{NAME}: sample reads at most max_len={max_len} bytes, prompt and continuation together; got a "
            f"prompt of {len(prompt)} and length {length}: ask for length <= {max(max_len - len(prompt), 0)}"
        )
    return np.frombuffer(bytes(prompt), np.uint8).astype(np.int32)[None, :]  # [1, P]


def sample(
    variables,
    key,
    prompt: bytes,
    length: int,
    temperature: float = 1.0,
    greedy: bool = False,
    use_cache: bool = True,
    **hparams,
) -> bytes:
    """`length` bytes that continue `prompt` (the continuation only); `len(prompt) + length <= max_len`.

        cache = init_cache(); read the prompt one byte at a time   # lax.scan of decode_step
        for t, key_t in enumerate(split(key, length)):             # lax.scan
            byte_t = argmax(logits) if greedy else categorical(key_t, logits / temperature)
            logits, cache = decode_step(byte_t, position P + t, cache)

    `greedy` ignores `key` and `temperature`. `use_cache=False` gives the same bytes by a full
    causal pass over the text so far at every step.
    """
    tokens = check_sample_args(prompt, length, temperature, build(**hparams).max_len)  # [1, P]
    if length == 0:
        return b""
    out = _generate(
        variables,
        key,
        jnp.asarray(tokens),
        jnp.float32(temperature),
        length=int(length),
        greedy=bool(greedy),
        use_cache=bool(use_cache),
        hparams=tuple(sorted(hparams.items())),
    )  # [length]
    return bytes(np.asarray(out).astype(np.uint8))


@functools.partial(jax.jit, static_argnames=("length", "greedy", "use_cache", "hparams"))
def _generate(variables, key, prompt, temperature, *, length: int, greedy: bool, use_cache: bool, hparams: tuple):
    """`int32[length]`: read `prompt: int32[1, P]`, then one byte per step of `lax.scan`."""
    hparams_ = dict(hparams)
    size = prompt.shape[1]

    def pick(logits, key_t):  # logits: [1, vocab]
        if greedy:
            return jnp.argmax(logits, axis=-1).astype(jnp.int32)  # [1]
        return purejax.random.categorical(key_t, logits / temperature, axis=-1).astype(jnp.int32)  # [1]

    if use_cache:

        def read(cache, token_position):  # one byte into the cache
            token, position = token_position
            logits, cache = decode_step(variables, cache, token[:, None], position, **hparams_)
            return cache, logits  # logits: [1, vocab]

        cache = init_cache(variables, 1, **hparams_)
        cache, logits = lax.scan(read, cache, (prompt.T, jnp.arange(size)))  # logits: [P, 1, vocab]

        def step(state, key_position):
            cache, logits = state
            key_t, position = key_position
            byte = pick(logits, key_t)  # [1]
            cache, logits = read(cache, (byte, position))
            return (cache, logits), byte[0]

        xs = (purejax.random.split(key, length), size + jnp.arange(length))
        _, out = lax.scan(step, (cache, logits[-1]), xs)  # out: [length]
        return out

    model = build(**hparams_)
    text = jnp.zeros((1, model.max_len), jnp.int32).at[:, :size].set(prompt)  # [1, max_len]: the prompt, then zeros

    def reread(text, key_position):  # the whole text again; causal, so the zeros after it change nothing
        key_t, position = key_position
        logits = model.apply(variables, text)  # [1, max_len, vocab]
        byte = pick(lax.dynamic_index_in_dim(logits, position - 1, axis=1, keepdims=False), key_t)  # [1]
        return lax.dynamic_update_slice(text, byte[:, None], (0, position)), byte[0]

    _, out = lax.scan(reread, text, (purejax.random.split(key, length), size + jnp.arange(length)))
    return out


__all__ = [
    "DEFAULTS",
    "HPARAMS",
    "NAME",
    "SEQ_LEN",
    "Block",
    "TransformerLM",
    "build",
    "check_batch",
    "check_length",
    "check_sample_args",
    "decode_step",
    "eval_batches",
    "example_batch",
    "init",
    "init_cache",
    "learning_goal",
    "load_data",
    "loss_fn",
    "optimizer",
    "sample",
    "train_batches",
    "unigram_entropy",
]
