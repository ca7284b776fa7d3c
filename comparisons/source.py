"""`python -m comparisons source NAME`: a purejax implementation beside its Flax/Optax/JAX counterpart.

    python -m comparisons source                     # the pairs that can be shown
    python -m comparisons source linear_regression   # purejax/models/... | flaxed/models/...
    python -m comparisons source lstm                # purejax.nn.LSTMCell | flax.linen.LSTMCell
    python -m comparisons source adam --html adam.html

Alignment. Both sources are cut with `ast` into top-level blocks: the module docstring, the
imports (one block), each def or class with its decorators and the comments just above it, and
every other statement. Blocks pair by name (`def loss_fn` with `def loss_fn`, an assignment by
its target, the docstring with the docstring, the imports with the imports) in the left
source's order, and the shorter block of a pair is padded with blank rows, so matching
definitions start on the same row. A block without a partner stands opposite blank space where
it falls. Pairs that would cross (A before B on the left, B before A on the right) keep the
longest in-order chain; the others count as unmatched.

Sides. A side is a file of this repository (`"purejax/models/mlp.py"`) or a tuple of dotted
names whose sources (`inspect.getsource`: the installed library's own text) follow one another,
each under a comment naming its file and first line. `"pkg.mod.obj as name"` pairs an object
with a differently named one on the other side (JAX's `_threefry2x32_lowering` with our
`threefry2x32_words`).

Terminal. Two columns of `(width - 3) // 2` cells around ` │ `, `width` from
`shutil.get_terminal_size` unless given. Long lines wrap, preferably after a space, and their
continuation rows start with `↪ `: nothing is cut off, so the columns hold the whole source.
Colour (pygments' TerminalFormatter, dark background) only when stdout is a terminal, pygments
is installed and NO_COLOR is unset; wrapping is done on the plain text, so colour never moves
a character. HTML (`--html FILE`): one self-contained page, a table whose rows are the same
rows (the browser wraps), pygments' classes with their style sheet inlined when pygments is
installed, escaped plain text otherwise; a cell opposite an unmatched block is shaded.
"""
from __future__ import annotations

import ast
import dataclasses
import html as html_lib
import importlib.metadata
import importlib.util
import inspect
import itertools
import os
import pkgutil
import shutil
import sys
import textwrap
import unicodedata
from pathlib import Path

from purejax.models import MODELS

ROOT = Path(__file__).resolve().parents[1]  # the repository (or site-packages, when installed)
MIN_COLUMN = 12  # narrower terminals get lines longer than the terminal
MARK = "↪ "  # starts each continuation row of a wrapped line

_MODEL_NOTES = {
    "linear_regression": "Dense(1), mean squared error, SGD",
    "mlp": "multilayer perceptron classifier",
    "cnn": "convolutional classifier",
    "resnet": "residual network",
    "lstm_classifier": "LSTM sequence classifier",
    "lstm_lm": "LSTM language model",
    "vae": "variational autoencoder",
    "mdn": "mixture density network",
}

