"""Connectionist temporal classification (CTC): the loss of a label sequence under every alignment.

A model emits, at each of T frames, a distribution over K classes, one of them the blank. An
alignment is a frame-by-frame path that reads the labels after merging repeats and dropping
blanks; the CTC loss is `-log` of the summed probability of all alignments of the labels,
computed by the forward algorithm in log space, one `lax.scan` step per frame:

    alpha_phi[t, n]   log P(frames 1..t, first n labels emitted, frame t a blank)
    alpha_emit[t, n]  log P(frames 1..t, first n+1 labels emitted, frame t label n)

Counterpart: `optax.losses.ctc_loss`, `optax.losses.ctc_loss_with_forward_probs`
(optax/losses/_classification.py). Same recursion in the same order, so results agree bitwise.

References:
  Graves et al., *Connectionist Temporal Classification: Labelling Unsegmented Sequence Data with
  Recurrent Neural Networks*, ICML 2006. https://www.cs.toronto.edu/~graves/icml_2006.pdf
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from purejax.checks import check_int
from purejax.losses._checks import check_array_like, check_float, check_integer, check_scalar, shape_of
from purejax.nn.softmax import log_softmax, one_hot


def _check(loss: str, logits, logit_paddings, labels, label_paddings, blank_id, log_epsilon) -> None:
    """Ranks, matching shapes and dtypes; the blank id inside the classes."""
    check_float(loss, "logits", logits)
    check_integer(loss, "labels", labels)
    check_array_like(loss, "logit_paddings", logit_paddings)
    check_array_like(loss, "label_paddings", label_paddings)
    if np.ndim(logits) != 3:
        raise ValueError(
            f"purejax.losses.{loss}: logits must be [batch, frames, classes], got {list(shape_of(logits))}"
        )
    if np.ndim(labels) != 2:
        raise ValueError(f"purejax.losses.{loss}: labels must be [batch, max_labels], got {list(shape_of(labels))}")
    if shape_of(logit_paddings) != shape_of(logits)[:2]:
        raise ValueError(
            f"purejax.losses.{loss}: logit_paddings {list(shape_of(logit_paddings))} must be [batch, frames] "
            f"= {list(shape_of(logits)[:2])}, 1.0 on the padded frames"
        )
    if shape_of(label_paddings) != shape_of(labels):
        raise ValueError(
            f"purejax.losses.{loss}: label_paddings {list(shape_of(label_paddings))} and labels "
            f"{list(shape_of(labels))} must have the same shape"
        )
    if shape_of(labels)[0] != shape_of(logits)[0]:
        raise ValueError(
            f"purejax.losses.{loss}: labels [{shape_of(labels)[0]}, ...] and logits [{shape_of(logits)[0]}, ...] "
            "must have the same batch size"
        )
    num_classes = shape_of(logits)[2]
    blank = check_int(f"purejax.losses.{loss}", "blank_id", blank_id, minimum=0)
    if blank >= num_classes:
        raise ValueError(f"purejax.losses.{loss}: blank_id must be a class of logits (< {num_classes}), got {blank}")
    check_scalar(loss, "log_epsilon", log_epsilon)


def ctc_loss_with_forward_probs(
    logits, logit_paddings, labels, label_paddings, *, blank_id: int = 0, log_epsilon=-1e5
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The CTC loss per sequence, and the forward (alpha) log-probabilities it was read from.

        alpha_emit[t, n] = logaddexp(alpha_phi[t-1, n], alpha_emit[t-1, n]) + log p_t(label n)
        alpha_phi[t, n]  = logaddexp(alpha_phi[t-1, n], alpha_emit[t-1, n-1] unless label n-1
                           repeats label n) + log p_t(blank)
        loss             = -alpha_phi[T, N]   (N the sequence's number of labels, after the last
                           emit-to-blank transition)

    Impossible transitions get `log_epsilon` rather than -inf, so that nothing is NaN; padded
    frames carry the previous alphas over.

    Args:
      logits: `[batch, frames, classes]`, floating, unnormalized; class `blank_id` is the blank.
      logit_paddings: `[batch, frames]`, 1.0 on padded frames, 0.0 on real ones.
      labels: `[batch, max_labels]`, integer classes (not the blank), right-padded.
      label_paddings: `[batch, max_labels]`, 1.0 on padded labels, 0.0 on real ones.
      blank_id: the blank's class index.
      log_epsilon: the log-probability of an impossible transition.

    Returns:
      `(per_seq_loss [batch], logalpha_phi [frames, batch, max_labels + 1],
      logalpha_emit [frames, batch, max_labels])`.

    Counterpart: `optax.losses.ctc_loss_with_forward_probs` (optax/losses/_classification.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import losses
      >>> logits = jnp.zeros((1, 3, 2))  # 3 frames, uniform over blank and class 1
      >>> labels, no_padding = jnp.array([[1]]), jnp.zeros((1, 1))
      >>> loss, phi, emit = losses.ctc_loss_with_forward_probs(logits, jnp.zeros((1, 3)), labels, no_padding)
      >>> round(float(loss[0]), 4), phi.shape, emit.shape  # -log(6 / 8): 6 of the 8 paths read "1"
      (0.2877, (3, 1, 2), (3, 1, 1))
    """
    loss = "ctc_loss_with_forward_probs"
    _check(loss, logits, logit_paddings, labels, label_paddings, blank_id, log_epsilon)
    logits, labels = jnp.asarray(logits), jnp.asarray(labels)
    logit_paddings, label_paddings = jnp.asarray(logit_paddings), jnp.asarray(label_paddings)
    batchsize, _, num_classes = logits.shape
    maxlabellen = labels.shape[1]

    logprobs = log_softmax(logits)  # [B, T, K]
    labellens = maxlabellen - jnp.sum(label_paddings, axis=1).astype(jnp.int32)  # [B]

    repeat = (labels[:, :-1] == labels[:, 1:]).astype(jnp.float32)  # [B, N-1], label n == label n+1
    repeat = jnp.pad(repeat, ((0, 0), (0, 1)))  # [B, N]

    logprobs_phi = logprobs[:, :, blank_id : blank_id + 1]  # [B, T, 1]
    logprobs_phi = jnp.transpose(logprobs_phi, (1, 0, 2))  # [T, B, 1]

    labels_one_hot = one_hot(labels, num_classes=num_classes)  # [B, N, K]
    logprobs_emit = jnp.einsum("btk,bnk->btn", logprobs, labels_one_hot)  # [B, T, N]
    logprobs_emit = jnp.transpose(logprobs_emit, (1, 0, 2))  # [T, B, N]

    logalpha_phi_init = jnp.ones((batchsize, maxlabellen + 1)) * log_epsilon  # [B, N+1]
    logalpha_phi_init = logalpha_phi_init.at[:, 0].set(0.0)  # nothing emitted yet: probability 1
    logalpha_emit_init = jnp.ones((batchsize, maxlabellen)) * log_epsilon  # [B, N]

    def update_phi_score(phi, added_score):
        """`phi[:, 1:]` plus `added_score`, in log space."""
        return jnp.concatenate([phi[:, :1], jnp.logaddexp(phi[:, 1:], added_score)], axis=-1)

    def loop_body(prev, x):
        prev_phi, prev_emit = prev
        prev_phi_orig = prev_phi
        prev_phi = update_phi_score(prev_phi, prev_emit + log_epsilon * repeat)  # emit -> blank, unless a repeat
        logprob_emit, logprob_phi, pad = x
        next_emit = jnp.logaddexp(prev_phi[:, :-1] + logprob_emit, prev_emit + logprob_emit)  # blank -> emit, self
        next_phi = prev_phi + logprob_phi  # blank self-loop
        next_phi = update_phi_score(
            next_phi, prev_emit + logprob_phi + log_epsilon * (1.0 - repeat)
        )  # emit -> blank only before a repeated label
        pad = pad.reshape((batchsize, 1))
        next_emit = pad * prev_emit + (1.0 - pad) * next_emit  # padded frames keep the alphas
        next_phi = pad * prev_phi_orig + (1.0 - pad) * next_phi
        return (next_phi, next_emit), (next_phi, next_emit)

    xs = (logprobs_emit, logprobs_phi, logit_paddings.transpose((1, 0)))
    _, (logalpha_phi, logalpha_emit) = jax.lax.scan(loop_body, (logalpha_phi_init, logalpha_emit_init), xs)

    logalpha_phi_last = update_phi_score(logalpha_phi[-1], logalpha_emit[-1])  # the last emit -> blank
    logalpha_phi = logalpha_phi.at[-1].set(logalpha_phi_last)

    lengths_one_hot = one_hot(labellens, num_classes=maxlabellen + 1)  # [B, N+1]
    per_seq_loss = -jnp.einsum("bn,bn->b", logalpha_phi_last, lengths_one_hot)  # [B]
    return per_seq_loss, logalpha_phi, logalpha_emit


def ctc_loss(logits, logit_paddings, labels, label_paddings, *, blank_id: int = 0, log_epsilon=-1e5) -> jax.Array:
    """The CTC loss per sequence, `[batch]`: `ctc_loss_with_forward_probs(...)[0]`.

    Args:
      logits, logit_paddings, labels, label_paddings, blank_id, log_epsilon: as
        `ctc_loss_with_forward_probs`.

    Returns:
      `[batch]`, `-log P(labels | logits)` per sequence.

    Counterpart: `optax.losses.ctc_loss` (optax/losses/_classification.py).
    """
    _check("ctc_loss", logits, logit_paddings, labels, label_paddings, blank_id, log_epsilon)
    per_seq_loss, _, _ = ctc_loss_with_forward_probs(
        logits, logit_paddings, labels, label_paddings, blank_id=blank_id, log_epsilon=log_epsilon
    )
    return per_seq_loss
