"""`python -m comparisons train MODEL`: train purejax's and Flax's versions side by side.

Both start from the same variables and see the same batches and per-step keys
(`comparisons.training.pair.train_pair`); a progress line shows both losses and their difference. At
the end: a table, `OUT/metrics.json`, `OUT/curves.png`, and the model's own pictures (VAE samples,
MDN mixtures, text samples); with `--logdir DIR`, TensorBoard event files of all of it. Ctrl-C stops
after the current step and still writes what it has.
Exit code: 0 when the two agree within tolerance, 1 when they do not, 130 when interrupted.

Parallel mode (`--devices N`, `--processes P`): each side trains data-parallel on N devices
(`comparisons.training.parallel.train_parallel`, way `pmap` or `sharding`), then purejax once more
on one device (the reference: `vmap` runs the pmap program on one device, `single` the plain
step), and the table compares the sides with each other (`TRAINING_RTOL`) and with the reference
(`DEVICES_RTOL`). With several processes (`comparisons.cluster`) every process runs this
and process 0 alone prints and writes.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import jax
from rich.console import Group

from comparisons import display
from comparisons.cli import check_batch_split
from comparisons.parity.measures import DEVICES_RTOL, TRAINING_RTOL, loss_rel
from comparisons.training import figures, tensorboard
from comparisons.training.pair import LABELS, SIDES, modules, train_pair
from comparisons.training.parallel import REFERENCE, train_parallel
from comparisons.training.transfer import run as run_transfer

EXTRAS_NOTE = {"vae": "samples.png", "mdn": "mixture.png", "lstm_lm": "samples.txt", "transformer_lm": "samples.txt"}
TEXT_MODELS = ("lstm_lm", "transformer_lm")  # the models on the text task, which take --text FILE


def losses_text(loss_p: float, *losses_f: float, names=("flaxed",)) -> str:
    """The sides' losses and each Flax side's relative difference from purejax, for the progress line."""
    parts = [f"purejax {loss_p:.5f}"]
    for name, loss_f in zip(names, losses_f, strict=True):
        diff = abs(loss_p - loss_f) / max(abs(loss_p), abs(loss_f), 1e-30)
        parts.append(f"{name} {loss_f:.5f} (rel diff {diff:.1e})" if len(names) > 1 else f"{name} {loss_f:.5f}")
    if len(names) == 1:
        diff = abs(loss_p - losses_f[0]) / max(abs(loss_p), abs(losses_f[0]), 1e-30)
        parts.append(f"rel diff {diff:.1e}")
    return "  ".join(parts)


def side_label(result: dict, side: str) -> str:
    """`purejax`, or a Flax side's key with its API when the run is not linen's alone: `flaxed (nnx)`."""
    if side == "purejax" or result.get("flax", "linen") == "linen":
        return side
    return f"{side} ({result[side]['api']})"


def summary_table(result: dict):
    """Final loss, evaluation, time per step for each side, and the largest loss difference."""
    cells = []
    for side in ("purejax", *result.get("sides", ("flaxed",))):
        r = result[side]
        final = f"{r['loss'][-1]:.6f}" if r["loss"] else "-"
        per_step = "-" if r["median_step_ms"] is None else f"{r['median_step_ms']:.2f}"
        evals = ", ".join(f"{k} {v:.4f}" for k, v in r["eval"].items())
        cells.append([side_label(result, side), final, f"{r['first_step_seconds']:.2f}", per_step, evals])
    return Group(
        display.table(
            ["", "final loss", "1st step s", "ms/step", "evaluation on the test split"],
            cells,
            justify=["left", "right", "right", "right", "left"],
        ),
        "(1st step: tracing and compiling included; ms/step: the median of the others)",
        f"max relative loss difference over {result['steps']} steps: {result['max_rel_loss_diff']:.2e} "
        f"(tolerance {TRAINING_RTOL:g}); same initial variables: {result['init_equal']}; "
        f"{'ok' if result['ok'] else 'DIFFERENT'}",
    )


def to_json(result: dict) -> dict:
    """The JSON-safe part of a `train_pair` result (the trained states are left out)."""
    sides = ("purejax", *result.get("sides", ("flaxed",)))
    out = {k: v for k, v in result.items() if k not in sides}
    for side in sides:
        out[side] = {k: v for k, v in result[side].items() if k != "state"}
    return out


def run(
    model: str,
    steps=None,
    batch_size=None,
    learning_rate=None,
    seed: int = 0,
    out=None,
    text=None,
    plot: bool = True,
    stream=sys.stdout,
    devices=None,
    parallel=None,
    processes=None,
    on_step=None,
    logdir=None,
    profile=None,
    flax: str = "linen",
) -> int:
    """Train, print, write `metrics.json` and pictures; returns the exit code.

    `flax`: the Flax side, "linen" (`flaxed/models/`), "nnx" (`flaxed/nnx/`) or "both" (three
    sides; `metrics.json` keeps linen under "flaxed" and adds "flax_nnx").
    `logdir` (not None): also write TensorBoard event files there (`comparisons.training.tensorboard`).
    `profile` (not None): write a `jax.profiler` trace of steps 1 to 5 (both packages) there.

    `devices`, `processes` (not None): the parallel mode, way `parallel` ("pmap" or "sharding",
    default "sharding"); JAX must already see `devices` devices in all (see `comparisons.cluster.devices`
    and `comparisons.cluster.launch`). `on_step(step, loss)`: called after each parallel step.
    """
    if model == "transfer":  # a three-phase program over the cnn model (comparisons/training/transfer.py)
        return run_transfer(steps, learning_rate, batch_size, seed, out, plot, stream)
    if devices is not None or (processes or 1) > 1:
        if text is not None:
            print(
                "error: --text is not supported with --devices/--processes (the parallel runs use the "
                "model's own data)",
                file=sys.stderr,
            )
            return 2
        return run_parallel(
            model, steps, batch_size, learning_rate, seed, out, plot, stream, devices, parallel or "sharding", on_step
        )
    try:
        ours, _ = modules(model)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if text is not None and model not in TEXT_MODELS:
        models = " and ".join(TEXT_MODELS)
        print(f"error: --text is for {models} only (they train on text), not {model}", file=sys.stderr)
        return 2
    if text is not None and not os.path.isfile(text):
        print(f"error: --text {text}: no such file", file=sys.stderr)
        return 2
    for name, value in (("--steps", steps), ("--batch-size", batch_size)):
        if value is not None and value < 1:
            print(f"error: {name} must be at least 1, got {value}", file=sys.stderr)
            return 2
    if logdir is not None:
        try:
            tensorboard.writer_class()
        except ImportError as error:  # said before training, not after it
            print(f"error: --logdir: {error}", file=sys.stderr)
            return 2
    out = out or os.path.join("runs", model)
    os.makedirs(out, exist_ok=True)
    total = ours.DEFAULTS["steps"] if steps is None else steps
    apis = " and with ".join(LABELS[api] for api in SIDES[flax].values())
    print(f"training {model} with purejax and with {apis}, {total} steps, seed {seed} -> {out}/", file=stream)
    names = [side if flax != "nnx" else "flaxed (nnx)" for side in SIDES[flax]]

    stop = {"requested": False}
    previous = signal.signal(signal.SIGINT, lambda *_: stop.update(requested=True))
    progress = display.Progress(total, description=f"train {model}", keep=True)
    profiler = tensorboard.StepProfiler(profile) if profile is not None else None

    def show(step, loss_p, *losses_f):
        progress.update(step + 1, losses_text(loss_p, *losses_f, names=names))
        if profiler is not None:
            profiler(step)

    try:
        result = train_pair(
            model,
            steps,
            batch_size,
            learning_rate,
            seed,
            on_step=show,
            should_stop=lambda: stop["requested"],
            data_options={"path": text} if text is not None else None,
            flax=flax,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.close()
        if profiler is not None:
            profiler.stop()
    result["interrupted"] = stop["requested"]
    display.show(display.console(stream), summary_table(result))

    with open(os.path.join(out, "metrics.json"), "w") as file:
        json.dump(to_json(result), file, indent=1)
    written = ["metrics.json"]
    if plot and result["steps"]:
        figures.curves(result, os.path.join(out, "curves.png"))
        written.append("curves.png")
        written += figures.draw(model, result, out, seed, stream)
    print(f"wrote {', '.join(os.path.join(out, w) for w in written)}", file=stream)
    if logdir is not None:
        runs = tensorboard.write_pair(to_json(result), logdir, out, written)
        print(f"TensorBoard runs {', '.join(runs)}: tensorboard --logdir {logdir}", file=stream)
    if profiler is not None:
        print(f"profile of {profiler.traced} steps of both packages in {profile}/plugins/profile/", file=stream)
    if stop["requested"]:
        print(f"interrupted after {result['steps']} steps", file=stream)
        return 130
    return 0 if result["ok"] else 1


def parallel_table(result: dict):
    """Final loss and time of each parallel run, and how far each is from the one-device reference."""
    ref = result["reference"]
    cells = []
    for name in ("purejax", "flaxed", "reference"):
        r = result[name]
        final = f"{r['loss'][-1]:.6f}" if r["loss"] else "-"
        vs = "-" if name == "reference" else f"{result['max_rel_diff_vs_single'][name]:.2e}"
        label = f"{r['side']} ({name})" if name == "reference" else name
        cells.append([label, r["way"], final, f"{r['seconds']:.2f}", vs])
    return Group(
        display.table(
            ["", "way", "final loss", "seconds", f"max rel diff vs {ref['way']} (1 device)"],
            cells,
            justify=["left", "left", "right", "right", "left"],
        ),
        f"{result['devices']} devices in {result['processes']} process(es), batch {result['batch_size']} "
        f"({result['batch_size'] // result['devices']} per device); seconds include compiling",
        f"max relative loss difference purejax vs flaxed over {result['steps']} steps: "
        f"{result['max_rel_loss_diff']:.2e} (tolerance {TRAINING_RTOL:g}); vs the reference: "
        f"{max(result['max_rel_diff_vs_single'].values()):.2e} (tolerance {DEVICES_RTOL:g}); "
        f"{'ok' if result['ok'] else 'DIFFERENT'}",
    )


def _max_rel(a: list, b: list) -> float:
    n = min(len(a), len(b))
    diffs = loss_rel(a[:n], b[:n])
    return float(diffs.max()) if diffs.size else 0.0


def _show_loss(progress):
    """An `on_step(step, loss)` that shows the loss on `progress`, or None without one (not process 0)."""
    if progress is None:
        return None
    return lambda step, loss: progress.update(step + 1, f"loss {float(loss):.5f}")


def run_parallel(
    model, steps, batch_size, learning_rate, seed, out, plot, stream, devices, parallel, on_step=None
) -> int:
    """The parallel mode of `run`: purejax and flaxed on every device, then purejax's reference."""
    ours, _ = modules(model)
    main = jax.process_index() == 0
    total = ours.DEFAULTS["steps"] if steps is None else steps
    batch_size = ours.DEFAULTS["batch_size"] if batch_size is None else batch_size
    learning_rate = ours.DEFAULTS["learning_rate"] if learning_rate is None else learning_rate
    devices, processes = devices or jax.device_count(), jax.process_count()
    if steps is not None and steps < 1 or batch_size < 1:
        print(f"error: --steps and --batch-size must be at least 1, got {steps} and {batch_size}", file=sys.stderr)
        return 2
    error = check_batch_split(model, batch_size, devices)
    if error:
        if main:
            print(f"error: {error}", file=sys.stderr)
        return 2
    out = out or os.path.join("runs", model)
    if main:
        os.makedirs(out, exist_ok=True)
        print(
            f"training {model} with purejax and with Flax + Optax on {devices} devices ({processes} process(es), "
            f"{parallel}), {total} steps, batch {batch_size}, seed {seed} -> {out}/",
            file=stream,
        )
    stop = {"requested": False}
    single = processes == 1  # Ctrl-C stops cleanly only in one process; the launcher stops a group
    previous = signal.signal(signal.SIGINT, lambda *_: stop.update(requested=True)) if single else None
    runs = {
        "purejax": ("purejax", parallel),
        "flaxed": ("flaxed", parallel),
        "reference": ("purejax", REFERENCE[parallel]),
    }
    result = {
        "model": model,
        "seed": seed,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "devices": devices,
        "processes": processes,
        "parallel": parallel,
    }
    try:
        for name, (side, way) in runs.items():
            progress = display.Progress(total, description=f"{side} {way}", keep=True) if main else None
            callbacks = [c for c in (_show_loss(progress), on_step) if c is not None]
            loss, seconds = [], 0.0
            if not stop["requested"]:
                try:
                    with jax.default_matmul_precision("highest"):  # no TF32 on GPUs: the check is 1e-5
                        got = train_parallel(
                            model,
                            side,
                            way,
                            total,
                            batch_size=batch_size,
                            learning_rate=learning_rate,
                            seed=seed,
                            on_step=lambda *a, callbacks=callbacks: [c(*a) for c in callbacks],
                            should_stop=(lambda: stop["requested"]) if single else None,
                        )
                except ValueError as error:  # e.g. a batch that does not split over the devices
                    if main:
                        print(f"error: {error}", file=sys.stderr)
                    return 2
                finally:
                    if progress is not None:
                        progress.close()
                loss, seconds = [float(x) for x in got["loss"]], float(got["seconds"])
                if name == "purejax":
                    result["devices"] = got.get("devices", devices)
            result[name] = {"side": side, "way": way, "loss": loss, "seconds": seconds}
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    losses = {name: result[name]["loss"] for name in runs}
    result["steps"] = len(losses["purejax"])
    result["reference_way"] = REFERENCE[parallel]
    result["max_rel_loss_diff"] = _max_rel(losses["purejax"], losses["flaxed"])
    result["max_rel_diff_vs_single"] = {
        side: _max_rel(losses[side], losses["reference"]) for side in ("purejax", "flaxed")
    }
    result["tolerance"], result["tolerance_vs_single"] = TRAINING_RTOL, DEVICES_RTOL
    result["interrupted"] = stop["requested"]
    complete = len({len(v) for v in losses.values()}) == 1 and result["steps"] > 0
    result["ok"] = bool(
        complete
        and result["max_rel_loss_diff"] <= TRAINING_RTOL
        and max(result["max_rel_diff_vs_single"].values()) <= DEVICES_RTOL
    )
    if not main:
        return 130 if stop["requested"] else 0 if result["ok"] else 1
    display.show(display.console(stream), parallel_table(result))
    with open(os.path.join(out, "metrics.json"), "w") as file:
        json.dump(result, file, indent=1)
    written = ["metrics.json"]
    if plot and complete:
        figures.curves(result, os.path.join(out, "curves.png"))
        written.append("curves.png")
    print(f"wrote {', '.join(os.path.join(out, w) for w in written)}", file=stream)
    if stop["requested"]:
        print(f"interrupted after {result['steps']} steps", file=stream)
        return 130
    return 0 if result["ok"] else 1
