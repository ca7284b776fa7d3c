"""`python -m comparisons train MODEL`: train purejax's and Flax's versions side by side.

Both start from the same variables and see the same batches and per-step keys
(`comparisons.training.train_pair`); a progress line shows both losses and their difference. At
the end: a table, `OUT/metrics.json`, `OUT/curves.png`, and the model's own pictures (VAE samples,
MDN mixtures, text samples). Ctrl-C stops after the current step and still writes what it has.
Exit code: 0 when the two agree within tolerance, 1 when they do not, 130 when interrupted.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time


from comparisons.training import RTOL, modules, train_pair

EXTRAS_NOTE = {"vae": "samples.png", "mdn": "mixture.png", "lstm_lm": "samples.txt"}


class Progress:
    """A progress bar with both losses and their relative difference.

    On a terminal one line is rewritten in place (at most 10 times a second); in a log file a
    new line is written after the first step, every tenth of the run and at least every 30 s.
    """

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.stream, self.start, self.last = total, stream, time.perf_counter(), 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.width = max(10, min(30, shutil.get_terminal_size((80, 20)).columns - 70))

    def __call__(self, step: int, loss_p: float, loss_f: float) -> None:
        done, now = step + 1, time.perf_counter()
        if self.tty and done != self.total and now - self.last < 0.1:
            return
        if not self.tty and done not in (1, self.total) and done % max(1, self.total // 10) and now - self.last < 30:
            return
        self.last = now
        filled = int(self.width * done / self.total)
        diff = abs(loss_p - loss_f) / max(abs(loss_p), abs(loss_f), 1e-30)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total}  purejax {loss_p:.5f}  "
                f"flaxed {loss_f:.5f}  rel diff {diff:.1e}  {now - self.start:.0f}s")
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def summary_table(result: dict) -> str:
    """Final loss, evaluation, time per step for each side, and the largest loss difference."""
    lines = [f"{'':10s} {'final loss':>12s} {'1st step s':>10s} {'ms/step':>8s}  evaluation on the test split"]
    for side in ("purejax", "flaxed"):
        r = result[side]
        final = r["loss"][-1] if r["loss"] else float("nan")
        per_step = "-" if r["median_step_ms"] is None else f"{r['median_step_ms']:.2f}"
        evals = ", ".join(f"{k} {v:.4f}" for k, v in r["eval"].items())
        lines.append(f"{side:10s} {final:12.6f} {r['first_step_seconds']:10.2f} {per_step:>8s}  {evals}")
    lines.append("(1st step: tracing and compiling included; ms/step: the median of the others)")
    lines.append(f"max relative loss difference over {result['steps']} steps: {result['max_rel_loss_diff']:.2e} "
                 f"(tolerance {RTOL:g}); same initial variables: {result['init_equal']}; "
                 f"{'ok' if result['ok'] else 'DIFFERENT'}")
    return "\n".join(lines)


def to_json(result: dict) -> dict:
    """The JSON-safe part of a `train_pair` result (the trained states are left out)."""
    out = {k: v for k, v in result.items() if k not in ("purejax", "flaxed")}
    for side in ("purejax", "flaxed"):
        out[side] = {k: v for k, v in result[side].items() if k != "state"}
    return out


def run(model: str, steps=None, batch_size=None, learning_rate=None, seed: int = 0, out=None,
        text=None, plot: bool = True, stream=sys.stdout) -> int:
    """Train, print, write `metrics.json` and pictures; returns the exit code."""
    try:
        ours, _ = modules(model)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if text is not None and model != "lstm_lm":
        print(f"error: --text is for lstm_lm only (it trains on text), not {model}", file=sys.stderr)
        return 2
    if text is not None and not os.path.isfile(text):
        print(f"error: --text {text}: no such file", file=sys.stderr)
        return 2
    for name, value in (("--steps", steps), ("--batch-size", batch_size)):
        if value is not None and value < 1:
            print(f"error: {name} must be at least 1, got {value}", file=sys.stderr)
            return 2
    out = out or os.path.join("runs", model)
    os.makedirs(out, exist_ok=True)
    total = ours.DEFAULTS["steps"] if steps is None else steps
    print(f"training {model} with purejax and with Flax + Optax, {total} steps, seed {seed} -> {out}/",
          file=stream)

    stop = {"requested": False}
    previous = signal.signal(signal.SIGINT, lambda *_: stop.update(requested=True))
    progress = Progress(total)
    try:
        result = train_pair(model, steps, batch_size, learning_rate, seed, on_step=progress,
                            should_stop=lambda: stop["requested"],
                            data_options={"path": text} if text is not None else None)
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.close()
    result["interrupted"] = stop["requested"]
    print(summary_table(result), file=stream)

    with open(os.path.join(out, "metrics.json"), "w") as file:
        json.dump(to_json(result), file, indent=1)
    written = ["metrics.json"]
    if plot and result["steps"]:
        from comparisons import plots, pictures

        plots.curves(result, os.path.join(out, "curves.png"))
        written.append("curves.png")
        written += pictures.draw(model, result, out, seed, stream)
    print(f"wrote {', '.join(os.path.join(out, w) for w in written)}", file=stream)
    if stop["requested"]:
        print(f"interrupted after {result['steps']} steps", file=stream)
        return 130
    return 0 if result["ok"] else 1
