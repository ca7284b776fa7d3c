"""`python -m comparisons train`: argument errors, a short run's files, and Ctrl-C."""

import json
import signal
import subprocess
import sys
import time

import pytest

from comparisons.training import command as train
from purejax.models import MODELS


def _cli(*args, timeout=600, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "comparisons", "train", *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def _main(args, capsys):
    """Run `python -m comparisons train ARGS` in this process: (exit code, stderr)."""
    from comparisons.__main__ import main

    try:
        code = main(["train", *args])
    except SystemExit as exit_:  # argparse's errors
        code = exit_.code
    return code, capsys.readouterr().err


def test_unknown_model_lists_the_models(capsys):
    code, err = _main(["nosuch"], capsys)
    assert code == 2
    assert "unknown model 'nosuch'" in err and all(name in err for name in MODELS)


@pytest.mark.parametrize(
    "args, message",
    [
        (["linear_regression", "--steps", "zero"], "invalid int value"),
        (["linear_regression", "--text", "book.txt"], "--text is for lstm_lm and transformer_lm only"),
        (["lstm_lm", "--text", "/no/such/file.txt"], "no such file"),
        (["linear_regression", "--steps", "0"], "--steps must be at least 1"),
        (["linear_regression", "--logdir", "logs", "--devices", "2"], "--logdir is for one-device runs"),
        (["linear_regression", "--profile", "trace", "--processes", "2"], "--profile is for one-device runs"),
    ],
)
def test_bad_arguments_are_refused(args, message, tmp_path, capsys):
    code, err = _main([*args, "--out", str(tmp_path)], capsys)
    assert code == 2 and message in err, err


def test_a_short_run_writes_metrics_and_curves(tmp_path):
    result = _cli("linear_regression", "--steps", "5", "--seed", "3", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert {"model", "steps", "seed", "purejax", "flaxed", "max_rel_loss_diff", "ok"} <= set(metrics)
    assert metrics["model"] == "linear_regression" and metrics["steps"] == 5 and metrics["seed"] == 3
    assert metrics["ok"] is True and metrics["max_rel_loss_diff"] <= 1e-4
    for side in ("purejax", "flaxed"):
        assert len(metrics[side]["loss"]) == 5 and metrics[side]["seconds"] > 0 and "loss" in metrics[side]["eval"]
    png = (tmp_path / "curves.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert "max relative loss difference over 5 steps" in result.stdout


def test_no_plot_writes_json_only(tmp_path):
    assert train.run("linear_regression", steps=2, out=str(tmp_path), plot=False) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_disagreement_gives_a_nonzero_exit(tmp_path, monkeypatch):
    from comparisons.training import pair

    monkeypatch.setattr(pair, "TRAINING_RTOL", -1.0)  # nothing can be within a negative tolerance
    assert train.run("linear_regression", steps=2, out=str(tmp_path), plot=False) == 1
    assert json.loads((tmp_path / "metrics.json").read_text())["ok"] is False


def test_ctrl_c_stops_cleanly_and_writes_what_it_has(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "comparisons",
            "train",
            "linear_regression",
            "--steps",
            "1000000",
            "--out",
            str(tmp_path),
            "--no-plot",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 300
    while time.time() < deadline:  # wait for the first progress line: training has begun
        line = process.stderr.readline()
        if "purejax" in line:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stdout + stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["interrupted"] is True and 0 < metrics["steps"] < 1_000_000
    assert "interrupted after" in stdout


@pytest.mark.parametrize("flax, keys", [("nnx", ["flaxed"]), ("both", ["flaxed", "flax_nnx"])])
def test_flax_nnx_and_both_keep_the_schema(flax, keys, tmp_path):
    """`--flax nnx`: NNX under "flaxed"; `--flax both`: linen there and NNX under "flax_nnx"."""
    assert train.run("linear_regression", steps=2, out=str(tmp_path), plot=False, flax=flax) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["flax"] == flax and metrics["sides"] == keys and metrics["ok"] is True
    apis = {"flaxed": "nnx" if flax == "nnx" else "linen", "flax_nnx": "nnx"}
    for side in keys:
        assert metrics[side]["api"] == apis[side] and len(metrics[side]["loss"]) == 2
        assert metrics[side]["loss"] == metrics["purejax"]["loss"]  # linear regression: the same bits
        assert "mse" in metrics[side]["eval"]


def test_flax_nnx_is_refused_with_devices(capsys):
    code, err = _main(["mlp", "--flax", "nnx", "--devices", "2"], capsys)
    assert code == 2 and "--flax nnx is for one device" in err
