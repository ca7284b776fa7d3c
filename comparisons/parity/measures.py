"""How two results are measured against each other, and the tolerances they are held to.

The one place for both, shared by the parity tables (`tables/`), the side-by-side trainers
(`comparisons/training/`) and the tests (`tests/_asserts.py`), so that the report and the test
suite judge alike. Tolerances follow the project's rule (CONTRIBUTING.md, principle 3): bitwise for
PRNG bits, pytrees, initial variables and integer work; a couple of ulp where a transcendental is
computed differently; float32 `rtol` 1e-5 forward, 1e-4 for gradients and multi-step training.

    ulp_distance(a, b)       units in the last place between two arrays (0: bitwise)
    tree_ulp / trees_identical    the same over two pytrees
    tree_rel(a, b, floor)    |a - b| / max(|b|, floor), elementwise, over two pytrees
    leaves_rel(a, b, floor)  the same leaf by leaf, for trees of different classes (optimizer states)
    scale_rel(a, b)          max |a - b| / max |b| per array (a layer's output against its scale)
    loss_rel(a, b)           |a - b| / max(|a|, |b|, LOSS_FLOOR), per step of two loss curves
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

# -- tolerances --------------------------------------------------------------------------------
FORWARD_RTOL = 1e-5  # float32 outputs
FORWARD_ATOL = 1e-6  # outputs near 0 count against this absolute floor (atol / rtol = 0.1)
GRADIENT_RTOL = 1e-4  # gradients
GRADIENT_ATOL = 1e-6  # gradients near 0 (a near-cancelling sum) count against this floor
ERF_INV_ULP = 2  # draws through erf_inv (normal, truncated normal): a polynomial XLA may evaluate differently
OPTIMIZER_RTOL = 2e-5  # updates, parameters and states over 50 jitted optimizer steps, float32
OPTIMIZER_FLOOR = 1e-3  # optimizer values are compared against max(|optax value|, OPTIMIZER_FLOOR)
TRAINING_RTOL = 1e-4  # per-step losses of the two packages trained side by side
DEVICES_RTOL = 1e-5  # per-step losses on N devices against the same program on one
LOSS_FLOOR = 0.1  # losses smaller than this in magnitude are compared as if they were this large


def ulp_distance(a: Any, b: Any) -> int:
    """The largest distance between `a` and `b` in units in the last place (0 = bitwise equal).

    Floats are compared through their bit patterns mapped to a monotone integer scale, so that
    neighbouring floats are 1 apart and -0.0 and 0.0 are 0 apart; two NaNs count as equal.
    Integers and booleans must be equal (any difference counts as 2**31). Shapes and dtypes must
    match.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise ValueError(f"cannot compare {a.dtype}{list(a.shape)} with {b.dtype}{list(b.shape)}")
    if a.size == 0:
        return 0
    if a.dtype.kind in "biu":
        return 0 if np.array_equal(a, b) else 2**31
    signed = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]  # f16/bf16, f32, f64
    lowest = int(np.iinfo(signed).min)

    def monotone(x):  # sign-magnitude bits -> two's-complement order
        i = x.view(signed).astype(object)
        return np.where(i < 0, lowest - i, i)

    dist = np.abs(monotone(a) - monotone(b))
    nan_a = np.isnan(a.astype(np.float64))
    dist = np.where(nan_a & np.isnan(b.astype(np.float64)), 0, dist)
    return int(dist.max())


def tree_ulp(ours: Any, theirs: Any) -> int:
    """The largest `ulp_distance` over the leaves of two pytrees; 2**31 if their structures differ."""
    if jax.tree_util.tree_structure(ours) != jax.tree_util.tree_structure(theirs):
        return 2**31
    pairs = zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs), strict=True)
    return max([ulp_distance(a, b) for a, b in pairs], default=0)


def trees_identical(ours: Any, theirs: Any) -> bool:
    """Same structure, shapes, dtypes and bits, leaf for leaf."""
    try:
        return tree_ulp(ours, theirs) == 0
    except ValueError:  # a leaf's shape or dtype differs
        return False


