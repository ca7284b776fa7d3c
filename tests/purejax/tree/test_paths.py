"""purejax.tree's key paths: `keystr` in its plain and simple forms."""

import purejax.tree as pt
from comparisons.parity.tables.tree import Point


def test_keystr_forms():
    [(path, _)], _ = pt.flatten_with_path(
        {"params": {"Dense_0": [Point(0, 1)]}}, is_leaf=lambda x: isinstance(x, Point)
    )
    assert pt.keystr(path) == "['params']['Dense_0'][0]"
    assert pt.keystr(path, simple=True, separator="/") == "params/Dense_0/0"
