"""The bench's picture: its time ratios, purejax / Flax, as grouped bars."""

from __future__ import annotations

import numpy as np

from comparisons.training.figures import pyplot


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
