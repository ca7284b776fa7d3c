"""The pictures of a side-by-side run: both loss curves, and what each model makes.

`curves` draws the two loss curves and their relative difference; `draw(model, result, out, seed,
stream)` dispatches on the model's extras: the VAE's `sample` (a grid per class), the MDN's
`predict` (mixture means and spreads over the data) and the language models' `sample` (greedy
and temperature text, printed and saved; a Transformer's as long as its context allows). Other
models have no picture beyond the loss curves. Each takes a `comparisons.training.pair.train_pair`
result, with the trained variables.

matplotlib is optional (the `plots` extra): `pyplot()` imports it when a picture is drawn, with
the Agg backend, so `train --no-plot` and the rest of the package run without it.
"""

from __future__ import annotations

import os

import numpy as np

import purejax.random
from comparisons.parity.measures import TRAINING_RTOL, loss_rel
from comparisons.training.pair import modules
from purejax.train import model_variables

COLOURS = {"purejax": "tab:blue", "flaxed": "tab:orange", "flax_nnx": "tab:purple"}
DIFF_COLOURS = {"flaxed": "tab:green", "flax_nnx": "tab:brown"}
LABELS = {"linen": "Flax linen + Optax", "nnx": "Flax NNX + Optax"}
SAMPLES_PER_CLASS = 8


def pyplot():
    """matplotlib's pyplot on the Agg backend (files, no screen)."""
    import matplotlib  # an optional dependency (the plots extra): imported when a picture is drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _flax_label(result: dict, side: str) -> str:
    api = result[side].get("api", "linen") if isinstance(result[side], dict) else "linen"
    return f"{side} ({LABELS.get(api, 'Flax + Optax')})"


def curves(result: dict, path: str) -> str:
    """The loss curves overlaid (top) and each Flax side's relative difference from purejax (bottom)."""
    plt = pyplot()

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, height_ratios=(2, 1))
    steps = np.arange(1, result["steps"] + 1)
    sides = result.get("sides", ["flaxed"])
    top.plot(steps, result["purejax"]["loss"], color=COLOURS["purejax"], lw=2.5, alpha=0.7, label="purejax")
    for side, style in zip(sides, ("--", ":"), strict=False):
        top.plot(steps, result[side]["loss"], color=COLOURS[side], lw=1, ls=style, label=_flax_label(result, side))
    top.set_ylabel("training loss")
    top.set_title(
        f"{result['model']}: purejax and Flax trained side by side\n"
        f"seed {result['seed']}, batch {result['batch_size']}, learning rate {result['learning_rate']:g}",
        fontsize=10,
    )
    top.legend()
    top.grid(alpha=0.3)
    floor = 1e-9  # a difference of exactly 0 (bitwise equal) is drawn on this floor
    top_diff = 0.0
    for side in sides:
        diff = loss_rel(result["purejax"]["loss"], result[side]["loss"])
        top_diff = max(top_diff, float(diff.max()) if diff.size else 0.0)
        bottom.semilogy(
            steps,
            np.maximum(diff, floor),
            color=DIFF_COLOURS[side],
            marker=".",
            lw=0.8,
            label=f"|purejax - {side}| / max(|loss|, 0.1) (0 drawn at {floor:g})",
        )
    bottom.axhline(TRAINING_RTOL, color="tab:red", ls=":", label=f"tolerance {TRAINING_RTOL:g}")
    bottom.set_ylim(floor / 2, max(TRAINING_RTOL * 10, top_diff * 2))
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
    plt = pyplot()
    sides = list(images)
    classes, n = images[sides[0]].shape[:2]
    fig, axes = plt.subplots(1, len(sides), figsize=(3.2 * len(sides), 3.4))
    for ax, side in zip(np.atleast_1d(axes), sides, strict=True):
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
    plt = pyplot()
    sides = list(predictions)
    fig, axes = plt.subplots(1, len(sides), figsize=(5 * len(sides), 4), sharey=True)
    for ax, side in zip(np.atleast_1d(axes), sides, strict=True):
        x, weights, means, stds = (np.asarray(a) for a in predictions[side])
        ax.scatter(data["x"][:, 0], data["y"][:, 0], s=3, color="grey", alpha=0.4, label="test data")
        for k in range(means.shape[1]):
            colour = f"C{k % 10}"
            ax.plot(x, means[:, k], color=colour, lw=1.5, label=f"component {k} mean")
            ax.fill_between(
                x,
                means[:, k] - stds[:, k],
                means[:, k] + stds[:, k],
                color=colour,
                alpha=float(np.clip(weights[:, k].mean(), 0.05, 0.4)),
            )
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


