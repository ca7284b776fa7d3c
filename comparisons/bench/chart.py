"""The bench's picture: its time ratios, purejax / Flax, as grouped bars."""

from __future__ import annotations

import numpy as np

from comparisons.training.figures import pyplot

SIDE_LABELS = {"flaxed": "Flax linen (jax.jit)", "nnx": "Flax NNX (nnx.jit)", "purejax": "purejax (jax.jit)"}


def bench_ratios(result: dict, path: str) -> str:
    """A bench run's time ratios purejax / flaxed as grouped bars, with a line at 1.0 (equal)."""
    plt = pyplot()
    names = list(result["models"])
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(names) + 3), 4.5))
    for offset, key, label in ((-0.2, "step_ratio", "train step"), (0.2, "compile_ratio", "compile (first call)")):
        ax.bar(x + offset, [result["models"][n][key] for n in names], width=0.4, label=label)
    lstm = {row["variant"]: row["median_ms"] for row in result["lstm"]["rows"] if row["unroll"] == 1}
    extra = {
        "import\npurejax / jax": result["imports"]["seconds"]["purejax"] / result["imports"]["seconds"]["jax"],
        "LSTM\npurejax / flax": lstm[result["lstm"]["purejax_default_variant"]] / lstm["flax OptimizedLSTMCell"],
    }
    ax.bar(len(names) + np.arange(len(extra)), list(extra.values()), width=0.4, color="tab:gray", label="other")
    ax.axhline(1.0, color="black", lw=1, ls="--", label="equal (1.0)")
    ax.set_xticks(list(x) + list(len(names) + np.arange(len(extra))), names + list(extra), rotation=30, ha="right")
    ax.set_ylabel("time ratio, purejax / Flax (lower is better)")
    ax.set_xlabel("model or measurement")
    ax.set_title(f"purejax against Flax + Optax on {result['device']}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def sweep_plot(result: dict, path: str) -> str:
    """A sweep's step time against FLOPs, log-log, one panel per model, each side a line; the
    dashed line is the time the measured matmul peak would need (FLOPs / peak): where the points
    leave the flat dispatch floor and follow that line, compute has taken over."""
    plt = pyplot()
    names = list(result["models"])
    cols = min(3, len(names))
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    peak = result["matmul_peak_gflops"] * 1e9  # FLOP/s
    for ax, name in zip(axes.flat, names, strict=False):
        sized = sorted(result["models"][name], key=lambda r: r["flops"])
        flops = np.array([r["flops"] for r in sized])
        for side, marker in zip(result["sides"], "os^", strict=False):
            ms = np.array([r[side]["step_ms"] for r in sized])
            ax.loglog(flops, ms, marker=marker, label=SIDE_LABELS.get(side, side))
        span = np.geomspace(flops.min() / 2, flops.max() * 2, 20)
        ax.loglog(span, 1e3 * span / peak, "k--", lw=1, label=f"peak {peak / 1e9:.0f} GFLOP/s")
        ax.set_title(f"{name} ({flops.max() / flops.min():.0f}x FLOPs)", fontsize=10)
        ax.set_xlabel("FLOPs per train step")
        ax.set_ylabel("train step (ms)")
        ax.grid(which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(f"step time against work on {result['device']} ({result['settings']['tier']} tier)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
