"""The main job: `python -m comparisons` prints the parity report, all rows ok, and writes JSON."""
import json
import subprocess
import sys

import pytest

from comparisons import report
from comparisons.parity.common import Row


def _run(*args, timeout=1200):
    return subprocess.run([sys.executable, "-m", "comparisons", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_report_all_rows_ok_and_json(tmp_path):
    """Two quick sections through the real command line; every section's rows are the tables its
    own tests run (tests/test_*.py), and the whole report is run by `python -m comparisons`."""
    out = tmp_path / "report.json"
    result = _run("--only", "tree", "--only", "random", "--json", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["ok"] is True and data["rows"]
    assert set(data["rows"][0]) == {"component", "counterpart", "check", "difference", "ok"}
    components = {r["component"] for r in data["rows"]}
    assert {"purejax.tree.flatten", "purejax.random.normal", "purejax.random.PRNGKey"} <= components
    assert "FAIL" not in result.stdout and "component" in result.stdout


def test_list_names_every_section():
    result = _run("list", timeout=120)
    assert result.returncode == 0
    assert "purejax.tree" in result.stdout and "purejax.random" in result.stdout


def test_unknown_section_is_refused_with_the_choices():
    result = _run("--only", "nosuch", timeout=120)
    assert result.returncode == 2 and "invalid choice" in result.stderr and "random" in result.stderr


def test_a_failing_row_fails_the_run(monkeypatch, capsys):
    monkeypatch.setattr(report, "SECTIONS", {"broken": lambda: [Row("x", "y", "z", "differs", False)]})
    assert report.main() == 1
    assert "FAIL" in capsys.readouterr().out


def test_a_crashing_section_becomes_a_failed_row(monkeypatch):
    def boom():
        raise RuntimeError("kaput")

    monkeypatch.setattr(report, "SECTIONS", {"boom": boom})
    rows = report.run_sections()
    assert len(rows) == 1 and not rows[0].ok and "kaput" in rows[0].difference


@pytest.mark.parametrize("width", [60, 200])
def test_table_fits_the_terminal(width):
    rows = [Row("purejax.random.normal", "jax.random.normal", "a long description " * 5, "bitwise", True)]
    lines = report.format_table(rows, width=width).splitlines()
    assert len(lines) == 3 and "ok" in lines[-1]


def test_models_section_rows():
    """The report's model rows on the cheapest model: init identical, a short training bitwise."""
    from comparisons.parity import models

    rows = [models._init_row("linear_regression"), models._training_row("linear_regression")]
    assert all(r.ok for r in rows), rows
    assert rows[0].difference == "identical" and rows[1].difference.startswith("bitwise")
