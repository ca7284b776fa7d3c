"""The softmax_cross_entropy exercise: plausible mistakes fail, each with a message naming what differs."""

import pytest

MISTAKES = [
    pytest.param(
        "    shifted = logits - lax.stop_gradient(jnp.max(logits, axis=-1, keepdims=True))  # [..., classes]\n",
        "    shifted = logits\n",
        ("logits of 1e4: subtract the max first", "not a finite number", "exp(1e4) overflows"),
        id="no-max-subtraction",
    ),
    pytest.param(
        "return -jnp.sum(labels * log_probs, axis=-1)",
        "return -jnp.sum(labels * log_probs)",
        ("one example, three classes", "expected shape (1,)", "got shape ()"),
        id="sum-over-everything",
    ),
    pytest.param(
        "return -jnp.sum(labels * log_probs, axis=-1)",
        "return -jnp.mean(labels * log_probs, axis=-1)",
        ("one example, three classes", "softmax_cross_entropy(...)['loss']", "(optax.softmax_cross_entropy)"),
        id="mean-over-classes",
    ),
]


@pytest.mark.parametrize(("old", "new", "fragments"), MISTAKES)
def test_softmax_cross_entropy_mistakes(assert_mistake_explained, old, new, fragments):
    assert_mistake_explained("softmax_cross_entropy", old, new, *fragments)
