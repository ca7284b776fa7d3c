"""purejax.nn's Conv, ConvTranspose and pooling against flax.linen: same variables, outputs, gradients.

The case table lives in comparisons/parity/tables/nn_linear.py and is shared with the parity report;
its convolution and pooling rows run here, the pooling functions' own checks in `test_pooling.py`.
"""

import jax
import jax.numpy as jnp
import pytest

from comparisons.parity.tables.nn_linear import CASES, assert_case
from purejax.nn import Conv, ConvTranspose

CONV = [c for c in CASES if c.name in ("Conv", "ConvTranspose") or c.pool]


@pytest.mark.parametrize(
    "case", CONV, ids=[f"{c.name}_{i}_{c.label}".replace(" ", "_").replace(",", "") for i, c in enumerate(CONV)]
)
def test_same_as_flax(case, variant, platform):
    """Every convolution and pooling row of the table, eager and jitted, on every platform."""
    with jax.default_matmul_precision("highest"):
        assert_case(case, jax.random.PRNGKey(7), variant)


def test_conv_layout(key):
    variables = Conv(6, (3, 3), feature_group_count=3).init(key, jnp.ones((1, 8, 8, 6)))
    assert jax.tree.map(jnp.shape, variables) == {"params": {"kernel": (3, 3, 2, 6), "bias": (6,)}}
    variables = ConvTranspose(4, (3,), transpose_kernel=True).init(key, jnp.ones((1, 8, 6)))
    assert jax.tree.map(jnp.shape, variables) == {"params": {"kernel": (3, 4, 6), "bias": (4,)}}


@pytest.mark.parametrize(
    "layer,x_init,x,match",
    [
        (
            Conv(4, (3, 3)),
            (1, 8, 8, 3),
            (2, 8, 8, 5),
            r"^Conv: expected inputs with 3 features \(kernel is \[3, 3, 3, 4\]\), got \[2, 8, 8, 5\]$",
        ),
        (
            Conv(4, (3,), feature_group_count=2),
            (1, 8, 6),
            (1, 8, 4),
            r"Conv: expected inputs with 6 features \(kernel is \[3, 3, 4\], feature_group_count=2\), got \[1, 8, 4\]",
        ),
        (
            ConvTranspose(4, (3,), transpose_kernel=True),
            (1, 8, 6),
            (1, 8, 5),
            r"ConvTranspose: expected inputs with 6 features \(kernel is \[3, 4, 6\], transpose_kernel=True\)",
        ),
    ],
)
def test_wrong_features_name_layer_kernel_and_inputs(layer, x_init, x, match):
    variables = layer.init(jax.random.PRNGKey(0), jnp.ones(x_init))
    with pytest.raises(ValueError, match=match):
        layer.apply(variables, jnp.ones(x))


@pytest.mark.parametrize(
    "layer,shape,match",
    [
        (lambda: Conv(4, (3, 3), padding="SMAE"), (1, 8, 8, 3), r"Conv: padding must be one of \['SAME', .*got 'SMAE'"),
        (
            lambda: ConvTranspose(4, (3,), padding="CAUSAL"),
            (1, 8, 3),
            r"ConvTranspose: padding must be one of \['SAME', 'VALID', "
            r"'CIRCULAR'\]",
        ),
        (
            lambda: Conv(4, (3, 3), padding=((1, 1),)),
            (1, 8, 8, 3),
            r"Conv: padding must be .* 2 ints or \(low, high\) pairs",
        ),
        (
            lambda: Conv(4, (3, 3)),
            (8, 3),
            r"Conv: kernel_size \(3, 3\) needs inputs \[\*batch, 2 spatial axes, features\] "
            r"of rank >= 3, got \[8, 3\]",
        ),
        (lambda: Conv(4, (3, 3), strides=(1, 2, 1)), (1, 8, 8, 3), r"Conv: strides needs 2 entries .*got \(1, 2, 1\)"),
        (lambda: Conv(4, (3, 3), padding="CAUSAL"), (1, 8, 8, 3), r"Conv: padding='CAUSAL' is for 1-D convolutions"),
        (
            lambda: Conv(4, (3,), feature_group_count=2),
            (1, 8, 3),
            r"Conv: feature_group_count=2 must divide the input features",
        ),
        (
            lambda: Conv(3, (3,), feature_group_count=2),
            (1, 8, 4),
            r"Conv: feature_group_count=2 must divide .* features=3",
        ),
        (
            lambda: Conv(4, (3,), mask=jnp.ones((3, 3))),
            (1, 8, 3),
            r"Conv: mask must have the kernel's shape \[3, 3, 4\]",
        ),
        (lambda: Conv(4, (0,)), (1, 8, 3), r"Conv: kernel_size\[0\] must be a positive integer"),
    ],
)
def test_bad_hyperparameters_or_shapes(layer, shape, match):
    """Refused when the layer is built, or (shapes that depend on the inputs) when it is first called."""
    with pytest.raises(ValueError, match=match):
        layer().init(jax.random.PRNGKey(0), jnp.ones(shape))


@pytest.mark.parametrize("layer", [Conv(4, (3,)), ConvTranspose(4, (3,))])
def test_integer_inputs_refused(layer):
    with pytest.raises(TypeError, match=rf"{type(layer).__name__}: inputs must be float .*got int32\[1, 8, 3\]"):
        layer.init(jax.random.PRNGKey(0), jnp.ones((1, 8, 3), jnp.int32))
