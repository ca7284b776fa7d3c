"""`python -m comparisons bench`: the JSON schema, the plot and the goals table.

Timing goals are reported by the command, never asserted here: the run is tiny (one model, a few
steps, one repeat) and only its shape is checked. The command's argument errors are in
`tests/comparisons/test_cli.py`; the LSTM programs' comparison in `test_lstm.py`.
"""

import json
import os
import subprocess
import sys

import pytest

from comparisons.bench import command as bench

SIDE_KEYS = {
    "step_ms",
    "dispatch_ms",
    "compile_s",
    "trace_s",
    "lower_s",
    "trace_lower_s",
    "xla_compile_s",
    "stablehlo_ops",
    "compiled_bytes",
    "step_donated_ms",
    "donation_ratio",
}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    args = [
        "--models",
        "linear_regression",
        "--quick",
        "--steps",
        "3",
        "--repeats",
        "1",
        "--json",
        str(out / "bench.json"),
        "--plot",
        str(out / "ratios.png"),
    ]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # pytest-xdist sets 80: tables as in a file
    result = subprocess.run(
        [sys.executable, "-m", "comparisons", "bench", *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads((out / "bench.json").read_text()), (out / "ratios.png").read_bytes()


def test_json_holds_every_figure_and_the_context(tiny_run):
    _, data, _ = tiny_run
    assert data["schema"] == bench.SCHEMA
    assert {
        "device",
        "platform",
        "versions",
        "settings",
        "load_average_start",
        "load_average_end",
        "memory",
        "matmul_peak_gflops",
        "models",
        "imports",
        "lstm",
        "goals",
        "command",
    } <= set(data)
    assert {"jax", "flax", "optax"} <= set(data["versions"]) and len(data["load_average_start"]) == 3
    assert data["settings"]["models"] == ["linear_regression"] and data["settings"]["steps"] == 3
    model = data["models"]["linear_regression"]
    for side in ("purejax", "flaxed"):
        assert SIDE_KEYS <= set(model[side]) and model[side]["step_ms"] > 0 and model[side]["compile_s"] > 0
    assert model["step_ratio"] == pytest.approx(model["purejax"]["step_ms"] / model["flaxed"]["step_ms"])
    assert model["compile_ratio"] == pytest.approx(model["purejax"]["compile_s"] / model["flaxed"]["compile_s"])
    assert model["trace_ratio"] == pytest.approx(model["purejax"]["trace_s"] / model["flaxed"]["trace_s"])
    tracing = next(g for g in data["goals"] if g["goal"].startswith("tracing"))
    assert tracing["value"] == model["trace_ratio"]  # the goal is Python tracing alone, not lowering
    for side in ("purejax", "flaxed"):
        assert model[side]["donation_ratio"] == pytest.approx(model[side]["step_donated_ms"] / model[side]["step_ms"])
    assert isinstance(model["same_program"], bool)
    if data["platform"] == "cpu":  # the CPU backend keeps no memory count: null, and the JSON says why
        assert model["peak_bytes_in_use"] is None and data["memory"]["reported"] is False
        assert "CPU" in data["memory"]["note"]
    assert set(data["imports"]["seconds"]) == {"purejax", "jax", "flax.linen"}
    import_goal = next(g for g in data["goals"] if g["goal"].startswith("import purejax"))
    assert import_goal["value"] == data["imports"]["purejax_minus_jax_s"]
    variants = {row["variant"] for row in data["lstm"]["rows"]}
    assert {"purejax per-step", "flax OptimizedLSTMCell", "products only"} <= variants
    assert set(data["lstm"]["same_program_as_flax"]) == {"purejax per-step", "purejax fused"}
    assert data["lstm"]["settings"]["batch"] == 32 and data["lstm"]["settings"]["hidden"] == 256
    assert all(row["tokens_per_s"] > 0 and 0 < row["fraction_of_best_peak"] for row in data["lstm"]["rows"])


def test_goals_are_marked_met_not_met_or_within_noise(tiny_run):
    stdout, data, _ = tiny_run
    names = [goal["goal"] for goal in data["goals"]]
    assert [n.split(" linear_regression")[0] for n in names[:4]] == [
        "train step",
        "first call",
        "tracing",
        "XLA memory",
    ]
    assert len(names) == 7 and not any(n.startswith("compile") for n in names)  # + import, LSTM ceiling, LSTM vs Flax
    for goal in data["goals"]:
        assert goal["status"] in {"met", "NOT MET", "within noise"} and goal["met"] is (goal["status"] == "met")
        line = next(line for line in stdout.splitlines() if line.startswith(goal["goal"]))
        assert f" {goal['status']} " in line and goal["limit"] and goal["limit"] in line, line
    step = data["goals"][0]
    model = data["models"]["linear_regression"]
    assert step["noise"] == model["step_ratio_iqr"] and step["value"] == model["step_ratio"]
    assert data["goals"][1]["noise"] == model["compile_ratio_iqr"]  # the first call's, over the compile turns
    met = sum(g["status"] == "met" for g in data["goals"])
    noise = sum(g["status"] == "within noise" for g in data["goals"])
    assert f"{met} of 7 goals met, {noise} within noise" in stdout


def test_cpu_programs_are_flaxs_where_the_doc_says_so(tiny_run):
    """docs/benchmarks.md reads the step and LSTM ratios as equal programs on CPU: the run checks it."""
    _, data, _ = tiny_run
    if data["platform"] != "cpu":
        pytest.skip(f"measured and documented on CPU only; this backend is {data['platform']}")
    assert data["models"]["linear_regression"]["same_program"] is True
    assert data["lstm"]["same_program_as_flax"] == {"purejax per-step": True, "purejax fused": False}


def test_donation_is_reported(tiny_run):
    stdout = tiny_run[0]
    line = next(line for line in stdout.splitlines() if line.startswith("linear_regression ") and "->" in line)
    assert "purejax" in line and "flaxed" in line


def test_plot_is_a_png(tiny_run):
    png = tiny_run[2]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_sampling_speed_with_and_without_the_attention_cache():
    """transformer_lm's sampler is timed both ways on both sides; a model without a cache has no row."""
    from comparisons.bench import models as bench_models

    got = bench_models.sampling_speed("transformer_lm", repeats=1)
    assert got is not None and got["length"] == 28  # the 32-byte context after b"def "
    for side in ("purejax", "flaxed"):
        speeds = got[side]
        assert speeds["cached_tokens_per_s"] > 0 and speeds["uncached_tokens_per_s"] > 0
        assert speeds["cache_speedup"] == pytest.approx(speeds["cached_tokens_per_s"] / speeds["uncached_tokens_per_s"])
    assert bench_models.sampling_speed("lstm_lm", repeats=1) is None
    assert bench_models.sampling_speed("mlp", repeats=1) is None


def test_flax_nnx_times_the_nnx_side():
    """`bench --flax nnx`: the flaxed side is NNX's, its own nnx.jit loop timed too, the same program compiled."""
    from comparisons.bench import models as bench_models

    got = bench_models.time_model("linear_regression", steps=2, warmup=1, compile_repeats=1, flax="nnx")
    assert got["flax"] == "nnx" and got["flaxed"]["nnx_step_ms"] > 0 and got["same_program"]
