"""purejax.nn has flax.linen's public names; each one it lacks is listed, and asking for it says why."""

import flax.linen as fnn
import pytest

import purejax.nn as pnn
from tests._asserts import assert_refused


def test_every_flax_linen_name_is_here_or_listed_with_why():
    flax_names = {n for n in dir(fnn) if not n.startswith("_")}
    missing = {n for n in flax_names if n not in pnn.__dict__}
    listed = set(pnn.FLAX_ONLY)
    assert missing == listed, f"not listed: {sorted(missing - listed)}; listed but present: {sorted(listed - missing)}"


@pytest.mark.parametrize("name", sorted(pnn.FLAX_ONLY))
def test_a_flax_only_name_says_why(name):
    assert_refused(lambda: getattr(pnn, name), AttributeError, f"flax.linen.{name}", "docs/migration.md")


def test_other_names_are_plain_attribute_errors():
    assert_refused(lambda: pnn.NoSuchLayer, AttributeError, "'NoSuchLayer'")


def test_the_initializer_shortcuts_are_flax_s():
    assert pnn.zeros is pnn.initializers.zeros and pnn.zeros_init() is pnn.zeros
    assert pnn.ones_init() is pnn.ones
