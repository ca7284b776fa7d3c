"""`python -m comparisons bench`: how fast purejax is beside Flax + Optax, on this device.

    python -m comparisons bench [--models M ...] [--quick] [--json FILE] [--plot FILE]
    python -m comparisons bench --sweep [--quick | --tiny] [--models M ...] [--json FILE] [--plot FILE]

For every model: the train-step time and compile time of both packages and their ratios
(purejax / flaxed; below 1 means purejax is faster), peak memory where the backend counts it,
and for a model with an attention cache the tokens/s of sampling with and without it;
then the import times of `purejax`, `jax` and `flax.linen`, and the LSTM workload of
`comparisons/bench/lstm.py` against the matmul peak measured at the start on the same device.
The table ends with the goals (`GOALS`, from `comparisons/bench/goals.py`), each marked met, not met
or within noise; they are reported, never asserted (a benchmark on a shared machine is a
measurement, not a test). `--sweep` runs `comparisons/bench/sweep.py` instead: the same sides at
three or more sizes per model, with XLA's memory analysis and the first call taken apart.
"""

from __future__ import annotations

import json
import os
import platform as platform_
import time

import flax
import jax
import jaxlib
import numpy as np
import optax
from rich.console import Group

from comparisons import display
from comparisons.bench import goals as bench_goals
from comparisons.bench import lstm as bench_lstm
from comparisons.bench import models as bench_models
from comparisons.bench import sweep as bench_sweep
from comparisons.bench.chart import bench_ratios
from purejax.nn.recurrent_lstm_fused import FUSED_BY_PLATFORM

FULL = {
    "steps": 200,
    "warmup": 20,
    "compile_repeats": 3,
    "import_repeats": 15,
    "lstm_repeats": 40,
    "lstm_unrolls": [1, 8],
    "matmul_repeats": 10,
    "sample_repeats": 20,
}
QUICK = {
    "steps": 50,
    "warmup": 5,
    "compile_repeats": 1,
    "import_repeats": 7,
    "lstm_repeats": 5,
    "lstm_unrolls": [1],
    "matmul_repeats": 5,
    "sample_repeats": 5,
}
GOALS = bench_goals.TARGETS
SCHEMA = "purejax-bench/1"


def settings_for(args) -> dict:
    s = dict(QUICK if args.quick else FULL, models=args.models, quick=args.quick, flax=getattr(args, "flax", "linen"))
    if args.steps is not None:
        s["steps"], s["warmup"] = args.steps, min(s["warmup"], args.steps)
    if args.repeats is not None:
        for name in ("compile_repeats", "import_repeats", "lstm_repeats", "matmul_repeats", "sample_repeats"):
            s[name] = args.repeats
    s["lstm"] = {k: v for k, v in (bench_lstm.QUICK if args.quick else bench_lstm.FULL).items() if k != "repeats"}
    return s


def run(settings: dict, log=print) -> dict:
    """Every measurement, as the JSON-ready dict `--json` writes; `log(text)` is called as each stage begins."""
    started = time.perf_counter()
    result = {
        "schema": SCHEMA,
        "device": str(jax.devices()[0]),
        "platform": jax.default_backend(),
        "device_kind": jax.devices()[0].device_kind,
        "cpu_count": os.cpu_count(),
        "machine": platform_.machine(),
        "load_average_start": list(os.getloadavg()),
        "versions": {
            "python": platform_.python_version(),
            "jax": jax.__version__,
            "jaxlib": jaxlib.__version__,
            "flax": flax.__version__,
            "optax": optax.__version__,
            "numpy": np.__version__,
        },
        "settings": settings,
        "goals_targets": GOALS,
    }
    log(f"matmul peak on {result['device']} ...")
    result["matmul_peak_gflops"] = bench_lstm.matmul_peak(repeats=settings["matmul_repeats"])
    result["memory"] = {
        "reported": bench_models.peak_bytes_in_use() is not None,
        "note": "device.memory_stats() peak_bytes_in_use, process-wide and cumulative; "
        "None on CPU, where the backend keeps no count (null in the JSON). "
        "compiled_bytes: XLA's memory_analysis of each step (arguments + outputs + "
        "temporaries), on every backend.",
    }
    result["models"] = {}
    for name in settings["models"]:
        log(f"model {name} ...")
        api = settings.get("flax", "linen")
        result["models"][name] = bench_models.time_model(
            name, settings["steps"], settings["warmup"], settings["compile_repeats"], flax=api
        )
        sampling = bench_models.sampling_speed(name, settings["sample_repeats"], flax=api)
        if sampling is not None:  # a model that samples with an attention cache
            result.setdefault("sampling", {})[name] = sampling
    log("imports ...")
    result["imports"] = bench_models.import_times(settings["import_repeats"])
    log("LSTM ...")
    lstm = bench_lstm.run(dict(settings["lstm"], repeats=settings["lstm_repeats"]), unrolls=settings["lstm_unrolls"])
    s = lstm["settings"]
    default = "purejax fused" if FUSED_BY_PLATFORM.get(result["platform"], False) else "purejax per-step"
    peak = max(result["matmul_peak_gflops"], lstm["matmul_peak_gflops"])  # the better of the two: conservative
    for row in lstm["rows"]:
        row["fraction_of_best_peak"] = row["gflops"] / peak
    result["lstm"] = {
        **lstm,
        "purejax_default_variant": default,
        "best_matmul_peak_gflops": peak,
        "recurrent_matmul_ceiling_gflops": bench_models.recurrent_matmul_ceiling(
            s["batch"], s["inputs"], s["hidden"], s["time"], settings["lstm_repeats"]
        ),
    }
    result["load_average_end"] = list(os.getloadavg())
    result["elapsed_s"] = time.perf_counter() - started
    result["goals"] = goals(result)
    return result


