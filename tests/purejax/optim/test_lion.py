"""Lion beyond the adaptive table: an unknown `mode` is refused."""

import pytest

import purejax.optim as ours


def test_lion_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        ours.scale_by_lion(mode="soft")
