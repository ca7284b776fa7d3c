"""The byte-level Transformer language model with Flax and Optax: `nn.MultiHeadDotProductAttention` in pre-LN blocks.

    x      = Embed_0[byte_t] + Embed_1[t]                      # [batch, time, features]
    x      = Dropout(x)
    x      = x + Dropout(Attention(LayerNorm(x), causal mask))  # each Block_i
    x      = x + Dropout(Dense(gelu(Dense(LayerNorm(x)))))
    logits = nn.Dense(256)(LayerNorm(x))                        # tied: embed.attend(LayerNorm(x))
    loss   = mean_t optax.softmax_cross_entropy_with_integer_labels(logits_t, byte_{t+1})

Sampling reads the prompt and then one byte per step into the attention layers' `'cache'`
collection (`decode=True`, `mutable=['cache']`), inside `jax.lax.scan`; `use_cache=False` reads
the whole text again at every step.

Counterpart: `purejax/models/transformer_lm.py` (`DEFAULTS`, `HPARAMS`, `NAME`, `check_batch`,
`check_length`, `check_sample_args` are imported from there). The data, batches and learning goal
are the task `purejax/data/tasks/text.py`, bound here as purejax's module binds them.
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
from purejax.models.transformer_lm import DEFAULTS, HPARAMS, NAME, check_batch, check_length, check_sample_args

# --- data: the task purejax/data/tasks/text.py, shared by purejax and flaxed -----------------

load_data = text.load_data
train_batches = text.train_batches
eval_batches = text.eval_batches
example_batch = text.example_batch
unigram_entropy = text.unigram_entropy
learning_goal = text.learning_goal


class Block(nn.Module):
    """`x + Dropout(Attention(LayerNorm(x)))`, then `x + Dropout(MLP(LayerNorm(x)))`: `[B, T, features]` in and out."""

    features: int
    num_heads: int
    mlp_dim: int
    dropout_rate: float
    decode: bool = False

    @nn.compact
    def __call__(self, x, mask, train: bool):
        h = nn.LayerNorm()(x)  # [batch, time, features]
        h = nn.MultiHeadDotProductAttention(
            num_heads=self.num_heads, qkv_features=self.features, dropout_rate=self.dropout_rate, decode=self.decode
        )(h, mask=mask, deterministic=not train)  # [batch, time, features]
        x = x + nn.Dropout(self.dropout_rate)(h, deterministic=not train)  # residual
        h = nn.gelu(nn.Dense(self.mlp_dim)(nn.LayerNorm()(x)))  # [batch, time, mlp_dim]
        h = nn.Dense(self.features)(h)  # [batch, time, features]
        return x + nn.Dropout(self.dropout_rate)(h, deterministic=not train)  # residual


class TransformerLM(nn.Module):
    """Embed -> Blocks -> LayerNorm -> logits: `(tokens: int[B, T], positions=None, train=False) -> [B, T, vocab]`."""

    vocab_size: int = text.VOCAB
    features: int = HPARAMS["features"]
    num_heads: int = HPARAMS["num_heads"]
    num_layers: int = HPARAMS["num_layers"]
    mlp_dim: int = HPARAMS["mlp_dim"]
    max_len: int = HPARAMS["max_len"]
    dropout_rate: float = HPARAMS["dropout_rate"]
    tie_weights: bool = HPARAMS["tie_weights"]
    decode: bool = False

    @nn.compact
    def __call__(self, tokens, positions=None, train: bool = False):
        if positions is None:
            check_length(tokens.shape[1], self.max_len)
            positions = jnp.arange(tokens.shape[1])[None, :]  # [1, time]
        embed = nn.Embed(self.vocab_size, self.features)
        x = embed(tokens) + nn.Embed(self.max_len, self.features)(positions)  # [batch, time, features]
        x = nn.Dropout(self.dropout_rate)(x, deterministic=not train)
        mask = None if self.decode else nn.make_causal_mask(tokens)  # [batch, 1, time, time]
        for _ in range(self.num_layers):
            x = Block(self.features, self.num_heads, self.mlp_dim, self.dropout_rate, self.decode)(x, mask, train)
        x = nn.LayerNorm()(x)  # [batch, time, features]
        return embed.attend(x) if self.tie_weights else nn.Dense(self.vocab_size)(x)  # [batch, time, vocab]


def build(**hparams) -> TransformerLM:
    """`TransformerLM(**HPARAMS)`, overridden by `hparams`."""
    return TransformerLM(**hparams)


def init(key, batch, **hparams) -> dict:
    """`build().init(key, tokens[:, :-1])`: `{'params': ...}`."""
    check_batch(batch)
    return build(**hparams).init(key, jnp.asarray(batch["tokens"])[:, :-1])


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean cross-entropy in nats, {'bits_per_byte', 'accuracy'})`; dropout from `key` when `train`."""
    check_batch(batch)
    tokens = jnp.asarray(batch["tokens"])
    model = build(**hparams)
    if train and model.dropout_rate > 0 and key is None:
        raise ValueError(f"{NAME}: training needs a key for dropout: loss_fn(variables, batch, key)")
    rngs = {"dropout": key} if train and model.dropout_rate > 0 else {}
    logits = model.apply(variables, tokens[:, :-1], train=train, rngs=rngs)  # [batch, T, vocab]
    targets = tokens[:, 1:]  # [batch, T]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == targets).mean()
    return loss, {"bits_per_byte": loss / math.log(2), "accuracy": accuracy}


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


