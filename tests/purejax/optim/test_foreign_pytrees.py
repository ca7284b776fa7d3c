"""Classes that JAX knows and purejax does not: refused with the fix, and fine once registered with purejax.

purejax does not read JAX's registry, so a class registered with JAX only
(`jax.tree_util.register_pytree_node`, `flax.struct`) is one leaf to `purejax.tree`. An optimizer's
`init` and `update`, `apply_updates` and `TrainState.create` refuse such a leaf, naming the function,
the leaf's path and class, and how to register it. Registered with `purejax.tree.register_node`, or
built with `purejax.struct`, the same class trains exactly as with Optax.
"""

from typing import Any

import flax.struct
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import purejax.optim as optim
import purejax.tree
from purejax import struct
from purejax.train import TrainState
from tests._asserts import assert_bitwise, assert_refused

REGISTER = "register the class with purejax.tree.register_node (or build it with purejax.struct.dataclass / PyTreeNode"


class JaxOnlyBox:
    """A container JAX knows (its children: `w`) and purejax does not."""

    def __init__(self, w):
        self.w = w


jax.tree_util.register_pytree_node(JaxOnlyBox, lambda b: ((b.w,), None), lambda aux, children: JaxOnlyBox(*children))


class Box:
    """The same container, registered with purejax (and so with JAX too)."""

    def __init__(self, w):
        self.w = w


purejax.tree.register_node(Box, lambda b: ((b.w,), None), lambda aux, children: Box(*children))


@flax.struct.dataclass
class FlaxLayer:
    kernel: Any
    name: str = flax.struct.field(pytree_node=False, default="dense")


class Layer(struct.PyTreeNode):
    kernel: Any
    name: str = struct.field(pytree_node=False, default="dense")


def params_with(make) -> dict:
    rng = np.random.default_rng(0)
    return {
        "bias": jnp.asarray(rng.normal(size=(3,)), jnp.float32),
        "layer": make(jnp.asarray(rng.normal(size=(3, 2)), jnp.float32)),
    }


def grads_at(params, i: int):
    rng = np.random.default_rng(i + 1)
    return jax.tree_util.tree_map(lambda p: jnp.asarray(rng.normal(size=p.shape), jnp.float32), params)


OPTIMIZERS = [
    ("sgd", lambda: optim.sgd(0.1, momentum=0.9), lambda: optax.sgd(0.1, momentum=0.9)),
    ("adam", lambda: optim.adam(1e-2), lambda: optax.adam(1e-2)),
]
IDS = [row[0] for row in OPTIMIZERS]


@pytest.mark.parametrize("make", [JaxOnlyBox, FlaxLayer], ids=["register_pytree_node", "flax.struct"])
@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=IDS)
def test_a_class_registered_with_jax_only_is_refused_by_init(name, ours, theirs, make):
    params = params_with(make)
    cls = f"{make.__module__}.{make.__qualname__}"
    assert_refused(
        lambda: ours().init(params), TypeError, f"purejax.optim.{name}.init:", "params['layer']", cls, REGISTER
    )
    jitted = jax.jit(ours().init)  # under jit JAX opens the box, and the function meets it again, holding tracers
    assert_refused(lambda: jitted(params), TypeError, f"purejax.optim.{name}.init:", "params['layer']", cls)
    theirs().init(params)  # Optax reads JAX's registry


@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=IDS)
def test_a_class_registered_with_jax_only_is_refused_by_update(name, ours, theirs):
    plain = {"bias": jnp.ones(3), "layer": jnp.ones((3, 2))}
    tx = ours()
    state = tx.init(plain)
    boxed = {"bias": jnp.ones(3), "layer": JaxOnlyBox(jnp.ones((3, 2)))}
    assert_refused(
        lambda: tx.update(boxed, state, plain), TypeError, f"purejax.optim.{name}.update:", "updates['layer']"
    )
    assert_refused(
        lambda: tx.update(plain, state, boxed), TypeError, f"purejax.optim.{name}.update:", "params['layer']", REGISTER
    )


def test_the_check_is_made_once_by_the_outermost_transformation():
    params = params_with(JaxOnlyBox)
    tx = optim.chain(optim.clip_by_global_norm(1.0), optim.adam(1e-2))
    assert_refused(lambda: tx.init(params), TypeError, "purejax.optim.chain.init:", "params['layer']", REGISTER)


def test_apply_updates_and_train_state_refuse_it_too():
    params = params_with(JaxOnlyBox)
    assert_refused(
        lambda: optim.apply_updates(params, params), TypeError, "purejax.optim.apply_updates:", "params['layer']"
    )
    assert_refused(
        lambda: TrainState.create(apply_fn=None, params=params, tx=optim.sgd(0.1)),
        TypeError,
        "TrainState.create:",
        "params['layer']",
        REGISTER,
    )


def test_strings_are_refused_without_the_register_advice():
    tx = optim.adam(1e-2)
    state = tx.init({"w": jnp.ones(2)})
    assert_refused(
        lambda: tx.update({"w": "grad"}, state), TypeError, "purejax.optim.adam.update:", "updates['w']", "str 'grad'"
    )


@pytest.mark.parametrize("make", [Box, Layer], ids=["register_node", "purejax.struct"])
@pytest.mark.parametrize("name, ours, theirs", OPTIMIZERS, ids=IDS)
def test_registered_with_purejax_it_trains_as_with_optax(name, ours, theirs, make):
    """5 jitted steps: the same updates, params and states as Optax's, bitwise."""
    params = params_with(make)
    assert len(purejax.tree.leaves(params)) == 2  # purejax sees inside
    tx, tx_optax = ours(), theirs()
    state, state_optax = tx.init(params), tx_optax.init(params)
    assert_bitwise(jax.tree_util.tree_leaves(state), jax.tree_util.tree_leaves(state_optax))

    @jax.jit
    def step(params, state, grads):
        updates, state = tx.update(grads, state, params)
        return optim.apply_updates(params, updates), state

    @jax.jit
    def step_optax(params, state, grads):
        updates, state = tx_optax.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    params_optax = params
    for i in range(5):
        grads = grads_at(params, i)
        params, state = step(params, state, grads)
        params_optax, state_optax = step_optax(params_optax, state_optax, grads)
    assert isinstance(params["layer"], make)
    assert_bitwise(jax.tree_util.tree_leaves((params, state)), jax.tree_util.tree_leaves((params_optax, state_optax)))
