"""One process of a multi-process run: `python -m comparisons.cluster.worker [options] -- MODEL ...`.

It joins the others with `jax.distributed.initialize` (coordinator, process count and id from the
options, or found by JAX under SLURM / Open MPI), then trains as `python -m comparisons train`
does in parallel mode, with `--devices` and `--processes` taken from the runtime; or, given
`compare [MODEL ...] --steps N --json FILE`, runs `comparisons.training.parallel.compare` (the
report's multi-process rows). `comparisons/cluster/launch.py` starts these on one machine; on a
cluster, start one per host (see that module's docstring for SLURM and by-hand recipes).
A worker whose launcher is gone exits; `PUREJAX_TEST_DIE_AT_STEP` makes one die on purpose (tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback

import jax

from comparisons.cli import parse_train_args
from comparisons.cluster.launch import DIE_AT_STEP, DIE_PROCESS, LAUNCHER


def _watch_launcher() -> None:
    """Exit this worker when the launcher that started it is gone (killed before it could stop us)."""
    launcher = int(os.environ.get(LAUNCHER, "0"))

    def watch():
        while os.getppid() == launcher:
            time.sleep(1.0)
        try:
            print(f"error: the launcher (pid {launcher}) is gone; exiting", file=sys.stderr, flush=True)
        finally:  # its pipe may be closed too
            os._exit(1)

    if launcher:
        threading.Thread(target=watch, daemon=True).start()


def die_hook():
    """The test knob: an `on_step(step, *losses)` that kills this process at the chosen step, or None."""
    if DIE_AT_STEP not in os.environ:
        return None
    at, who = int(os.environ[DIE_AT_STEP]), int(os.environ.get(DIE_PROCESS, "0"))
    if jax.process_index() != who:
        return None

    def on_step(step, *_):
        if step == at:
            print(f"process {who}: {DIE_AT_STEP}={at}: exiting abruptly (os._exit(3))", file=sys.stderr, flush=True)
            os._exit(3)

    return on_step


def worker(argv) -> int:
    """One process of the run: join the others, train in parallel mode, leave."""
    parser = argparse.ArgumentParser(
        prog="python -m comparisons.cluster.worker",
        description="One process of a multi-process run (see the module docstring).",
    )
    parser.add_argument(
        "--coordinator",
        help="HOST:PORT of process 0 (default: JAX_COORDINATOR_ADDRESS or auto-detected under SLURM / Open MPI)",
    )
    parser.add_argument("--num-processes", type=int, help="how many processes (default: auto-detected)")
    parser.add_argument("--process-id", type=int, help="this one's number, 0 to P - 1 (default: auto-detected)")
    parser.add_argument(
        "--initialization-timeout", type=int, default=60, help="seconds to wait for all processes to join (default 60)"
    )
    parser.add_argument(
        "--heartbeat-timeout",
        type=int,
        default=10,
        help="seconds without heartbeats after which a process counts as dead (default 10)",
    )
    parser.add_argument(
        "train_args",
        nargs=argparse.REMAINDER,
        help="-- then the arguments of `train`, or `compare [MODEL ...] --steps N --json FILE` "
        "(comparisons.training.parallel: every model against one device)",
    )
    args = parser.parse_args(argv)
    train_args = args.train_args[1:] if args.train_args[:1] == ["--"] else args.train_args
    _watch_launcher()
    jax.config.update("jax_cpu_collectives_implementation", "gloo")  # cross-process collectives on CPU
    try:
        jax.distributed.initialize(
            args.coordinator,
            args.num_processes,
            args.process_id,
            initialization_timeout=args.initialization_timeout,
            heartbeat_timeout_seconds=args.heartbeat_timeout,
            shutdown_timeout_seconds=args.heartbeat_timeout,
        )
    except Exception as error:
        print(
            f"error: process {args.process_id}: could not join the run at {args.coordinator}: {error}",
            file=sys.stderr,
            flush=True,
        )
        return 1
    # Imported once the processes have joined: the models they import may start JAX's backend, which
    # jax.distributed.initialize must precede.
    from comparisons.training import command, parallel

    me = jax.process_index()
    try:
        if train_args[:1] == ["compare"]:  # every model against one device: the report's multi-process rows
            code = parallel.main(train_args[1:])
        else:
            options = parse_train_args(train_args, devices=jax.device_count(), processes=jax.process_count())
            code = options if isinstance(options, int) else _train(command, options)
    except BaseException:
        try:
            print(f"error: process {me} failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        finally:
            os._exit(1)
    jax.distributed.shutdown()
    return code


def _train(command, args) -> int:
    return command.run(
        args.model,
        args.steps,
        args.batch_size,
        args.lr,
        args.seed,
        args.out,
        args.text,
        plot=not args.no_plot,
        devices=args.devices,
        parallel=args.parallel,
        processes=args.processes,
        on_step=die_hook(),
    )


def main(argv=None) -> int:
    return worker(sys.argv[1:] if argv is None else list(argv))


if __name__ == "__main__":
    sys.exit(main())