# name -> (left, right, description); a side is a repository file or a tuple of dotted names.
PAIRS: dict[str, tuple[str | tuple[str, ...], str | tuple[str, ...], str]] = {
    **{name: (f"purejax/models/{name}.py", f"flaxed/models/{name}.py",
              f"model: {_MODEL_NOTES.get(name, name)} (purejax vs Flax + Optax)") for name in MODELS},
    "lstm": (("purejax.nn.LSTMCell",), ("flax.linen.LSTMCell",), "LSTM cell: four gates, carry (c, h)"),
    "optimized_lstm": (("purejax.nn.OptimizedLSTMCell",), ("flax.linen.OptimizedLSTMCell",),
                       "LSTM cell with the four gates' matmuls fused"),
    "gru": (("purejax.nn.GRUCell",), ("flax.linen.GRUCell",), "GRU cell: reset and update gates"),
    "mgu": (("purejax.nn.MGUCell",), ("flax.linen.MGUCell",), "minimal gated unit: one forget gate"),
    "simple_cell": (("purejax.nn.SimpleCell",), ("flax.linen.SimpleCell",), "Elman cell: h = tanh(x W + h U + b)"),
    "conv_lstm": (("purejax.nn.ConvLSTMCell",), ("flax.linen.ConvLSTMCell",), "LSTM cell with convolutions"),
    "rnn": (("purejax.nn.RNN",), ("flax.linen.RNN",), "a cell scanned over time (lax.scan vs nn.scan)"),
    "bidirectional": (("purejax.nn.Bidirectional",), ("flax.linen.Bidirectional",),
                      "forward and backward RNNs, outputs merged"),
    "dense": (("purejax.nn.linear.dense_params", "purejax.nn.Dense"), ("flax.linen.Dense",),
              "x @ kernel + bias"),
    "dense_general": (("purejax.nn.DenseGeneral",), ("flax.linen.DenseGeneral",), "Dense over several axes"),
    "embed": (("purejax.nn.Embed",), ("flax.linen.Embed",), "a lookup table of vectors"),
    "conv": (("purejax.nn.Conv",), ("flax.linen.Conv",), "N-d convolution"),
    "conv_transpose": (("purejax.nn.ConvTranspose",), ("flax.linen.ConvTranspose",), "transposed convolution"),
    "layer_norm": (("purejax.nn.LayerNorm",), ("flax.linen.LayerNorm",), "normalize over the features"),
    "rms_norm": (("purejax.nn.RMSNorm",), ("flax.linen.RMSNorm",), "scale by the root mean square"),
    "group_norm": (("purejax.nn.GroupNorm",), ("flax.linen.GroupNorm",), "normalize over groups of channels"),
    "batch_norm": (("purejax.nn.BatchNorm",), ("flax.linen.BatchNorm",), "batch statistics, running averages"),
    "dropout": (("purejax.nn.Dropout",), ("flax.linen.Dropout",), "random zeros, rescaled survivors"),
    "adam": (("purejax.optim.adam", "purejax.optim.ScaleByAdamState", "purejax.optim.scale_by_adam"),
             ("optax.adam", "optax.ScaleByAdamState", "optax.scale_by_adam"), "Adam: the alias and its building block"),
    "adamw": (("purejax.optim.adamw", "purejax.optim.add_decayed_weights"),
              ("optax.adamw", "optax.add_decayed_weights"), "Adam with decoupled weight decay"),
    "sgd": (("purejax.optim.sgd", "purejax.optim.trace"), ("optax.sgd", "optax.trace"), "SGD with optional momentum"),
    "rmsprop": (("purejax.optim.rmsprop", "purejax.optim.scale_by_rms"), ("optax.rmsprop", "optax.scale_by_rms"),
                "RMSProp: divide by a running RMS"),
    "chain": (("purejax.optim.GradientTransformation", "purejax.optim.chain"),
              ("optax.GradientTransformation", "optax.chain"), "the optimizer interface and its composition"),
    "threefry": (("purejax.random.threefry._rotate_left", "purejax.random.threefry.threefry2x32_words",
                  "purejax.random.threefry_2x32"),
                 ("jax._src.random.threefry2x32._make_rotate_left as _rotate_left",
                  "jax._src.random.threefry2x32.apply_round", "jax._src.random.threefry2x32.rolled_loop_step",
                  "jax._src.random.threefry2x32._threefry2x32_lowering as threefry2x32_words",
                  "jax._src.random.threefry2x32.threefry_2x32"),
                 "the Threefry-2x32 block cipher (JAX's rounds are a primitive's lowering)"),
    "split": (("purejax.random.keys.iota_2x32", "purejax.random.split"),
              ("jax._src.random.prng.iota_2x32_shape as iota_2x32", "jax.random.split",
               "jax._src.random.core._split", "jax._src.random.threefry2x32.threefry_split",
               "jax._src.random.threefry2x32._threefry_split", "jax._src.random.threefry2x32._threefry_split_foldlike"),
              "key splitting: one function here, JAX's layers down to the cipher"),
    "tree_flatten": (("purejax.tree.flatten", "purejax.tree.treedef._flatten"),
                     ("jax.tree_util.tree_flatten as flatten",),
                     "pytree flattening (JAX's traversal itself is C++, jaxlib's pytree module)"),
}


