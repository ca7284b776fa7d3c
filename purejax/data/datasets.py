"""The datasets the models train on, all offline: real digits, real text, and synthetic sets.

- `load_digits`: scikit-learn's 1,797 handwritten digits (8x8 grey levels 0..16), scaled to
  [0, 1], shuffled and split with a key (needs the `data` extra: scikit-learn).
- `load_text`: bytes of Python's own standard library sources (every `.py` under
  `sysconfig.get_paths()['stdlib']`, sorted by path), or of a file you name.
- `linear_data`, `inverse_sine_data`: synthetic sets drawn from a key.

Every loader returns dicts of numpy arrays (`{'image': ..., 'label': ...}`), the format
`purejax.data.batches` cuts into batches.
"""
from __future__ import annotations

import math
import os
import sysconfig

import numpy as np

import purejax.random
from purejax.data.batching import split

DIGITS_KEY = purejax.random.PRNGKey(0)  # the fixed split every model uses


def load_digits(key=DIGITS_KEY, test_fraction: float = 0.2) -> dict:
    """`{'train': ..., 'test': ...}`, each `{'image': float32[n, 8, 8, 1] in [0, 1], 'label': int32[n]}`.

    With the default key and fraction: 1,438 training and 359 test digits, the same for everyone.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:  # scikit-learn is optional: the `data` extra
        raise ImportError("load_digits needs scikit-learn: pip install 'purejax[data]'") from error
    digits = sklearn_digits()
    data = {"image": (digits.images / 16.0).astype(np.float32)[..., None],  # [1797, 8, 8, 1]
            "label": digits.target.astype(np.int32)}  # [1797]
    train, test = split(data, key, test_fraction)
    return {"train": train, "test": test}


def stdlib_sources() -> list[str]:
    """Paths of the standard library's `.py` files (tests and site-packages left out), sorted."""
    root = sysconfig.get_paths()["stdlib"]
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in ("site-packages", "test", "tests", "idlelib"))
        found += [os.path.join(folder, f) for f in files if f.endswith(".py")]
    return sorted(found)


def load_text(path: str | None = None, max_bytes: int = 2_000_000) -> np.ndarray:
    """`uint8[n]`: the bytes of `path`, or of the standard library's sources joined, first `max_bytes`."""
    if path is not None:
        with open(path, "rb") as file:
            data = file.read(max_bytes)
        if not data:
            raise ValueError(f"load_text: {path} is empty")
        return np.frombuffer(data, np.uint8).copy()
    chunks, size = [], 0
    for source in stdlib_sources():
        with open(source, "rb") as file:
            chunks.append(file.read())
        size += len(chunks[-1])
        if size >= max_bytes:
            break
    if not chunks:
        raise FileNotFoundError(f"load_text: found no .py files under {sysconfig.get_paths()['stdlib']}; "
                                "pass a text file")
    return np.frombuffer(b"".join(chunks)[:max_bytes], np.uint8).copy()


def linear_data(key, n: int = 256, features: int = 3, noise: float = 0.1) -> dict:
    """`{'x': float32[n, features], 'y': float32[n, 1]}` with `y = x @ w + b + noise * eps`.

    The true `w: [features, 1]` and `b: [1, 1]` are drawn from the key too (a standard normal).
    """
    k_x, k_w, k_b, k_eps = purejax.random.split(key, 4)
    x = purejax.random.normal(k_x, (n, features))  # [n, features]
    w = purejax.random.normal(k_w, (features, 1))  # [features, 1]
    b = purejax.random.normal(k_b, (1, 1))  # [1, 1]
    y = x @ w + b + noise * purejax.random.normal(k_eps, (n, 1))  # [n, 1]
    return {"x": np.asarray(x), "y": np.asarray(y)}


def inverse_sine_data(key, n: int = 1000, noise: float = 0.05) -> dict:
    """Bishop's inverse problem: `{'x': float32[n, 1], 'y': float32[n, 1]}`, one x has several y.

        y ~ uniform(0, 1)
        x = y + 0.3 * sin(2 pi y) + noise * eps    # a function of y, so y(x) is multi-valued

    Reference: Bishop, *Mixture Density Networks*, 1994.
    """
    k_y, k_eps = purejax.random.split(key)
    y = purejax.random.uniform(k_y, (n, 1))  # [n, 1]
    x = y + 0.3 * np.sin(2 * math.pi * np.asarray(y)) + noise * purejax.random.normal(k_eps, (n, 1))
    return {"x": np.asarray(x, np.float32), "y": np.asarray(y, np.float32)}
