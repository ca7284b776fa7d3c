"""The training chapter's exercise: `softmax_cross_entropy`, values and gradients against Optax.

The loss and its gradient with respect to the logits (`jax.grad` of the summed loss, both under
`jax.jit`) are compared, within the report's forward tolerance (`rtol` 1e-5); the cases include logits of
+-1e4, where a softmax computed without subtracting the max overflows to inf or NaN.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from comparisons.exercises.exercise import FORWARD, Case, Exercise


def _inputs(batch: int, classes: int, seed: int = 0, scale: float = 1.0, smooth: float = 0.0) -> dict:
    rng = np.random.default_rng(seed)
    logits = (scale * rng.normal(size=(batch, classes))).astype(np.float32)
    labels = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, batch)]
    labels = (1 - smooth) * labels + smooth / classes  # label smoothing
    return {"logits": logits, "labels": labels.astype(np.float32)}


@functools.partial(jax.jit, static_argnums=0)
def _both(loss, logits, labels) -> dict:
    return {"loss": loss(logits, labels), "loss_grad": jax.grad(lambda z: jnp.sum(loss(z, labels)))(logits)}


def _loss_and_grad(loss, logits, labels) -> dict:
    """The loss and its gradient with respect to the logits, as one jitted program."""
    return _both(loss, jnp.asarray(logits), jnp.asarray(labels))


HINT = (
    "loss = -sum(labels * log_softmax(logits), axis=-1) with log_softmax(z) = (z - max z) - "
    "log(sum(exp(z - max z))): subtract the max before exp"
)


def _cases() -> list[Case]:
    return [
        Case("one example, three classes", _inputs(1, 3), HINT),
        Case(
            "a batch of 4: one loss per example",
            _inputs(4, 5, seed=1),
            "sum over the class axis (the last) only: the result has one value per example, shape [batch]",
        ),
        Case(
            "smoothed labels: every class counts",
            _inputs(3, 4, seed=2, smooth=0.1),
            "labels are a distribution, not an index: multiply every class's log-probability by its label",
        ),
        Case(
            "logits of 1e4: subtract the max first",
            _inputs(2, 3, seed=3, scale=1e4),
            "exp(1e4) overflows to inf: compute log_softmax as (z - max z) - log(sum(exp(z - max z)))",
        ),
    ]


def _strategy():
    from hypothesis import strategies as st  # imported here: only grading needs hypothesis

    return st.builds(
        _inputs,
        st.sampled_from([1, 3]),
        st.sampled_from([2, 5]),
        st.integers(0, 100),
        st.sampled_from([0.1, 1.0, 30.0, 1e4]),
        st.sampled_from([0.0, 0.1]),
    )


SOFTMAX_CROSS_ENTROPY = Exercise(
    name="softmax_cross_entropy",
    chapter="06_training",
    summary="the classification loss, stable for any logits, values and gradients as optax's",
    counterpart="optax.softmax_cross_entropy",
    functions=("softmax_cross_entropy",),
    expected=lambda logits, labels: _loss_and_grad(optax.softmax_cross_entropy, logits, labels),
    attempt=lambda m, logits, labels: _loss_and_grad(m.softmax_cross_entropy, logits, labels),
    cases=_cases,
    hint=HINT,
    strategy=_strategy,
    tolerance=FORWARD,
    examples=8,
)
