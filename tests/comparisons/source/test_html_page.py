"""`comparisons.source.html_page`: one self-contained, well-formed HTML page, with or without pygments."""

import builtins
import html.parser

from comparisons import source


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
