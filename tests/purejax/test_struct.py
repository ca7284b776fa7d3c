"""purejax.struct against flax.struct: the same children, paths and metadata; the same under jit and grad."""

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import pytest
from flax import struct as flax_struct

import purejax.tree as pt
from purejax import struct
from tests._asserts import assert_refused


def make(module):
    class State(module.PyTreeNode):
        params: Any
        step: Any
        apply_fn: Callable = module.field(pytree_node=False)

    @module.dataclass
    class Pair:
        a: Any
        b: Any = module.field(pytree_node=False, default=3)

    return State, Pair


OURS, THEIRS = make(struct), make(flax_struct)


def example(classes):
    State, Pair = classes
    return State(params={"w": jnp.ones(2), "p": Pair(jnp.zeros(1))}, step=jnp.int32(4), apply_fn=jnp.tanh)


def test_same_children_paths_and_metadata_as_flax():
    ours, theirs = example(OURS), example(THEIRS)
    ours_paths = [(jax.tree_util.keystr(p), x.tolist()) for p, x in jax.tree_util.tree_flatten_with_path(ours)[0]]
    theirs_paths = [(jax.tree_util.keystr(p), x.tolist()) for p, x in jax.tree_util.tree_flatten_with_path(theirs)[0]]
    assert ours_paths == theirs_paths == [(".params['p'].a", [0.0]), (".params['w']", [1.0, 1.0]), (".step", 4)]
    purejax_paths = [(pt.keystr(p), x.tolist()) for p, x in pt.flatten_with_path(ours)[0]]
    assert purejax_paths == theirs_paths  # purejax.tree sees the same children as JAX
    assert pt.structure(ours) == pt.structure(example(OURS))


def test_replace_frozen_and_subclass_fields_as_flax():
    for State, _ in (OURS, THEIRS):
        s = example((State, _))
        assert s.replace(step=5).step == 5 and s.step == 4
        with pytest.raises(dataclasses.FrozenInstanceError):
            s.step = 1  # pyright: ignore[reportAttributeAccessIssue]

    class WithKey(OURS[0]):
        key: Any = None

    s = WithKey(params={"w": jnp.ones(2)}, step=0, apply_fn=jnp.tanh, key=jnp.zeros(2, jnp.uint32))
    assert [pt.keystr(p) for p, _ in pt.flatten_with_path(s)[0]] == [".params['w']", ".step", ".key"]


def test_jit_and_grad_through_a_struct():
    ours, theirs = example(OURS), example(THEIRS)

    def loss(s):
        return jnp.sum(s.apply_fn(s.params["w"])) + jnp.sum(s.params["p"].a)

    g_ours, g_theirs = jax.jit(jax.grad(loss, allow_int=True))(ours), jax.jit(jax.grad(loss, allow_int=True))(theirs)
    assert type(g_ours) is type(ours) and g_ours.apply_fn is jnp.tanh
    assert jax.tree_util.tree_leaves(g_ours)[1].tolist() == jax.tree_util.tree_leaves(g_theirs)[1].tolist()
    assert pt.map(lambda x: x * 2, ours).step == 8


@pytest.mark.parametrize(
    "call,error,fragments",
    [
        (lambda: struct.field(pytree_node="no"), TypeError, ["purejax.struct.field", "pytree_node"]),
        (lambda: struct.dataclass(3), TypeError, ["purejax.struct.dataclass", "clz"]),
        (lambda: pt.register_dataclass(int, [], []), TypeError, ["purejax.tree.register_dataclass", "cls"]),
        (
            lambda: pt.register_dataclass(
                dataclasses.dataclass(type("P", (), {"__annotations__": {"x": int}})), "x", []
            ),
            TypeError,
            ["purejax.tree.register_dataclass", "data_fields"],
        ),
        (
            lambda: pt.register_dataclass(
                dataclasses.dataclass(type("Q", (), {"__annotations__": {"x": int}})), [], []
            ),
            ValueError,
            ["purejax.tree.register_dataclass", "data_fields and meta_fields", "['x']"],
        ),
    ],
)
def test_bad_input_is_refused_by_name(call, error, fragments):
    assert_refused(call, error, *fragments)
