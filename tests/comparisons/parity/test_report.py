"""The main job: `python -m comparisons` prints the parity report row by row, a summary, and JSON.

One test runs the whole default (quick) report through the command line, as a newcomer does; the
complete matrix (`--full`) is the per-module tests' (`tests/purejax/` runs the same tables).
"""

import io
import json
import os
import signal
import subprocess
import sys
import time
import types

import pytest

from comparisons import display
from comparisons.parity import report
from comparisons.parity.rows import TIERS, Check, Row
from comparisons.parity.sections import BACKGROUND, SECTIONS


def _run(*args, timeout=1200):
    return subprocess.run([sys.executable, "-m", "comparisons", *args], capture_output=True, text=True, timeout=timeout)


def _start(*args):
    """`python -m comparisons ARGS` with its stdout readable line by line as it is written."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "comparisons", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _first_row(process, deadline=300):
    """Read stdout until the first report row ("ok ..." or "FAIL ..."); the lines read so far."""
    lines, end = [], time.time() + deadline
    while time.time() < end:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(("ok ", "FAIL ")):
            return lines
    raise AssertionError(f"no report row within {deadline} s: {''.join(lines)[-2000:]}")


def _summary_sections(stdout: str) -> list[str]:
    """The section names of the summary table (the lines under its header, up to the blank line)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("section ") and "rows ok" in line)
    names = []
    for line in lines[start + 2 :]:  # after the header and its rule
        if not line.strip():
            break
        if not line[0].isspace():  # (a line starting with spaces continues a wrapped 'where' cell)
            names.append(line.split()[0])
    return names


def test_the_default_report_streams_its_rows_and_passes(tmp_path):
    """The main job, as a newcomer runs it: rows appear while it runs; every section; a summary; exit 0."""
    out = tmp_path / "report.json"
    process = _start("--json", str(out))
    lines = _first_row(process)
    assert process.poll() is None, "the first row came only when the run had ended"
    assert lines[0].startswith("== tree"), lines[0]  # a section header comes first
    rest, err = process.communicate(timeout=1200)
    assert process.returncode == 0, (rest + err)[-4000:]
    stdout = "".join(lines) + rest
    data = json.loads(out.read_text())
    assert data["tier"] == "quick" and data["ok"] is True and data["interrupted"] is False
    assert [s["name"] for s in data["sections"]] == list(SECTIONS)  # every section, in order
    for section in data["sections"]:
        assert section["rows"] == section["planned"] == section["ok"] > 0, section
        assert f"== {section['name']} " in stdout, section["name"]  # its header
    assert _summary_sections(stdout) == list(SECTIONS)
    assert set(data["rows"][0]) == {"component", "counterpart", "check", "difference", "ok", "ulp", "rel", "seconds"}
    assert "FAIL" not in stdout
    assert f"{len(data['rows'])} of {len(data['rows'])} rows ok" in stdout and "(quick tier)" in stdout
    assert "python -m comparisons --full" in stdout and "How parity is measured" in stdout
    assert "ran in a second process" in stdout  # the background sections are marked


def test_tiers_run_the_same_rows_from_the_same_tables():
    """Only sizes change with the tier: same sections, same rows (the data-parallel subset aside)."""
    assert TIERS == ("quick", "full")
    quick, full = report.plan(tier="quick"), report.plan(tier="full")
    assert list(quick) == list(full) == list(SECTIONS)
    for name in SECTIONS:
        ours, theirs = [c.component for c in quick[name]], [c.component for c in full[name]]
        if name == "parallel":  # a representative subset: a BatchNorm model, an LSTM model, 2 processes
            assert set(ours) < set(theirs) and len(ours) == 3
        else:
            assert ours == theirs, name
    with pytest.raises(ValueError, match="unknown tier 'fast'; the tiers are quick, full"):
        report.plan(["tree"], tier="fast")


def test_the_quick_tier_runs_fewer_settings_and_says_so():
    quick, full = report.plan(["nn-linear"], "quick"), report.plan(["nn-linear"], "full")
    dense_quick = quick["nn-linear"][0].run()
    assert dense_quick.ok and dense_quick.check.startswith("1 of 3 settings x 1 key,")
    assert full["nn-linear"][0].run().check.startswith("3 settings x 2 keys")


