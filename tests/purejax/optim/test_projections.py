"""purejax.optim.projections against optax.projections: the same values and gradients, bit for bit.

Each row is `(id, call)` with `call(module, x)` projecting the tree `x` (a dict of a vector and a
matrix, or one vector) with `module.projection_*`; it runs eagerly and under `jit`, on points
inside and outside each set, and its gradient (of a fixed weighted sum of the projection) too.
Then the bad inputs.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax.projections
import pytest

from purejax.optim import projections
from tests._asserts import assert_bitwise, assert_refused

RNG = np.random.default_rng(0)
TREES = {
    "dict": {
        "a": jnp.asarray(RNG.normal(size=5) * 2, jnp.float32),
        "b": jnp.asarray(RNG.normal(size=(2, 3)), jnp.float32),
    },
    "small": {"a": jnp.full(5, 0.01, jnp.float32), "b": jnp.full((2, 3), -0.02, jnp.float32)},  # inside the balls
    "vector": jnp.asarray(RNG.normal(size=7) * 3, jnp.float32),
}
A = {"a": jnp.arange(5.0) - 2, "b": jnp.ones((2, 3))}  # a direction like the dict trees


def like(x, value):
    """`value` for every leaf of `x` (Optax's box needs bounds of `x`'s tree)."""
    return jax.tree.map(lambda leaf: jnp.full_like(leaf, value), x)


ROWS = [
    ("non_negative", lambda m, x: m.projection_non_negative(x)),
    ("box", lambda m, x: m.projection_box(x, like(x, -0.5), like(x, 0.7))),
    ("hypercube", lambda m, x: m.projection_box(x, like(x, 0.0), like(x, 2.0))),  # Optax's needs an array tree
    ("hypercube-vector", lambda m, x: m.projection_hypercube(x["a"] if isinstance(x, dict) else x, 2.0)),
    ("simplex", lambda m, x: m.projection_simplex(x)),
    ("simplex-scale=3", lambda m, x: m.projection_simplex(x, 3.0)),
    ("l1_sphere", lambda m, x: m.projection_l1_sphere(x, 2.0)),
    ("l1_ball", lambda m, x: m.projection_l1_ball(x, 2.0)),
    ("l2_sphere", lambda m, x: m.projection_l2_sphere(x, 1.5)),
    ("l2_ball", lambda m, x: m.projection_l2_ball(x, 1.5)),
    ("linf_ball", lambda m, x: m.projection_linf_ball(x, 0.5)),
    ("vector", lambda m, x: m.projection_vector(x, A if isinstance(x, dict) else jnp.arange(7.0))),
    ("hyperplane", lambda m, x: m.projection_hyperplane(x, A if isinstance(x, dict) else jnp.arange(7.0), 1.0)),
    ("halfspace", lambda m, x: m.projection_halfspace(x, A if isinstance(x, dict) else jnp.arange(7.0), -1.0)),
    ("halfspace-inside", lambda m, x: m.projection_halfspace(x, A if isinstance(x, dict) else jnp.arange(7.0), 1e3)),
]


def value_and_grad(m, call):
    """`x -> (call(m, x), grad of sum(w * call(m, x)))`, `w` fixed weights (so the gradient is not trivial)."""

    def weighted(x):
        out = call(m, x)
        return sum(
            jnp.sum(leaf * (1.0 + 0.1 * jnp.arange(leaf.size).reshape(leaf.shape))) for leaf in jax.tree.leaves(out)
        )

    return lambda x: (call(m, x), jax.grad(weighted)(x))


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("tree", list(TREES))
@pytest.mark.parametrize("name, call", ROWS, ids=[row[0] for row in ROWS])
def test_projection_is_bitwise_optax(name, call, tree, jit):
    ours, theirs = value_and_grad(projections, call), value_and_grad(optax.projections, call)
    if jit:
        ours, theirs = jax.jit(ours), jax.jit(theirs)
    assert_bitwise(ours(TREES[tree]), theirs(TREES[tree]))


def test_projections_land_in_their_sets():
    """The results satisfy the sets' definitions (a check that needs no Optax)."""
    x = TREES["dict"]
    flat = lambda t: jnp.concatenate([jnp.ravel(leaf) for leaf in jax.tree.leaves(t)])  # noqa: E731
    simplex = flat(projections.projection_simplex(x, 3.0))
    assert (simplex >= 0).all() and np.isclose(simplex.sum(), 3.0, rtol=1e-6)
    assert np.isclose(jnp.abs(flat(projections.projection_l1_sphere(x, 2.0))).sum(), 2.0, rtol=1e-6)
    assert np.isclose(jnp.linalg.norm(flat(projections.projection_l2_sphere(x, 1.5))), 1.5, rtol=1e-6)
    assert jnp.abs(flat(projections.projection_linf_ball(x, 0.5))).max() <= 0.5
    assert np.isclose(jnp.vdot(flat(projections.projection_hyperplane(x, A, 1.0)), flat(A)), 1.0, atol=1e-5)


def test_box_bounds_may_be_numbers_for_a_tree():
    """A number bound applies to every leaf (Optax needs a tree of bounds there)."""
    x = TREES["dict"]
    assert_bitwise(projections.projection_hypercube(x, 2.0), projections.projection_box(x, like(x, 0.0), like(x, 2.0)))


X = TREES["dict"]
BAD = [
    (
        "box-lower-tree",
        lambda: projections.projection_box(X, {"a": 0.0}, 1.0),
        ValueError,
        ("purejax.optim.projections.projection_box:", "lower differs from the tree"),
    ),
    (
        "box-upper-str",
        lambda: projections.projection_box(X, 0.0, "1"),
        TypeError,
        ("purejax.optim.projections.projection_box:", "upper must be an array"),
    ),
    (
        "non_negative-tree-str-leaf",
        lambda: projections.projection_non_negative({"a": "x"}),
        TypeError,
        ("purejax.optim.projections.projection_non_negative:", "tree['a']"),
    ),
    *[
        (
            f"{fn}-scale-str",
            lambda fn=fn: getattr(projections, fn)(X, "1"),
            TypeError,
            (f"purejax.optim.projections.{fn}:", "scale must be"),
        )
        for fn in (
            "projection_hypercube",
            "projection_simplex",
            "projection_l1_sphere",
            "projection_l1_ball",
            "projection_l2_sphere",
            "projection_l2_ball",
            "projection_linf_ball",
        )
    ],
    (
        "simplex-scale-nan",
        lambda: projections.projection_simplex(X, float("nan")),
        ValueError,
        ("purejax.optim.projections.projection_simplex:", "scale"),
    ),
    (
        "vector-a-tree",
        lambda: projections.projection_vector(X, {"a": jnp.ones(5)}),
        ValueError,
        ("purejax.optim.projections.projection_vector:", "a differs from x's tree"),
    ),
    (
        "hyperplane-b-str",
        lambda: projections.projection_hyperplane(X, A, "0"),
        TypeError,
        ("purejax.optim.projections.projection_hyperplane:", "b must be"),
    ),
    (
        "halfspace-a-str-leaf",
        lambda: projections.projection_halfspace(X, {"a": "x", "b": jnp.ones((2, 3))}, 0.0),
        TypeError,
        ("purejax.optim.projections.projection_halfspace:", "a['a'] must be an array"),
    ),
]


@pytest.mark.parametrize("name, call, error, fragments", BAD, ids=[row[0] for row in BAD])
def test_bad_input_is_refused_naming_the_function(name, call, error, fragments):
    assert_refused(call, error, *fragments)
