"""Shared fixtures and the strict numerics every test runs under.

- Rank promotion raises and matmuls use full precision, so results compare across backends
  (principle 3 of CONTRIBUTING.md). Dtype promotion stays "standard": jax.random itself needs it.
- `key`: a raw PRNG key, the same array for purejax.random and jax.random.
- GPU memory is allocated on demand, so the `pytest -n auto` workers can share one device.
- `platform`: every platform `jax.devices()` offers (CPU in CI; GPU/TPU where present); a test
  that takes it runs once per platform, with that platform's first device as the default. No test
  loops over the platforms itself.
- `variant`: chex's two variants as a fixture, for the parity tests that also take `platform`
  (a `chex.TestCase` cannot take fixtures): `jax.jit`, or the function as it is. A jit-only test
  narrows it with `@pytest.mark.parametrize("variant", ["with_jit"], indirect=True)`.
"""

import os

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # several test workers share a GPU

import jax
import pytest

import purejax.random

jax.config.update("jax_numpy_rank_promotion", "raise")

PLATFORMS = sorted({d.platform for d in jax.devices()})
VARIANTS = {"with_jit": jax.jit, "without_jit": lambda fn: fn}  # chex.variants(with_jit=..., without_jit=...)


@pytest.fixture(autouse=True)
def _highest_matmul_precision():
    with jax.default_matmul_precision("highest"):
        yield


@pytest.fixture
def key():
    return purejax.random.PRNGKey(0)


@pytest.fixture(params=PLATFORMS)
def platform(request):
    with jax.default_device(jax.devices(request.param)[0]):
        yield request.param


@pytest.fixture(params=list(VARIANTS))
def variant(request):
    return VARIANTS[request.param]
