"""`masked` keeps no inner state for the leaves its mask leaves out: the same state tree as Optax's."""

import jax
import optax

from comparisons.parity.tables.optim_harness import example_params
from purejax import tree
from purejax.optim import MaskedNode, MultiSteps, masked, scale


def test_masked_keeps_no_state_for_masked_out_leaves():
    ms = MultiSteps(scale(1.0), 2).gradient_transformation()
    mask = {"Dense_0": {"kernel": True, "bias": False}, "scale": False, "Conv_0": True}
    ours = masked(ms, mask).init(example_params())
    theirs = optax.masked(optax.MultiSteps(optax.scale(1.0), 2).gradient_transformation(), mask).init(example_params())
    assert isinstance(ours.inner_state.acc_grads["scale"], MaskedNode)
    assert [x.shape for x in tree.leaves(ours)] == [x.shape for x in jax.tree_util.tree_leaves(theirs)]