def draw(model: str, result: dict, out: str, seed: int, stream) -> list[str]:
    """Write the model's pictures into `out`; returns the file names written."""
    makers = {"vae": _vae, "mdn": _mdn, "lstm_lm": _text_samples, "transformer_lm": _text_samples}
    if model not in makers:
        return []
    sides = {"purejax": modules(model)[0]}
    for side in result.get("sides", ["flaxed"]):
        sides[side] = modules(model, result[side].get("api", "linen"))[1]
    variables = {side: model_variables(result[side]["state"]) for side in sides}
    key = purejax.random.fold_in(purejax.random.PRNGKey(seed), 10_000)  # the same key for both sides
    return makers[model](sides, variables, key, out, stream)


def _vae(sides, variables, key, out, stream):
    labels = np.repeat(np.arange(10), SAMPLES_PER_CLASS).astype(np.int32)  # [80]: 0 0 ... 9 9
    images = {
        side: np.asarray(module.sample(variables[side], key, labels)).reshape(10, SAMPLES_PER_CLASS, 8, 8, 1)
        for side, module in sides.items()
    }
    same = all(np.array_equal(images["purejax"], image) for image in images.values())
    vae_samples(
        images,
        os.path.join(out, "samples.png"),
        f"VAE samples per class, same key ({'identical' if same else 'different'} on every side)",
    )
    return ["samples.png"]


def _mdn(sides, variables, key, out, stream):
    module = next(iter(sides.values()))
    test = module.load_data()["test"]
    x = np.linspace(float(test["x"].min()), float(test["x"].max()), 200, dtype=np.float32)  # [200]
    predictions = {side: (x, *module.predict(variables[side], x[:, None])) for side, module in sides.items()}
    mdn_mixture(
        test,
        predictions,
        os.path.join(out, "mixture.png"),
        "Mixture density network on the inverse sine problem: component means +- one std",
    )
    return ["mixture.png"]


def _text_samples(sides, variables, key, out, stream):
    prompt = b"def "
    max_len = getattr(next(iter(sides.values())), "HPARAMS", {}).get("max_len")  # a Transformer's context
    length = 200 if max_len is None else max_len - len(prompt)
    lines = []
    for side, module in sides.items():
        for label, options in (("greedy", {"greedy": True}), ("temperature 0.8", {"temperature": 0.8})):
            text = module.sample(variables[side], key, prompt, length, **options)
            lines.append(f"--- {side}, {label}, prompt {prompt!r} ---\n{text.decode('utf-8', 'replace')}\n")
    joined = "\n".join(lines)
    print(joined, file=stream)
    with open(os.path.join(out, "samples.txt"), "w") as file:
        file.write(joined)
    return ["samples.txt"]


TRANSFER_PHASES = {"pretrain": "tab:grey", "frozen": "tab:blue", "finetune": "tab:green"}


def transfer_curves(result: dict, path: str) -> str:
    """The transfer program's three phases end to end, loss (top) and test accuracy (bottom).

    purejax solid, flaxed dashed; the from-scratch baseline in red over the frozen phase's steps.
    """
    plt = pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    start = 0
    for phase, colour in TRANSFER_PHASES.items():
        n = len(result["purejax"][phase]["loss"])
        steps = np.arange(start + 1, start + n + 1)
        if phase == "frozen":
            scratch = np.arange(start + 1, start + len(result["purejax"]["scratch"]["loss"]) + 1)
        for side, style in (("purejax", {"lw": 2.5, "alpha": 0.6}), ("flaxed", {"lw": 1, "ls": "--"})):
            label = f"{phase} ({side})"
            top.semilogy(steps, result[side][phase]["loss"], color=colour, label=label, **style)
            bottom.plot(steps, result[side][phase]["accuracy"], color=colour, **style)
        bottom.text(start + n / 2, 0.05, phase, ha="center", fontsize=8, color=colour)
        start += n
        top.axvline(start + 0.5, color="black", lw=0.5)
        bottom.axvline(start + 0.5, color="black", lw=0.5)
    for side, style in (("purejax", {"lw": 2.5, "alpha": 0.5}), ("flaxed", {"lw": 1, "ls": "--"})):
        top.semilogy(scratch, result[side]["scratch"]["loss"], color="tab:red", label=f"from scratch ({side})", **style)
        bottom.plot(scratch, result[side]["scratch"]["accuracy"], color="tab:red", **style)
    bottom.axhline(result["goal_accuracy"], color="black", ls=":", lw=0.8, label=f"goal {result['goal_accuracy']:g}")
    top.set_ylabel("training loss")
    bottom.set_ylabel("test accuracy")
    bottom.set_xlabel("step (pretrain on digits 0-4 | new head, backbone frozen | fine-tune; on digits 5-9)")
    bottom.set_ylim(0, 1.02)
    top.set_title(
        f"transfer: purejax and Flax + Optax, seed {result['seed']}; from scratch: the same head and batches, "
        "every layer trained",
        fontsize=9,
    )
    top.legend(fontsize=7, ncol=2)
    bottom.legend(fontsize=7, loc="lower left")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
