"""Command line: `python -m comparisons [--json FILE]` (also installed as `purejax-compare`).

    python -m comparisons                  # the parity report, every section (quick tier, about 3 minutes)
    python -m comparisons --full           # the complete matrix: every key, shape, setting and model
    python -m comparisons --only random    # one section
    python -m comparisons list             # the components and models, one line each
    python -m comparisons train MODEL      # train purejax and Flax side by side (see --help)
    python -m comparisons train MODEL --devices 8 [--parallel pmap|sharding] [--processes 2]
    python -m comparisons source NAME      # the two implementations side by side (--html FILE)
    python -m comparisons bench            # purejax vs Flax speed: steps, compiles, imports, LSTM (see --help)
"""
from __future__ import annotations

import argparse
import sys


def _list() -> int:
    import importlib

    from comparisons.parity import DESCRIPTIONS, SECTIONS
    from purejax.models import MODELS

    print("components (python -m comparisons --only NAME):")
    for name in SECTIONS:
        print(f"  {name:19s} {DESCRIPTIONS.get(name, '')}")
    print("models (python -m comparisons train NAME; source NAME):")
    for name in MODELS:
        doc = (importlib.import_module(f"purejax.models.{name}").__doc__ or "").strip().splitlines()
        print(f"  {name:19s} {doc[0] if doc else ''}")
    return 0


def train_parser() -> argparse.ArgumentParser:
    """The options of `python -m comparisons train` (also parsed by each `comparisons.distributed` worker)."""
    from purejax.models import MODELS

    parser = argparse.ArgumentParser(
        prog="python -m comparisons train",
        description="Train a model's purejax and flaxed versions from the same variables on the same batches.")
    parser.add_argument("model", help=f"one of: {', '.join(MODELS)}")
    parser.add_argument("--steps", type=int, help="training steps (default: the model's budget)")
    parser.add_argument("--batch-size", type=int, help="examples per batch (default: the model's)")
    parser.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    parser.add_argument("--seed", type=int, default=0, help="root PRNG seed (default 0)")
    parser.add_argument("--out", help="output folder (default runs/MODEL/)")
    parser.add_argument("--text", metavar="FILE", help="lstm_lm: train on this text file instead of Python's sources")
    parser.add_argument("--no-plot", action="store_true", help="write metrics.json only")
    scale = parser.add_argument_group("scaling out (data parallel; see comparisons/distributed.py)")
    scale.add_argument("--devices", type=int, metavar="N",
                       help="train on N devices, the batch split N ways (CPU: N simulated devices); "
                            "with --processes: N in all (default: P)")
    scale.add_argument("--parallel", choices=("pmap", "sharding"),
                       help="pmap: replicated state, lax.pmean of the gradients; sharding: jit over a Mesh, "
                            "batch sharded (default)")
    scale.add_argument("--processes", type=int, metavar="P",
                       help="run P JAX processes on this machine (jax.distributed), N/P devices each")
    scale.add_argument("--timeout", type=float, metavar="SECONDS",
                       help="with --processes: stop every process after this long (exit code 124)")
    return parser


def parse_train_args(argv, devices=None, processes=None):
    """The checked options of `train`, or an exit code (2) after printing the error.

    `devices` and `processes`: the real counts, in a `comparisons.distributed` worker (where the
    runtime has them); the options, when given, must agree with them.
    """
    from purejax.models import MODELS

    parser = train_parser()
    try:
        args = parser.parse_args(argv)
        if args.model not in MODELS:
            parser.error(f"unknown model {args.model!r}; choose from: {', '.join(MODELS)}")
        for name, value in (("--devices", args.devices), ("--processes", args.processes)):
            if value is not None and value < 1:
                parser.error(f"{name} must be at least 1, got {value}")
        if args.parallel is not None and args.devices is None and args.processes is None:
            parser.error(f"--parallel {args.parallel} needs --devices N (or --processes P)")
        if args.text is not None and (args.devices or args.processes or devices) is not None:
            parser.error("--text is not supported with --devices/--processes (the parallel runs use the model's data)")
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
            parser.error(f"--devices {args.devices} is not divisible by --processes {args.processes}: "
                         f"every process holds the same number of devices (N / P)")
    except SystemExit as exit_:  # parser.error has printed the message
        return exit_.code
    if args.devices is not None:
        args.parallel = args.parallel or "sharding"
        args.processes = args.processes or 1
    return args


def _check_batch_size(args) -> int:
    """0, or 2 after printing why the batch does not split over the devices."""
    from comparisons.train import check_batch_split

    error = check_batch_split(args.model, args.batch_size, args.devices)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _train(argv) -> int:
    args = parse_train_args(argv)
    if isinstance(args, int):
        return args
    if args.processes is not None and args.processes > 1:  # this process only launches the others
        from comparisons import distributed

        code = _check_batch_size(args)
        return code or distributed.launch(argv, args.processes, args.devices // args.processes, args.timeout)
    if args.devices is not None:
        from comparisons.devices import ensure_host_devices

        try:
            ensure_host_devices(args.devices, ["train", *argv])  # before anything starts JAX's backend
        except ValueError as error:
            print(f"error: --devices {args.devices}: {error}", file=sys.stderr)
            return 2
        code = _check_batch_size(args)
        if code:
            return code
    from comparisons import train

    return train.run(args.model, args.steps, args.batch_size, args.lr, args.seed, args.out, args.text,
                     plot=not args.no_plot, devices=args.devices, parallel=args.parallel, processes=args.processes)


def _source(argv) -> int:
    from comparisons import source

    parser = argparse.ArgumentParser(
        prog="python -m comparisons source",
        description="Show a purejax implementation beside its Flax/Optax/JAX counterpart, aligned by definition.")
    parser.add_argument("name", nargs="?", help="a model, layer or optimizer (no name: list them)")
    parser.add_argument("--html", metavar="FILE", help="write the view as a self-contained HTML page to FILE")
    parser.add_argument("--width", type=int, metavar="N", help="total width in columns (default: the terminal's)")
    parser.add_argument("--numbers", action="store_true", help="show line numbers")
    args = parser.parse_args(argv)
    return source.run(args.name, html=args.html, width=args.width, numbers=args.numbers)


def _bench(argv) -> int:
    from comparisons import bench

    return bench.main(argv)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:
        return _train(argv[1:])
    if argv[:1] == ["source"]:
        return _source(argv[1:])
    if argv[:1] == ["bench"]:
        return _bench(argv[1:])
    from comparisons.parity import SECTIONS  # imports models, which starts JAX's backend: not before train

    parser = argparse.ArgumentParser(
        prog="python -m comparisons",
        description="Show that purejax computes what JAX, Flax and Optax compute.",
    )
    parser.add_argument("command", nargs="?", default="report",
                        choices=["report", "list", "train", "source", "bench"],
                        help="report (default): the parity table; list: the components and models; "
                             "train MODEL: side-by-side training (train --help); "
                             "source NAME: the two implementations side by side (source --help); "
                             "bench: speed against Flax + Optax (bench --help)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE")
    parser.add_argument("--only", metavar="SECTION", action="append", choices=sorted(SECTIONS),
                        help="run only this section (repeatable)")
    parser.add_argument("--full", action="store_true",
                        help="the complete matrix: every key, shape, setting and model of the tables (about 13 "
                             "minutes on 2 CPU cores); default: the quick tier, the same rows on fewer of each")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    from comparisons import report

    return report.main(json_path=args.json, sections=args.only, tier="full" if args.full else "quick")


if __name__ == "__main__":
    sys.exit(main())
