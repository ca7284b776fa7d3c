"""Command line: `python -m comparisons [COMMAND]` (also installed as `purejax-compare`).

    python -m comparisons                  # the parity report, every section (quick tier, about 2 minutes)
    python -m comparisons --full           # the complete matrix: every key, shape, setting and model
    python -m comparisons --only random    # one section
    python -m comparisons list             # the components and models, one line each
    python -m comparisons train MODEL      # train purejax and Flax side by side (see --help)
    python -m comparisons train MODEL --logdir DIR   # ... and write TensorBoard event files to DIR
    python -m comparisons train MODEL --devices 8 [--parallel pmap|sharding] [--processes 2]
    python -m comparisons source NAME      # the two implementations side by side (--html FILE)
    python -m comparisons bench            # purejax vs Flax speed: steps, compiles, imports, LSTM (see --help)
    python -m comparisons exercise [NAME]  # exercises graded against the real libraries (see --help)
    python -m comparisons docs             # the tour's static site, every chapter executed (--no-execute)

This module only dispatches: the options are in `comparisons/cli.py`, each command in its own
package. A command is imported once its options are read, because `train --devices N` must set
`XLA_FLAGS` before anything starts JAX's backend.
"""

from __future__ import annotations

import sys

from comparisons import cli


def _train(argv) -> int:
    args = cli.parse_train_args(argv)
    if isinstance(args, int):
        return args
    if args.processes is not None and args.processes > 1:  # this process only launches the others
        from comparisons.cluster import launch  # imported here, as every command: see the module docstring

        return cli.batch_split_error(args) or launch.launch(
            argv, args.processes, args.devices // args.processes, args.timeout
        )
    if args.devices is not None:
        from comparisons.cluster.devices import ensure_host_devices  # sets XLA_FLAGS: before JAX's backend

        try:
            ensure_host_devices(args.devices, ["train", *argv])
        except ValueError as error:
            print(f"error: --devices {args.devices}: {error}", file=sys.stderr)
            return 2
        code = cli.batch_split_error(args)
        if code:
            return code
    from comparisons.training import command  # imported after XLA_FLAGS is set: it imports JAX and the models

    return command.run(
        args.model,
        args.steps,
        args.batch_size,
        args.lr,
        args.seed,
        args.out,
        args.text,
        plot=not args.no_plot,
        logdir=args.logdir,
        profile=args.profile,
        devices=args.devices,
        parallel=args.parallel,
        processes=args.processes,
        flax=args.flax,
    )


def _source(argv) -> int:
    args = cli.source_parser().parse_args(argv)
    from comparisons import source  # imported here, as every command: see the module docstring

    return source.run(args.name, html=args.html, width=args.width, numbers=args.numbers, flax=args.flax)


def _bench(argv) -> int:
    args = cli.parse_bench_args(argv)
    if isinstance(args, int):
        return args
    from comparisons.bench import command  # imported here, as every command: see the module docstring

    return command.main(args, argv)


def _exercise(argv) -> int:
    args = cli.exercise_parser().parse_args(argv)
    from comparisons import exercises  # imported here, as every command: see the module docstring

    return exercises.run(args.name, out=args.out, solution=args.solution, check=args.check)


def _docs(argv) -> int:
    args = cli.docs_parser().parse_args(argv)
    from comparisons import tour  # imported here, as every command: see the module docstring

    return tour.build(args.out, execute=not args.no_execute)


def _report(argv) -> int:
    args = cli.report_parser().parse_args(argv)
    from comparisons.parity import report  # imported here: its tables start JAX's backend (module docstring)

    if args.command == "list":
        return report.show_list()
    if args.command != "report":  # `python -m comparisons --json F train` and the like
        print(
            f"error: {args.command} takes its own options: python -m comparisons {args.command} --help", file=sys.stderr
        )
        return 2
    return report.main(json_path=args.json, sections=args.only, tier="full" if args.full else "quick")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    commands = {"train": _train, "source": _source, "bench": _bench, "exercise": _exercise, "docs": _docs}
    if argv[:1] and argv[0] in commands:
        return commands[argv[0]](argv[1:])
    return _report(argv)


if __name__ == "__main__":
    sys.exit(main())
