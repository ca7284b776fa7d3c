"""`comparisons.cluster.devices`: the device count in `XLA_FLAGS`, a started backend restarted once with
the devices asked for, and GPUs/TPUs used as they are."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from comparisons.cluster import devices

ROOT = str(pathlib.Path(__file__).resolve().parents[3])  # the repository


def test_a_started_backend_is_restarted_with_the_devices(tmp_path):
    """JAX already up with 1 CPU device: `ensure_host_devices` re-executes the command, once."""
    code = (
        "import jax; jax.devices(); from comparisons.cluster.devices import ensure_host_devices; "
        f"ensure_host_devices(2, ['train', 'linear_regression', '--devices', '2', '--steps', '1', "
        f"'--no-plot', '--out', {str(tmp_path)!r}])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "XLA_FLAGS": "--xla_cpu_enable_fast_math=false"},
    )
    assert result.returncode == 0, result.stderr
    assert "restarting with XLA_FLAGS='--xla_cpu_enable_fast_math=false" in result.stderr
    assert json.loads((tmp_path / "metrics.json").read_text())["devices"] == 2
    looping = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, devices.RESTARTED: "1"},
    )
    assert looping.returncode != 0 and "already restarted" in looping.stderr


def test_device_count_flag_keeps_the_other_flags():
    flags = devices.with_device_count("--xla_foo=1 --xla_force_host_platform_device_count=2", 8)
    assert flags == "--xla_foo=1 --xla_force_host_platform_device_count=8"
    env = devices.cpu_environment(4, {"XLA_FLAGS": "", "JAX_NUM_CPU_DEVICES": "2", "HOME": "/h"})
    assert env == {"XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu", "HOME": "/h"}


class _FakeDevice:
    def __init__(self, platform):
        self.platform = platform


@pytest.mark.parametrize("platform, count", [("gpu", 4), ("tpu", 4)])
def test_accelerators_are_used_as_they_are(platform, count, monkeypatch):
    """On a GPU/TPU host (faked here): N <= the local devices, fewer GPUs through a restart."""
    import jax

    monkeypatch.setattr(devices, "_backend_started", lambda: True)
    monkeypatch.setattr(jax, "local_devices", lambda: [_FakeDevice(platform)] * count)
    restarts = []
    monkeypatch.setattr(devices.os, "execve", lambda exe, argv, env: restarts.append((argv, env)))
    monkeypatch.delenv(devices.RESTARTED, raising=False)
    devices.ensure_host_devices(count, ["train", "mlp"])  # all of them: nothing to do
    with pytest.raises(ValueError, match=f"5 devices wanted, but this host has 4 {platform.upper()}"):
        devices.ensure_host_devices(5, ["train", "mlp"])
    if platform == "tpu":
        with pytest.raises(ValueError, match="used all or none"):
            devices.ensure_host_devices(2, ["train", "mlp"])
    else:
        devices.ensure_host_devices(2, ["train", "mlp", "--devices", "2"])
        ((argv, env),) = restarts
        assert argv[1:] == ["-m", "comparisons", "train", "mlp", "--devices", "2"]
        assert env["JAX_CUDA_VISIBLE_DEVICES"] == "0,1" and env[devices.RESTARTED] == "1"
