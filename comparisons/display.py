"""What the scripts show: progress while they run, tables when they end, both drawn by `rich`.

`python -m comparisons` (the parity report), `train` and `bench` print through this module, so
their progress and tables look and behave alike:

- On a terminal, `Progress` keeps one live line at the bottom (rich.progress: what is running, a
  bar, done/total, elapsed time) and prints finished lines above it as they come.
- Piped to a file or in CI there is no live line and no colour: plain lines, written and flushed
  as they come (the report's rows; a line every tenth of a training run; each stage of the bench).
- `table` draws a table without borders, its columns fitted to the terminal's width, or to
  `FILE_WIDTH` columns (`$COLUMNS` if set) in a file.

    progress = Progress(total=3, stream=sys.stdout, plain="none")
    with progress:
        for name in ("a", "b", "c"):
            progress.update(description=name)
            progress.print(f"{name} done")          # above the live line, or a plain line
            progress.advance()
    show(console(), table(["model", "ms"], [["mlp", "1.20"]], justify=["left", "right"]))
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from rich import box
from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Column, Table

FILE_WIDTH = 200  # columns of a table written to a file or a pipe ($COLUMNS overrides)


def console(stream=None) -> Console:
    """A rich `Console` on `stream` (default: stdout): the terminal's width there, `FILE_WIDTH` elsewhere.

    Text is printed as it is: no markup (`[n, 4]` stays), no highlighting, no emoji codes.
    """
    stream = sys.stdout if stream is None else stream
    terminal = hasattr(stream, "isatty") and stream.isatty()
    width = None if terminal else int(os.environ.get("COLUMNS", FILE_WIDTH))
    return Console(file=stream, width=width, markup=False, highlight=False, emoji=False, soft_wrap=False)


def table(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    justify: Sequence[str] | None = None,
    widths: Sequence[int | None] | None = None,
    wrap: Sequence[bool] | None = None,
) -> Table:
    """A table without borders: a rule under the header, columns a space apart, no left margin.

    Args:
      header: the column names, or None for no header (rows printed one by one share `widths`).
      rows: the cells: strings, or `rich.text.Text` for a styled cell.
      justify: "left" (default), "right" or "center" per column.
      widths: a fixed width per column (None: fitted to the content). Rows printed as separate
        tables line up when every width is fixed.
      wrap: per column, whether a cell too long for its width wraps onto more lines (default: the
        last column only); the others are cut short with "…".

    Returns:
      A `rich.table.Table`, to print with `show`.
    """
    count = len(header) if header is not None else len(rows[0])
    justify = list(justify or ["left"] * count)
    widths = list(widths or [None] * count)
    wrap = list(wrap or [i == count - 1 for i in range(count)])
    columns = [
        Column(
            header[i] if header is not None else "",
            justify=justify[i],
            width=widths[i],
            no_wrap=not wrap[i],
            overflow="fold" if wrap[i] else "ellipsis",
        )
        for i in range(count)
    ]
    grid = Table(
        *columns,
        box=box.SIMPLE_HEAD if header is not None else None,
        show_header=header is not None,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        expand=False,
    )
    for row in rows:
        grid.add_row(*row)
    return grid


def show(out: Console, renderable: RenderableType) -> None:
    """Print `renderable` on `out` and flush; in a file or a pipe, without the spaces that pad table cells."""
    if out.is_terminal:
        out.print(renderable)
    else:
        with out.capture() as captured:
            out.print(renderable)
        out.file.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")
    out.file.flush()


class Progress:
    """A job's progress: a live line on a terminal, plain lines (or none) elsewhere.

    Args:
      total: how many units the job has (rows, steps, stages).
      stream: where to draw (default stderr); `print` writes there too, above the live line.
      plain: without a terminal, when to write a progress line: "none" (the printed lines are the
        progress), "each" (every `update`), or "tenths" (the first unit, every tenth of the total,
        the last, and at least every 30 s).
      description: the live line's first words (`update(description=...)` changes them).
      description_width: the columns they take, so that the bar stays put when they change
        (default: the first description's length; at most a third of the screen).
      keep: leave the finished live line on the screen (False: it disappears on `close`).
    """

    def __init__(
        self,
        total: int,
        stream=None,
        plain: str = "tenths",
        description: str = "",
        description_width: int | None = None,
        keep: bool = False,
    ):
        if plain not in ("none", "each", "tenths"):
            raise ValueError(f"Progress: plain must be 'none', 'each' or 'tenths', got {plain!r}")
        self.console = console(sys.stderr if stream is None else stream)
        self.total, self.plain, self.description, self.text = total, plain, description, ""
        self.done, self.start, self.last_line = 0, time.perf_counter(), 0.0
        self.live = None
        if self.console.is_terminal:
            # Other output (a warning, a traceback) goes above the live line, when it would reach the
            # same screen anyway; a stream sent elsewhere keeps its own way.
            same_screen = all(hasattr(f, "isatty") and f.isatty() for f in (sys.stdout, sys.stderr))
            words = min(description_width or len(description), self.console.width // 3)
            first_words = Column(width=max(1, words), no_wrap=True, overflow="ellipsis")
            self.live = RichProgress(
                TextColumn("{task.description}", table_column=first_words),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TextColumn("{task.fields[text]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=not keep,
                redirect_stdout=same_screen,
                redirect_stderr=same_screen,
            )
            self.task = self.live.add_task(description, total=total, text="")
            self.live.start()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def update(self, done: int | None = None, text: str | None = None, description: str | None = None) -> None:
        """Set how many units are done, the text after the bar, and the first words."""
        self.done = self.done if done is None else done
        self.text = self.text if text is None else text
        self.description = self.description if description is None else description
        if self.live is not None:
            self.live.update(self.task, completed=self.done, text=self.text, description=self.description)
        elif self._plain_line_due():
            self.last_line = self.elapsed
            words = " ".join(w for w in (self.description, f"{self.done}/{self.total}", self.text) if w)
            show(self.console, f"{words}  {self.elapsed:.0f}s")

    def advance(self, units: int = 1) -> None:
        self.update(self.done + units)

    def _plain_line_due(self) -> bool:
        if self.plain == "each":
            return True
        if self.plain == "none" or self.done == 0:
            return False
        tenth = max(1, self.total // 10)
        return self.done in (1, self.total) or self.done % tenth == 0 or self.elapsed - self.last_line >= 30

    def print(self, renderable: RenderableType) -> None:
        """A finished line (text or table), above the live line; flushed at once."""
        show(self.console, renderable)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
