"""Pictures of a side-by-side run (loss curves, what each model makes) and of a bench run.

Each function takes a result (of `comparisons.training.train_pair`, with the trained variables,
or of `comparisons.bench.run`) and writes a PNG; matplotlib (the `plots` extra) is imported only
here, with the Agg backend.
"""
from __future__ import annotations

import numpy as np

COLOURS = {"purejax": "tab:blue", "flaxed": "tab:orange"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def curves(result: dict, path: str) -> str:
    """Both loss curves overlaid (top) and their relative difference on a log scale (bottom)."""
    plt = _pyplot()
    from comparisons.training import RTOL, rel_diff

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, height_ratios=(2, 1))
    steps = np.arange(1, result["steps"] + 1)
    top.plot(steps, result["purejax"]["loss"], color=COLOURS["purejax"], lw=2.5, alpha=0.7, label="purejax")
    top.plot(steps, result["flaxed"]["loss"], color=COLOURS["flaxed"], lw=1, ls="--", label="flaxed (Flax + Optax)")
    top.set_ylabel("training loss")
    top.set_title(f"{result['model']}: purejax and Flax trained side by side\n"
                  f"seed {result['seed']}, batch {result['batch_size']}, learning rate {result['learning_rate']:g}",
                  fontsize=10)
    top.legend()
    top.grid(alpha=0.3)
    diff = rel_diff(result["purejax"]["loss"], result["flaxed"]["loss"])
    floor = 1e-9  # a difference of exactly 0 (bitwise equal) is drawn on this floor
    bottom.semilogy(steps, np.maximum(diff, floor), color="tab:green", marker=".", lw=0.8,
                    label=f"|purejax - flaxed| / max(|loss|, 0.1) (0 drawn at {floor:g})")
    bottom.axhline(RTOL, color="tab:red", ls=":", label=f"tolerance {RTOL:g}")
    bottom.set_ylim(floor / 2, max(RTOL * 10, float(diff.max()) * 2 if diff.size else 1))
    bottom.set_xlabel("step")
    bottom.set_ylabel("relative difference")
    bottom.legend(loc="upper left", fontsize=8)
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def vae_samples(images: dict, path: str, title: str) -> str:
    """A grid per side: one row per class, columns of samples; `images[side]: [classes, n, 8, 8, 1]`."""
    plt = _pyplot()
    sides = list(images)
    classes, n = images[sides[0]].shape[:2]
    fig, axes = plt.subplots(1, len(sides), figsize=(3.2 * len(sides), 3.4))
    for ax, side in zip(np.atleast_1d(axes), sides):
        grid = np.asarray(images[side])[..., 0]  # [classes, n, 8, 8]
        grid = np.pad(grid, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=0.0)  # a white frame (gray_r: 0 is white)
        grid = grid.transpose(0, 2, 1, 3).reshape(classes * grid.shape[2], n * grid.shape[3])
        ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(side)
        ax.set_xlabel(f"{n} samples")
        ax.set_ylabel("class 0 (top) to 9")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def mdn_mixture(data: dict, predictions: dict, path: str, title: str) -> str:
    """The data and, per side, each component's mean with a band of one std, shaded by its weight.

    `predictions[side] = (x_grid [m], weights [m, K], means [m, K], stds [m, K])`.
    """
    plt = _pyplot()
    sides = list(predictions)
    fig, axes = plt.subplots(1, len(sides), figsize=(5 * len(sides), 4), sharey=True)
    for ax, side in zip(np.atleast_1d(axes), sides):
        x, weights, means, stds = (np.asarray(a) for a in predictions[side])
        ax.scatter(data["x"][:, 0], data["y"][:, 0], s=3, color="grey", alpha=0.4, label="test data")
        for k in range(means.shape[1]):
            colour = f"C{k % 10}"
            ax.plot(x, means[:, k], color=colour, lw=1.5, label=f"component {k} mean")
            ax.fill_between(x, means[:, k] - stds[:, k], means[:, k] + stds[:, k], color=colour,
                            alpha=float(np.clip(weights[:, k].mean(), 0.05, 0.4)))
        ax.set_title(side)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
    first = np.atleast_1d(axes)[0]
    first.set_ylabel("y (means +- one std)")
    handles, labels = first.get_legend_handles_labels()
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08, 1, 1))  # room below for the legend, which would hide data
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=7, frameon=False)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def bench_ratios(result: dict, path: str) -> str:
    """A bench run's time ratios purejax / flaxed as grouped bars, with a line at 1.0 (equal)."""
    plt = _pyplot()
    names = list(result["models"])
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(names) + 3), 4.5))
    for offset, key, label in ((-0.2, "step_ratio", "train step"), (0.2, "compile_ratio", "compile (first call)")):
        ax.bar(x + offset, [result["models"][n][key] for n in names], width=0.4, label=label)
    lstm = {row["variant"]: row["median_ms"] for row in result["lstm"]["rows"] if row["unroll"] == 1}
    extra = {"import\npurejax / jax": result["imports"]["seconds"]["purejax"] / result["imports"]["seconds"]["jax"],
             "LSTM\npurejax / flax": lstm[result["lstm"]["purejax_default_variant"]] / lstm["flax OptimizedLSTMCell"]}
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
