"""`python -m comparisons train transfer`: the transfer-learning program, in both packages, checked.

    for side in purejax, flaxed:
        transfer(PRNGKey(seed), DIR/side)   # pretrain on 0-4, checkpoint, new head, frozen, fine-tune;
                                            # and the from-scratch baseline
    compare: per-step losses of every phase (rtol TRAINING_RTOL), the same initial variables, and,
             in each package, the frozen backbone's params and batch_stats against the checkpoint's

Both sides derive everything from the same key, so they see the same variables, batches and
per-step keys. The table says how many steps the new head (and the baseline) took to reach the
target's goal accuracy; `metrics.json` holds every curve, `curves.png` draws them.
"""

from __future__ import annotations

import json
import os
import sys

import jax
from rich.console import Group

import purejax.random
from comparisons import display
from comparisons.parity.measures import TRAINING_RTOL, loss_rel, trees_identical
from comparisons.training import figures
from flaxed.models import transfer as theirs
from purejax.data.tasks.digits_transfer import GOAL_ACCURACY
from purejax.models import transfer as ours

PHASES = ("pretrain", "frozen", "finetune", "scratch")
SIDES = {"purejax": ours, "flaxed": theirs}


def backbone(variables: dict) -> dict:
    """The frozen part of `variables`: the backbone's params and every BatchNorm statistic."""
    return {
        "params": {name: variables["params"][name] for name in ours.BACKBONE},
        "batch_stats": variables["batch_stats"],
    }


def train_transfer(seed: int = 0, directory: str = "runs/transfer", on_step=None, **budget) -> dict:
    """Run `transfer` in both packages and compare them; see the module docstring.

    Args:
      seed: the root key `PRNGKey(seed)`.
      directory: the checkpoints go to `DIRECTORY/purejax/` and `DIRECTORY/flaxed/`.
      on_step: optional `(side, phase, step, loss, accuracy) -> None`.
      **budget: overrides of `purejax.models.transfer.DEFAULTS`.

    Returns:
      `{'seed', 'budget', 'goal_accuracy', 'purejax': {PHASE: {'loss', 'accuracy'}, 'steps_to_goal':
      {'frozen', 'scratch'}, 'frozen_unchanged', 'finetune_stats_unchanged', 'variables'},
      'flaxed': {...}, 'max_rel_loss_diff': {PHASE: x}, 'init_equal', 'ok'}`.
    """
    key = purejax.random.PRNGKey(seed)
    result = {"model": "transfer", "seed": seed, "budget": {**ours.DEFAULTS, **budget}, "goal_accuracy": GOAL_ACCURACY}
    for side, module in SIDES.items():
        report = None if on_step is None else lambda *args, side=side: on_step(side, *args)
        with jax.default_matmul_precision("highest"):
            run = module.transfer(key, os.path.join(directory, side), on_step=report, **budget)
        variables = run.pop("variables")
        run["steps_to_goal"] = {phase: ours.steps_to(run[phase]["accuracy"]) for phase in ("frozen", "scratch")}
        run["frozen_unchanged"] = trees_identical(backbone(variables["frozen"]), backbone(variables["pretrained"]))
        run["finetune_stats_unchanged"] = trees_identical(
            variables["finetuned"]["batch_stats"], variables["pretrained"]["batch_stats"]
        )
        run["variables"] = variables
        result[side] = run
    k_init = purejax.random.split(key, 5)[0]
    first = ours.init(k_init, ours.example_batch(None))
    result["init_equal"] = trees_identical(first, theirs.init(k_init, ours.example_batch(None)))
    result["max_rel_loss_diff"] = {
        phase: float(loss_rel(result["purejax"][phase]["loss"], result["flaxed"][phase]["loss"]).max())
        for phase in PHASES
    }
    result["ok"] = bool(
        result["init_equal"]
        and max(result["max_rel_loss_diff"].values()) <= TRAINING_RTOL
        and all(result[side]["frozen_unchanged"] and result[side]["finetune_stats_unchanged"] for side in SIDES)
    )
    return result


