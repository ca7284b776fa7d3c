"""Give this process N devices: N simulated CPU devices, or N of the host's GPUs/TPUs.

On a CPU-only machine XLA can split the host into N devices, each a slice of the cores:

    XLA_FLAGS=--xla_force_host_platform_device_count=8 python -m comparisons train mlp --devices 8

The flag is read once, when JAX creates its backends (the first `jax.devices()`, array or
computation), so it must be in the environment before that. `ensure_host_devices(n, argv)` sets
it when the backend is not yet up; when it is already up with another count (an import created
an array, or the user's own `XLA_FLAGS` says otherwise), it restarts the same command with the
flag set (`os.execv`), once: an environment marker stops a loop.

On a GPU or TPU host the real devices are used: N may be at most the number of local devices,
and on CUDA/ROCm fewer are selected with `JAX_CUDA_VISIBLE_DEVICES` / `JAX_ROCM_VISIBLE_DEVICES`
(the first N). `JAX_PLATFORMS=cpu` forces the simulation on any host.

Counterpart: the `XLA_FLAGS` line of JAX's "Distributed arrays and automatic parallelization"
tutorial, and `jax.config.update("jax_num_cpu_devices", n)` (the same knob as a JAX option).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import pkgutil
import sys

FLAG = "--xla_force_host_platform_device_count"
RESTARTED = "PUREJAX_DEVICES_RESTARTED"  # set in a restarted process: never restart twice
ACCELERATORS = ("gpu", "cuda", "rocm", "tpu")


def with_device_count(xla_flags: str, n: int) -> str:
    """`xla_flags` with the host device count set to `n` (other flags kept, an old count replaced)."""
    kept = [flag for flag in xla_flags.split() if not flag.startswith(FLAG)]
    return " ".join([*kept, f"{FLAG}={n}"])


def cpu_environment(n: int, environ=None) -> dict:
    """A copy of `environ` (default `os.environ`) in which JAX sees `n` CPU devices and nothing else."""
    env = dict(os.environ if environ is None else environ)
    env["XLA_FLAGS"] = with_device_count(env.get("XLA_FLAGS", ""), n)
    env["JAX_PLATFORMS"] = "cpu"
    env.pop("JAX_NUM_CPU_DEVICES", None)  # would override the XLA flag
    return env


def _backend_started() -> bool:
    from jax._src import xla_bridge  # imported when asked: the command imports no JAX before its options are read

    return xla_bridge.backends_are_initialized()


def _cpu_only() -> bool:
    """True when JAX can only pick the CPU: `JAX_PLATFORMS=cpu`, or no accelerator plugin installed.

    Decided without starting a backend: installed plugins are `jax_plugins.*` modules or
    `jax_plugins` entry points (CUDA, ROCm), or the `libtpu` package.
    """
    platforms = [p.strip() for p in os.environ.get("JAX_PLATFORMS", "").split(",") if p.strip()]
    if platforms:
        return all(p == "cpu" for p in platforms)
    if importlib.metadata.entry_points(group="jax_plugins") or importlib.util.find_spec("libtpu") is not None:
        return False
    try:
        import jax_plugins  # a namespace package that exists only where an accelerator plugin is installed
    except ImportError:
        return True
    return not any(pkgutil.iter_modules(jax_plugins.__path__))


def _restart(argv, env: dict, why: str) -> None:
    if os.environ.get(RESTARTED):
        raise RuntimeError(
            f"{why}, and this process was already restarted to fix that; "
            f"set it before starting Python: XLA_FLAGS={env.get('XLA_FLAGS', '')!r}"
        )
    env[RESTARTED] = "1"
    print(f"({why}: restarting with XLA_FLAGS={env['XLA_FLAGS']!r})", file=sys.stderr, flush=True)
    os.execve(sys.executable, [sys.executable, "-m", "comparisons", *argv], env)


def ensure_host_devices(n: int, argv) -> None:
    """Make `jax.devices()` hold exactly `n` devices in this process, or raise a ValueError.

    Args:
      n: the number of devices wanted (at least 1).
      argv: the command's arguments after `python -m comparisons` (e.g. `['train', 'mlp',
        '--devices', '8']`), used to restart it when the backend already started with another count.

    Raises:
      ValueError: `n < 1`, or `n` larger than the host's GPUs/TPUs, or (TPU) fewer than all of them.
      RuntimeError: a restarted process still has the wrong count (something overrides the flag).
    """
    if n < 1:
        raise ValueError(f"the device count must be at least 1, got {n}")
    if not _backend_started() and _cpu_only():
        os.environ.update({k: v for k, v in cpu_environment(n).items() if k in ("XLA_FLAGS", "JAX_PLATFORMS")})
        os.environ.pop("JAX_NUM_CPU_DEVICES", None)
        import jax  # after the environment is set: JAX reads JAX_PLATFORMS when it is first imported

        if jax.config.jax_num_cpu_devices >= 0:  # set by the user before: it would win over the flag
            jax.config.update("jax_num_cpu_devices", n)
        return
    import jax  # here too: a process that imported no JAX yet reads the environment now

    devices = jax.local_devices()  # starts the backend if need be
    platform = devices[0].platform
    if platform == "cpu":
        if len(devices) != n:
            _restart(argv, cpu_environment(n), f"JAX started with {len(devices)} CPU device(s), {n} wanted")
        return
    if n > len(devices):
        raise ValueError(
            f"{n} devices wanted, but this host has {len(devices)} {platform.upper()} device(s); "
            f"use --devices {len(devices)} or fewer, or JAX_PLATFORMS=cpu to simulate {n} on the CPU"
        )
    if n < len(devices):
        variable = {
            "gpu": "JAX_CUDA_VISIBLE_DEVICES",
            "cuda": "JAX_CUDA_VISIBLE_DEVICES",
            "rocm": "JAX_ROCM_VISIBLE_DEVICES",
        }.get(platform)
        if variable is None:
            raise ValueError(
                f"{n} devices wanted, but this host has {len(devices)} {platform.upper()} devices "
                f"and they are used all or none; use --devices {len(devices)}"
            )
        env = dict(os.environ, **{variable: ",".join(str(i) for i in range(n))})
        env.setdefault("XLA_FLAGS", "")
        _restart(argv, env, f"JAX started with {len(devices)} {platform.upper()} devices, {n} wanted")