class UnknownName(ValueError):
    """`source NAME` with a NAME that is not in `PAIRS`."""


@dataclasses.dataclass
class Block:
    """Consecutive source lines that pair as one: a def with its decorators and comments, the imports..."""

    key: str | None  # what it pairs on: a name, "<docstring>", "<imports>", "if <test>", or None
    lines: list[str]
    numbers: list[int | None]  # line numbers in the source file (None for a heading we add)
    blank_before: int = 0  # blank lines above it in the source
    lead: int = 0  # lines above its statement's keyword line (comments, decorators, our heading)


@dataclasses.dataclass
class Side:
    labels: list[str]  # the files it shows, for the header
    blocks: list[Block]


# --- cutting a source into blocks -------------------------------------------------------------

def _key(node: ast.stmt, first: bool) -> str | None:
    if first and isinstance(node, ast.Expr) and isinstance(getattr(node.value, "value", None), str):
        return "<docstring>"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "<imports>"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    if len(targets) == 1 and isinstance(targets[0], ast.Name):
        return targets[0].id
    if isinstance(node, ast.If):
        return f"if {ast.unparse(node.test)}"
    return None


def _block(key: str | None, lines: list[str], start: int, end: int, first_line: int, head: int) -> Block:
    """Lines `start:end` (0-based) without their leading and trailing blank lines; `head`: the keyword line."""
    owned = lines[start:end]
    blank = next((k for k, line in enumerate(owned) if line.strip()), len(owned))
    body = owned[blank:]
    while body and not body[-1].strip():
        body.pop()
    numbers = [first_line + start + blank + k for k in range(len(body))]
    return Block(key, body, numbers, blank, max(0, head - 1 - start - blank))


def parse_blocks(source: str, first_line: int = 1) -> list[Block]:
    """Top-level blocks of Python `source`; each owns the lines after its predecessor up to its end."""
    body = ast.parse(source).body
    lines = source.expandtabs(8).replace("\r\n", "\n").split("\n")  # (not splitlines: ast's line breaks only)
    blocks, start, i = [], 0, 0  # start: the first line (0-based) that no block owns yet
    while i < len(body):
        j = i
        if isinstance(body[i], (ast.Import, ast.ImportFrom)):  # consecutive imports: one block
            while j + 1 < len(body) and isinstance(body[j + 1], (ast.Import, ast.ImportFrom)):
                j += 1
        end = body[j].end_lineno
        if end > start:  # (a statement after `;` shares its predecessor's line and block)
            blocks.append(_block(_key(body[i], first=i == 0), lines, start, end, first_line, body[i].lineno))
            start = end
        i = j + 1
    if any(line.strip() for line in lines[start:]):  # comments after the last statement
        blocks.append(_block(None, lines, start, len(lines), first_line, len(lines)))
    return blocks


# --- loading the two sides --------------------------------------------------------------------

def _display_path(obj) -> str:
    """`optax/_src/alias.py (optax 0.2.8)`: the file relative to its top-level package's parent."""
    file = Path(inspect.getsourcefile(obj)).resolve()
    top = inspect.getmodule(obj).__name__.split(".")[0]
    top_file = getattr(sys.modules[top], "__file__", None)  # None for a namespace package
    try:
        path = file.relative_to(Path(top_file).resolve().parent.parent).as_posix() if top_file else str(file)
    except ValueError:
        path = str(file)
    try:
        return path if top == "purejax" else f"{path} ({top} {importlib.metadata.version(top)})"
    except importlib.metadata.PackageNotFoundError:
        return path


