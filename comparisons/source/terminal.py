"""The side-by-side view for a terminal: two columns, long lines wrapped, optional colour.

Two columns of `(width - 3) // 2` cells around ` │ `, `width` from `shutil.get_terminal_size`
unless given. Long lines wrap, preferably after a space, and their continuation rows start with
`↪ `: nothing is cut off, so the columns hold the whole source. Widths count terminal cells (a
wide character takes two). Colour is pygments' TerminalFormatter (dark background); wrapping is
done on the plain text, so colour never moves a character.
"""

from __future__ import annotations

import itertools
import shutil
import textwrap
import unicodedata

from comparisons.source.align import Line, layout
from comparisons.source.pairs import load

MIN_COLUMN = 12  # narrower terminals get lines longer than the terminal
MARK = "↪ "  # starts each continuation row of a wrapped line


def cells(text: str) -> int:
    """Terminal cells `text` takes: 2 for wide characters, 0 for combining ones."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """`text` in pieces: the first fits `width` cells, the others `width - len(MARK)` (they get MARK)."""
    pieces, room = [], width
    while cells(text) > room:
        n = 0
        while cells(text[: n + 1]) <= room:
            n += 1
        space = text.rfind(" ", 0, n)
        if space >= n // 2 and text[:space].strip():  # break after a space unless it is too early
            n = space + 1
        n = max(n, 1)
        pieces.append(text[:n])
        text, room = text[n:], max(width - len(MARK), 1)
    return pieces + [text]


def _split_tokens(tokens: list[tuple[object, str]], lengths: list[int]) -> list[list[tuple[object, str]]]:
    """`tokens` cut into consecutive runs of `lengths` characters."""
    out, queue = [], list(tokens)
    for length in lengths:
        run: list[tuple[object, str]] = []
        while length and queue:
            ttype, text = queue.pop(0)
            if len(text) > length:
                queue.insert(0, (ttype, text[length:]))
                text = text[:length]
            run.append((ttype, text))
            length -= len(text)
        out.append(run)
    return out


def _paint(tokens: list[tuple[object, str]], formatter) -> str:
    if formatter is None:
        return "".join(text for _, text in tokens)
    import pygments  # optional (the source extra)
    from pygments.token import Token  # optional (the source extra)

    return pygments.format([(ttype or Token.Text, text) for ttype, text in tokens], formatter)


def _cell(line: Line | None, width: int, gutter: int, formatter) -> list[tuple[str, int]]:
    """The physical rows of one source line (one blank row for None) in a column: `(string, cells)` each."""
    if line is None:
        return [("", 0)]
    number, tokens = line
    text = "".join(t for _, t in tokens)
    room = max(width - gutter, 1)
    pieces = wrap(text, room)
    out = []
    for k, run in enumerate(_split_tokens(tokens, [len(p) for p in pieces])):
        while run and not run[-1][1].rstrip():  # no trailing spaces (the one a line was broken after)
            run.pop()
        if run:
            run[-1] = (run[-1][0], run[-1][1].rstrip())
        prefix = " " * gutter if k or number is None or not gutter else f"{number:>{gutter - 1}} "
        plain = (MARK if k else "") + pieces[k].rstrip()
        painted = _paint(([(None, MARK)] if k else []) + run, formatter)
        out.append((prefix + painted, gutter + cells(plain)))
    return out


def _terminal_formatter():
    from pygments.formatters import TerminalFormatter  # optional (the source extra)

    return TerminalFormatter(bg="dark")


def render_text(
    name: str, width: int | None = None, *, color: bool = False, numbers: bool = False, flax: str = "linen"
) -> str:
    """The side-by-side view of `name`, `width` cells wide (the terminal's by default); `flax`: linen or nnx."""
    left, right, description = load(name, flax)
    width = width or shutil.get_terminal_size().columns
    column = max(MIN_COLUMN, (width - 3) // 2)
    formatter = _terminal_formatter() if color else None
    gutters = [
        len(str(max([n for b in side.blocks for n in b.numbers if n] or [0]))) + 1 if numbers else 0
        for side in (left, right)
    ]
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    out = textwrap.wrap(f"source {name}: {description}", max(width, MIN_COLUMN))
    heads = [
        [(bold(p.rstrip()), cells(p.rstrip())) for label in side.labels for p in wrap(label, column)]
        for side in (left, right)
    ]
    body = [
        (_cell(a, column, gutters[0], formatter), _cell(b, column, gutters[1], formatter))
        for a, b in layout(left, right, highlight=color)
    ]
    for k, (a, b) in enumerate([tuple(heads)] + body):
        for (sa, na), (sb, _) in itertools.zip_longest(a, b, fillvalue=("", 0)):
            out.append((sa + " " * (column - na) + " │ " + sb).rstrip())
        if k == 0:
            out.append("─" * column + "─┼─" + "─" * column)
    return "\n".join(out)
