"""Pairing two sides' blocks by name, and the rows both views show.

Blocks pair by key (`def loss_fn` with `def loss_fn`, an assignment by its target, the docstring
with the docstring, the imports with the imports) in the left source's order, and the shorter
block of a pair is padded with blank rows, so matching definitions start on the same row. A
block without a partner stands opposite blank space where it falls. Pairs that would cross (A
before B on the left, B before A on the right) keep the longest in-order chain; the others count
as unmatched. Between blocks the source's blank lines stay, at most two.

A row is one source line per side, `(number, [(token type, text), ...])`, or None for a blank
cell; the tokens are pygments' when `highlight` is asked for, else one untyped run per line.
"""

from __future__ import annotations

import itertools

from comparisons.source.blocks import Block, Side

Line = tuple[int | None, list[tuple[object, str]]]  # (line number, [(token type, text), ...])


def _longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest sub-list of `pairs` (sorted by left index) whose right indices increase too."""
    best = [[p] for p in pairs]  # best[k]: the longest chain that ends with pairs[k]
    for k, (_, j) in enumerate(pairs):
        for m in range(k):
            if pairs[m][1] < j and len(best[m]) + 1 > len(best[k]):
                best[k] = best[m] + [pairs[k]]
    return max(best, key=len, default=[])


def align(left: list[Block], right: list[Block]) -> list[tuple[Block | None, Block | None]]:
    """Pair blocks by key in the left order; an unmatched block gets None opposite, where it falls."""
    unused: dict[str, list[int]] = {}
    for j, block in enumerate(right):
        if block.key is not None:
            unused.setdefault(block.key, []).append(j)
    pairs = [(i, unused[b.key].pop(0)) for i, b in enumerate(left) if b.key is not None and unused.get(b.key)]
    out, li, rj = [], 0, 0
    for i, j in _longest_chain(pairs) + [(len(left), len(right))]:
        out += [(b, None) for b in left[li:i]] + [(None, b) for b in right[rj:j]]
        if i < len(left):
            out.append((left[i], right[j]))
        li, rj = i + 1, j + 1
    return out


def _lex(text: str) -> list[list[tuple[object, str]]]:
    """Pygments' Python tokens of `text`, cut into lines."""
    from pygments.lexers import PythonLexer  # optional (the source extra)

    lines: list[list[tuple[object, str]]] = [[]]
    for ttype, value in PythonLexer(stripnl=False, ensurenl=False).get_tokens(text):
        for k, part in enumerate(value.split("\n")):
            if k:
                lines.append([])
            if part:
                lines[-1].append((ttype, part))
    return lines


def _lines(block: Block | None, highlight: bool) -> list[Line]:
    if block is None:
        return []
    plain = [[(None, line)] for line in block.lines]
    tokens = _lex("\n".join(block.lines)) if highlight else plain
    if [("".join(t for _, t in line)) for line in tokens[: len(plain)]] != block.lines:
        tokens = plain  # the lexer changed the text (it should not): show it unhighlighted
    return list(zip(block.numbers, tokens[: len(block.numbers)], strict=True))  # the lexer may add a last line


def layout(left: Side, right: Side, highlight: bool = False) -> list[tuple[Line | None, Line | None]]:
    """The rows both views show: one source line (or None) per side, matching blocks on the same row."""
    rows: list[tuple[Line | None, Line | None]] = []
    for k, (a, b) in enumerate(align(left.blocks, right.blocks)):
        if k:  # keep the source's blank lines between blocks, at most two
            rows += [(None, None)] * min(2, max(x.blank_before for x in (a, b) if x is not None))
        top = max(x.lead for x in (a, b) if x is not None)  # the def (class, ...) lines on one row
        rows += list(
            itertools.zip_longest(*[[None] * (top - x.lead) + _lines(x, highlight) if x else [] for x in (a, b)])
        )
    return rows