def load_side(spec: str | tuple[str, ...]) -> Side:
    """A `Side` from a repository file or from dotted names (`"optax.adam"`, `"x.y as name"`)."""
    if isinstance(spec, str):
        top = importlib.util.find_spec(spec.split("/")[0])  # purejax/..., flaxed/...: where that package is
        base = Path(top.origin).parent.parent if top is not None and top.origin else ROOT
        path = base / spec
        if not path.is_file():
            raise FileNotFoundError(f"{spec} does not exist (looked in {base}); the pair is listed in "
                                    "comparisons/source.py PAIRS but its file has not been written yet")
        return Side([spec], parse_blocks(path.read_text(encoding="utf-8")))
    labels, blocks = [], []
    for item in spec:
        dotted, _, alias = (part.strip() for part in item.partition(" as "))
        try:
            obj = inspect.unwrap(pkgutil.resolve_name(dotted))  # jax.jit's wrapper -> the Python function
            source_lines, first = inspect.getsourcelines(obj)
        except (AttributeError, OSError, TypeError) as e:  # (ModuleNotFoundError passes: a library is missing)
            raise LookupError(f"no Python source for {dotted}: {e}") from e
        label = _display_path(obj)
        labels += [label] if label not in labels else []
        new = parse_blocks(textwrap.dedent("".join(source_lines)), max(first, 1))
        for block in new:
            if alias and block.key == getattr(obj, "__name__", None):
                block.key = alias
            block.blank_before = 1 if blocks else 0
        if new:  # a heading comment: where this object comes from
            new[0].lines.insert(0, f"# {dotted}, {label.split(' (')[0]}:{first}")
            new[0].numbers.insert(0, None)
            new[0].lead += 1
        blocks += new
    return Side(labels, blocks)


def load(name: str) -> tuple[Side, Side, str]:
    """`(left, right, description)` for a name in `PAIRS`."""
    if name not in PAIRS:
        raise UnknownName(f"source: no pair named {name!r}; choose one of: {', '.join(PAIRS)}")
    left, right, description = PAIRS[name]
    return load_side(left), load_side(right), description


# --- alignment --------------------------------------------------------------------------------

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


Line = tuple[int | None, list[tuple[object, str]]]  # (line number, [(token type, text), ...])


def _lex(text: str) -> list[list[tuple[object, str]]]:
    """Pygments' Python tokens of `text`, cut into lines."""
    from pygments.lexers import PythonLexer

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
    if [("".join(t for _, t in line)) for line in tokens[:len(plain)]] != block.lines:
        tokens = plain  # the lexer changed the text (it should not): show it unhighlighted
    return list(zip(block.numbers, tokens))


def layout(left: Side, right: Side, highlight: bool = False) -> list[tuple[Line | None, Line | None]]:
    """The rows both views show: one source line (or None) per side, matching blocks on the same row."""
    rows: list[tuple[Line | None, Line | None]] = []
    for k, (a, b) in enumerate(align(left.blocks, right.blocks)):
        if k:  # keep the source's blank lines between blocks, at most two
            rows += [(None, None)] * min(2, max(x.blank_before for x in (a, b) if x is not None))
        top = max(x.lead for x in (a, b) if x is not None)  # the def (class, ...) lines on one row
        rows += list(itertools.zip_longest(*[[None] * (top - x.lead) + _lines(x, highlight) if x else []
                                             for x in (a, b)]))
    return rows


# --- terminal ---------------------------------------------------------------------------------