def _lstm_row(result: dict, variant: str) -> dict:
    return next(r for r in result["lstm"]["rows"] if r["variant"] == variant and r["unroll"] == 1)


def _overlap(a, b) -> bool:
    """Whether two [low, high] ranges meet."""
    return a[0] <= b[1] and b[0] <= a[1]


def goals(result: dict) -> list[dict]:
    """The goals of `comparisons.bench.goals` for this run: `{"goal", "value", "target", "status", "met",
    "noise", "limit"}` each; reported, not asserted.

    Per model the step ratio (its noise: the IQR of the per-turn ratios), the first call, tracing
    and XLA's memory; then the import margin and the LSTM against its products-only ceiling and
    Flax. `limit` is a measured hint at what bounds the figure (dispatch share, XLA's share).
    """
    t, rows = GOALS, []
    for name, m in result["models"].items():
        p, f = m["purejax"], m["flaxed"]
        rows.append(
            bench_goals.goal(
                f"train step {name}: purejax / flaxed",
                m["step_ratio"],
                "<=",
                t["step_ratio"],
                f"{'same' if m['same_program'] else 'different'} XLA program; "
                f"IQRs {'overlap' if _overlap(p['step_ms_iqr'], f['step_ms_iqr']) else 'apart'}; "
                f"dispatch {p['dispatch_ms'] / p['step_ms']:.0%} of the step",
                noise=m["step_ratio_iqr"],
            )
        )
    for name, m in result["models"].items():
        p, f = m["purejax"], m["flaxed"]
        share = p["xla_compile_s"] / (p["xla_compile_s"] + p["trace_lower_s"])
        rows.append(
            bench_goals.goal(
                f"first call {name}: purejax / flaxed",
                m["compile_ratio"],
                "<=",
                t["first_call_ratio"],
                f"XLA {share:.0%} of it, XLA compile ratio {m['xla_compile_ratio']:.2f}, "
                f"HLO ops {p['stablehlo_ops']}/{f['stablehlo_ops']}",
                noise=m["compile_ratio_iqr"],
            )
        )
        rows.append(
            bench_goals.goal(
                f"tracing {name}: purejax / flaxed",
                m["trace_ratio"],
                "<=",
                t["trace_ratio"],
                f"trace {p['trace_s']:.3f}/{f['trace_s']:.3f} s; lowering {p['lower_s']:.3f}/{f['lower_s']:.3f} s",
            )
        )
        if m.get("memory_ratio") is not None:
            rows.append(
                bench_goals.goal(
                    f"XLA memory {name}: purejax / flaxed",
                    m["memory_ratio"],
                    "<=",
                    t["memory_ratio"],
                    f"{p['compiled_bytes'] / 2**20:.2f}/{f['compiled_bytes'] / 2**20:.2f} MiB",
                )
            )
    imports = result["imports"]
    extra = imports["purejax_minus_jax_s"]  # paired by turn, so machine drift cancels
    rows.append(
        bench_goals.goal(
            "import purejax - import jax (s)",
            extra,
            "<=",
            t["import_margin_s"],
            f"purejax's own modules {imports['purejax_own_modules_s']:.3f} s",
        )
    )
    lstm = result["lstm"]
    ours = _lstm_row(result, lstm["purejax_default_variant"])
    theirs = _lstm_row(result, "flax OptimizedLSTMCell")
    products = _lstm_row(result, "products only")
    rows.append(
        bench_goals.goal(
            f"LSTM {ours['variant']} / products-only ceiling",
            products["median_ms"] / ours["median_ms"],
            ">=",
            t["lstm_of_ceiling"],
            f"ceiling {products['fraction_of_best_peak']:.0%} of peak, ours {ours['fraction_of_best_peak']:.0%} "
            "(60% of peak at hidden 1024: bench --sweep)",
        )
    )
    same = lstm["same_program_as_flax"][ours["variant"]]
    other = "purejax per-step" if ours["variant"] == "purejax fused" else "purejax fused"
    rows.append(
        bench_goals.goal(
            f"LSTM {ours['variant']} / flax OptimizedLSTMCell (time)",
            ours["median_ms"] / theirs["median_ms"],
            "<",
            1.0,
            f"{'the same' if same else 'a different'} optimised program as Flax's; {other} "
            f"{_lstm_row(result, other)['median_ms']:.0f} ms",
        )
    )
    return rows


