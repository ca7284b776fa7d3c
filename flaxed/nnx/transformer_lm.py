"""The decoder-only Transformer on bytes with Flax NNX and Optax: `nnx.MultiHeadAttention`, `optax.adam`.

    x      = Embed[byte_t] + Embed_pos[t]                     # [batch, time, features]
    x      = Dropout(x)
    for each block:                                           # pre-LayerNorm residual blocks
        x  = x + Dropout(MultiHeadAttention(LayerNorm(x), causal mask))
        x  = x + Dropout(Linear(gelu(Linear(LayerNorm(x)))))
    logits = Linear(LayerNorm(x))   (tie_weights: Embed.attend)   # [batch, time, 256]

NNX's attention keeps its decoding cache in the module (`nnx.Cache` attributes `cached_key`,
`cached_value`, `cache_index`, made by `attention.init_cache(shape)`), where linen keeps a
`'cache'` collection; the names and shapes are linen's, so `init_cache` and `decode_step` hand
the cache back in linen's layout and one `decode_step` is a pure function of arrays, as on the
other two sides.

Dropout's keys: each `nnx.Dropout` and attention forks a stream of its own at construction (NNX's
idiom, counted by NNX's key counter as by purejax's `rng_rule='nnx'`), but the keys they drop
with come at call time: `model(tokens, key=key)` gives every
`nnx.Dropout` and every attention the stream `linen_stream(key, linen path)`, whose first key is
the one linen draws there from `rngs={'dropout': key}`, so the three sides drop the same units.

Counterpart: `purejax/models/transformer_lm.py` (`DEFAULTS`, `HPARAMS`, `NAME`, `check_batch`,
`check_length`, `check_sample_args` come from there) and `flaxed/models/transformer_lm.py` (linen).

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
from flaxed.nnx.linen_rngs import linen_stream
from purejax.data.tasks import text
from purejax.models.transformer_lm import DEFAULTS, HPARAMS, NAME, check_batch, check_length, check_sample_args

# --- data: the task purejax/data/tasks/text.py, shared by purejax and flaxed -----------------

load_data = text.load_data
train_batches = text.train_batches
eval_batches = text.eval_batches
example_batch = text.example_batch
unigram_entropy = text.unigram_entropy
learning_goal = text.learning_goal

BLOCK_PATHS = {  # NNX attribute -> linen name, inside a block
    "norm1": "LayerNorm_0",
    "attention": "MultiHeadDotProductAttention_0",
    "norm2": "LayerNorm_1",
    "linear1": "Dense_0",
    "linear2": "Dense_1",
}


def _stream(key, *path):
    return None if key is None else linen_stream(key, *path)


class Block(nnx.Module):
    """`x + Dropout(Attention(LayerNorm(x)))`, then `x + Dropout(MLP(LayerNorm(x)))`."""

    def __init__(self, features: int, num_heads: int, mlp_dim: int, dropout_rate: float, name: str, *, rngs):
        self.name = name  # linen's name of this block, `Block_i`: its dropout keys derive from it
        self.norm1 = nnx.LayerNorm(features, rngs=rngs)
        self.attention = nnx.MultiHeadAttention(
            num_heads=num_heads,
            in_features=features,
            qkv_features=features,
            dropout_rate=dropout_rate,
            decode=False,
            rngs=rngs,
        )
        self.dropout1 = nnx.Dropout(dropout_rate, rngs=rngs)
        self.norm2 = nnx.LayerNorm(features, rngs=rngs)
        self.linear1 = nnx.Linear(features, mlp_dim, rngs=rngs)
        self.linear2 = nnx.Linear(mlp_dim, features, rngs=rngs)
        self.dropout2 = nnx.Dropout(dropout_rate, rngs=rngs)

    def __call__(self, x, mask, key=None, decode: bool = False):
        rngs = _stream(key, self.name, BLOCK_PATHS["attention"])
        h = self.attention(self.norm1(x), mask=mask, rngs=rngs, decode=decode)  # [batch, time, features]
        x = x + self.dropout1(h, rngs=_stream(key, self.name, "Dropout_0"))  # residual
        h = nnx.gelu(self.linear1(self.norm2(x)))  # [batch, time, mlp_dim]
        h = self.linear2(h)  # [batch, time, features]
        return x + self.dropout2(h, rngs=_stream(key, self.name, "Dropout_1"))  # residual


class TransformerLM(nnx.Module):
    """`model(tokens: int[B, T], positions=None, key=None, decode=False) -> logits [B, T, vocab]`."""

    def __init__(
        self,
        vocab_size: int = text.VOCAB,
        features: int = HPARAMS["features"],
        num_heads: int = HPARAMS["num_heads"],
        num_layers: int = HPARAMS["num_layers"],
        mlp_dim: int = HPARAMS["mlp_dim"],
        max_len: int = HPARAMS["max_len"],
        dropout_rate: float = HPARAMS["dropout_rate"],
        tie_weights: bool = HPARAMS["tie_weights"],
        *,
        rngs: nnx.Rngs,
    ):
        self.max_len, self.features, self.tie_weights = max_len, features, tie_weights
        self.embed = nnx.Embed(vocab_size, features, rngs=rngs)
        self.position = nnx.Embed(max_len, features, rngs=rngs)
        self.dropout = nnx.Dropout(dropout_rate, rngs=rngs)
        self.blocks = nnx.List(
            Block(features, num_heads, mlp_dim, dropout_rate, f"Block_{i}", rngs=rngs) for i in range(num_layers)
        )
        self.norm = nnx.LayerNorm(features, rngs=rngs)
        self.linear = None if tie_weights else nnx.Linear(features, vocab_size, rngs=rngs)

    def __call__(self, tokens, positions=None, key=None, decode: bool = False):
        if positions is None:
            check_length(tokens.shape[1], self.max_len)
            positions = jnp.arange(tokens.shape[1])[None, :]  # [1, time]
        x = self.embed(tokens) + self.position(positions)  # [batch, time, features]
        x = self.dropout(x, rngs=_stream(key, "Dropout_0"))
        mask = None if decode else nnx.make_causal_mask(tokens)  # [batch, 1, time, time]
        for block in self.blocks:
            x = block(x, mask, key, decode)
        x = self.norm(x)  # [batch, time, features]
        return self.embed.attend(x) if self.linear is None else self.linear(x)  # [batch, time, vocab]

    def init_cache(self, batch_size: int) -> None:
        """Give every attention an empty cache for `batch_size` texts of up to `max_len` bytes."""
        for block in self.blocks:
            block.attention.init_cache((batch_size, self.max_len, self.features))


def paths(num_layers: int = HPARAMS["num_layers"], tie_weights: bool = HPARAMS["tie_weights"], **_) -> dict:
    """`{NNX module path: linen module path}` for a model of `num_layers` blocks."""
    table = {("embed",): ("Embed_0",), ("position",): ("Embed_1",), ("norm",): ("LayerNorm_0",)}
    if not tie_weights:
        table[("linear",)] = ("Dense_0",)
    for i in range(num_layers):
        for ours, theirs in BLOCK_PATHS.items():
            table[("blocks", i, ours)] = (f"Block_{i}", theirs)
    return table


def build(**hparams) -> TransformerLM:
    """`TransformerLM(**hparams)`, its arrays drawn from `hparams['rngs']` (default `Rngs(0)`)."""
    return TransformerLM(**{"rngs": nnx.Rngs(0), **hparams})


def to_variables(model: TransformerLM) -> dict:
    """Linen's 'params' (and 'cache' once `model.init_cache` has run) of `model`."""
    return layout.to_variables(model, paths(num_layers=len(model.blocks), tie_weights=model.linear is None))