def summary_table(result: dict):
    """Per side and phase: final loss, final test accuracy; steps to the goal; the checks."""
    cells = []
    for side in SIDES:
        r = result[side]
        for phase in PHASES:
            reached = r["steps_to_goal"].get(phase, "")
            cells.append(
                [
                    side,
                    phase,
                    str(len(r[phase]["loss"])),
                    f"{r[phase]['loss'][-1]:.5f}",
                    f"{r[phase]['accuracy'][-1]:.4f}",
                    "-" if reached is None else str(reached),
                    f"{result['max_rel_loss_diff'][phase]:.1e}" if side == "flaxed" else "",
                ]
            )
    unchanged = ", ".join(f"{side} {'yes' if result[side]['frozen_unchanged'] else 'NO'}" for side in SIDES)
    return Group(
        display.table(
            ["", "phase", "steps", "final loss", "test accuracy", f"steps to {GOAL_ACCURACY:g}", "rel diff"],
            cells,
            justify=["left", "left", "right", "right", "right", "right", "right"],
        ),
        "(pretrain: digits 0-4, accuracy on their test digits; frozen, finetune, scratch: digits 5-9 from "
        f"{len(ours.load_data()['train']['label'])} labelled training digits, accuracy on all 187 test digits)",
        f"frozen backbone bitwise unchanged (params and batch_stats): {unchanged}",
        f"max relative loss difference purejax vs flaxed: {max(result['max_rel_loss_diff'].values()):.2e} "
        f"(tolerance {TRAINING_RTOL:g}); same initial variables: {result['init_equal']}; "
        f"{'ok' if result['ok'] else 'DIFFERENT'}",
    )


def to_json(result: dict) -> dict:
    """`result` without the variables."""
    return {k: ({kk: vv for kk, vv in v.items() if kk != "variables"} if k in SIDES else v) for k, v in result.items()}


def run(steps=None, learning_rate=None, batch_size=None, seed: int = 0, out=None, plot: bool = True, stream=sys.stdout):
    """Train, print, write `metrics.json` and `curves.png`; returns the exit code (0 ok, 1 not)."""
    budget = {
        name: value
        for name, value in (("steps", steps), ("learning_rate", learning_rate), ("batch_size", batch_size))
        if value is not None
    }
    for name, value in (("--steps", steps), ("--batch-size", batch_size)):
        if value is not None and value < 1:
            print(f"error: {name} must be at least 1, got {value}", file=sys.stderr)
            return 2
    out = out or os.path.join("runs", "transfer")
    os.makedirs(out, exist_ok=True)
    b = {**ours.DEFAULTS, **budget}
    per_side = b["pretrain_steps"] + 2 * b["steps"] + b["finetune_steps"]
    print(
        f"transfer learning with purejax and with Flax + Optax, seed {seed} -> {out}/\n"
        f"pretrain {b['pretrain_steps']} steps on digits 0-4, save and restore; new head {b['steps']} steps on "
        f"digits 5-9 (backbone frozen); fine-tune {b['finetune_steps']} steps at {b['finetune_learning_rate']:g}; "
        f"from scratch {b['steps']} steps",
        file=stream,
    )
    progress = display.Progress(2 * per_side, description="train transfer", keep=True)
    done = [0]

    def on_step(side, phase, step, loss, accuracy):
        done[0] += 1
        progress.update(done[0], f"{side} {phase} loss {loss:.4f} accuracy {accuracy:.3f}")

    try:
        result = train_transfer(seed, os.path.join(out, "checkpoints"), on_step=on_step, **budget)
    finally:
        progress.close()
    display.show(display.console(stream), summary_table(result))
    with open(os.path.join(out, "metrics.json"), "w") as file:
        json.dump(to_json(result), file, indent=1)
    written = ["metrics.json"]
    if plot:
        figures.transfer_curves(result, os.path.join(out, "curves.png"))
        written.append("curves.png")
    print(f"wrote {', '.join(os.path.join(out, w) for w in written)}", file=stream)
    return 0 if result["ok"] else 1