def _nnx_lines(result: dict) -> list[str]:
    """With `--flax nnx`: the flaxed side is NNX's; its own `nnx.jit` loop beside the jitted step."""
    rows = [
        f"{name} {m['flaxed']['step_ms']:.3f} (jax.jit of loss_fn) / {m['flaxed']['nnx_step_ms']:.3f} (nnx.jit)"
        for name, m in result["models"].items()
        if "nnx_step_ms" in m["flaxed"]
    ]
    return ["", "flaxed is Flax NNX (--flax nnx); its step ms, median: " + "; ".join(rows)] if rows else []


def format_table(result: dict):
    """Every figure of a run as tables (models, donation, imports, LSTM, goals), for `display.show`."""
    la = result["load_average_start"]
    models = []
    for name, m in result["models"].items():
        p, f = m["purejax"], m["flaxed"]
        peak = "n/a" if m["peak_bytes_in_use"] is None else f"{m['peak_bytes_in_use'] / 2**20:.0f}"
        models.append(
            [
                name,
                f"{p['step_ms']:.3f}/{f['step_ms']:.3f}",
                f"{m['step_ratio']:.2f}",
                f"{p['dispatch_ms']:.3f}/{f['dispatch_ms']:.3f}",
                f"{p['compile_s']:.2f}/{f['compile_s']:.2f}",
                f"{m['compile_ratio']:.2f}",
                f"{p['trace_lower_s']:.2f}/{f['trace_lower_s']:.2f}",
                f"{p['xla_compile_s']:.2f}/{f['xla_compile_s']:.2f}",
                f"{p['stablehlo_ops']}/{f['stablehlo_ops']}",
                peak,
            ]
        )
    donation = [
        [name]
        + [
            f"{side} {m[side]['step_ms']:.3f} -> {m[side]['step_donated_ms']:.3f} ({m[side]['donation_ratio']:.2f})"
            for side in ("purejax", "flaxed")
        ]
        for name, m in result["models"].items()
    ]
    sampling = [
        f"sampling {name} ({s['length']} bytes, greedy, tokens/s): "
        + "; ".join(
            f"{side} cached {s[side]['cached_tokens_per_s']:.0f}, uncached {s[side]['uncached_tokens_per_s']:.0f} "
            f"({s[side]['cache_speedup']:.1f}x)"
            for side in ("purejax", "flaxed")
        )
        for name, s in result.get("sampling", {}).items()
    ]
    imports = result["imports"]
    return Group(
        f"device {result['device']} ({result['cpu_count']} CPUs, load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}); "
        f"jax {result['versions']['jax']}, flax {result['versions']['flax']}, optax {result['versions']['optax']}; "
        f"{'quick' if result['settings']['quick'] else 'full'} settings",
        f"matmul peak {result['matmul_peak_gflops']:.1f} GFLOP/s",
        "",
        display.table(
            [
                "model",
                "step ms",
                "ratio",
                "dispatch ms",
                "compile s",
                "ratio",
                "trace+lower s",
                "XLA s",
                "HLO ops",
                "peak MB",
            ],
            models,
            justify=["left"] + ["right"] * 9,
        ),
        "(purejax/flaxed; ratio = purejax / flaxed; medians; peak MB: n/a where the backend reports no memory, "
        "as on CPU)",
        "",
        "buffer donation (make_train_step(donate=True)), step ms without -> with, median:",
        display.table(None, donation),
        *(sampling and ["", *sampling]),
        *_nnx_lines(result),
        "",
        f"import (s, fresh interpreter, bare start {imports['bare_s']:.3f} s subtracted, median of "
        f"{imports['repeats']}): "
        + ", ".join(f"{k} {v:.3f}" for k, v in imports["seconds"].items())
        + f"; purejax's own modules (-X importtime) {imports['purejax_own_modules_s']:.3f}",
        "",
        bench_lstm.format_table(result["lstm"]),
        f"recurrent matmul alone (scan of [batch, in+hidden] @ [in+hidden, 4*hidden]): "
        f"{result['lstm']['recurrent_matmul_ceiling_gflops']:.1f} GFLOP/s; goal measured against the better "
        f"matmul peak ({result['lstm']['best_matmul_peak_gflops']:.1f} GFLOP/s)",
        "",
        *bench_goals.table(result["goals"]),
    )


def main(args, argv: list[str]) -> int:
    """Run the bench for the options `comparisons.cli.parse_bench_args(argv)` read; print, write the files."""
    if args.sweep:
        return bench_sweep.main(args, argv)
    settings = settings_for(args)
    with display.Progress(len(settings["models"]) + 3, description="bench", plain="each") as progress:

        def stage(text: str) -> None:  # a stage begins: the one before it is done
            progress.update(progress.done + (1 if progress.text else 0), text)

        result = run(settings, log=stage)
        progress.update(progress.total, "done")
    result["command"] = "python -m comparisons bench " + " ".join(argv)
    out = display.console()
    display.show(out, format_table(result))
    if args.json:
        with open(args.json, "w") as file:
            json.dump(result, file, indent=1)
        display.show(out, f"wrote {args.json}")
    if args.plot:
        display.show(out, f"wrote {bench_ratios(result, args.plot)}")
    return 0
