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
    leaves are numeric arrays (bool, int, float, complex, bfloat16, typed keys), `jax.ShapeDtypeStruct`s
    or Python numbers. Top-level keys count as collections. Anything else as a leaf (a string, a
    function, an object or string array) is refused with a TypeError naming its path: it is not a
    parameter, and counting it would change the totals silently.

Returns:
  `rows`: one `Row(path, shape, dtype, count, nbytes)` per leaf in flatten order (paths sorted).
  `totals`: `{collection: (count, nbytes)}`. `summary`: the table as a string.

Counterpart: `flax.linen.tabulate` / `Module.tabulate` (flax/linen/summary.py: its footer per
collection and its "Total Parameters" caption), Elegy's `Model.summary`, Keras' `Model.summary`.

References: Flax, *Module.tabulate*, https://flax.readthedocs.io/en/latest/api_reference/flax.linen/
module.html; Keras, *Model.summary*, https://keras.io/api/models/model/#summary-method.

Differences:
  One row per variable, not per module call: no input and output shapes, no FLOPs, since that
  needs running the model; plain text, not a `rich` table. Flax's totals skip leaves without a
  `.size` (strings, functions, and Python numbers too) and count object and string arrays
  (8 bytes an object, 4 a character); here a Python number counts as one scalar (as
  `np.size` does) and the others are refused, naming their path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from purejax.checks import check_int, describe, fail
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
    """`12 B`, `1.2 KB`, `3.4 MB`, `5.6 GB`, as Flax writes sizes (`flax.linen.summary._bytes_repr`).

    `num_bytes` is an integer >= 0 (TypeError / ValueError otherwise; Flax formats `-5` as `-5 B`).
    """
    num_bytes = check_int("purejax.summary.bytes_repr", "num_bytes", num_bytes, minimum=0)
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if num_bytes > scale:
            return f"{num_bytes / scale:,.1f} {unit}"
    return f"{num_bytes:,} B"


def size_repr(count: int, num_bytes: int) -> str:
    """`35 (140 B)`: a count and its bytes, integers >= 0."""
    count = check_int("purejax.summary.size_repr", "count", count, minimum=0)
    num_bytes = check_int("purejax.summary.size_repr", "num_bytes", num_bytes, minimum=0)
    return f"{count:,} ({bytes_repr(num_bytes)})"


def _numeric(dtype) -> bool:
    """A dtype whose elements are numbers (or PRNG keys): bool, int, float, complex, bfloat16, float8, key<fry>."""
    if not isinstance(dtype, np.dtype):
        return hasattr(dtype, "itemsize")  # JAX's extended dtypes: typed keys
    return dtype.kind in "biufc" or (dtype.kind == "V" and dtype.type is not np.void)  # ml_dtypes' are kind V


def _dtype_name(dtype) -> str:
    return dtype.name if isinstance(dtype, np.dtype) else str(dtype)


def _rows(variables, where: str) -> list[Row]:
    """One `Row` per leaf of `variables`; a TypeError naming `where` and the path of a leaf that is not numeric."""
    if not isinstance(variables, Mapping):
        expected = "a dict of collections such as {'params': ...}"
        raise fail(TypeError, where, "variables", expected, variables, "pass what init returns")
    out = []
    for path, leaf in flatten_with_path(variables)[0]:
        name = keystr(path, simple=True, separator="/")
        if isinstance(leaf, (bool, int, float, complex, np.generic)):
            shape, dtype = (), np.asarray(leaf).dtype
        elif hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
            shape, dtype = tuple(leaf.shape), leaf.dtype
        else:
            shape, dtype = (), None
        if dtype is None or not _numeric(dtype):
            raise TypeError(
                f"{where}: the leaf at {name} is {describe(leaf)}, not a numeric array; variables hold "
                "arrays (or jax.ShapeDtypeStruct) of numbers: remove it, or keep it out of the variables"
            )
        count = math.prod(shape)
        out.append(Row(name, shape, _dtype_name(dtype), count, count * dtype.itemsize))
    return out


def _totals(table: list[Row]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for row in table:
        collection = row.path.split("/")[0]
        count, nbytes = out.get(collection, (0, 0))
        out[collection] = (count + row.count, nbytes + row.nbytes)
    return out


def rows(variables) -> list[Row]:
    """One `Row` per leaf of `variables`."""
    return _rows(variables, "purejax.summary.rows")


def totals(variables) -> dict[str, tuple[int, int]]:
    """`{collection: (count, nbytes)}`, the collection being a row's first path entry."""
    return _totals(_rows(variables, "purejax.summary.totals"))


def summary(variables) -> str:
    """The table: a row per variable, a total per collection, and `Total Parameters: N (B)`."""
    table = _rows(variables, "purejax.summary.summary")
    body = [(r.path, str(r.shape), r.dtype, f"{r.count:,}", bytes_repr(r.nbytes)) for r in table]
    sums = _totals(table)
    foot = [(name, "", "", f"{count:,}", bytes_repr(nbytes)) for name, (count, nbytes) in sums.items()]
    widths = [max(len(line[i]) for line in [_HEADER, *body, *foot]) for i in range(len(_HEADER))]

    def fmt(line):  # text left, numbers right
        cells = [c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    count, nbytes = sum(c for c, _ in sums.values()), sum(b for _, b in sums.values())
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
