"""Several JAX processes, one program: the launcher behind `python -m comparisons train ... --processes P`.

JAX's multi-process ("multi-controller") model: every process runs the same program (SPMD), owns
its local devices, and `jax.distributed.initialize` joins them into one set of global devices,
`jax.devices()`, over a coordinator at process 0's address. Collectives cross processes (gloo
over TCP on CPUs, NCCL on GPUs), so a `pmean` or a sharded `jit` sums over all of them.

On one machine, `launch` plays the cluster: it starts P copies of

    python -m comparisons.cluster.worker --coordinator 127.0.0.1:PORT \\
        --num-processes P --process-id I -- MODEL --devices N --processes P ...

each with `XLA_FLAGS=--xla_force_host_platform_device_count=N/P` and `JAX_PLATFORMS=cpu`, shows
process 0's output as it is and the others' prefixed `[process I]`; process 0 writes the files.

Failure: if a process exits non-zero, the others are stopped after a grace period (SIGTERM,
then SIGKILL), and the launcher exits non-zero naming the process; JAX's runtime also aborts the
survivors on its own, since a dead process stops sending heartbeats (`--heartbeat-timeout`, 10 s
here; JAX's default is 100 s). An overall `timeout` kills them all (exit code 124). For tests,
`PUREJAX_TEST_DIE_AT_STEP=k` with `PUREJAX_TEST_DIE_PROCESS=i` makes process i exit abruptly
(`os._exit(3)`) after training step k.

On a real cluster: one process per host, the same entry point, no launcher. Without
`--coordinator`, `jax.distributed.initialize()` finds its arguments itself: under SLURM from
`SLURM_*` (coordinator: the first node of the step, port from the job id, or `JAX_COORDINATOR_PORT`),
under Open MPI from `OMPI_*`; otherwise give `--coordinator HOST0:PORT` (or `JAX_COORDINATOR_ADDRESS`),
`--num-processes` and `--process-id` on each host. Under SLURM, JAX gives each process only GPU
number `SLURM_LOCALID`; with one process per host, list all of them in `JAX_LOCAL_DEVICE_IDS`.
The worker takes `--devices` and `--processes` from the runtime (the global device count and
the number of processes), so they may be left out.

SLURM, 2 hosts x 4 GPUs, one process per host:

    #!/bin/bash
    #SBATCH --job-name=purejax-mlp
    #SBATCH --nodes=2
    #SBATCH --ntasks-per-node=1
    #SBATCH --gpus-per-node=4
    #SBATCH --time=00:30:00
    export JAX_LOCAL_DEVICE_IDS=0,1,2,3            # all 4 GPUs in the one process per host
    srun python -m comparisons.cluster.worker -- mlp --parallel sharding --out runs/mlp-2x4

Two GPU hosts by hand (host0 reachable as 10.0.0.1 from host1; any free port):

    host0$ python -m comparisons.cluster.worker --coordinator 10.0.0.1:1234 \\
               --num-processes 2 --process-id 0 -- mlp --parallel pmap
    host1$ python -m comparisons.cluster.worker --coordinator 10.0.0.1:1234 \\
               --num-processes 2 --process-id 1 -- mlp --parallel pmap

Each process is `comparisons/cluster/worker.py`; this module starts, watches and stops them.

Counterpart: `jax.distributed.initialize` (jax/_src/distributed.py) and JAX's "Multi-controller
JAX" and "Using JAX in multi-host and multi-process environments" guides.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from comparisons.cluster.devices import cpu_environment

DIE_AT_STEP, DIE_PROCESS = "PUREJAX_TEST_DIE_AT_STEP", "PUREJAX_TEST_DIE_PROCESS"
LAUNCHER = "PUREJAX_LAUNCHER_PID"  # set by `launch`: a worker whose launcher is gone exits
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # where `comparisons` imports


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class _Output:
    """Copies each child's lines to our stdout/stderr: process 0 as is, the others prefixed."""

    def __init__(self, stdout, stderr):
        self.lock, self.stdout, self.stderr, self.threads = threading.Lock(), stdout, stderr, []
        self.skipped = 0  # native stack-trace lines ("    @     0x7f...") left out

    def follow(self, pipe, index: int, target) -> None:
        def copy():
            prefix = "" if index == 0 else f"[process {index}] "
            for line in iter(pipe.readline, ""):
                if line.lstrip().startswith("@ ") and " 0x" in line:
                    self.skipped += 1
                    continue
                with self.lock:
                    target.write(prefix + line)
                    target.flush()
            pipe.close()

        thread = threading.Thread(target=copy, daemon=True)
        thread.start()
        self.threads.append(thread)

    def say(self, message: str) -> None:
        with self.lock:
            self.stderr.write(f"[launcher] {message}\n")
            self.stderr.flush()

    def join(self, timeout: float = 5.0) -> None:
        for thread in self.threads:
            thread.join(timeout)


