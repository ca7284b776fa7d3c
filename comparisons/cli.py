"""The command line's options, in one place: what each command of `python -m comparisons` accepts.

    python -m comparisons [report] [--only SECTION ...] [--full] [--json FILE]
    python -m comparisons list
    python -m comparisons train MODEL [--steps N] [--batch-size B] [--lr LR] [--seed S] [--out DIR]
                                      [--text FILE] [--no-plot] [--flax linen|nnx|both]
                                      [--logdir DIR] [--profile DIR] [--devices N] [--parallel WAY]
                                      [--processes P] [--timeout S]
    python -m comparisons source [NAME] [--html FILE] [--width N] [--numbers] [--flax linen|nnx]
    python -m comparisons bench [--models M ...] [--quick] [--json FILE] [--plot FILE] [--steps N] [--flax linen|nnx]
                                [--repeats N]
    python -m comparisons exercise [NAME] [--out FILE | --solution | --check FILE]
    python -m comparisons docs [--out DIR] [--no-execute]

Each `parse_*` returns the checked options, or an exit code (2) after printing the error, so
that a bad option never starts JAX. Nothing here imports JAX: `train --devices N` must set
`XLA_FLAGS` before JAX's backend starts (`comparisons/cluster/devices.py`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from comparisons.parity.sections import SECTIONS
from purejax.models import MODELS

COMMANDS = ("report", "list", "train", "source", "bench", "exercise", "docs")
PROGRAMS = ("transfer",)  # `train` runs these too: programs over the models, not in MODELS
FLAX_CHOICES = ("linen", "nnx", "both")  # --flax of train; source and bench take linen or nnx


def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m comparisons",
        description="Show that purejax computes what JAX, Flax and Optax compute.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="report",
        choices=COMMANDS,
        help="report (default): the parity table; list: the components and models; "
        "train MODEL: side-by-side training (train --help); "
        "source NAME: the two implementations side by side (source --help); "
        "bench: speed against Flax + Optax (bench --help); "
        "exercise [NAME]: exercises graded against the real libraries (exercise --help)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE")
    parser.add_argument(
        "--only",
        metavar="SECTION",
        action="append",
        choices=sorted(SECTIONS),
        help="run only this section (repeatable)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="the complete matrix: every key, shape, setting and model of the tables (about 13 "
        "minutes on 2 CPU cores); default: the quick tier, the same rows on fewer of each",
    )
    return parser


def train_parser() -> argparse.ArgumentParser:
    """The options of `python -m comparisons train` (also parsed by each `comparisons.cluster.worker`)."""
    parser = argparse.ArgumentParser(
        prog="python -m comparisons train",
        description="Train a model's purejax and flaxed versions from the same variables on the same batches.",
    )
    parser.add_argument("model", help=f"one of: {', '.join(MODELS + PROGRAMS)}")
    parser.add_argument("--steps", type=int, help="training steps (default: the model's budget)")
    parser.add_argument("--batch-size", type=int, help="examples per batch (default: the model's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    parser.add_argument("--seed", type=int, default=0, help="root PRNG seed (default 0)")
    parser.add_argument("--out", help="output folder (default runs/MODEL/)")
    parser.add_argument(
        "--text", metavar="FILE", help="lstm_lm, transformer_lm: train on this text file instead of Python's sources"
    )
    parser.add_argument("--no-plot", action="store_true", help="write metrics.json only")
    parser.add_argument(
        "--logdir",
        metavar="DIR",
        help="also write TensorBoard event files: DIR/purejax, DIR/flaxed (losses, evaluation, hyperparameters) "
        "and DIR/pictures (needs tensorboardX: pip install 'purejax[tensorboard]')",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write a jax.profiler trace of steps 1-5 (both packages) to DIR: TensorBoard's profile plugin "
        "(tensorboard-plugin-profile) or Perfetto opens it",
    )
    parser.add_argument(
        "--flax",
        choices=FLAX_CHOICES,
        default="linen",
        help="the Flax side: linen (default, flaxed/models/), nnx (flaxed/nnx/) or both (three curves)",
    )
    scale = parser.add_argument_group("scaling out (data parallel; see comparisons/cluster/)")
    scale.add_argument(
        "--devices",
        type=int,
        metavar="N",
        help="train on N devices, the batch split N ways (CPU: N simulated devices); "
        "with --processes: N in all (default: P)",
    )
    scale.add_argument(
        "--parallel",
        choices=("pmap", "sharding"),
        help="pmap: replicated state, lax.pmean of the gradients; sharding: jit over a Mesh, batch sharded (default)",
    )
    scale.add_argument(
        "--processes",
        type=int,
        metavar="P",
        help="run P JAX processes on this machine (jax.distributed), N/P devices each",
    )
    scale.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="with --processes: stop every process after this long (exit code 124)",
    )
    return parser


def parse_train_args(argv, devices=None, processes=None):
    """The checked options of `train`, or an exit code (2) after printing the error.

    `devices` and `processes`: the real counts, in a `comparisons.cluster.worker` (where the
    runtime has them); the options, when given, must agree with them.
    """
    parser = train_parser()
    try:
        args = parser.parse_args(argv)
        if args.model not in MODELS + PROGRAMS:
            parser.error(f"unknown model {args.model!r}; choose from: {', '.join(MODELS + PROGRAMS)}")
        if args.model in PROGRAMS and (args.devices or args.processes or devices or args.text) is not None:
            parser.error(f"{args.model} runs on one device on its own data: no --devices, --processes or --text")
        for name, value in (("--devices", args.devices), ("--processes", args.processes)):
            if value is not None and value < 1:
                parser.error(f"{name} must be at least 1, got {value}")
        if args.parallel is not None and args.devices is None and args.processes is None:
            parser.error(f"--parallel {args.parallel} needs --devices N (or --processes P)")
        if args.flax != "linen" and (args.devices or args.processes or devices) is not None:
            parser.error(f"--flax {args.flax} is for one device (the parallel runs train linen's models)")
        if args.text is not None and (args.devices or args.processes or devices) is not None:
            parser.error("--text is not supported with --devices/--processes (the parallel runs use the model's data)")
        for name, value in (("--logdir", args.logdir), ("--profile", args.profile)):
            if value is not None and (args.devices or args.processes or devices) is not None:
                parser.error(f"{name} is for one-device runs (not with --devices/--processes)")
        if args.timeout is not None and args.processes is None:
            parser.error("--timeout is for multi-process runs (--processes P)")
        for name, given, real in (("--devices", args.devices, devices), ("--processes", args.processes, processes)):
            if real is not None and given is not None and given != real:
                parser.error(f"{name} {given}, but the distributed runtime has {real}")
        args.devices = devices or args.devices
        args.processes = processes or args.processes
        if args.processes is not None and args.devices is None:
            args.devices = args.processes
        if args.processes is not None and args.devices % args.processes:
            parser.error(
                f"--devices {args.devices} is not divisible by --processes {args.processes}: "
                f"every process holds the same number of devices (N / P)"
            )
    except SystemExit as exit_:  # parser.error has printed the message
        return exit_.code
    if args.devices is not None:
        args.parallel = args.parallel or "sharding"
        args.processes = args.processes or 1
    return args


def check_batch_split(model: str, batch_size, devices) -> str | None:
    """Why a batch of `batch_size` (default: the model's) cannot be split over `devices`, or None."""
    defaults = importlib.import_module(f"purejax.models.{model}").DEFAULTS
    batch = defaults["batch_size"] if batch_size is None else batch_size
    if devices and batch % devices:
        which = "--batch-size" if batch_size is not None else f"{model}'s default batch size"
        return (
            f"{which} {batch} is not divisible by {devices} devices (each device takes an equal share); "
            f"choose --batch-size as a multiple of {devices}"
        )
    return None


def batch_split_error(args) -> int:
    """0, or 2 after printing why the batch of the `train` options does not split over their devices."""
    error = check_batch_split(args.model, args.batch_size, args.devices)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def source_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m comparisons source",
        description="Show a purejax implementation beside its Flax/Optax/JAX counterpart, aligned by definition.",
    )
    parser.add_argument("name", nargs="?", help="a model, layer or optimizer (no name: list them)")
    parser.add_argument("--html", metavar="FILE", help="write the view as a self-contained HTML page to FILE")
    parser.add_argument("--width", type=int, metavar="N", help="total width in columns (default: the terminal's)")
    parser.add_argument("--numbers", action="store_true", help="show line numbers")
    parser.add_argument(
        "--flax",
        choices=FLAX_CHOICES[:2],
        default="linen",
        help="a model's Flax side: linen (default, flaxed/models/) or nnx (flaxed/nnx/)",
    )
    return parser


