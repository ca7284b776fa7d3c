"""`comparisons.source.terminal`: two columns that fit the width, wrapped without losing a character,
coloured without changing one."""

import re

import pytest

from comparisons import source

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _columns(text: str, width: int) -> list[tuple[str, str]]:
    """The rendered rows below the header rule, split at the separator."""
    column = (width - 3) // 2
    lines = text.splitlines()
    body = lines[next(k for k, line in enumerate(lines) if "─┼─" in line) + 1 :]
    return [(line[:column].rstrip(), line[column + 3 :]) for line in body]


@pytest.mark.parametrize("width", [80, 200])
def test_terminal_view_fits_the_width(width):
    for name in ("linear_regression", "lstm", "adam"):
        text = source.render_text(name, width, numbers=True)
        assert max(map(len, text.splitlines())) <= width
        assert "\x1b" not in text
        rows = _columns(text, width)
        def_rows = [
            k
            for k, (a, b) in enumerate(rows)
            if re.match(r"\s*\d*\s*(def|class) ", a) and re.match(r"\s*\d*\s*(def|class) ", b)
        ]
        assert def_rows, name  # some definitions face each other


def test_wrap_keeps_every_character():
    line = "    return datasets.batches(load_data()['train'], batch_size, key=key, epochs=2 ** 31)  # [batch]"
    for width in (12, 20, 38):
        pieces = source.wrap(line, width)
        assert "".join(pieces) == line
        assert source.cells(pieces[0]) <= width
        assert all(source.cells(source.MARK + p) <= width for p in pieces[1:])
    assert source.wrap("short", 38) == ["short"]
    assert source.cells("漢字") == 4


def test_colour_changes_no_character():
    plain = source.render_text("lstm", 100, numbers=True)
    coloured = source.render_text("lstm", 100, color=True, numbers=True)
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == plain


def test_adam_shows_ours_and_optax():
    text = source.render_text("adam", 200)
    rows = _columns(text, 200)
    for name in ("def adam(", "def scale_by_adam(", "class ScaleByAdamState("):
        assert any(a.startswith(name) and b.startswith(name) for a, b in rows), name
    assert "# purejax.optim:adam, purejax/optim/adam.py:" in text
    assert "# purejax.optim:scale_by_adam, purejax/optim/adam.py:" in text  # alias, block and state: one file
    assert "# purejax.optim:ScaleByAdamState, purejax/optim/adam.py:" in text
    assert "# optax.adam, optax/" in text  # heading: the dotted name, the file and line in the installed optax
    assert "optax/" in text.splitlines()[1] and "purejax/optim/" in text.splitlines()[1]  # the header names both files
