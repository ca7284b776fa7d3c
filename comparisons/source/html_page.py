"""The side-by-side view as one self-contained HTML page (`source NAME --html FILE`).

A table whose rows are the terminal view's rows (the browser wraps long lines): a line-number
cell and a code cell per side. The code is pygments' HTML with its class names and its style
sheet inlined when pygments is installed, escaped plain text otherwise; a cell opposite an
unmatched block is shaded. No scripts and no external files.
"""

from __future__ import annotations

import html as html_lib

from comparisons.source.align import Line, layout
from comparisons.source.pairs import load

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .2em; }
p.note { margin: 0 0 1em; color: #555; }
table.source { border-collapse: collapse; table-layout: fixed; width: 100%; }
table.source th { text-align: left; font-family: ui-monospace, monospace; font-size: .85em;
                  padding: .4em .5em; border-bottom: 2px solid #999; vertical-align: bottom; }
table.source col.ln { width: 3.5em; }
table.source td { vertical-align: top; padding: 0 .5em; font-family: ui-monospace, monospace;
                  font-size: .85em; line-height: 1.35; }
td.ln { color: #999; text-align: right; user-select: none; }
td.code { white-space: pre-wrap; overflow-wrap: anywhere; }
td.right, th.right { border-left: 1px solid #bbb; }
td.none { background: repeating-linear-gradient(45deg, #f4f4f4, #f4f4f4 4px, #ececec 4px, #ececec 8px); }
"""


def _html_formatter():
    """Pygments' HtmlFormatter (classes, no wrapping) or None when pygments is missing."""
    try:
        from pygments.formatters import HtmlFormatter  # optional (the source extra)
    except ImportError:
        return None
    return HtmlFormatter(nowrap=True)


def _html_cells(line: Line | None, other: Line | None, side: str, formatter) -> str:
    if line is None:
        shade = " none" if other is not None else ""
        return f'<td class="ln{shade}"></td><td class="code {side}{shade}"></td>'
    number, tokens = line
    if formatter is None:
        code = html_lib.escape("".join(t for _, t in tokens))
    else:
        import pygments  # optional (the source extra)
        from pygments.token import Token  # optional (the source extra)

        code = pygments.format([(t or Token.Text, s) for t, s in tokens], formatter).rstrip("\n")
    return f'<td class="ln">{number or ""}</td><td class="code {side}">{code}</td>'


def render_html(name: str, flax: str = "linen") -> str:
    """The side-by-side view of `name` as a self-contained HTML page (no scripts, no external files)."""
    left, right, description = load(name, flax)
    formatter = _html_formatter()
    styles = _CSS + (formatter.get_style_defs("td.code") if formatter is not None else "")
    esc = html_lib.escape
    title = f"source {name}: {' + '.join(left.labels)} | {' + '.join(right.labels)}"
    rows = "\n".join(
        f"<tr>{_html_cells(a, b, 'left', formatter)}{_html_cells(b, a, 'right', formatter)}</tr>"
        for a, b in layout(left, right, highlight=formatter is not None)
    )
    heads = ["<br>".join(esc(label) for label in side.labels) for side in (left, right)]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<style>{styles}</style>
</head>
<body>
<h1>source {esc(name)}</h1>
<p class="note">{esc(description)}</p>
<table class="source">
<colgroup><col class="ln"><col><col class="ln"><col></colgroup>
<thead><tr><th colspan="2" class="left">{heads[0]}</th><th colspan="2" class="right">{heads[1]}</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""