def test_full_runs_the_complete_tables_and_the_json_says_which_tier(tmp_path):
    out = tmp_path / "report.json"
    result = _run("--only", "tree", "--full", "--json", str(out), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["tier"] == "full" and data["ok"] is True
    assert "200 random trees" in data["rows"][0]["check"]
    assert "(full tier)" in result.stdout and "python -m comparisons --full" not in result.stdout


def test_ctrl_c_stops_after_the_current_row_and_prints_the_summary(tmp_path):
    out = tmp_path / "report.json"
    process = _start("--only", "random", "--only", "nn-activations", "--json", str(out))
    _first_row(process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stdout[-3000:] + stderr[-3000:]
    assert "stopping after the current row" in stdout and "interrupted after" in stdout
    data = json.loads(out.read_text())
    assert data["interrupted"] is True and data["ok"] is False and 0 < len(data["rows"]) < 63
    assert _summary_sections(stdout) in (["random"], ["random", "nn-activations"])  # the summary of what ran


def test_ctrl_c_also_stops_the_background_sections(tmp_path):
    """With a background section planned (`models`), Ctrl-C in a foreground row ends the second process too."""
    assert "models" in BACKGROUND
    process = _start("--only", "optim-schedules", "--only", "models")
    _first_row(process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)  # the models section alone takes longer than this
    assert process.returncode == 130, stdout[-3000:] + stderr[-3000:]
    assert _summary_sections(stdout) == ["optim-schedules"]  # the summary names only what ran


def test_list_names_every_section():
    result = _run("list", timeout=120)
    assert result.returncode == 0
    assert "purejax.tree" in result.stdout and "purejax.random" in result.stdout


def test_unknown_section_is_refused_with_the_choices():
    result = _run("--only", "nosuch", timeout=120)
    assert result.returncode == 2 and "invalid choice" in result.stderr and "random" in result.stderr


def _use_sections(monkeypatch, **checks):
    """Make the report's sections these: `name=checks(tier) -> [Check]`."""
    monkeypatch.setattr(report, "SECTIONS", {name.replace("_", "-"): "a test section" for name in checks})
    monkeypatch.setattr(report, "table", lambda name: types.SimpleNamespace(checks=checks[name.replace("-", "_")]))


def _section(*rows):
    return lambda tier="quick": [Check(r.component, lambda r=r: r) for r in rows]


def test_a_failing_row_fails_the_run(monkeypatch, capsys):
    _use_sections(monkeypatch, broken=_section(Row("x", "y", "z", "differs", False)))
    assert report.main() == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "FAILED: see the FAIL rows above" in out


def test_a_crashing_check_or_section_becomes_a_failed_row(monkeypatch, capsys):
    def boom():
        raise RuntimeError("kaput")

    def unplannable(tier="quick"):
        raise RuntimeError("no plan")

    _use_sections(monkeypatch, boom=lambda tier="quick": [Check("x", boom)], noplan=unplannable)
    assert report.main() == 1
    out = capsys.readouterr().out
    assert "RuntimeError: kaput" in out and "RuntimeError: no plan" in out


def test_the_summary_names_each_sections_worst_difference():
    sections = [
        report.Section(
            "random",
            [
                Row("purejax.random.normal", "-", "-", "max 2 ulp", True, ulp=2),
                Row("purejax.random.split", "-", "-", "bitwise", True, ulp=0),
            ],
            2,
            1.5,
        ),
        report.Section(
            "nn",
            [
                Row("purejax.nn.Dense", "-", "-", "init bitwise; ...", True, ulp=0, rel=3e-7),
                Row("purejax.nn.Conv", "-", "-", "init bitwise; ...", True, ulp=0, rel=2e-6),
            ],
            5,
            2.0,
            background=True,
        ),
        report.Section("tree", [Row("purejax.tree.map", "-", "-", "identical", True, ulp=0)], 1, 0.1),
    ]
    assert report.worst(sections[0].rows) == ("max 2 ulp", "purejax.random.normal")
    assert report.worst(sections[1].rows) == ("max rel 2.0e-06", "purejax.nn.Conv")
    assert report.worst(sections[2].rows) == ("bitwise", "")
    text = "\n".join(
        str(line) for line in report.summary(sections, "quick", 12.0, interrupted=True) if isinstance(line, str)
    )
    assert "5 of 5 rows ok in 12 s (quick tier)" in text and "interrupted after 5 of 8 rows" in text
    assert "* ran in a second process" in text
    assert "--full" in text and "--full" not in "\n".join(
        line for line in report.summary(sections, "full", 1.0, False) if isinstance(line, str)
    )


@pytest.mark.parametrize("width", [80, 200])
def test_a_row_fits_the_width(width):
    from comparisons import display

    row = Row("purejax.random.normal", "jax.random.normal", "a long description " * 10, "bitwise", True)
    out = display.console(None)
    out.width = width
    with out.capture() as captured:
        out.print(report.row_table(row, 24, width))
    lines = captured.get().splitlines()
    assert len(lines) == 1 and len(lines[0]) <= width
    assert lines[0].startswith("ok ") and "purejax.random.normal" in lines[0] and "bitwise" in lines[0]


def test_on_80_columns_the_summary_keeps_names_and_figures_whole(monkeypatch):
    """A long 'where' (a layer with its setting) wraps onto a second line; nothing else is cut short."""
    monkeypatch.setenv("COLUMNS", "80")
    long_where = "purejax.nn.MultiHeadDotProductAttention(decode=True)"
    sections = [
        report.Section("nn-recurrent-cells", [Row("purejax.nn.LSTMCell", "-", "-", "bitwise", True, ulp=0)], 1, 12.2),
        report.Section("nn-attention", [Row(long_where, "-", "-", "max rel", True, ulp=0, rel=1.1e-6)], 1, 13.0),
    ]
    stream = io.StringIO()
    out = display.console(stream)
    for line in report.summary(sections, "quick", 30.0, interrupted=False):
        if not isinstance(line, str):
            display.show(out, line)
    text = stream.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert _summary_sections(text) == ["nn-recurrent-cells", "nn-attention"]
    assert "max rel 1.1e-06" in text and "13.0" in text and "12.2" in text
