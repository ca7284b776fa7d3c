"""`comparisons.display`: plain lines in files and pipes, a live line on a terminal, tables that line up."""

import io
import os
import pty
import select
import time

import pytest

from comparisons import display


class Log(io.StringIO):
    """A file that is not a terminal."""

    def isatty(self):
        return False


@pytest.mark.parametrize(
    "plain, expected",
    [
        ("none", []),
        ("each", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]),
        ("tenths", [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]),  # the first, every tenth (2 units), the last
    ],
)
def test_progress_in_a_file_writes_plain_lines(plain, expected):
    log = Log()
    with display.Progress(20, stream=log, plain=plain, description="train mlp") as progress:
        assert progress.live is None  # no live line without a terminal
        for step in range(20):
            progress.update(step + 1, f"loss {1 / (step + 1):.3f}")
    lines = log.getvalue().splitlines()
    assert [int(line.split()[2].split("/")[0]) for line in lines] == expected
    assert all(line.startswith("train mlp ") and "/20 loss " in line and line.endswith("s") for line in lines)


def test_progress_print_writes_each_line_at_once_without_padding():
    log = Log()
    progress = display.Progress(2, stream=log, plain="none")
    progress.print(display.table(None, [["ok", "purejax.tree.map"]], widths=[4, 30]))
    assert log.getvalue() == "ok   purejax.tree.map\n"  # written before close, no trailing spaces
    progress.close()


def _read_all(fd) -> str:
    chunks = []
    while select.select([fd], [], [], 0.5)[0]:
        chunks.append(os.read(fd, 65536))
    return b"".join(chunks).decode(errors="replace")


def test_progress_on_a_terminal_is_a_live_line():
    main, secondary = pty.openpty()
    with os.fdopen(secondary, "w") as terminal:
        progress = display.Progress(10, stream=terminal, description="nn-linear: purejax.nn.Dense")
        assert progress.live is not None
        progress.update(3, "text after the bar")
        progress.print("a finished row")
        time.sleep(0.5)  # the live line redraws itself ten times a second
        progress.close()
        terminal.flush()
        shown = _read_all(main)
    os.close(main)
    assert "a finished row" in shown and "3/10" in shown and "text after the bar" in shown


def test_bad_plain_mode_is_refused():
    with pytest.raises(ValueError, match="plain must be 'none', 'each' or 'tenths', got 'some'"):
        display.Progress(3, stream=Log(), plain="some")


def test_rows_printed_one_by_one_line_up():
    out = display.console(Log())
    widths = [4, 12, 10]
    lines = []
    for cells in (["ok", "tree.map", "bitwise"], ["FAIL", "random.normal_long_name", "max 3 ulp"]):
        with out.capture() as captured:
            out.print(display.table(None, [cells], widths=widths))
        lines.append(captured.get().rstrip("\n"))
    assert [line.index(word) for line, word in zip(lines, ("bitwise", "max"), strict=True)] == [18, 18]
    assert "random.norm…" in lines[1]  # cut short, not wrapped: the last column alone wraps by default


def test_a_table_has_a_header_rule_and_no_left_margin():
    log = Log()
    display.show(
        display.console(log),
        display.table(["model", "ms"], [["mlp", "1.20"], ["cnn", "12.50"]], justify=["left", "right"]),
    )
    lines = log.getvalue().splitlines()
    assert lines == ["model     ms", "────────────", "mlp     1.20", "cnn    12.50"]


def test_a_file_is_as_wide_as_columns_says(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert display.console(Log()).width == display.FILE_WIDTH
    monkeypatch.setenv("COLUMNS", "99")
    assert display.console(Log()).width == 99
