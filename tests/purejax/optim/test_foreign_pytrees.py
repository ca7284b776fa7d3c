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


BOXED = {"w": JaxOnlyBox(jnp.ones(2))}
PLAIN = {"w": jnp.ones(2)}
KEY = jnp.zeros(2, jnp.uint32)
# (name, call, argument): each function of purejax.optim.tree with the JAX-only class in one tree argument.
TREE_CALLS = [
    ("add", lambda t: optim.tree.add(PLAIN, PLAIN, t), "other_trees[0]"),
    ("sub", lambda t: optim.tree.sub(t, PLAIN), "tree_x"),
    ("mul", lambda t: optim.tree.mul(PLAIN, t), "tree_y"),
    ("div", lambda t: optim.tree.div(t, PLAIN), "tree_x"),
    ("scale", lambda t: optim.tree.scale(2.0, t), "tree"),
    ("add_scale", lambda t: optim.tree.add_scale(PLAIN, 2.0, t), "tree_y"),
    ("vdot", lambda t: optim.tree.vdot(t, PLAIN), "tree_x"),
    ("sum", lambda t: optim.tree.sum(t), "tree"),
    ("max", lambda t: optim.tree.max(t), "tree"),
    ("min", lambda t: optim.tree.min(t), "tree"),
    ("size", lambda t: optim.tree.size(t), "tree"),
    ("conj", lambda t: optim.tree.conj(t), "tree"),
    ("real", lambda t: optim.tree.real(t), "tree"),
    ("norm", lambda t: optim.tree.norm(t), "tree"),
    ("batch_shape", lambda t: optim.tree.batch_shape(t, (2,)), "tree"),
    ("zeros_like", lambda t: optim.tree.zeros_like(t), "tree"),
    ("ones_like", lambda t: optim.tree.ones_like(t), "tree"),
    ("full_like", lambda t: optim.tree.full_like(t, 3.0), "tree"),
    ("clip", lambda t: optim.tree.clip(t, 0.0, 1.0), "tree"),
    ("where", lambda t: optim.tree.where(True, PLAIN, t), "tree_y"),
    ("allclose", lambda t: optim.tree.allclose(PLAIN, t), "b"),
    ("update_moment", lambda t: optim.tree.update_moment(t, PLAIN, 0.9, 1), "updates"),
    ("update_infinity_moment", lambda t: optim.tree.update_infinity_moment(PLAIN, t, 0.9, 1e-8), "moments"),
    ("update_moment_per_elem_norm", lambda t: optim.tree.update_moment_per_elem_norm(t, PLAIN, 0.9, 2), "updates"),
    ("bias_correction", lambda t: optim.tree.bias_correction(t, 0.9, 1), "moment"),
    ("cast", lambda t: optim.tree.cast(t, jnp.float16), "tree"),
    ("cast_like", lambda t: optim.tree.cast_like(PLAIN, t), "other_tree"),
    ("dtype", lambda t: optim.tree.dtype(t), "tree"),
    ("split_key_like", lambda t: optim.tree.split_key_like(KEY, t), "target_tree"),
    ("random_like", lambda t: optim.tree.random_like(KEY, t), "target_tree"),
]


def test_the_tree_table_covers_optim_tree():
    assert {row[0] for row in TREE_CALLS} == set(optim.tree.__all__) - {"map_params"}


@pytest.mark.parametrize("name, call, argument", TREE_CALLS, ids=[row[0] for row in TREE_CALLS])
def test_optim_tree_functions_refuse_it(name, call, argument):
    call(PLAIN)  # the same call with arrays runs
    assert_refused(
        lambda: call(BOXED), TypeError, f"purejax.optim.tree.{name}:", f"{argument}['w']", "JaxOnlyBox", REGISTER
    )
