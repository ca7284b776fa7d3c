"""What each model makes, drawn or written for both sides after `train`: samples and mixtures.

`draw(model, result, out, seed, stream)` dispatches on the model's extras: the VAE's `sample`
(a grid per class), the MDN's `predict` (mixture means and spreads over the data) and the
language model's `sample` (greedy and temperature text, printed and saved). Other models have
no picture beyond the loss curves.
"""
from __future__ import annotations

import os

import numpy as np

import purejax.random
from comparisons.training import modules
from purejax.train import model_variables

SAMPLES_PER_CLASS = 8


def draw(model: str, result: dict, out: str, seed: int, stream) -> list[str]:
    """Write the model's pictures into `out`; returns the file names written."""
    makers = {"vae": _vae, "mdn": _mdn, "lstm_lm": _lstm_lm}
    if model not in makers:
        return []
    sides = dict(zip(("purejax", "flaxed"), modules(model)))
    variables = {side: model_variables(result[side]["state"]) for side in sides}
    key = purejax.random.fold_in(purejax.random.PRNGKey(seed), 10_000)  # the same key for both sides
    return makers[model](sides, variables, key, out, stream)


def _vae(sides, variables, key, out, stream):
    from comparisons import plots

    labels = np.repeat(np.arange(10), SAMPLES_PER_CLASS).astype(np.int32)  # [80]: 0 0 ... 9 9
    images = {side: np.asarray(module.sample(variables[side], key, labels)).reshape(10, SAMPLES_PER_CLASS, 8, 8, 1)
              for side, module in sides.items()}
    same = np.array_equal(images["purejax"], images["flaxed"])
    plots.vae_samples(images, os.path.join(out, "samples.png"),
                      f"VAE samples per class, same key ({'identical' if same else 'different'} on both sides)")
    return ["samples.png"]


def _mdn(sides, variables, key, out, stream):
    from comparisons import plots

    module = next(iter(sides.values()))
    test = module.load_data()["test"]
    x = np.linspace(float(test["x"].min()), float(test["x"].max()), 200, dtype=np.float32)  # [200]
    predictions = {side: (x, *module.predict(variables[side], x[:, None])) for side, module in sides.items()}
    plots.mdn_mixture(test, predictions, os.path.join(out, "mixture.png"),
                      "Mixture density network on the inverse sine problem: component means +- one std")
    return ["mixture.png"]


def _lstm_lm(sides, variables, key, out, stream):
    prompt, length = b"def ", 200
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
