"""The linear task's data: `linear_data` is deterministic in its key and exactly linear plus the noise asked for."""

import numpy as np
import pytest

import purejax.random
from purejax.data import linear_data

N, FEATURES = 4000, 4  # one size for every synthetic set, so each sampler compiles once


def test_linear_data_shapes_and_determinism(key):
    data = linear_data(key, n=N, features=FEATURES)
    assert data["x"].shape == (N, FEATURES) and data["y"].shape == (N, 1)
    assert data["x"].dtype == data["y"].dtype == np.float32 and isinstance(data["x"], np.ndarray)
    again, other = (
        linear_data(key, n=N, features=FEATURES),
        linear_data(purejax.random.PRNGKey(1), n=N, features=FEATURES),
    )
    np.testing.assert_array_equal(again["x"], data["x"])
    np.testing.assert_array_equal(again["y"], data["y"])
    assert not np.array_equal(other["x"], data["x"])


@pytest.mark.parametrize("noise", [0.1, 0.5])
def test_linear_data_relation(noise, key):
    """A least-squares fit of y on [x, 1] leaves residuals with variance noise**2."""
    data = linear_data(key, n=N, features=FEATURES, noise=noise)
    design = np.concatenate([data["x"], np.ones((N, 1), np.float32)], axis=1).astype(np.float64)  # [n, 5]
    _, residual, *_ = np.linalg.lstsq(design, data["y"].astype(np.float64), rcond=None)
    variance = float(residual[0]) / (N - FEATURES - 1)
    assert variance == pytest.approx(noise**2, rel=0.1)


def test_linear_data_without_noise_is_exactly_linear(key):
    data = linear_data(key, n=N, features=FEATURES, noise=0.0)
    design = np.concatenate([data["x"], np.ones((N, 1), np.float32)], axis=1).astype(np.float64)
    coef, *_ = np.linalg.lstsq(design, data["y"].astype(np.float64), rcond=None)
    np.testing.assert_allclose(design @ coef, data["y"], atol=1e-5)
