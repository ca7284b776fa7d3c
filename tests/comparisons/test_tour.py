"""`python -m comparisons docs` builds the tour's site clean: Sphinx with myst-nb, warnings as errors, chapters not run.

tests/docs/test_tour.py executes the chapters; this build checks everything else a chapter can
break (MyST syntax, the table of contents, cross-references, the theme, the source views that
conf.py writes) and that every page and embedded view is in the output.
"""

import pathlib
import re

import pytest

from comparisons import cli, tour

ROOT = pathlib.Path(__file__).resolve().parents[2]
# myst-parser and the book theme use Sphinx APIs that Sphinx 11 removes: their concern, not the tour's.
pytestmark = pytest.mark.filterwarnings("ignore:.*Check CHANGES for Sphinx API modifications")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    args = cli.docs_parser().parse_args(["--no-execute", "--out", str(out)])
    assert tour.build(args.out, execute=not args.no_execute) == 0, "sphinx-build -W failed: see the captured output"
    return out


def test_every_chapter_becomes_a_page(site):
    chapters = sorted(p.stem for p in (ROOT / "docs" / "tour").glob("[0-9][0-9]_*.md"))
    missing = [c for c in chapters if not (site / f"{c}.html").is_file()]
    assert not missing, f"no page for {missing}"
    index = (site / "index.html").read_text()
    assert all(f'href="{c}.html"' in index for c in chapters), "index.html does not link every chapter"


def test_embedded_source_views_exist(site):
    for page in site.glob("[0-9][0-9]_*.html"):
        for src in re.findall(r'<iframe src="([^"]+)"', page.read_text()):
            view = site / src
            assert view.is_file(), f"{page.name} embeds {src}, which the build did not write"
            assert "<table" in view.read_text(), f"{src} is not a side-by-side view"


def test_math_renders_offline(site):
    """The pages load MathJax from the site itself (sphinx-mathjax-offline), not from a CDN."""
    page = (site / "08_recurrence.html").read_text()
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page, flags=re.I)
    assert scripts, "08_recurrence.html loads no MathJax, so its equations show as LaTeX source"
    assert not any(s.startswith(("http:", "https:", "//")) for s in scripts), f"MathJax from the network: {scripts}"
    assert all((site / s).is_file() for s in scripts), f"MathJax script missing from the site: {scripts}"
