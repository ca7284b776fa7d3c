"""Euclidean projections onto convex sets, for projected gradient descent: `p <- proj_C(p - lr * g)`.

Each function maps a pytree `x` to the point of the set nearest to it (in the L2 norm of the
whole tree as one vector):

    projection_non_negative(x)          max(x, 0)                       the non-negative orthant
    projection_box(x, lower, upper)     clip(x, lower, upper)           a box
    projection_hypercube(x, scale)      clip(x, 0, scale)               the cube [0, scale]^n
    projection_linf_ball(x, scale)      clip(x, -scale, scale)          {||x||_inf <= scale}
    projection_simplex(x, scale)        sort-based (Duchi et al.)       {x >= 0, sum(x) = scale}
    projection_l1_sphere(x, scale)      sign(x) * simplex(|x|)          {||x||_1 = scale}
    projection_l1_ball(x, scale)        x, or the L1 sphere's point     {||x||_1 <= scale}
    projection_l2_sphere(x, scale)      scale * x / ||x||               {||x||_2 = scale}
    projection_l2_ball(x, scale)        x * scale / max(||x||, scale)   {||x||_2 <= scale}
    projection_vector(x, a)             <x, a> / <a, a> * a             the line through a
    projection_hyperplane(x, a, b)      x + (b - <x, a>) / <a, a> * a   {<a, x> = b}
    projection_halfspace(x, a, b)       the same, only if <a, x> > b    {<a, x> <= b}

The simplex projection flattens the tree into one vector (the sets couple all the leaves); its
derivative is the custom one Optax uses, exact almost everywhere.

Counterpart: `optax.projections` (optax/projections/_projections.py). Same formulas in the same
order, so results and gradients agree bitwise.

References:
  Duchi et al., *Efficient Projections onto the l1-Ball for Learning in High Dimensions*, ICML 2008.
  https://stanford.edu/~jduchi/projects/DuchiShSiCh08.pdf

Differences:
  `projection_box`'s bounds may be numbers for a tree of several leaves (each leaf is clipped to
  them); Optax's `jax.tree.map` needs trees like `x` there, so `projection_hypercube` fails in
  Optax for a dict of arrays. Bounds of another tree than `x`, and scales that are not numbers,
  are refused naming the function.

Examples:
    >>> import jax.numpy as jnp
    >>> from purejax.optim import projections
    >>> projections.projection_simplex(jnp.array([0.5, 1.0, -1.0])).tolist()
    [0.25, 0.75, 0.0]
    >>> projections.projection_l2_ball({'w': jnp.array([3.0, 4.0])}, scale=1.0)['w'].tolist()
    [0.6000000238418579, 0.800000011920929]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from purejax import tree as pytree
from purejax.checks import check_number, describe
from purejax.nn.activations import relu
from purejax.optim import tree as otree

_WHERE = "purejax.optim.projections"


def _check_scale(function: str, scale: Any) -> None:
    """A number or a (possibly traced) real array; not a string, None or a bool."""
    if hasattr(scale, "dtype") and not isinstance(scale, np.generic):
        if not (jnp.issubdtype(scale.dtype, jnp.floating) or jnp.issubdtype(scale.dtype, jnp.integer)):
            raise TypeError(f"{_WHERE}.{function}: scale must be a real number or array, got {describe(scale)}")
        return
    check_number(f"{_WHERE}.{function}", "scale", scale)


def _check_leaves(function: str, name: str, tree: Any) -> None:
    """Every leaf an array or a number, so that the error names the function rather than `jnp`."""
    for path, leaf in pytree.flatten_with_path(tree)[0]:
        if leaf is None or isinstance(leaf, (str, bytes)) or not (hasattr(leaf, "dtype") or np.isscalar(leaf)):
            raise TypeError(f"{_WHERE}.{function}: {name}{pytree.keystr(path)} must be an array, got {describe(leaf)}")


def _ravel(tree: Any) -> tuple[jax.Array, Any]:
    """The leaves raveled and concatenated in leaf order, and the function that cuts such a vector back."""
    leaves, treedef = pytree.flatten(tree)
    leaves = [jnp.asarray(leaf) for leaf in leaves]
    dtype = jnp.result_type(*leaves) if leaves else jnp.float32
    flat = jnp.concatenate([jnp.ravel(leaf).astype(dtype) for leaf in leaves]) if leaves else jnp.zeros(0, dtype)
    sizes = np.cumsum([leaf.size for leaf in leaves])[:-1].tolist()

    def unravel(vector: jax.Array) -> Any:
        pieces = jnp.split(vector, sizes)
        return pytree.unflatten(
            treedef,
            [p.reshape(leaf.shape).astype(leaf.dtype) for p, leaf in zip(pieces, leaves, strict=True)],
        )

    return flat, unravel


def projection_non_negative(tree: Any) -> Any:
    """`max(x, 0)`, leaf by leaf: the projection onto the non-negative orthant.

    Counterpart: `optax.projections.projection_non_negative`.
    """
    _check_leaves("projection_non_negative", "tree", tree)
    return pytree.map(relu, tree)


def projection_box(tree: Any, lower: Any, upper: Any) -> Any:
    """`clip(x, lower, upper)`, leaf by leaf: the projection onto the box `lower <= x <= upper`.

    Args:
      tree: the pytree to project.
      lower, upper: numbers (for every leaf), or trees like `tree` (one bound per leaf, each a
        number or an array broadcastable to the leaf).

    Returns:
      A tree like `tree`.

    Counterpart: `optax.projections.projection_box`.
    """
    _check_leaves("projection_box", "tree", tree)
    structure = pytree.structure(tree)
    bounds = []
    for name, bound in (("lower", lower), ("upper", upper)):
        _check_leaves("projection_box", name, bound)
        leaves = pytree.leaves(bound)
        if len(leaves) == 1 and leaves[0] is bound:  # one number or array: the bound of every leaf
            bound = pytree.map(lambda _, b=bound: b, tree)
        pytree.flatten_up_to(structure, bound, f"{_WHERE}.projection_box: {name} differs from the tree")
        bounds.append(bound)
    return pytree.map(jnp.clip, tree, *bounds)


def projection_hypercube(tree: Any, scale: Any = 1) -> Any:
    """`clip(x, 0, scale)`: the projection onto the hypercube `[0, scale]^n`.

    Counterpart: `optax.projections.projection_hypercube`.
    """
    _check_scale("projection_hypercube", scale)
    return projection_box(tree, lower=0, upper=scale)


@jax.custom_jvp
def _projection_unit_simplex(values: jax.Array) -> jax.Array:
    """The projection of a vector onto `{x >= 0, sum(x) = 1}` (Duchi et al., Algorithm 1)."""
    s = 1
    n_features = values.shape[0]
    u = jnp.sort(values)[::-1]  # [n], descending
    cumsum_u = jnp.cumsum(u)  # [n]
    ind = jnp.arange(n_features) + 1  # [n], 1..n
    cond = s / ind + (u - cumsum_u / ind) > 0  # [n], the entries that stay positive
    idx = jnp.count_nonzero(cond)  # the support's size
    return relu(s / idx + (values - cumsum_u[idx - 1] / idx))  # shift by the threshold, cut at 0


@_projection_unit_simplex.defjvp
def _projection_unit_simplex_jvp(primals, tangents):
    """On the support: the tangent minus its mean over the support; 0 off it."""
    (values,) = primals
    (values_dot,) = tangents
    primal_out = _projection_unit_simplex(values)
    supp = primal_out > 0  # [n]
    card = jnp.count_nonzero(supp)
    tangent_out = supp * values_dot - (jnp.dot(supp, values_dot) / card) * supp
    return primal_out, tangent_out


def projection_simplex(tree: Any, scale: Any = 1) -> Any:
    """The projection onto the simplex `{x >= 0, sum of every entry of every leaf = scale}`.

    Args:
      tree: the pytree to project (its leaves form one vector).
      scale: the sum, a positive number.

    Returns:
      A tree like `tree`.

    Counterpart: `optax.projections.projection_simplex`.
    """
    _check_leaves("projection_simplex", "tree", tree)
    _check_scale("projection_simplex", scale)
    values, unravel = _ravel(tree)  # [n]
    new_values = scale * _projection_unit_simplex(values / scale)
    return unravel(new_values)


def projection_l1_sphere(tree: Any, scale: Any = 1) -> Any:
    """`sign(x) * simplex(|x|, scale)`: the projection onto the L1 sphere `{||x||_1 = scale}`.

    Counterpart: `optax.projections.projection_l1_sphere`.
    """
    _check_leaves("projection_l1_sphere", "tree", tree)
    _check_scale("projection_l1_sphere", scale)
    tree_abs = pytree.map(jnp.abs, tree)
    tree_sign = pytree.map(jnp.sign, tree)
    tree_abs_proj = projection_simplex(tree_abs, scale)
    return otree.mul(tree_sign, tree_abs_proj)


def projection_l1_ball(tree: Any, scale: Any = 1) -> Any:
    """`x` if `||x||_1 <= scale`, else its projection onto the L1 sphere: the projection onto the L1 ball.

    Counterpart: `optax.projections.projection_l1_ball`.
    """
    _check_leaves("projection_l1_ball", "tree", tree)
    _check_scale("projection_l1_ball", scale)
    l1_norm = otree.norm(tree, ord=1)
    return jax.lax.cond(
        l1_norm <= scale,
        lambda tree: tree,
        lambda tree: projection_l1_sphere(tree, scale),
        tree,
    )


def projection_l2_sphere(tree: Any, scale: Any = 1) -> Any:
    """`scale * x / ||x||_2`: the projection onto the L2 sphere (undefined, NaN, at `x = 0`).

    Counterpart: `optax.projections.projection_l2_sphere`.
    """
    _check_leaves("projection_l2_sphere", "tree", tree)
    _check_scale("projection_l2_sphere", scale)
    factor = scale / otree.norm(tree)
    return otree.scale(factor, tree)


def projection_l2_ball(tree: Any, scale: Any = 1) -> Any:
    """`x * scale / max(||x||_2, scale)`: the projection onto the L2 ball `{||x||_2 <= scale}`.

    Counterpart: `optax.projections.projection_l2_ball`.
    """
    _check_leaves("projection_l2_ball", "tree", tree)
    _check_scale("projection_l2_ball", scale)
    squared_norm = otree.norm(tree, squared=True)
    factor = scale / jnp.sqrt(jnp.maximum(squared_norm, scale**2))
    return otree.scale(factor, tree)


def projection_linf_ball(tree: Any, scale: Any = 1) -> Any:
    """`clip(x, -scale, scale)`: the projection onto the L-infinity ball `{max |x_i| <= scale}`.

    Counterpart: `optax.projections.projection_linf_ball`.
    """
    _check_leaves("projection_linf_ball", "tree", tree)
    _check_scale("projection_linf_ball", scale)
    lower = otree.full_like(tree, -scale)
    upper = otree.full_like(tree, scale)
    return projection_box(tree, lower=lower, upper=upper)


def _check_pair(function: str, x: Any, a: Any) -> None:
    _check_leaves(function, "x", x)
    _check_leaves(function, "a", a)
    pytree.flatten_up_to(pytree.structure(x), a, f"{_WHERE}.{function}: a differs from x's tree")


def projection_vector(x: Any, a: Any) -> Any:
    """`<x, a> / <a, a> * a`: the projection onto the line spanned by `a` (a tree like `x`).

    Counterpart: `optax.projections.projection_vector`.
    """
    _check_pair("projection_vector", x, a)
    scalar = otree.vdot(x, a) / otree.vdot(a, a)
    return otree.scale(scalar, a)


def projection_hyperplane(x: Any, a: Any, b: Any) -> Any:
    """`x + (b - <x, a>) / <a, a> * a`: the projection onto the hyperplane `{<a, x> = b}`.

    Counterpart: `optax.projections.projection_hyperplane`.
    """
    _check_pair("projection_hyperplane", x, a)
    check_number(f"{_WHERE}.projection_hyperplane", "b", b)
    scalar = (b - otree.vdot(x, a)) / otree.vdot(a, a)
    return otree.add_scale(x, scalar, a)


def projection_halfspace(x: Any, a: Any, b: Any) -> Any:
    """`x + min((b - <x, a>) / <a, a>, 0) * a`: the projection onto the half-space `{<a, x> <= b}`.

    Counterpart: `optax.projections.projection_halfspace`.
    """
    _check_pair("projection_halfspace", x, a)
    check_number(f"{_WHERE}.projection_halfspace", "b", b)
    scalar = (b - otree.vdot(x, a)) / otree.vdot(a, a)
    scalar = jnp.clip(scalar, max=0)
    return otree.add_scale(x, scalar, a)


__all__ = [
    "projection_box",
    "projection_halfspace",
    "projection_hypercube",
    "projection_hyperplane",
    "projection_l1_ball",
    "projection_l1_sphere",
    "projection_l2_ball",
    "projection_l2_sphere",
    "projection_linf_ball",
    "projection_non_negative",
    "projection_simplex",
    "projection_vector",
]
