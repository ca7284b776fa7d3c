"""`train --devices N [--parallel WAY] [--processes P]`: argument errors, N simulated devices,
P JAX processes on this machine, and a process that dies. Every run is a subprocess: the device
count is fixed when JAX starts, and the multi-process runs need processes of their own."""

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest

from comparisons.cluster import launch as distributed

ROOT = str(pathlib.Path(__file__).resolve().parents[3])  # the repository


def _train(*args, env=None, timeout=300):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PUREJAX_TEST_")}
    return subprocess.run(
        [sys.executable, "-m", "comparisons", "train", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**environ, **(env or {})},
    )


def _metrics(path) -> dict:
    return json.loads((path / "metrics.json").read_text())


@pytest.mark.parametrize(
    "args, message",
    [
        (["--devices", "0"], "--devices must be at least 1, got 0"),
        (["--processes", "0"], "--processes must be at least 1, got 0"),
        (["--devices", "3", "--processes", "2"], "--devices 3 is not divisible by --processes 2"),
        (["--parallel", "pmap"], "--parallel pmap needs --devices N"),
        (["--devices", "5"], "linear_regression's default batch size 32 is not divisible by 5 devices"),
        (["--devices", "4", "--processes", "2", "--batch-size", "6"], "--batch-size 6 is not divisible by 4 devices"),
        (["--devices", "2", "--timeout", "5"], "--timeout is for multi-process runs"),
        (["--devices", "2", "--text", "book.txt"], "--text is not supported with --devices/--processes"),
    ],
)
def test_bad_arguments_are_refused_up_front(args, message, tmp_path):
    result = _train("linear_regression", "--steps", "2", "--out", str(tmp_path), *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "[launcher]" not in result.stderr  # nothing was started
    assert not (tmp_path / "metrics.json").exists()


@pytest.mark.parametrize("way", ["sharding", "pmap"])
def test_eight_simulated_devices_agree_with_one(way, tmp_path):
    result = _train(
        "linear_regression", "--devices", "8", "--parallel", way, "--steps", "5", "--no-plot", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    metrics = _metrics(tmp_path)
    assert metrics["devices"] == 8 and metrics["processes"] == 1 and metrics["parallel"] == way
    assert metrics["ok"] is True and metrics["steps"] == 5
    assert metrics["reference"]["way"] == {"sharding": "single", "pmap": "vmap"}[way]
    for side in ("purejax", "flaxed"):
        assert len(metrics[side]["loss"]) == 5 and metrics["max_rel_diff_vs_single"][side] <= 1e-5
    assert metrics["max_rel_loss_diff"] <= 1e-4
    assert "on 8 devices" in result.stdout and "; ok" in result.stdout


@pytest.mark.parametrize("way", ["sharding", "pmap"])
def test_two_processes_agree_with_one_device(way, tmp_path):
    result = _train(
        "linear_regression",
        "--processes",
        "2",
        "--devices",
        "4",
        "--parallel",
        way,
        "--steps",
        "5",
        "--no-plot",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    metrics = _metrics(tmp_path)
    assert metrics["processes"] == 2 and metrics["devices"] == 4 and metrics["ok"] is True
    assert result.stdout.count("max relative loss difference") == 1  # process 0 alone prints the table


@pytest.mark.parametrize("dies", [1, 0])  # 0 is the coordinator
def test_a_dead_process_stops_the_run_within_bounds(dies, tmp_path):
    start = time.monotonic()
    result = _train(
        "linear_regression",
        "--processes",
        "2",
        "--devices",
        "2",
        "--steps",
        "100000",
        "--no-plot",
        "--out",
        str(tmp_path),
        env={distributed.DIE_AT_STEP: "2", distributed.DIE_PROCESS: str(dies)},
        timeout=180,
    )
    seconds = time.monotonic() - start
    assert result.returncode == 3, result.stderr[-3000:]
    assert f"FAILED: process {dies} exited with code 3 first" in result.stderr
    assert seconds < 120, seconds  # startup, 2 steps, then at most grace 5 s + SIGTERM 2 s + SIGKILL
    assert not (tmp_path / "metrics.json").exists()


def test_the_launcher_times_out(tmp_path):
    start = time.monotonic()
    result = _train(
        "linear_regression",
        "--processes",
        "2",
        "--devices",
        "2",
        "--steps",
        "10000000",
        "--no-plot",
        "--out",
        str(tmp_path),
        "--timeout",
        "3",
        timeout=180,
    )
    assert result.returncode == 124 and "timed out after 3s" in result.stderr, result.stderr[-3000:]
    assert time.monotonic() - start < 60
