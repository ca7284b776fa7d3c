"""`run`: what `python -m comparisons source [NAME] [--html FILE]` does, with its exit codes."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from comparisons.source.html_page import render_html
from comparisons.source.pairs import UnknownName, listing
from comparisons.source.terminal import render_text


def _use_color() -> bool:
    """Colour for a terminal, with pygments installed, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and importlib.util.find_spec("pygments") is not None


def run(
    name: str | None = None,
    html: str | None = None,
    width: int | None = None,
    *,
    numbers: bool = False,
    flax: str = "linen",
) -> int:
    """Print the view of `name` (or write it as HTML to `html` and print the path); 0 on success.

    `flax="nnx"` shows a model beside its Flax NNX version (`flaxed/nnx/NAME.py`).

    No name lists the pairs. Returns 2 for an unknown name (the valid ones go to stderr), 1 when
    a side's file is missing or its library is not installed.
    """
    if name is None:
        return _print(listing())
    try:
        if html:
            Path(html).write_text(render_html(name, flax), encoding="utf-8")
            text = str(html)
        else:
            text = render_text(name, width, color=_use_color(), numbers=numbers, flax=flax)
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