def _stop(procs, grace_kill: float = 2.0) -> None:
    """SIGTERM every live child's process group, then SIGKILL what is left after `grace_kill` s.

    (JAX's preemption service catches SIGTERM in a distributed process and only records it, so
    SIGKILL is what ends a process stuck in a collective.)
    """
    for sig, wait in ((signal.SIGTERM, grace_kill), (signal.SIGKILL, 5.0)):
        alive = [p for p in procs if p.poll() is None]
        for p in alive:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while any(p.poll() is None for p in alive) and time.monotonic() < deadline:
            time.sleep(0.05)


def launch(
    worker_args: list[str],
    processes: int,
    devices_per_process: int,
    timeout: float | None = None,
    grace: float = 5.0,
    stdout=None,
    stderr=None,
) -> int:
    """Run `worker_args` (a `train` command line) as `processes` JAX processes on this machine.

    Args:
      worker_args: the arguments of `python -m comparisons train` (model first).
      processes: how many processes (at least 2 to mean anything; 1 works).
      devices_per_process: simulated CPU devices in each (`--xla_force_host_platform_device_count`).
      timeout: seconds for the whole run (None: no limit); past it every process is killed.
      grace: seconds the others get to end on their own after one fails, before SIGTERM.
      stdout, stderr: where the output goes (default: ours).

    Returns:
      0 when every process exits 0; 124 on timeout; 130 on Ctrl-C, 143 on SIGTERM (every process
      stopped); otherwise the exit code of the first process that failed (1 if it was killed by a
      signal).
    """
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    coordinator = f"127.0.0.1:{free_port()}"
    env = cpu_environment(devices_per_process)
    env["PYTHONUNBUFFERED"] = "1"
    env[LAUNCHER] = str(os.getpid())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    output, procs = _Output(stdout, stderr), []
    output.say(f"{processes} processes x {devices_per_process} CPU devices, coordinator {coordinator}")
    start = time.monotonic()
    previous = None
    if threading.current_thread() is threading.main_thread():  # SIGTERM (a scheduler, kill) as Ctrl-C
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        for index in range(processes):
            command = [
                sys.executable,
                "-m",
                "comparisons.cluster.worker",
                "--coordinator",
                coordinator,
                "--num-processes",
                str(processes),
                "--process-id",
                str(index),
                "--",
                *worker_args,
            ]
            # A session of its own: Ctrl-C reaches the launcher only, and _stop can signal the whole group.
            proc = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
            procs.append(proc)
            output.follow(proc.stdout, index, stdout)
            output.follow(proc.stderr, index, stderr)
        failed = None  # (index, code, when)
        while any(p.poll() is None for p in procs):
            now = time.monotonic()
            if failed is None:
                for index, p in enumerate(procs):
                    if p.poll() not in (None, 0):
                        failed = index, p.returncode, now
                        output.say(
                            f"process {index} {_describe(p.returncode)} after {now - start:.1f}s; "
                            f"stopping the others in {grace:g}s unless they end first"
                        )
                        break
            elif now - failed[2] > grace:
                output.say("stopping the remaining processes")
                _stop(procs)
            if timeout is not None and now - start > timeout:
                output.say(f"timed out after {timeout:g}s; stopping every process")
                _stop(procs)
                output.join()
                return 124
            time.sleep(0.05)
    except (KeyboardInterrupt, _Terminated) as stopped:
        output.say(f"{'terminated' if isinstance(stopped, _Terminated) else 'interrupted'}; stopping every process")
        _stop(procs)
        output.join()
        return 143 if isinstance(stopped, _Terminated) else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    output.join()
    codes = [p.returncode for p in procs]
    if all(code == 0 for code in codes):
        return 0
    if len(set(codes)) == 1 and codes[0] > 0:  # the same answer everywhere, e.g. 1: the sides differ
        output.say(f"every process exited with code {codes[0]}")
        return codes[0]
    if failed is None:  # all ended in the same polling interval
        failed = next((i, c, 0.0) for i, c in enumerate(codes) if c != 0)
    others = "; ".join(f"process {i} {_describe(c)}" for i, c in enumerate(codes) if i != failed[0])
    skipped = f" ({output.skipped} native stack-trace lines not shown)" if output.skipped else ""
    output.say(f"FAILED: process {failed[0]} {_describe(failed[1])} first; {others}{skipped}")
    return failed[1] if 0 < failed[1] < 256 else 1


class _Terminated(Exception):
    """The launcher received SIGTERM."""


def _terminated(*_):
    raise _Terminated()