def leaves_rel(ours: Any, theirs: Any, floor: float) -> float:
    """The largest `|a - b| / max(|b|, floor)` over two trees' leaves taken in order, in float64.

    For trees whose node classes differ but whose leaves correspond (purejax's and Optax's
    optimizer states). Two NaNs in the same place count as equal; a NaN on one side only, a
    different number of leaves or a different shape give inf.
    """
    la, lb = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)
    if len(la) != len(lb):
        return float("inf")
    worst = 0.0
    for x, y in zip(la, lb, strict=True):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        if x.shape != y.shape:
            return float("inf")
        both_nan = np.isnan(x) & np.isnan(y)
        d = np.where(both_nan, 0.0, np.abs(x - y) / np.maximum(np.abs(y), floor))
        if np.isnan(d).any():
            return float("inf")
        worst = max(worst, float(np.max(d, initial=0.0)))
    return worst


def tree_rel(ours: Any, theirs: Any, floor: float = 1e-6) -> float:
    """`leaves_rel` of two pytrees of the same structure; inf if their structures differ.

    With `floor = atol / rtol`, a result at most `rtol` means `|a - b| <= max(rtol * |b|, atol)`
    everywhere.
    """
    if jax.tree_util.tree_structure(ours) != jax.tree_util.tree_structure(theirs):
        return float("inf")
    return leaves_rel(ours, theirs, floor)


def scale_rel(ours: Any, theirs: Any) -> float:
    """The largest `max|a - b| / max|b|` over the arrays of two pytrees: each array's error against its scale.

    Raises a ValueError naming the first key path where the trees, shapes or dtypes differ.
    """
    a, b = jax.tree_util.tree_flatten_with_path(ours)[0], jax.tree_util.tree_flatten_with_path(theirs)[0]
    paths_a, paths_b = [jax.tree_util.keystr(p) for p, _ in a], [jax.tree_util.keystr(p) for p, _ in b]
    if paths_a != paths_b:
        raise ValueError(f"different trees: {paths_a} vs {paths_b}")
    worst = 0.0
    for path, (_, x), (_, y) in zip(paths_a, a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape or x.dtype != y.dtype:
            raise ValueError(f"{path}: {x.dtype}{list(x.shape)} vs {y.dtype}{list(y.shape)}")
        x, y = x.astype(np.float64), y.astype(np.float64)
        scale = max(np.max(np.abs(y), initial=0.0), np.finfo(np.float32).tiny)
        worst = max(worst, float(np.max(np.abs(x - y), initial=0.0) / scale))
    return worst


def loss_rel(a, b) -> np.ndarray:
    """`|a - b| / max(|a|, |b|, LOSS_FLOOR)`, step by step, for two loss curves.

    A loss that crosses zero (the MDN's negative log-likelihood does) has no meaningful relative
    difference there, so near zero the difference is measured against 0.1: an `rtol` of 1e-5
    becomes an absolute tolerance of 1e-6 for losses within 0.1 of zero.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), LOSS_FLOOR)


def describe_ulp(ulp: int) -> str:
    return "bitwise" if ulp == 0 else ("differs" if ulp >= 2**31 else f"max {ulp} ulp")


def describe_rel(rel: float) -> str:
    """A relative difference for the report: "bitwise" when it is exactly 0."""
    return "bitwise" if rel == 0 else f"max rel {rel:.1e}"


def canonical_structure(treedef: Any) -> Any:
    """A treedef as nested tuples `(type, metadata, children)`, `'*'` for a leaf.

    Works for purejax's `TreeDef` and JAX's `PyTreeDef` alike (both have `node_data()` and
    `children()`), so the two can be compared with `==`.
    """
    data = treedef.node_data()
    if data is None:
        return "*"
    node_type, aux = data
    if isinstance(aux, list):
        aux = tuple(aux)
    return (node_type, aux, tuple(canonical_structure(c) for c in treedef.children()))
