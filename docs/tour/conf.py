"""Sphinx configuration of the tour's site: MyST notebooks (myst-nb) in the book theme.

Build it with `python -m comparisons docs` (executes every chapter; `--no-execute` for a quick
build) or `sphinx-build -W -b html docs/tour _build/tour` from the repository root. The
side-by-side source views (`python -m comparisons source NAME --html FILE`) are written into the
site's `source/` folder as the build starts; chapters embed them.
"""

import contextlib
import io
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's purejax and comparisons, not an installed copy
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # the kernels'

project = "purejax: a tour"
author = "the purejax authors"
copyright = "the purejax authors, Apache-2.0"
extensions = ["myst_nb", "sphinx-mathjax-offline"]  # MathJax shipped with the site: the math renders offline
exclude_patterns = ["_build", "README.md"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 2

nb_execution_mode = "force"  # `-D nb_execution_mode=off` builds from the sources alone
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

html_theme = "sphinx_book_theme"
html_title = "purejax: a tour"
html_theme_options = {
    "repository_url": "https://github.com/purejax/purejax",
    "path_to_docs": "docs/tour",
    "use_repository_button": False,
    "show_toc_level": 2,
}
html_static_path = ["_static"]
html_css_files = ["tour.css"]  # a wider column: the chapters' code is up to 120 characters wide

SOURCE_VIEWS = ("tree_flatten", "threefry", "dense", "adam", "batch_norm", "rnn", "lstm_lm")  # the chapters' iframes


def _write_source_views(app):
    """Each pair in SOURCE_VIEWS as `source/NAME.html` in the site (`source NAME --html FILE`)."""
    from comparisons import source  # the build's own checkout (sys.path above)

    folder = pathlib.Path(app.outdir) / "source"
    folder.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_VIEWS:
        with contextlib.redirect_stdout(io.StringIO()):
            code = source.run(name, html=str(folder / f"{name}.html"))
        if code != 0:
            raise RuntimeError(f"python -m comparisons source {name} --html exited with {code}")


def setup(app):
    app.connect("builder-inited", _write_source_views)
