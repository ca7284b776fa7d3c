"""`python -m comparisons docs`: the tour's static site, built with Sphinx and myst-nb.

    python -m comparisons docs                         # execute every chapter, write _build/tour/
    python -m comparisons docs --no-execute --out DIR  # the pages from their sources alone (quick)

The sources are `docs/tour/` (MyST Markdown notebooks and `conf.py`, which also writes the
side-by-side source views into the site). Warnings are errors (`sphinx-build -W`), and a chapter
whose cell raises fails the build. The same build by hand, from the repository root:

    sphinx-build -W -b html docs/tour _build/tour
"""

from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOUR = ROOT / "docs" / "tour"


def build(out: str | None = None, execute: bool = True) -> int:
    """Build the site into `out` (default `_build/tour`); the exit code of `sphinx-build`."""
    try:
        from sphinx.cmd.build import build_main  # the docs extra
    except ImportError:
        print("error: the docs command needs Sphinx and myst-nb: pip install '.[docs]'")
        return 2
    target = pathlib.Path(out) if out else ROOT / "_build" / "tour"
    mode = "force" if execute else "off"
    options = ["-W", "--keep-going", "-q", "-b", "html", "-D", f"nb_execution_mode={mode}"]
    code = build_main([*options, str(TOUR), str(target)])
    if code == 0:
        print(f"wrote {target / 'index.html'}")
    return code
