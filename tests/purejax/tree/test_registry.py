"""purejax.tree's registry: which containers are nodes, in what order they give their leaves, and
classes registered with `register_node` (refused twice; usable under jit, grad and vmap)."""

import collections

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.tree as pt
from comparisons.parity.tables.tree import Pair, Point

tu = jax.tree_util


@pytest.mark.parametrize(
    "tree,expected_leaves",
    [
        (None, []),
        ({"b": 1, "a": 2}, [2, 1]),
        ({3: "c", 1: "a", 2: "b"}, ["a", "b", "c"]),
        (collections.OrderedDict([("b", 1), ("a", 2)]), [1, 2]),
        (collections.defaultdict(int, {"b": 1, "a": 2}), [2, 1]),
        (Point(y=1, x=2), [2, 1]),
        ([None, (None,), {}], []),
    ],
)
def test_leaf_order(tree, expected_leaves):
    assert pt.leaves(tree) == expected_leaves == tu.tree_leaves(tree)


def test_register_node_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        pt.register_node(Pair, lambda p: ((p.first, p.second), None), lambda aux, ch: Pair(*ch))


def test_registered_class_works_under_jit_grad_vmap():
    class Box:
        def __init__(self, value, label):
            self.value, self.label = value, label

    pt.register_node(Box, lambda b: ((b.value,), b.label), lambda label, ch: Box(ch[0], label))
    box = Box(jnp.arange(3.0), "weights")
    assert pt.leaves(box)[0] is box.value and tu.tree_leaves(box)[0] is box.value
    doubled = jax.jit(lambda b: pt.map(lambda x: 2 * x, b))(box)
    assert type(doubled) is Box and doubled.label == "weights"
    np.testing.assert_array_equal(doubled.value, 2 * box.value)
    grad = jax.grad(lambda b: jnp.sum(b.value**2))(box)
    np.testing.assert_array_equal(grad.value, 2 * box.value)
    assert jax.vmap(lambda b: b.value * 2)(box).shape == (3,)
