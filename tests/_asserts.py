"""Assertions shared by the tests, on chex, with the tolerances CONTRIBUTING.md states.

One helper asserts once; test bodies call these rather than repeating the comparison.
"""

from __future__ import annotations

import re
import warnings

import chex
import numpy as np
import pytest

from comparisons.parity.measures import canonical_structure, ulp_distance
from comparisons.parity.tables.optim_harness import example_params
from comparisons.parity.tables.optim_sgd import compare_keyed
from purejax import tree

FORWARD_RTOL = 1e-5  # float32 forward passes
GRADIENT_RTOL = 1e-4  # gradients and multi-step training


def assert_bitwise(ours, theirs) -> None:
    """Same shapes, same dtypes, same bits, for whole pytrees of arrays."""
    chex.assert_trees_all_equal_shapes_and_dtypes(ours, theirs)
    chex.assert_trees_all_equal(ours, theirs)


def assert_within_ulp(ours, theirs, max_ulp: int) -> None:
    """Same shape and dtype, and no element more than `max_ulp` units in the last place apart."""
    chex.assert_equal_shape([np.asarray(ours), np.asarray(theirs)])
    ulp = ulp_distance(ours, theirs)
    assert ulp <= max_ulp, f"{ulp} ulp apart (allowed {max_ulp})"


def assert_same_structure(ours_treedef, theirs_treedef) -> None:
    """A purejax TreeDef and a JAX PyTreeDef describe the same structure, node for node."""
    assert canonical_structure(ours_treedef) == canonical_structure(theirs_treedef), (
        f"{ours_treedef!r} vs {theirs_treedef!r}"
    )
    assert (ours_treedef.num_leaves, ours_treedef.num_nodes) == (theirs_treedef.num_leaves, theirs_treedef.num_nodes)


def assert_same_objects(ours: list, theirs: list) -> None:
    """Two leaf lists hold the very same objects in the same order."""
    assert [id(x) for x in ours] == [id(x) for x in theirs], f"{ours!r} vs {theirs!r}"


def assert_matches_flax(got: dict) -> None:
    """One case of a layer table against flax.linen, on the current platform.

    `got` is the table's `compare(case, variant)`: `{'variables', 'output', 'gradients'}` (and `'carry'`
    for a cell's initial carry), each `(ours, theirs)`. The carry and the variables must be the same
    bits; outputs within `FORWARD_RTOL` (atol 1e-7); gradients within `GRADIENT_RTOL` (atol 1e-6).
    """
    if "carry" in got:
        assert_bitwise(*got["carry"])
    assert_bitwise(*got["variables"])
    chex.assert_trees_all_close(*got["output"], rtol=FORWARD_RTOL, atol=1e-7)
    chex.assert_trees_all_close(*got["gradients"], rtol=GRADIENT_RTOL, atol=1e-6)


def assert_same_tree(restored, original) -> None:
    """Same structure, and leaf for leaf the same type, dtype, shape and bits."""
    leaves_r, treedef_r = tree.flatten(restored)
    leaves_o, treedef_o = tree.flatten(original)
    assert treedef_r == treedef_o, f"{treedef_r!r} vs {treedef_o!r}"
    for r, o in zip(leaves_r, leaves_o, strict=True):
        assert type(r) is type(o), (type(r), type(o))
        r, o = np.asarray(r), np.asarray(o)
        assert (r.dtype, r.shape) == (o.dtype, o.shape)
        assert r.tobytes() == o.tobytes()


def assert_update_needs_params(tx) -> None:
    """An optimizer that reads the parameters refuses an update without them, saying so."""
    params = example_params()
    with pytest.raises(ValueError, match="params"):
        tx.update(params, tx.init(params))


def assert_update_names_the_path(tx, grads, params, path: str) -> None:
    """`tx.update` refuses updates of another tree than `params`, naming the first `path` where they differ."""
    with pytest.raises(ValueError, match=re.escape(path)):
        tx.update(grads, tx.init(params), params)


def assert_noise_is_optax_bits(name: str, ours_tx, theirs_tx, per_example: bool) -> None:
    """A noisy optimizer (`ours_tx()`, `theirs_tx()` build the pair) draws Optax's noise: 50 jitted steps
    (`optim_sgd.compare_keyed`) with updates 0 ulp apart and states equal (keys unwrapped)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # optax.contrib.dpsgd passes the deprecated seed=
        result = compare_keyed(ours_tx(), theirs_tx(), per_example=per_example)
    assert result.ulp == 0, f"{name}: updates {result.ulp} ulp from Optax's"
    assert result.rel == 0.0


def assert_refused(call, error: type[Exception], *fragments: str) -> None:
    """`call()` raises `error`, and its message contains every fragment (the function, the argument, ...)."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    missing = [f for f in fragments if f not in message]
    assert not missing, f"message {message!r} lacks {missing}"
