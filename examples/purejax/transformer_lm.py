"""A small GPT on the bytes of Python's own source, in the style of Optax's nanolm example.

Token and position embeddings, pre-norm transformer blocks (causal self-attention written by
hand from `nn.Dense` layers, then an MLP in `nn.Sequential`), and logits for the next byte.
Dropout draws from the 'dropout' stream. AdamW with a warmup-cosine schedule and gradient
clipping trains it on windows of the standard library's `heapq` source.
"""

import heapq
import inspect

import jax
import jax.numpy as jnp
import numpy as np
import purejax.optim as optax
from purejax import nn
from purejax import train as train_state


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where each position sees itself and the positions before it."""

    num_heads: int
    dropout_rate: float

    @nn.compact
    def __call__(self, x, *, training):
        batch, length, features = x.shape
        head_size = features // self.num_heads
        qkv = nn.Dense(3 * features, name="qkv")(x)  # [batch, length, 3 * features]
        q, k, v = (t.reshape(batch, length, self.num_heads, head_size) for t in jnp.split(qkv, 3, axis=-1))
        scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(head_size)  # [batch, heads, length, length]
        causal = jnp.tril(jnp.ones((length, length), dtype=bool))  # query q sees keys k <= q
        scores = jnp.where(causal, scores, jnp.finfo(scores.dtype).min)
        weights = nn.softmax(scores, axis=-1)
        weights = nn.Dropout(self.dropout_rate, deterministic=not training)(weights)
        out = jnp.einsum("bhqk,bkhd->bqhd", weights, v).reshape(batch, length, features)
        return nn.Dense(features, name="out")(out)  # [batch, length, features]


class NanoLM(nn.Module):
    """NanoLM model."""

    vocab_size: int = 256
    num_layers: int = 2
    num_heads: int = 4
    dropout_rate: float = 0.1
    embed_size: int = 64
    block_size: int = 32

    @nn.compact
    def __call__(self, x, training):
        seq_len = x.shape[1]
        tokens = nn.Embed(self.vocab_size, self.embed_size)(x)  # [batch, length, embed]
        positions = nn.Embed(self.block_size, self.embed_size)(jnp.arange(seq_len)[None, :])  # [1, length, embed]
        x = tokens + positions
        for _ in range(self.num_layers):
            x = x + CausalSelfAttention(self.num_heads, self.dropout_rate)(nn.LayerNorm()(x), training=training)
            mlp = nn.Sequential(
                [
                    nn.Dense(4 * self.embed_size),
                    nn.gelu,
                    nn.Dense(self.embed_size),
                    nn.Dropout(self.dropout_rate, deterministic=not training),
                ]
            )
            x = x + mlp(nn.LayerNorm()(x))
        x = nn.LayerNorm()(x)
        return nn.Dense(self.vocab_size)(x)  # [batch, length, vocab] logits


def get_batch(tokens, rng, batch_size, block_size):
    """Random windows of the text: inputs and the same shifted by one byte, [batch, block] each."""
    starts = rng.integers(0, len(tokens) - block_size - 1, size=batch_size)
    window = np.stack([tokens[s : s + block_size + 1] for s in starts])
    return jnp.asarray(window[:, :-1]), jnp.asarray(window[:, 1:])


@jax.jit
def train_step(state, inputs, targets, dropout_key):
    def loss_fn(params):
        logits = state.apply_fn({"params": params}, inputs, training=True, rngs={"dropout": dropout_key})
        return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


@jax.jit
def eval_step(params, inputs, targets):
    logits = NanoLM().apply({"params": params}, inputs, training=False)
    return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()


def main(steps=10, batch_size=16, seed=0):
    """Train for `steps` batches; returns their losses, then the loss of a held-out batch."""
    tokens = np.frombuffer(inspect.getsource(heapq).encode(), dtype=np.uint8).astype(np.int32)
    split = len(tokens) * 9 // 10
    model = NanoLM()
    data_rng = np.random.default_rng(seed)
    key, init_key = jax.random.split(jax.random.PRNGKey(seed))
    params = model.init(init_key, jnp.zeros((1, model.block_size), jnp.int32), training=False)["params"]
    schedule = optax.warmup_cosine_decay_schedule(0.0, 3e-3, warmup_steps=3, decay_steps=max(steps, 4))
    tx = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(schedule, weight_decay=0.1))
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=tx)
    losses = []
    for _ in range(steps):
        inputs, targets = get_batch(tokens[:split], data_rng, batch_size, model.block_size)
        key, dropout_key = jax.random.split(key)
        state, loss = train_step(state, inputs, targets, dropout_key)
        losses.append(float(loss))
    inputs, targets = get_batch(tokens[split:], data_rng, batch_size, model.block_size)
    return losses + [float(eval_step(state.params, inputs, targets))]


if __name__ == "__main__":
    print(main())