def docs_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m comparisons docs",
        description="Build the tour's static site (docs/tour/) with Sphinx and myst-nb, warnings as errors.",
    )
    parser.add_argument("--out", metavar="DIR", help="where to write the site (default: _build/tour)")
    parser.add_argument(
        "--no-execute", action="store_true", help="build from the sources without running the chapters (quick)"
    )
    return parser


def bench_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m comparisons bench",
        description="Time purejax against Flax + Optax: train steps, compiles, imports, LSTM.",
    )
    p.add_argument("--models", nargs="+", metavar="MODEL", help=f"models to time (default: all): {', '.join(MODELS)}")
    p.add_argument("--quick", action="store_true", help="fewer repeats: a few minutes on a CPU")
    p.add_argument("--json", metavar="FILE", help="write every figure, the device, versions and settings to FILE")
    p.add_argument("--plot", metavar="FILE", help="draw the ratios as a bar chart (PNG) to FILE")
    p.add_argument("--steps", type=int, metavar="N", help="timed train steps per side and model (after warm-up)")
    p.add_argument(
        "--flax",
        choices=FLAX_CHOICES[:2],
        default="linen",
        help="the Flax side: linen (default, flaxed/models/) or nnx (flaxed/nnx/, also timed in its nnx.jit loop)",
    )
    p.add_argument(
        "--repeats",
        type=int,
        metavar="N",
        help="repeats of every other measurement (compiles, imports, LSTM calls, matmuls, samples)",
    )
    p.add_argument(
        "--sweep",
        action="store_true",
        help="time, memory and first call at three or more sizes per model, against the matmul peak "
        "(--quick: a few minutes on a CPU)",
    )
    p.add_argument("--tiny", action="store_true", help="with --sweep: the smallest sizes, seconds (the tests' tier)")
    return p


