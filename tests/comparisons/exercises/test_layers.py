"""The dense_forward and dropout exercises: plausible mistakes fail, each with a message naming what differs."""

import pytest

MISTAKES = [
    pytest.param(
        "dense_forward",
        '    if "bias" in params:\n        y = y + params["bias"]  # [..., out]\n',
        "",
        ("a batch of 4, 3 features in, 5 out", "dense_forward(...) (float32[4, 5])", "+ bias"),
        id="dense-no-bias",
    ),
    pytest.param(
        "dense_forward",
        "contract = (((inputs.ndim - 1,), (0,)), ((), ()))",
        "contract = (((1,), (0,)), ((), ()))",
        ("leading axes [2, 3] are batch axes", "(float32[2, 3, 2])", "contract the last axis"),
        id="dense-wrong-axis",
    ),
    pytest.param(
        "dense_forward",
        '    if "bias" in params:\n        y = y + params["bias"]  # [..., out]\n',
        '    y = y + params["bias"]\n',
        ("use_bias=False", "raised KeyError", "'bias' in params"),
        id="dense-bias-always",
    ),
    pytest.param(
        "dropout",
        "uniform(rng, tuple(shape)) < keep_prob",
        "uniform(rng, tuple(shape)) < rate",
        ("rate 0.2: rate is the probability of dropping", "got       0.0", "1 - rate, not < rate"),
        id="dropout-keep-rate",
    ),
    pytest.param(
        "dropout",
        "lax.select(mask, inputs / keep_prob,",
        "lax.select(mask, inputs,",
        ("rate 0.5 on [4, 5]", "relative difference 5.0e-01", "scale the kept ones by 1 / keep_prob"),
        id="dropout-no-scaling",
    ),
    pytest.param(
        "dropout",
        "1 if axis in broadcast_dims else size",
        "size",
        ("broadcast_dims=(0,)", "dropout(...) (float32[3, 4])", "shape [1, 4]"),
        id="dropout-no-broadcast",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "fragments"), MISTAKES)
def test_layer_mistakes(assert_mistake_explained, name, old, new, fragments):
    assert_mistake_explained(name, old, new, *fragments)
