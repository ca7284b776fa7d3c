"""purejax.nn LayerNorm, RMSNorm, GroupNorm, BatchNorm against flax.linen: variables, outputs, grads.

The table of layer settings is shared with the parity report (comparisons/parity/tables/nn_normalization.py);
it covers `normalization.py` and `batch_norm.py` (BatchNorm, on normalization's statistics), as do the
named-axis test and the errors. BatchNorm's running averages are tested in `test_batch_norm.py`.
"""

import dataclasses

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp
import pytest

from comparisons.parity.tables.nn_normalization import NORMALIZATION, case_id, compare
from purejax.nn import BatchNorm, GroupNorm, LayerNorm, RMSNorm
from tests._asserts import FORWARD_RTOL, assert_bitwise, assert_matches_flax

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (6, 4)) * 3.0 + 1.0  # [batch, features]


@pytest.mark.parametrize("case", NORMALIZATION, ids=[case_id(i, c) for i, c in enumerate(NORMALIZATION)])
def test_same_as_flax(case, variant, platform):
    assert_matches_flax(compare(case, variant))


@pytest.mark.parametrize(
    "ours,theirs,train",
    [
        (BatchNorm(axis_name="batch"), fnn.BatchNorm(axis_name="batch"), {"use_running_average": False}),
        (LayerNorm(axis_name="batch"), fnn.LayerNorm(axis_name="batch"), {}),
        (RMSNorm(axis_name="batch"), fnn.RMSNorm(axis_name="batch"), {}),
        (GroupNorm(num_groups=2, axis_name="batch"), fnn.GroupNorm(num_groups=2, axis_name="batch"), {}),
    ],
    ids=["BatchNorm", "LayerNorm", "RMSNorm", "GroupNorm"],
)
def test_statistics_across_a_named_axis(ours, theirs, train):
    """Under vmap(axis_name='batch') the statistics are averaged over the mapped axis, as in Flax."""
    xs = jax.random.normal(jax.random.PRNGKey(2), (3, 5, 4)) * 2.0 + 1.0  # [devices, batch, features]
    # init outside the vmap, where the axis does not exist: the same layer without axis_name
    ours_v = dataclasses.replace(ours, axis_name=None).init(KEY, xs[0], **train)
    theirs_v = theirs.clone(axis_name=None).init(KEY, xs[0], **train)
    assert_bitwise(ours_v, theirs_v)
    mutable = ["batch_stats"] if train else False
    got = jax.vmap(lambda x: ours.apply(ours_v, x, **train), axis_name="batch")(xs)
    want = jax.vmap(lambda x: theirs.apply(theirs_v, x, mutable=mutable, **train), axis_name="batch")(xs)
    chex.assert_trees_all_close(got, want, rtol=FORWARD_RTOL)
    if train:  # the global mean: every device holds the same running mean
        chex.assert_trees_all_close(got[1]["batch_stats"]["mean"][0], 0.01 * xs.mean((0, 1)), rtol=FORWARD_RTOL)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: BatchNorm().init(KEY, X), "BatchNorm: 'use_running_average' is not set"),
        (lambda: BatchNorm().apply({}, X), "pass it to the constructor (use_running_average=...) or to the call"),
        (
            lambda: BatchNorm(use_running_average=True).init(KEY, X, use_running_average=True),
            "'use_running_average' was passed to the constructor and to the call",
        ),
        (
            lambda: BatchNorm().apply(
                BatchNorm().init(KEY, X, use_running_average=True), X, use_running_average=False, mutable=False
            ),
            "cannot update 'batch_stats/mean'; pass mutable=['batch_stats']",
        ),
        (
            lambda: BatchNorm().apply({"params": LayerNorm().init(KEY, X)["params"]}, X, use_running_average=True),
            "no 'batch_stats/mean' in the variables",
        ),
        (
            lambda: LayerNorm().apply({"params": {"scale": jnp.ones(3), "bias": jnp.zeros(3)}}, X),
            "parameter 'scale' has shape [3], but these inputs need [4]",
        ),
        (lambda: GroupNorm().init(KEY, X), "num_groups=32 does not divide the 4 channels"),
        (lambda: GroupNorm(num_groups=None).init(KEY, X), "set exactly one of num_groups and group_size"),
        (lambda: GroupNorm(group_size=2).init(KEY, X), "pass num_groups=None to override the default 32"),
        (
            lambda: GroupNorm(num_groups=None, group_size=3).init(KEY, X),
            "4 channels are not a multiple of group_size=3",
        ),
        (lambda: GroupNorm(num_groups=2, reduction_axes=(0,)).init(KEY, X), "must include the last axis"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
