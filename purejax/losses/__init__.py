"""Loss functions, per example, as Optax defines them: `optax.losses` rebuilt from `jax.numpy`.

Each loss returns one value per example (or per element) and leaves the reduction to the caller:

    loss = purejax.losses.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

Themes: `regression` (squared error, Huber, log-cosh, cosine), `classification` (sigmoid and
softmax cross-entropy, focal loss, KL divergences, hinge), `ctc` (connectionist temporal
classification), `self_supervised` (NT-Xent),
`smoothing` (label smoothing). The stable
log-sigmoid / log-softmax / log-sum-exp they rest on are `purejax.nn`'s.

Counterpart: `optax.losses` (optax/losses/).
"""

from purejax.losses.classification import (
    convex_kl_divergence,
    generalized_kl_divergence,
    hinge_loss,
    kl_divergence,
    safe_softmax_cross_entropy,
    sigmoid_binary_cross_entropy,
    sigmoid_focal_loss,
    softmax_cross_entropy,
    softmax_cross_entropy_with_integer_labels,
)
from purejax.losses.ctc import ctc_loss, ctc_loss_with_forward_probs
from purejax.losses.regression import (
    cosine_distance,
    cosine_similarity,
    huber_loss,
    l2_loss,
    log_cosh,
    squared_error,
)
from purejax.losses.self_supervised import ntxent
from purejax.losses.smoothing import smooth_labels

__all__ = [
    "convex_kl_divergence",
    "cosine_distance",
    "cosine_similarity",
    "ctc_loss",
    "ctc_loss_with_forward_probs",
    "hinge_loss",
    "generalized_kl_divergence",
    "huber_loss",
    "kl_divergence",
    "l2_loss",
    "log_cosh",
    "ntxent",
    "safe_softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "sigmoid_focal_loss",
    "smooth_labels",
    "softmax_cross_entropy",
    "softmax_cross_entropy_with_integer_labels",
    "squared_error",
]