def cells(text: str) -> int:
    """Terminal cells `text` takes: 2 for wide characters, 0 for combining ones."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def wrap(text: str, width: int) -> list[str]:
    """`text` in pieces: the first fits `width` cells, the others `width - len(MARK)` (they get MARK)."""
    pieces, room = [], width
    while cells(text) > room:
        n = 0
        while cells(text[:n + 1]) <= room:
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
    import pygments
    from pygments.token import Token

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
    from pygments.formatters import TerminalFormatter

    return TerminalFormatter(bg="dark")


def render_text(name: str, width: int | None = None, *, color: bool = False, numbers: bool = False) -> str:
    """The side-by-side view of `name`, `width` cells wide (the terminal's by default)."""
    left, right, description = load(name)
    width = width or shutil.get_terminal_size().columns
    column = max(MIN_COLUMN, (width - 3) // 2)
    formatter = _terminal_formatter() if color else None
    gutters = [len(str(max([n for b in side.blocks for n in b.numbers if n] or [0]))) + 1 if numbers else 0
               for side in (left, right)]
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    out = textwrap.wrap(f"source {name}: {description}", max(width, MIN_COLUMN))
    heads = [[(bold(p.rstrip()), cells(p.rstrip())) for label in side.labels for p in wrap(label, column)]
             for side in (left, right)]
    body = [(_cell(a, column, gutters[0], formatter), _cell(b, column, gutters[1], formatter))
            for a, b in layout(left, right, highlight=color)]
    for k, (a, b) in enumerate([tuple(heads)] + body):
        for (sa, na), (sb, _) in itertools.zip_longest(a, b, fillvalue=("", 0)):
            out.append((sa + " " * (column - na) + " │ " + sb).rstrip())
        if k == 0:
            out.append("─" * column + "─┼─" + "─" * column)
    return "\n".join(out)


# --- HTML -------------------------------------------------------------------------------------

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
        from pygments.formatters import HtmlFormatter
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
        import pygments
        from pygments.token import Token

        code = pygments.format([(t or Token.Text, s) for t, s in tokens], formatter).rstrip("\n")
    return f'<td class="ln">{number or ""}</td><td class="code {side}">{code}</td>'


def render_html(name: str) -> str:
    """The side-by-side view of `name` as a self-contained HTML page (no scripts, no external files)."""
    left, right, description = load(name)
    formatter = _html_formatter()
    styles = _CSS + (formatter.get_style_defs("td.code") if formatter is not None else "")
    esc = html_lib.escape
    title = f"source {name}: {' + '.join(left.labels)} | {' + '.join(right.labels)}"
    rows = "\n".join(f"<tr>{_html_cells(a, b, 'left', formatter)}{_html_cells(b, a, 'right', formatter)}</tr>"
                     for a, b in layout(left, right, highlight=formatter is not None))
    heads = ['<br>'.join(esc(label) for label in side.labels) for side in (left, right)]
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


# --- command ----------------------------------------------------------------------------------

def listing() -> str:
    """One line per pair: its name and description."""
    return "\n".join(f"{name:19s} {description}" for name, (_, _, description) in PAIRS.items())


def _use_color() -> bool:
    """Colour for a terminal, with pygments installed, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and importlib.util.find_spec("pygments") is not None


def run(name: str | None = None, html: str | None = None, width: int | None = None, *,
        numbers: bool = False) -> int:
    """Print the view of `name` (or write it as HTML to `html` and print the path); 0 on success.

    No name lists the pairs. Returns 2 for an unknown name (the valid ones go to stderr), 1 when
    a side's file is missing or its library is not installed.
    """
    if name is None:
        return _print(listing())
    try:
        if html:
            Path(html).write_text(render_html(name), encoding="utf-8")
            text = str(html)
        else:
            text = render_text(name, width, color=_use_color(), numbers=numbers)
    except UnknownName as e:
        print(e, file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"source {name}: {e}", file=sys.stderr)
        return 1
    except ImportError as e:
        print(f"source {name}: {e} (Flax and Optax come with `pip install 'purejax[flax]'`)", file=sys.stderr)
        return 1
    except LookupError as e:
        print(f"source {name}: {e}", file=sys.stderr)
        return 1
    return _print(text)


def _print(text: str) -> int:
    try:
        print(text)
    except UnicodeEncodeError:  # a terminal that cannot show │ or ↪
        encoding = sys.stdout.encoding or "ascii"
        print(text.encode(encoding, "replace").decode(encoding))
    except BrokenPipeError:  # `| head` has read enough; keep the interpreter's final flush quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


__all__ = ["PAIRS", "Block", "Side", "UnknownName", "align", "layout", "load", "load_side", "parse_blocks",
           "render_html", "render_text", "run", "wrap"]
