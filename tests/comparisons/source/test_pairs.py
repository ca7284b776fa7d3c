"""`comparisons.source.pairs.PAIRS`: every model is listed, and every pair loads and renders with definitions
facing each other."""

import pytest

from comparisons import source


def test_every_model_is_listed():
    from purejax.models import MODELS

    for name in MODELS:
        assert source.PAIRS[name][:2] == (f"purejax/models/{name}.py", f"flaxed/models/{name}.py")
    assert source.run() == 0  # no name: the list


@pytest.mark.parametrize("name", sorted(source.PAIRS))
def test_every_pair_renders(name):
    left, right = (source.PAIRS[name][k] for k in (0, 1))
    if isinstance(left, str):  # a model: both files must exist (a missing one is a missing feature)
        missing = [p for p in (left, right) if not (source.ROOT / p).is_file()]
        assert not missing, f"{name}: listed in PAIRS but not written: {', '.join(missing)}"
    text = source.render_text(name, 120)
    assert max(map(len, text.splitlines())) <= 120
    pairs = source.align(*(side.blocks for side in source.load(name)[:2]))
    assert any(a is not None and b is not None and a.key not in ("<docstring>", "<imports>") for a, b in pairs), (
        f"{name}: no definition pairs with one on the other side"
    )
