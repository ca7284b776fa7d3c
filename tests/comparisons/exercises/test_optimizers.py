"""The optimizer exercises: plausible mistakes fail, each with a message naming what differs."""

import pytest

PER_LEAF = (
    "lambda g: lax.select(jnp.sqrt(jnp.sum(g * g)) < max_norm, g, g / jnp.sqrt(jnp.sum(g * g)) * max_norm), updates)"
)

MISTAKES = [
    pytest.param(
        "scale_by_adam",
        "m / (jnp.sqrt(v + eps_root) + eps)",
        "m / jnp.sqrt(v + eps_root + eps)",
        ("eps=0.1: where eps goes", "['step 1']['updates']['b']", "eps is added after the square root"),
        id="adam-eps-inside-sqrt",
    ),
    pytest.param(
        "scale_by_adam",
        "mu_hat = jax.tree_util.tree_map(lambda m: m / (1 - b1**count).astype(m.dtype), mu)",
        "mu_hat = mu",
        ("one step, the defaults", "expected  0.9999933", "got       0.09999935", "divide mu by 1 - b1**t"),
        id="adam-no-bias-correction",
    ),
    pytest.param(
        "scale_by_adam",
        "count = state.count + 1",
        "count = state.count",
        ("one step, the defaults", "['step 1']['state'].count (int32[]): differs:", "t = count + 1"),
        id="adam-count-off-by-one",
    ),
    pytest.param(
        "clip_by_global_norm",
        "lambda g: lax.select(trigger, g, (g / norm.astype(g.dtype)) * max_norm), updates)",
        PER_LEAF,
        ("a large gradient is scaled down", "['step 1']['updates']['b']", "the same factor max_norm / norm"),
        id="clip-per-leaf",
    ),
    pytest.param(
        "clip_by_global_norm",
        "trigger = norm < max_norm\n",
        "if norm < max_norm:\n            return updates, state\n        trigger = False\n",
        ("a small gradient passes unchanged", "raised TracerBoolConversionError", "jnp.where or lax.select"),
        id="clip-python-if",
    ),
    pytest.param(
        "clip_by_global_norm",
        "jnp.sqrt(sum(jnp.sum(g * g) for g in leaves))",
        "sum(jnp.sum(jnp.abs(g)) for g in leaves)",
        ("a large gradient is scaled down", "(optax.clip_by_global_norm)", "sum of g**2"),
        id="clip-l1-norm",
    ),
    pytest.param(
        "cosine_decay_schedule",
        "t = jnp.minimum(count, float(decay_steps))",
        "t = count",
        ("and after", "the first at [11]", "clamp the count"),
        id="cosine-no-clamp",
    ),
    pytest.param(
        "cosine_decay_schedule",
        "return init_value * ((1 - alpha) * cosine**exponent + alpha)",
        "return init_value * (1 - alpha) * cosine**exponent + alpha",
        ("alpha=0.2: the floor is alpha * init_value", "expected  0.5", "got       0.6"),
        id="cosine-alpha-unscaled",
    ),
    pytest.param(
        "cosine_decay_schedule",
        "return init_value * ((1 - alpha) * cosine**exponent + alpha)",
        "return init_value * (((1 - alpha) * cosine) ** exponent + alpha)",
        ("a generated case failed", "hypothesis shrank", "exponent=2.0"),
        id="cosine-exponent-misplaced",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "fragments"), MISTAKES)
def test_optimizer_mistakes(assert_mistake_explained, name, old, new, fragments):
    assert_mistake_explained(name, old, new, *fragments)
