"""Self-supervised losses: NT-Xent, the contrastive loss of SimCLR.

Embeddings that share a label are positive pairs; every other embedding in the batch is a
negative. The loss is a softmax cross-entropy over cosine similarities, one positive at a time.

Counterpart: `optax.losses.ntxent` (optax/losses/_self_supervised.py). Same formula in the same
order, so results agree bitwise wherever the cosine similarities do (see `cosine_similarity`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from purejax.losses._checks import check_array_like, check_float, check_scalar, shape_of
from purejax.losses.regression import cosine_similarity


def ntxent(embeddings, labels, temperature=0.07) -> jax.Array:
    """Normalized temperature-scaled cross-entropy (NT-Xent), averaged over the positive pairs.

        s_ij = cos(e_i, e_j) / temperature
        l_ij = -log( exp(s_ij) / (exp(s_ij) + sum_{k : y_k != y_i} exp(s_ik)) )   for y_i = y_j, i != j
        loss = mean over the positive pairs (i, j) of l_ij

    Args:
      embeddings: `[batch, features]`, floating.
      labels: `[batch]`, one group id per embedding; equal ids are positive pairs.
      temperature: a positive number; smaller sharpens the softmax.

    Returns:
      A scalar.

    Counterpart: `optax.losses.ntxent` (optax/losses/_self_supervised.py).

    References:
      Chen et al., *A Simple Framework for Contrastive Learning of Visual Representations*, 2020.
      https://arxiv.org/abs/2002.05709

    Differences:
      The cosine similarities are `cosine_similarity`'s: where an embedding's squared norm
      overflows or underflows float32, Optax's are 0 or NaN and ours the true cosine. `labels`
      must be `[batch]` and `embeddings` `[batch, features]` (Optax checks the leading axis only).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import losses
      >>> e = jnp.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
      >>> round(float(losses.ntxent(e, jnp.array([0, 0, 1, 1]))), 4)
      0.0
    """
    check_float("ntxent", "embeddings", embeddings)
    check_array_like("ntxent", "labels", labels)
    check_scalar("ntxent", "temperature", temperature)
    if not hasattr(temperature, "dtype") and not temperature > 0:
        raise ValueError(f"purejax.losses.ntxent: temperature must be a positive number, got {temperature}")
    if np.ndim(embeddings) != 2 or np.ndim(labels) != 1:
        raise ValueError(
            f"purejax.losses.ntxent: embeddings must be [batch, features] and labels [batch], got "
            f"{list(shape_of(embeddings))} and {list(shape_of(labels))}"
        )
    if shape_of(labels)[0] != shape_of(embeddings)[0]:
        raise ValueError(
            f"purejax.losses.ntxent: labels [{shape_of(labels)[0]}] and embeddings "
            f"[{shape_of(embeddings)[0]}, ...] must have the same leading dimension (one label per embedding)"
        )
    embeddings, labels = jnp.asarray(embeddings), jnp.asarray(labels)
    eps = float(jnp.finfo(embeddings.dtype).eps)  # exact in the dtype
    xcs = cosine_similarity(embeddings[None, :, :], embeddings[:, None, :], epsilon=eps) / temperature  # [b, b]
    same = jnp.expand_dims(labels, 1) == jnp.expand_dims(labels, 0)  # [b, b]
    diffs = ~same  # the negatives
    matches = same & ~jnp.eye(same.shape[0], dtype=bool)  # the positives, no self-similarity
    xcs_diffs = jnp.where(diffs, xcs, -jnp.inf)  # [b, b]
    xcs_matches = jnp.where(matches, xcs, -jnp.inf)  # [b, b]
    comb = jnp.concatenate((xcs_diffs, xcs_matches), axis=-1)  # [b, 2b]
    xcs_max = jnp.max(comb, axis=1, keepdims=True)  # [b, 1], the shift for stability
    xcs_shift_diffs = xcs_diffs - lax.stop_gradient(xcs_max)
    xcs_shift_matches = xcs_matches - lax.stop_gradient(xcs_max)
    numer = xcs_shift_matches
    numer_exp = jnp.exp(xcs_shift_matches)
    denom = jnp.sum(jnp.exp(xcs_shift_diffs), axis=1, keepdims=True)  # [b, 1], the negatives
    denom += numer_exp  # [b, b], plus the one positive
    log_softm = numer - jnp.log(denom)
    return -jnp.where(matches, log_softm, 0.0).sum() / matches.sum()
