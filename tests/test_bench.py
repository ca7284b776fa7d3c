"""`python -m comparisons bench`: the JSON schema, the plot, the goals table and argument errors.

Timing goals are reported by the command, never asserted here: the run is tiny (one model, a few
steps, one repeat) and only its shape is checked.
"""
import json
import subprocess
import sys

import pytest

from comparisons import bench
from purejax.models import MODELS

SIDE_KEYS = {"step_ms", "dispatch_ms", "compile_s", "trace_lower_s", "xla_compile_s", "stablehlo_ops",
             "compiled_bytes"}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    args = ["--models", "linear_regression", "--quick", "--steps", "3", "--repeats", "1",
            "--json", str(out / "bench.json"), "--plot", str(out / "ratios.png")]
    result = subprocess.run([sys.executable, "-m", "comparisons", "bench", *args], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads((out / "bench.json").read_text()), (out / "ratios.png").read_bytes()


def test_json_holds_every_figure_and_the_context(tiny_run):
    _, data, _ = tiny_run
    assert data["schema"] == bench.SCHEMA
    assert {"device", "platform", "versions", "settings", "load_average_start", "load_average_end", "memory",
            "matmul_peak_gflops", "models", "imports", "lstm", "goals", "command"} <= set(data)
    assert {"jax", "flax", "optax"} <= set(data["versions"]) and len(data["load_average_start"]) == 3
    assert data["settings"]["models"] == ["linear_regression"] and data["settings"]["steps"] == 3
    model = data["models"]["linear_regression"]
    for side in ("purejax", "flaxed"):
        assert SIDE_KEYS <= set(model[side]) and model[side]["step_ms"] > 0 and model[side]["compile_s"] > 0
    assert model["step_ratio"] == pytest.approx(model["purejax"]["step_ms"] / model["flaxed"]["step_ms"])
    assert model["compile_ratio"] == pytest.approx(model["purejax"]["compile_s"] / model["flaxed"]["compile_s"])
    if data["platform"] == "cpu":  # the CPU backend keeps no memory count: null, and the JSON says why
        assert model["peak_bytes_in_use"] is None and data["memory"]["reported"] is False
        assert "CPU" in data["memory"]["note"]
    assert set(data["imports"]["seconds"]) == {"purejax", "jax", "flax.linen"}
    variants = {row["variant"] for row in data["lstm"]["rows"]}
    assert {"purejax per-step", "flax OptimizedLSTMCell"} <= variants
    assert data["lstm"]["settings"]["batch"] == 32 and data["lstm"]["settings"]["hidden"] == 256
    assert all(row["tokens_per_s"] > 0 and 0 < row["fraction_of_best_peak"] for row in data["lstm"]["rows"])


def test_goals_are_marked_met_or_not(tiny_run):
    stdout, data, _ = tiny_run
    assert len(data["goals"]) == 5  # step and compile for the one model, import, LSTM peak, LSTM vs Flax
    assert all(isinstance(goal["met"], bool) for goal in data["goals"])
    for goal in data["goals"]:
        line = next(line for line in stdout.splitlines() if line.startswith(goal["goal"]))
        assert ("NOT MET" in line) is (not goal["met"]) and (" met " in line) is goal["met"], line
        assert goal["limit"] and goal["limit"] in line
    assert f"{sum(g['met'] for g in data['goals'])} of 5 goals met" in stdout


def test_plot_is_a_png(tiny_run):
    png = tiny_run[2]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


@pytest.mark.parametrize("args, message", [
    (["--models", "nosuch"], "unknown model 'nosuch'"),
    (["--steps", "0"], "--steps must be at least 1"),
    (["--repeats", "many"], "invalid int value"),
])
def test_bad_arguments_are_refused(args, message, capsys):
    assert bench.main(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    if "unknown model" in message:
        assert all(name in err for name in MODELS)
