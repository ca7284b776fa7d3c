"""flaxed.checkpoint (Orbax): a checkpoint of purejax's variables, restored with and without a target,
feeds both packages' `apply` with the same outputs."""

from __future__ import annotations

import flaxed.checkpoint
import purejax.random
from tests._asserts import assert_same_tree
from tests.purejax.checkpoint._trees import FLAX_MODEL, KEY, PURE_MODEL, X


def test_an_orbax_checkpoint_of_purejax_variables_feeds_both_applies(tmp_path):
    ours = PURE_MODEL.init(KEY, X)
    expected = PURE_MODEL.apply(ours, X)
    path = flaxed.checkpoint.save(tmp_path / "orbax", ours)
    other = FLAX_MODEL.init(purejax.random.PRNGKey(7), X)
    for restored in (flaxed.checkpoint.restore(path), flaxed.checkpoint.restore(path, target=other)):
        assert_same_tree(restored, ours)
        assert_same_tree(PURE_MODEL.apply(restored, X), expected)
        assert_same_tree(FLAX_MODEL.apply(restored, X), expected)