def parse_bench_args(argv):
    """The checked options of `bench`, or an exit code (2) after printing the error."""
    p = bench_parser()
    try:
        args = p.parse_args(argv)
        unknown = [m for m in args.models or () if m not in MODELS]
        if unknown:
            p.error(f"unknown model {unknown[0]!r}; choose from: {', '.join(MODELS)}")
        for name in ("steps", "repeats"):
            if getattr(args, name) is not None and getattr(args, name) < 1:
                p.error(f"--{name} must be at least 1, got {getattr(args, name)}")
        if args.tiny and not args.sweep:
            p.error("--tiny is a tier of the sweep: write --sweep --tiny")
    except SystemExit as exit_:
        return exit_.code
    args.models_given = args.models is not None
    args.models = list(dict.fromkeys(args.models or MODELS))
    return args


def exercise_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m comparisons exercise",
        description="Exercises graded against the real libraries: write the stub, fill it in, check it.",
    )
    p.add_argument("name", nargs="?", help="the exercise (no name: list them)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--out", metavar="FILE", help="write the stub to FILE (default exercises/NAME.py)")
    what.add_argument("--solution", action="store_true", help="print the reference solution")
    what.add_argument("--check", metavar="FILE", help="grade FILE against the counterpart (exit 0 when it matches)")
    return p
