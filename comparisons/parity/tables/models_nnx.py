"""Parity of the seeds' models in Flax NNX (`flaxed/nnx/NAME.py`) with purejax's, the third column.

For every model in `purejax.models.MODELS`, three rows:
- converter: purejax's variables into the NNX model and back (`to_variables(from_variables(v))`),
  bitwise, with BatchNorm's statistics and the fused LSTM gates;
- init: NNX's init from `nnx.Rngs(key)` equals purejax's `init(..., rng_rule='nnx')` bitwise
  (NNX's key rule: a counter per stream, in construction order);
- training: `STEPS` steps from the same variables on the same batches with the same per-step
  keys, NNX trained the NNX way (`nnx.Optimizer`, `nnx.value_and_grad`, `nnx.jit`, in place),
  per-step losses within `rtol` 1e-4 (`comparisons.training.pair.train_pair(flax="nnx")`).
`python -m comparisons train MODEL --flax nnx` runs a model's whole budget.
"""

from __future__ import annotations

import functools

import jax
import numpy as np

import purejax.random
from comparisons.parity.measures import TRAINING_RTOL, trees_identical
from comparisons.parity.rows import Check, Row, check_tier
from comparisons.training.pair import modules, train_pair
from purejax.models import MODELS


def model_inputs(name: str, batch: dict, key) -> tuple[tuple, dict]:
    """`(args, kwargs)` that purejax's `NAME.init(key, batch)` hands its model's `Layer.init`."""
    if name in ("mlp", "cnn", "resnet"):
        return (batch["image"],), {"train": False} if name in ("cnn", "resnet") else {}
    if name == "lstm_classifier":
        return (modules(name)[0].as_sequence(batch["image"]),), {}
    if name in ("lstm_lm", "transformer_lm"):
        return (np.asarray(batch["tokens"])[:, :-1],), {}
    if name == "vae":
        return (batch["image"], batch["label"], key), {}
    return (batch["x"],), {}  # linear_regression, mdn


STEPS = {"quick": 20, "full": 20}  # per tier: the 20 steps; the step programs are small


def _example(name: str):
    ours, theirs = modules(name, "nnx")
    key = purejax.random.PRNGKey(0)
    return ours, theirs, key, ours.example_batch(key)


def _converter_row(name: str) -> Row:
    ours, theirs, key, batch = _example(name)
    variables = ours.init(key, batch)
    back = theirs.to_variables(theirs.from_variables(variables))
    same = trees_identical(variables, back)
    count = len(jax.tree_util.tree_leaves(variables))
    return Row(
        f"flaxed.nnx.{name}.from_variables",
        f"flaxed.nnx.{name}.to_variables",
        f"purejax's variables -> NNX model -> linen layout: {count} arrays ({', '.join(variables)})",
        "identical" if same else "different after the round trip",
        same,
        ulp=0 if same else None,
    )


def _init_row(name: str) -> Row:
    ours, theirs, key, batch = _example(name)
    args, kwargs = model_inputs(name, batch, key)
    a = ours.build().init(key, *args, rng_rule="nnx", **kwargs)
    b = theirs.init(key, batch)
    same = trees_identical(a, b)
    count = sum(x.size for x in jax.tree_util.tree_leaves(a))
    trees = f"{jax.tree_util.tree_structure(a)}\nvs\n{jax.tree_util.tree_structure(b)}"
    return Row(
        f"purejax.models.{name}.init (rng_rule='nnx')",
        f"flaxed.nnx.{name}.init (nnx.Rngs)",
        f"same key and batch: values of {count:,} numbers",
        "identical" if same else f"different:\n{trees}",
        same,
        ulp=0 if same else None,
    )


def _training_row(name: str, steps: int) -> Row:
    with jax.default_matmul_precision("highest"):
        result = train_pair(name, steps=steps, evaluate_at_end=False, flax="nnx")
    diff = result["max_rel_loss_diff"]
    text = "bitwise" if diff == 0 else f"max rel {diff:.1e}"
    return Row(
        f"purejax.models.{name} training",
        f"flaxed.nnx.{name} (nnx.Optimizer, nnx.jit)",
        f"{steps} steps, same variables and batches: per-step losses",
        f"{text} (rtol {TRAINING_RTOL:g})",
        bool(result["ok"]),
        rel=diff,
    )


def checks(tier: str = "full") -> list[Check]:
    """Three rows per model: the converter's round trip, init's layout, a short training run side by side."""
    steps = STEPS[check_tier(tier)]
    rows = []
    for name in MODELS:
        rows.append(Check(f"flaxed.nnx.{name} converter", functools.partial(_converter_row, name)))
        rows.append(Check(f"flaxed.nnx.{name}.init", functools.partial(_init_row, name)))
        rows.append(
            Check(f"purejax.models.{name} training", functools.partial(_training_row, name, steps), release=True)
        )
    return rows
