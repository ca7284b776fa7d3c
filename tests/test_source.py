"""`python -m comparisons source NAME`: alignment by definition, width, HTML, errors (comparisons/source/)."""
import builtins
import html.parser
import re

import pytest

from comparisons import source

ANSI = re.compile(r"\x1b\[[0-9;]*m")

LEFT = '''"""Ours: a short docstring."""
import jax.numpy as jnp


def helper(x):
    return x + 1


# the loss
def loss_fn(params, batch):
    return jnp.mean((params * batch - 1) ** 2)


class Model:
    features: int = 3
'''

RIGHT = '''"""Theirs.

A docstring three lines longer,
which pushes everything below it down.
"""
import flax.linen as nn
import jax.numpy as jnp
import optax


@jax.jit
def loss_fn(params, batch):
    """Same name, a longer body."""
    y = params * batch
    return optax.squared_error(y, 1.0).mean()


def only_theirs():
    pass


class Model(nn.Module):
    features: int = 3
'''


def _starts(rows, side: int, prefix: str) -> int:
    """The row index where `side`'s text starts with `prefix`."""
    hits = [k for k, row in enumerate(rows)
            if row[side] is not None and "".join(t for _, t in row[side][1]).startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


def _columns(text: str, width: int) -> list[tuple[str, str]]:
    """The rendered rows below the header rule, split at the separator."""
    column = (width - 3) // 2
    lines = text.splitlines()
    body = lines[next(k for k, line in enumerate(lines) if "─┼─" in line) + 1:]
    return [(line[:column].rstrip(), line[column + 3:]) for line in body]


def test_parse_blocks_keys_and_leads():
    blocks = source.parse_blocks(LEFT)
    assert [b.key for b in blocks] == ["<docstring>", "<imports>", "helper", "loss_fn", "Model"]
    loss = blocks[3]
    assert loss.lines[0] == "# the loss" and loss.lead == 1 and loss.blank_before == 2
    assert loss.numbers[0] == 9  # 1-based line numbers of the file
    decorated = source.parse_blocks(RIGHT)[2]
    assert decorated.key == "loss_fn" and decorated.lines[:2] == ["@jax.jit", "def loss_fn(params, batch):"]


def test_align_pairs_same_names_on_the_same_row():
    left = source.Side(["ours.py"], source.parse_blocks(LEFT))
    right = source.Side(["theirs.py"], source.parse_blocks(RIGHT))
    pairs = source.align(left.blocks, right.blocks)
    keys = [(a and a.key, b and b.key) for a, b in pairs]
    assert keys == [("<docstring>", "<docstring>"), ("<imports>", "<imports>"), ("helper", None),
                    ("loss_fn", "loss_fn"), (None, "only_theirs"), ("Model", "Model")]
    rows = source.layout(left, right)
    for left_text, right_text in [("def loss_fn", "def loss_fn"), ("class Model", "class Model"),
                                  ("import jax", "import flax")]:
        assert _starts(rows, 0, left_text) == _starts(rows, 1, right_text)
    helper = _starts(rows, 0, "def helper")
    assert rows[helper][1] is None  # an unmatched block faces blank space
    only = _starts(rows, 1, "def only_theirs")
    assert rows[only][0] is None


def test_crossing_names_keep_the_longest_in_order_chain():
    left = source.parse_blocks("def a(): pass\ndef b(): pass\ndef c(): pass\n")
    right = source.parse_blocks("def c(): pass\ndef a(): pass\ndef b(): pass\n")
    keys = [(a and a.key, b and b.key) for a, b in source.align(left, right)]
    assert keys == [(None, "c"), ("a", "a"), ("b", "b"), ("c", None)]


def test_linear_regression_definitions_start_on_the_same_row():
    left, right, _ = source.load("linear_regression")
    rows = source.layout(left, right)
    for name in ("build", "init", "predict", "loss_fn", "optimizer"):
        assert _starts(rows, 0, f"def {name}(") == _starts(rows, 1, f"def {name}(")
    assert _starts(rows, 0, "__all__") == _starts(rows, 1, "__all__")
    assert _starts(rows, 0, "load_data = linear.") == _starts(rows, 1, "load_data = linear.")  # the task, bound twice
    shared = _starts(rows, 0, "def check_batch(")  # defined here, imported by flaxed: blank opposite
    assert rows[shared][1] is None


@pytest.mark.parametrize("width", [80, 200])
def test_terminal_view_fits_the_width(width):
    for name in ("linear_regression", "lstm", "adam"):
        text = source.render_text(name, width, numbers=True)
        assert max(map(len, text.splitlines())) <= width
        assert "\x1b" not in text
        rows = _columns(text, width)
        def_rows = [k for k, (a, b) in enumerate(rows) if re.match(r"\s*\d*\s*(def|class) ", a)
                    and re.match(r"\s*\d*\s*(def|class) ", b)]
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


def test_alias_pairs_differently_named_objects():
    rows = source.layout(*source.load("threefry")[:2])
    assert _starts(rows, 0, "def threefry2x32_words(") == _starts(rows, 1, "def _threefry2x32_lowering(")
    assert _starts(rows, 0, "def threefry_2x32(") == _starts(rows, 1, "def threefry_2x32(")


class _Checker(html.parser.HTMLParser):
    """Records tags and fails on an end tag that does not close the innermost open element."""

    VOID = {"meta", "br", "col", "link", "img", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _check_page(page: str, name: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert not checker.errors and not checker.stack
    assert page.startswith("<!DOCTYPE html>")
    assert not any(tag in ("script", "link", "img", "iframe") for tag, _ in checker.tags)  # self-contained
    assert "http://" not in page.split("<body>")[0] and "https://" not in page.split("<body>")[0]
    rows = page.split("<tbody>")[1].split("</tbody>")[0].strip().splitlines()
    assert rows and all(row.count('<td class="code') == 2 for row in rows)  # two columns, every row
    left, right, _ = source.load(name)
    title = page.split("<title>")[1].split("</title>")[0]
    for label in left.labels + right.labels:
        assert label.split(" (")[0] in title
    return checker


def test_html_page():
    page = source.render_html("linear_regression")
    _check_page(page, "linear_regression")
    assert "purejax/models/linear_regression.py" in page and "flaxed/models/linear_regression.py" in page
    assert '<span class="k">def</span>' in page  # pygments' classes, styled by the inlined sheet
    rows = page.split("<tbody>")[1].splitlines()
    loss_rows = [row for row in rows if '<span class="nf">loss_fn</span>' in row]
    assert len(loss_rows) == 1 and loss_rows[0].count("loss_fn") == 2  # both defs on one row


def test_html_without_pygments(monkeypatch):
    real_import = builtins.__import__

    def no_pygments(name, *args, **kwargs):
        if name == "pygments" or name.startswith("pygments."):
            raise ImportError(f"No module named {name!r} (hidden by the test)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pygments)
    page = source.render_html("adam")
    _check_page(page, "adam")
    assert "<span" not in page
    assert "def adam(" in page and "def scale_by_adam(" in page
    assert source.run("adam", width=90) == 0  # the terminal view needs no pygments either


def test_run_writes_html(tmp_path, capsys):
    path = tmp_path / "lstm.html"
    assert source.run("lstm", html=str(path)) == 0
    assert capsys.readouterr().out.strip() == str(path)
    assert "flax/linen/recurrent.py" in path.read_text(encoding="utf-8")


def test_run_prints_plain_text_when_piped(capsys):
    assert source.run("dense", width=100) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "class Dense(" in out and max(map(len, out.splitlines())) <= 100


def test_unknown_name_lists_the_valid_ones(capsys):
    assert source.run("adamm") == 2
    err = capsys.readouterr().err
    for name in ("linear_regression", "lstm", "adam", "threefry"):
        assert name in err
    with pytest.raises(source.UnknownName, match="choose one of: .*linear_regression"):
        source.render_html("adamm")


def test_missing_file_and_missing_object(monkeypatch, capsys):
    monkeypatch.setitem(source.PAIRS, "ghost", ("purejax/models/ghost.py", "flaxed/models/ghost.py", "not yet"))
    monkeypatch.setitem(source.PAIRS, "typo", (("purejax.nn.Dense",), ("flax.linen.Dens",), "a typo"))
    assert source.run("ghost") == 1
    assert "purejax/models/ghost.py does not exist" in capsys.readouterr().err
    assert source.run("typo") == 1
    assert "flax.linen.Dens" in capsys.readouterr().err


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
    assert any(a is not None and b is not None and a.key not in ("<docstring>", "<imports>")
               for a, b in pairs), f"{name}: no definition pairs with one on the other side"