def from_variables(variables, **hparams) -> TransformerLM:
    """The `TransformerLM` holding linen-layout `variables`; a `'cache'` collection fills its caches."""

    def make():
        model = build(**hparams)
        if "cache" in variables:
            cached = variables["cache"]["Block_0"]["MultiHeadDotProductAttention_0"]["cached_key"]
            model.init_cache(cached.shape[0])  # [batch, max_len, heads, head_dim]
        return model

    return layout.from_variables(make, variables, paths(**hparams))


def init(key, batch, **hparams) -> dict:
    """`to_variables(build(rngs=nnx.Rngs(key)))`: NNX's init, in linen's layout."""
    check_batch(batch)
    return to_variables(build(**hparams, rngs=nnx.Rngs(key)))


def loss(model: TransformerLM, batch, key=None, train: bool = True):
    """NNX's loss, a function of the module: `model.train()` or `model.eval()`, then cross-entropy."""
    tokens = jnp.asarray(batch["tokens"])
    dropout = train and model.dropout.rate > 0
    if dropout and key is None:
        raise ValueError(f"{NAME}: training needs a key for dropout: loss_fn(variables, batch, key)")
    model.train() if train else model.eval()
    logits = model(tokens[:, :-1], key=key if dropout else None)  # [batch, T, vocab]
    targets = tokens[:, 1:]  # [batch, T]
    value = optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()
    accuracy = (jnp.argmax(logits, axis=-1) == targets).mean()
    return value, {"bits_per_byte": value / math.log(2), "accuracy": accuracy}


