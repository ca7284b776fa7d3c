"""`masked` keeps no inner state for the leaves its mask leaves out: the same state tree as Optax's; a callable
pytree as the mask is called when Optax calls it (every leaf callable), and refused otherwise."""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from comparisons.parity.tables.optim_harness import example_params
from purejax import struct, tree
from purejax.optim import MaskedNode, MultiSteps, adamw, add_decayed_weights, masked, scale
from tests._asserts import assert_bitwise, assert_refused


def test_masked_keeps_no_state_for_masked_out_leaves():
    ms = MultiSteps(scale(1.0), 2).gradient_transformation()
    mask = {"Dense_0": {"kernel": True, "bias": False}, "scale": False, "Conv_0": True}
    ours = masked(ms, mask).init(example_params())
    theirs = optax.masked(optax.MultiSteps(optax.scale(1.0), 2).gradient_transformation(), mask).init(example_params())
    assert isinstance(ours.inner_state.acc_grads["scale"], MaskedNode)
    assert [x.shape for x in tree.leaves(ours)] == [x.shape for x in jax.tree_util.tree_leaves(theirs)]


class RuleMask(struct.PyTreeNode):
    """Callable, and its one child is a function: Optax calls it (every leaf is callable)."""

    rule: Callable

    def __call__(self, params):
        return tree.map(self.rule, params)


class ThresholdMask(struct.PyTreeNode):
    """Callable, but its child is a number: Optax reads it as a tree of booleans."""

    min_ndim: Any

    def __call__(self, params):
        return tree.map(lambda p: p.ndim >= self.min_ndim, params)


class StaticMask(struct.PyTreeNode):
    """Callable, with no children at all: Optax reads it as an empty tree."""

    min_ndim: int = struct.field(pytree_node=False, default=2)

    def __call__(self, params):
        return tree.map(lambda p: p.ndim >= self.min_ndim, params)


def test_a_callable_pytree_whose_leaves_are_functions_is_called_as_optax_calls_it():
    params = example_params()
    grads = tree.map(jnp.ones_like, params)
    mask = RuleMask(lambda p: p.ndim > 1)
    ours, theirs = masked(add_decayed_weights(0.5), mask), optax.masked(optax.add_decayed_weights(0.5), mask)
    ours_state, theirs_state = ours.init(params), theirs.init(params)
    assert_bitwise(tree.leaves(ours_state), jax.tree_util.tree_leaves(theirs_state))
    ours_updates, _ = ours.update(grads, ours_state, params)
    theirs_updates, _ = theirs.update(grads, theirs_state, params)
    assert_bitwise(tree.leaves(ours_updates), jax.tree_util.tree_leaves(theirs_updates))
    assert not np.array_equal(ours_updates["Dense_0"]["kernel"], grads["Dense_0"]["kernel"])  # decayed
    assert np.array_equal(ours_updates["Dense_0"]["bias"], grads["Dense_0"]["bias"])  # masked out


@pytest.mark.parametrize("mask", [ThresholdMask(2), StaticMask()], ids=["number-leaf", "no-leaves"])
def test_a_callable_pytree_with_other_leaves_is_refused(mask):
    """Optax does not call it and fails on the tree structure at init; purejax refuses it when built."""
    with pytest.raises(ValueError):
        optax.masked(optax.add_decayed_weights(0.5), mask).init(example_params())
    assert_refused(
        lambda: masked(add_decayed_weights(0.5), mask),
        TypeError,
        "purejax.optim.masked:",
        "mask is callable",
        type(mask).__qualname__,
        "mask=lambda params: m(params)",
    )
    assert_refused(  # the same check where the mask is an optimizer's argument
        lambda: adamw(1e-2, mask=mask), TypeError, "purejax.optim.adamw:", "mask is callable"
    )
