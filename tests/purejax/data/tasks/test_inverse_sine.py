"""The inverse sine task's data: `inverse_sine_data` is deterministic in its key, and x - y - 0.3 sin(2 pi y)
is the noise asked for."""

import numpy as np
import pytest

import purejax.random
from purejax.data import inverse_sine_data

N, FEATURES = 4000, 4  # one size for every synthetic set, so each sampler compiles once


def test_inverse_sine_data_shapes_and_determinism(key):
    data = inverse_sine_data(key, n=N)
    assert data["x"].shape == data["y"].shape == (N, 1)
    assert data["x"].dtype == data["y"].dtype == np.float32 and isinstance(data["y"], np.ndarray)
    assert 0 <= data["y"].min() and data["y"].max() < 1
    np.testing.assert_array_equal(inverse_sine_data(key, n=N)["x"], data["x"])
    assert not np.array_equal(inverse_sine_data(purejax.random.PRNGKey(1), n=N)["y"], data["y"])


@pytest.mark.parametrize("noise", [0.05, 0.2])
def test_inverse_sine_data_relation(noise, key):
    """x - y - 0.3 sin(2 pi y) is the noise: mean 0, standard deviation `noise`."""
    data = inverse_sine_data(key, n=N, noise=noise)
    x, y = data["x"].astype(np.float64), data["y"].astype(np.float64)
    eps = x - y - 0.3 * np.sin(2 * np.pi * y)
    assert eps.std() == pytest.approx(noise, rel=0.05)
    assert abs(eps.mean()) < 4 * noise / np.sqrt(N)