def loss_fn(variables, batch, key=None, train: bool = True, **hparams):
    """`(mean cross-entropy in nats, {'bits_per_byte', 'accuracy'})`; dropout from `key` when `train`."""
    check_batch(batch)
    return loss(from_variables(variables, **hparams), batch, key, train)


def optimizer(learning_rate: float) -> optax.GradientTransformation:
    """`optax.adam(learning_rate)`."""
    return optax.adam(learning_rate)


def init_cache(variables, batch_size: int, **hparams) -> dict:
    """The empty cache for `batch_size` texts, in linen's `'cache'` layout."""
    model = from_variables(variables, **hparams)
    model.init_cache(batch_size)
    return to_variables(model)["cache"]


def decode_step(variables, cache, tokens, position, **hparams):
    """`(logits [B, vocab], cache)`: one byte per text, `tokens: int[B, 1]`, at `position`, read into `cache`."""
    model = from_variables({**variables, "cache": cache}, **hparams)
    model.eval()
    positions = jnp.full(tokens.shape, position, jnp.int32)  # [batch, 1]
    logits = model(tokens, positions, decode=True)  # [batch, 1, vocab]; the caches advance in place
    return logits[:, -1], to_variables(model)["cache"]


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
    """`length` bytes that continue `prompt`; `len(prompt) + length <= max_len`; see purejax's `sample`."""
    tokens = check_sample_args(prompt, length, temperature, hparams.get("max_len", HPARAMS["max_len"]))
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

    max_len = hparams_.get("max_len", HPARAMS["max_len"])
    text_ = jnp.zeros((1, max_len), jnp.int32).at[:, :size].set(prompt)  # [1, max_len]: the prompt, then zeros

    def reread(text_, key_position):  # the whole text again; causal, so the zeros after it change nothing
        key_t, position = key_position
        model = from_variables(variables, **hparams_)
        model.eval()
        logits = model(text_)  # [1, max_len, vocab]
        byte = pick(jax.lax.dynamic_index_in_dim(logits, position - 1, axis=1, keepdims=False), key_t)  # [1]
        return jax.lax.dynamic_update_slice(text_, byte[:, None], (0, position)), byte[0]

    _, out = jax.lax.scan(reread, text_, (jax.random.split(key, length), size + jnp.arange(length)))
    return out


__all__ = [
    "BLOCK_PATHS",
    "Block",
    "DEFAULTS",
    "HPARAMS",
    "NAME",
    "TransformerLM",
    "build",
    "check_batch",
    "decode_step",
    "eval_batches",
    "example_batch",
    "from_variables",
    "init",
    "init_cache",
    "learning_goal",
    "load_data",
    "loss",
    "loss_fn",
    "optimizer",
    "paths",
    "sample",
    "to_variables",
    "train_batches",
    "unigram_entropy",
]
