"""Learn to add numbers with an LSTM encoder-decoder, in the style of Flax's examples/seq2seq.

"12+345" -> "=357": one-hot characters in, an `nn.RNN` encoder that stops at each query's end
(`seq_lengths`), and a decoder with a custom cell, `DecoderLSTMCell`, scanned by `nn.RNN` with
`split_rngs={'params': False, 'lstm': True}`: the same parameters at every step, and a fresh key
of the 'lstm' stream at every step to sample the predicted digit.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import linen as nn
from flax.training import train_state

CHARS = "0123456789+="
PAD_ID, EOS_ID = 0, 1  # the characters take the ids 2, 3, ...
VOCAB_SIZE = len(CHARS) + 2
MAX_DIGITS = 3
QUERY_LENGTH = 2 * MAX_DIGITS + 2  # "123+456" and the end token
ANSWER_LENGTH = MAX_DIGITS + 3  # "=579" (up to one more digit) and the end token


def encode(text, length):
    """One-hot characters, the end token, then padding: [length, vocab]."""
    ids = [CHARS.index(c) + 2 for c in text] + [EOS_ID]
    ids += [PAD_ID] * (length - len(ids))
    return np.eye(VOCAB_SIZE, dtype=np.float32)[ids]


def get_batch(rng, batch_size):
    """Random addition problems: queries [batch, 8, vocab], answers [batch, 6, vocab]."""
    a, b = rng.integers(0, 10**MAX_DIGITS, size=(2, batch_size))
    queries = np.stack([encode(f"{x}+{y}", QUERY_LENGTH) for x, y in zip(a, b, strict=True)])
    answers = np.stack([encode(f"={x + y}", ANSWER_LENGTH) for x, y in zip(a, b, strict=True)])
    return jnp.asarray(queries), jnp.asarray(answers)


class DecoderLSTMCell(nn.RNNCellBase):
    """One decoding step: an LSTM step, logits, and a sampled prediction for the next step."""

    features: int
    teacher_force: bool
    vocab_size: int

    @nn.compact
    def __call__(self, carry, x):
        lstm_state, last_prediction = carry
        if not self.teacher_force:
            x = last_prediction
        lstm_state, y = nn.LSTMCell(self.features)(lstm_state, x)  # y: [batch, features]
        logits = nn.Dense(features=self.vocab_size)(y)  # [batch, vocab]
        categorical_rng = self.make_rng("lstm")  # a new key at every step (split_rngs)
        predicted_token = jax.random.categorical(categorical_rng, logits)
        prediction = jax.nn.one_hot(predicted_token, self.vocab_size, dtype=jnp.float32)
        return (lstm_state, prediction), (logits, prediction)

    @property
    def num_feature_axes(self):
        return 1


class Seq2seq(nn.Module):
    """Encode the query, then decode the answer from the encoder's final LSTM state."""

    teacher_force: bool
    hidden_size: int
    eos_id: int
    vocab_size: int

    @nn.compact
    def __call__(self, encoder_inputs, decoder_inputs):
        encoder = nn.RNN(nn.LSTMCell(self.hidden_size), return_carry=True, name="encoder")
        decoder = nn.RNN(
            DecoderLSTMCell(self.hidden_size, self.teacher_force, self.vocab_size),
            split_rngs={"params": False, "lstm": True},
            name="decoder",
        )
        seq_lengths = self.get_seq_lengths(encoder_inputs)  # [batch]
        encoder_state, _ = encoder(encoder_inputs, seq_lengths=seq_lengths)
        logits, predictions = decoder(decoder_inputs[:, :-1], initial_carry=(encoder_state, decoder_inputs[:, 0]))
        return logits, predictions  # [batch, answer - 1, vocab] each

    def get_seq_lengths(self, inputs):
        """The position of the end token in each one-hot sequence."""
        return jnp.argmax(jnp.argmax(inputs, axis=-1) == self.eos_id, axis=-1)


def get_model(teacher_force):
    return Seq2seq(teacher_force=teacher_force, hidden_size=64, eos_id=EOS_ID, vocab_size=VOCAB_SIZE)


def cross_entropy_loss(logits, labels):
    """The mean over the answers' characters, up to and including the end token."""
    lengths = jnp.argmax(jnp.argmax(labels, axis=-1) == EOS_ID, axis=-1) + 1  # [batch]
    mask = jnp.arange(labels.shape[1])[None, :] < lengths[:, None]  # [batch, answer - 1]
    xe = optax.softmax_cross_entropy(logits, labels) * mask
    return xe.sum() / mask.sum()


@jax.jit
def train_step(state, queries, answers, lstm_rng):
    def loss_fn(params):
        logits, _ = state.apply_fn({"params": params}, queries, answers, rngs={"lstm": lstm_rng})
        return cross_entropy_loss(logits, answers[:, 1:])

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


@jax.jit
def decode(params, queries, answers, lstm_rng):
    """Decode without teacher forcing; the fraction of the answers' characters predicted right."""
    _, predictions = get_model(teacher_force=False).apply({"params": params}, queries, answers, rngs={"lstm": lstm_rng})
    correct = jnp.argmax(predictions, -1) == jnp.argmax(answers[:, 1:], -1)  # [batch, answer - 1]
    return jnp.mean(correct)


def main(steps=10, batch_size=64, seed=0):
    """Train for `steps` batches; returns their losses, then the accuracy of free decoding."""
    data_rng = np.random.default_rng(seed)
    rng, params_rng, lstm_rng = jax.random.split(jax.random.PRNGKey(seed), 3)
    queries, answers = get_batch(data_rng, batch_size)
    model = get_model(teacher_force=True)
    params = model.init({"params": params_rng, "lstm": lstm_rng}, queries, answers)["params"]
    state = train_state.TrainState.create(apply_fn=model.apply, params=params, tx=optax.adam(3e-3))
    losses = []
    for _ in range(steps):
        queries, answers = get_batch(data_rng, batch_size)
        rng, lstm_rng = jax.random.split(rng)
        state, loss = train_step(state, queries, answers, lstm_rng)
        losses.append(float(loss))
    return losses + [float(decode(state.params, queries, answers, rng))]


if __name__ == "__main__":
    print(main())
