"""Parity of the seeds' models: purejax's and flaxed's versions, initialized and trained side by side.

For every model in `purejax.models.MODELS`, two rows:
- init: the same key and batch give the same variables tree, bitwise (structure and values);
- training: `STEPS[tier]` steps from the same variables on the same batches with the same
  per-step keys (`comparisons.training.pair.train_pair`), per-step losses within `rtol` 1e-4.
The full-length runs are `python -m comparisons train MODEL`; tests/purejax/models/test_contract.py runs
100 steps.
"""

from __future__ import annotations

import functools

import jax

import purejax.random
from comparisons.parity.measures import TRAINING_RTOL, trees_identical
from comparisons.parity.rows import Check, Row, check_tier
from comparisons.training.pair import modules, train_pair
from purejax.models import MODELS

STEPS = {"quick": 5, "full": 20}  # per tier; short runs: enough to see the trajectories stay together


def _init_row(name: str) -> Row:
    ours, theirs = modules(name)
    key = purejax.random.PRNGKey(0)
    batch = ours.example_batch(key)
    a, b = ours.init(key, batch), theirs.init(key, batch)
    same = trees_identical(a, b)
    leaves_a, tree_a = jax.tree_util.tree_flatten(a)
    tree_b = jax.tree_util.tree_structure(b)
    count = sum(x.size for x in leaves_a)
    return Row(
        f"purejax.models.{name}.init",
        f"flaxed.models.{name}.init",
        f"same key and batch: {len(leaves_a)} arrays, {count:,} numbers",
        "identical" if same else f"different trees:\n{tree_a}\nvs\n{tree_b}",
        same,
        ulp=0 if same else None,
    )


def _training_row(name: str, steps: int) -> Row:
    with jax.default_matmul_precision("highest"):
        result = train_pair(name, steps=steps, evaluate_at_end=False)
    diff = result["max_rel_loss_diff"]
    text = "bitwise" if diff == 0 else f"max rel {diff:.1e}"
    return Row(
        f"purejax.models.{name} training",
        f"flaxed.models.{name} (Optax)",
        f"{steps} steps, same variables and batches: per-step losses",
        f"{text} (rtol {TRAINING_RTOL:g})",
        bool(result["ok"]),
        rel=diff,
    )


def checks(tier: str = "full") -> list[Check]:
    """Two rows per model: init, then a short training run side by side (then its programs can go)."""
    steps = STEPS[check_tier(tier)]
    rows = []
    for name in MODELS:
        rows.append(Check(f"purejax.models.{name}.init", functools.partial(_init_row, name)))
        rows.append(
            Check(f"purejax.models.{name} training", functools.partial(_training_row, name, steps), release=True)
        )
    return rows
