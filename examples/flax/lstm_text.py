"""A byte-level LSTM language model of Python's own source, with Flax's `nn.RNN` and dropout.

The text is the source of the standard library's `textwrap` module, one token per byte. An
LSTM runs over the sequence with `nn.RNN` (a lifted `nn.scan` that shares the cell's parameters
across time: `variable_broadcast='params', split_rngs={'params': False}`), with dropout before
and after it; Adam with gradient clipping trains it to predict the next byte.
"""

import inspect
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen as nn
from flax.training import train_state


class LSTMLanguageModel(nn.Module):
    """Embed bytes, an LSTM, and logits for the next byte."""

    vocab_size: int = 256
    embed_size: int = 32
    hidden_size: int = 128
    dropout_rate: float = 0.1

    @nn.compact
    def __call__(self, tokens, *, train):
        x = nn.Embed(self.vocab_size, self.embed_size)(tokens)  # [batch, time, embed]
        x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
        # [batch, time, hidden]: the same cell parameters at every step
        x = nn.RNN(nn.LSTMCell(self.hidden_size), split_rngs={"params": False})(x)
        x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
        return nn.Dense(self.vocab_size)(x)  # [batch, time, vocab] logits


def get_text():
    """The source of `textwrap` as int32 byte tokens."""
    return np.frombuffer(inspect.getsource(textwrap).encode(), dtype=np.uint8).astype(np.int32)


def get_batch(tokens, rng, batch_size, length):
    """`batch_size` windows at random places: inputs and the same shifted by one byte."""
    starts = rng.integers(0, len(tokens) - length - 1, size=batch_size)
    window = np.stack([tokens[s : s + length + 1] for s in starts])  # [batch, length + 1]
    return jnp.asarray(window[:, :-1]), jnp.asarray(window[:, 1:])


@jax.jit
def train_step(state, inputs, targets, dropout_rng):
    def loss_fn(params):
        logits = state.apply_fn({"params": params}, inputs, train=True, rngs={"dropout": dropout_rng})
        return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


@jax.jit
def eval_step(params, inputs, targets):
    logits = LSTMLanguageModel().apply({"params": params}, inputs, train=False)
    return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()


def main(steps=10, batch_size=16, length=32, seed=0):
    """Train for `steps` batches; returns their losses, then the loss of a held-out batch."""
    tokens = get_text()
    split = len(tokens) * 9 // 10
    data_rng = np.random.default_rng(seed)
    rng, init_rng = jax.random.split(jax.random.PRNGKey(seed))
    model = LSTMLanguageModel()
    params = model.init(init_rng, jnp.zeros((1, length), jnp.int32), train=False)["params"]
    tx = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(3e-3))
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=tx)
    losses = []
    for _ in range(steps):
        inputs, targets = get_batch(tokens[:split], data_rng, batch_size, length)
        rng, dropout_rng = jax.random.split(rng)
        state, loss = train_step(state, inputs, targets, dropout_rng)
        losses.append(float(loss))
    inputs, targets = get_batch(tokens[split:], data_rng, batch_size, length)
    return losses + [float(eval_step(state.params, inputs, targets))]


if __name__ == "__main__":
    print(main())
