"""`python -m comparisons train transfer`: its options, and a short run's table, metrics.json and curves."""

import io
import json

import pytest

from comparisons.training import transfer as command
from purejax.models import transfer


def _main(args, capsys):
    """Run `python -m comparisons train ARGS` in this process: (exit code, stderr)."""
    from comparisons.__main__ import main

    try:
        code = main(["train", *args])
    except SystemExit as exit_:  # argparse's errors
        code = exit_.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--devices", "2"], ["--processes", "2"], ["--text", "book.txt"]])
def test_transfer_runs_on_one_device_on_its_own_data(extra, capsys):
    code, err = _main(["transfer", *extra], capsys)
    assert code == 2 and "transfer runs on one device on its own data" in err, err


def test_a_short_run_writes_its_table_metrics_and_curves(tmp_path, monkeypatch):
    for name, value in (("pretrain_steps", 4), ("finetune_steps", 2)):
        monkeypatch.setitem(transfer.DEFAULTS, name, value)  # shared by both packages' modules
    stream = io.StringIO()
    code = command.run(steps=3, seed=1, out=str(tmp_path), stream=stream)
    out = stream.getvalue()
    assert code == 0, out
    words = " ".join(out.split())  # the lines wrap at the terminal's width (pytest-xdist sets COLUMNS=80)
    assert "frozen backbone bitwise unchanged (params and batch_stats): purejax yes, flaxed yes" in words
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["ok"] and metrics["seed"] == 1 and metrics["budget"]["steps"] == 3
    for side in ("purejax", "flaxed"):
        lengths = [len(metrics[side][phase]["loss"]) for phase in command.PHASES]
        assert lengths == [4, 3, 2, 3], (side, lengths)
        assert "variables" not in metrics[side]
    assert (tmp_path / "curves.png").stat().st_size > 10_000