def init_cache(variables, batch_size: int, **hparams) -> dict:
    """The empty `'cache'` collection for `batch_size` texts of up to `max_len` bytes (index 0)."""
    tokens = jnp.zeros((batch_size, build(**hparams).max_len), jnp.int32)  # [batch, max_len]: sizes the cache
    _, state = build(decode=True, **hparams).apply(variables, tokens, mutable=["cache"])
    return state["cache"]


def decode_step(variables, cache, tokens, position, **hparams):
    """`(logits [B, vocab], cache)`: one byte per text, `tokens: int[B, 1]`, at `position`, read into `cache`."""
    positions = jnp.full(tokens.shape, position, jnp.int32)  # [batch, 1]
    logits, state = build(decode=True, **hparams).apply(
        {**variables, "cache": cache}, tokens, positions, mutable=["cache"]
    )  # [batch, 1, vocab]
    return logits[:, -1], state["cache"]


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
    """`length` bytes continuing `prompt`: argmax, or `jax.random.categorical(key_t, logits / temperature)`."""
    tokens = check_sample_args(prompt, length, temperature, build(**hparams).max_len)
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
        return jax.random.categorical(key_t, logits / temperature, axis=-1).astype(jnp.int32)  # [1]

    if use_cache:

        def read(cache, token_position):  # one byte into the cache
            token, position = token_position
            logits, cache = decode_step(variables, cache, token[:, None], position, **hparams_)
            return cache, logits  # logits: [1, vocab]

        cache = init_cache(variables, 1, **hparams_)
        cache, logits = jax.lax.scan(read, cache, (prompt.T, jnp.arange(size)))  # logits: [P, 1, vocab]

        def step(state, key_position):
            cache, logits = state
            key_t, position = key_position
            byte = pick(logits, key_t)  # [1]
            cache, logits = read(cache, (byte, position))
            return (cache, logits), byte[0]

        xs = (jax.random.split(key, length), size + jnp.arange(length))
        _, out = jax.lax.scan(step, (cache, logits[-1]), xs)  # out: [length]
        return out

    model = build(**hparams_)
    text = jnp.zeros((1, model.max_len), jnp.int32).at[:, :size].set(prompt)  # [1, max_len]: the prompt, then zeros

    def reread(text, key_position):  # the whole text again; causal, so the zeros after it change nothing
        key_t, position = key_position
        logits = model.apply(variables, text)  # [1, max_len, vocab]
        byte = pick(jax.lax.dynamic_index_in_dim(logits, position - 1, axis=1, keepdims=False), key_t)  # [1]
        return jax.lax.dynamic_update_slice(text, byte[:, None], (0, position)), byte[0]

    _, out = jax.lax.scan(reread, text, (jax.random.split(key, length), size + jnp.arange(length)))
    return out


__all__ = [
    "DEFAULTS",
    "NAME",
    "Block",
    "TransformerLM",
    "build",
    "check_batch",
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
