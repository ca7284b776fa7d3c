"""`python -m comparisons source NAME`: a purejax implementation beside its Flax/Optax/JAX counterpart.

    python -m comparisons source                     # the pairs that can be shown
    python -m comparisons source linear_regression   # purejax/models/... | flaxed/models/...
    python -m comparisons source lstm                # purejax.nn.LSTMCell | flax.linen.LSTMCell
    python -m comparisons source adam --html adam.html

Both sources are cut with `ast` into top-level blocks; blocks pair by name, so matching
definitions start on the same row. One concept per module:

    blocks      Block, Side, parse_blocks: a source cut into top-level blocks
    align       align, layout: blocks paired by name (longest in-order chain), then rows
    pairs       PAIRS, load, load_side: the names that can be shown and their two sides
    terminal    render_text, wrap, cells: two columns for a terminal, wrapped, optionally coloured
    html_page   render_html: one self-contained HTML page
    command     run: the command's output and exit codes
"""

from comparisons.source.align import Line, align, layout
from comparisons.source.blocks import Block, Side, parse_blocks
from comparisons.source.command import run
from comparisons.source.html_page import render_html
from comparisons.source.pairs import PAIRS, ROOT, UnknownName, listing, load, load_side
from comparisons.source.terminal import MARK, MIN_COLUMN, cells, render_text, wrap

__all__ = [
    "MARK",
    "MIN_COLUMN",
    "PAIRS",
    "ROOT",
    "Block",
    "Line",
    "Side",
    "UnknownName",
    "align",
    "cells",
    "layout",
    "listing",
    "load",
    "load_side",
    "parse_blocks",
    "render_html",
    "render_text",
    "run",
    "wrap",
]
