"""A table of a model's variables: path, shape, dtype, count and bytes, with totals per collection.

    model = Sequential([Dense(3), BatchNorm(use_running_average=False), Dense(2)])
    print(summary(model.init(key, jnp.ones((2, 4)))))

    path                       shape   dtype    count  bytes
    -------------------------  ------  -------  -----  -----
    batch_stats/layers_1/mean  (3,)    float32      3   12 B
    batch_stats/layers_1/var   (3,)    float32      3   12 B
    params/layers_0/bias       (3,)    float32      3   12 B
    params/layers_0/kernel     (4, 3)  float32     12   48 B
    ...
    params/layers_2/kernel     (3, 2)  float32      6   24 B
    -------------------------  ------  -------  -----  -----
    batch_stats                                     6   24 B
    params                                         29  116 B

    Total Parameters: 35 (140 B)

    count = prod(shape)                 (1 for a scalar)
    bytes = count * dtype.itemsize      (as Flax counts them: int4 takes a byte)

Sizes are written as Flax's `nn.tabulate` writes them: `1,234` with thousands separators, bytes
in B up to 1,000, then KB, MB, GB with one decimal (powers of 1000), so the last line is the
caption `nn.tabulate` prints for the same variables.

Args (of `rows`, `totals`, `summary`):
  variables: a dict of collections as `init` returns it (`{'params': ..., 'batch_stats': ...}`);
    leaves are arrays, `jax.ShapeDtypeStruct`s or numbers. Top-level keys count as collections.

Returns:
  `rows`: one `Row(path, shape, dtype, count, nbytes)` per leaf in flatten order (paths sorted).
  `totals`: `{collection: (count, nbytes)}`. `summary`: the table as a string.

Counterpart: `flax.linen.tabulate` / `Module.tabulate` (flax/linen/summary.py: its footer per
collection and its "Total Parameters" caption), Elegy's `Model.summary`, Keras' `Model.summary`.

References: Flax, *Module.tabulate*, https://flax.readthedocs.io/en/latest/api_reference/flax.linen/
module.html; Keras, *Model.summary*, https://keras.io/api/models/model/#summary-method.

Differences:
  One row per variable, not per module call: no input and output shapes, no FLOPs, since that
  needs running the model; plain text, not a `rich` table.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from purejax.tree import flatten_with_path, keystr

_HEADER = ("path", "shape", "dtype", "count", "bytes")


class Row(NamedTuple):
    """One variable."""

    path: str  # params/Dense_0/kernel
    shape: tuple  # (4, 3)
    dtype: str  # float32
    count: int  # 12 = prod(shape)
    nbytes: int  # 48 = count * itemsize


def bytes_repr(num_bytes: int) -> str:
    """`12 B`, `1.2 KB`, `3.4 MB`, `5.6 GB`, as Flax writes sizes (`flax.linen.summary._bytes_repr`)."""
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if num_bytes > scale:
            return f"{num_bytes / scale:,.1f} {unit}"
    return f"{num_bytes:,} B"


def size_repr(count: int, num_bytes: int) -> str:
    """`35 (140 B)`: a count and its bytes."""
    return f"{count:,} ({bytes_repr(num_bytes)})"


def rows(variables) -> list[Row]:
    """One `Row` per leaf of `variables`."""
    out = []
    for path, leaf in flatten_with_path(variables)[0]:
        shape = tuple(leaf.shape) if hasattr(leaf, "shape") else np.shape(leaf)
        dtype = np.dtype(leaf.dtype) if hasattr(leaf, "dtype") else np.asarray(leaf).dtype
        count = math.prod(shape)
        out.append(Row(keystr(path, simple=True, separator="/"), shape, dtype.name, count, count * dtype.itemsize))
    return out


def totals(variables) -> dict[str, tuple[int, int]]:
    """`{collection: (count, nbytes)}`, the collection being a row's first path entry."""
    out: dict[str, tuple[int, int]] = {}
    for row in rows(variables):
        collection = row.path.split("/")[0]
        count, nbytes = out.get(collection, (0, 0))
        out[collection] = (count + row.count, nbytes + row.nbytes)
    return out


def summary(variables) -> str:
    """The table: a row per variable, a total per collection, and `Total Parameters: N (B)`."""
    body = [(r.path, str(r.shape), r.dtype, f"{r.count:,}", bytes_repr(r.nbytes)) for r in rows(variables)]
    foot = [(name, "", "", f"{count:,}", bytes_repr(nbytes)) for name, (count, nbytes) in totals(variables).items()]
    widths = [max(len(line[i]) for line in [_HEADER, *body, *foot]) for i in range(len(_HEADER))]

    def fmt(line):  # text left, numbers right
        cells = [c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    count, nbytes = sum(c for c, _ in totals(variables).values()), sum(b for _, b in totals(variables).values())
    return "\n".join(
        [
            fmt(_HEADER),
            rule,
            *map(fmt, body),
            rule,
            *map(fmt, foot),
            "",
            f"Total Parameters: {size_repr(count, nbytes)}",
        ]
    )
