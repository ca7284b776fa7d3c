"""Run a program with Flax, Optax, chex and Orbax made unimportable: proof that a port is complete.

    python -m purejax.import_guard train.py --steps 100

runs `train.py` (with its arguments) as `__main__`. Any import of `flax`, `optax`, `chex` or
`orbax`, or of one of their submodules, raises `ImportError` naming the module and the purejax
package that replaces it. A program that finishes under the guard uses purejax alone. Inside
Python, `with blocked(): ...` does the same for a block of code.

It works as a finder at the front of `sys.meta_path`, which Python asks before any other finder
whether it can import a module. Modules imported before the guard started stay importable, so
start the guard first (the command line does).

Counterpart: none (Flax and Optax need no such guard). `python -X importtime prog.py 2>&1 | grep
-E "flax|optax"` shows the same without stopping the program.

Examples:
    >>> from purejax.import_guard import blocked
    >>> with blocked(("not_installed_anyway",)):
    ...     import not_installed_anyway
    Traceback (most recent call last):
    ...
    ImportError: purejax.import_guard: not_installed_anyway is blocked; this program was to run without it
"""

from __future__ import annotations

import contextlib
import importlib.abc
import runpy
import sys
from collections.abc import Iterator, Sequence

BLOCKED = ("flax", "optax", "chex", "orbax")
REPLACEMENTS = {
    "flax": "purejax.nn (linen), purejax.train (training), purejax.struct (struct)",
    "optax": "purejax.optim (and purejax.losses)",
    "chex": "plain asserts, or numpy.testing",
    "orbax": "purejax.checkpoint",
}


class Guard(importlib.abc.MetaPathFinder):
    """A finder that refuses the `names` (and their submodules) with an `ImportError` that says why."""

    def __init__(self, names: Sequence[str]):
        self.names = tuple(names)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.names:
            instead = REPLACEMENTS.get(top)
            hint = f"; use {instead}" if instead else "; this program was to run without it"
            raise ImportError(f"purejax.import_guard: {fullname} is blocked{hint}", name=fullname)
        return None  # not ours: let the other finders look


@contextlib.contextmanager
def blocked(names: Sequence[str] = BLOCKED) -> Iterator[Guard]:
    """Within the block, importing any of `names` (or their submodules) raises `ImportError`."""
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"purejax.import_guard.blocked: names must be a list of module names, got {names!r}")
    guard = Guard(names)
    sys.meta_path.insert(0, guard)
    try:
        yield guard
    finally:
        sys.meta_path.remove(guard)


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m purejax.import_guard PROGRAM.py [ARGS...]`: run PROGRAM with the guard on."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1] if __doc__ else "")
        raise SystemExit(0 if argv else 2)
    already = sorted(n for n in sys.modules if n.partition(".")[0] in BLOCKED)
    if already:
        raise SystemExit(f"purejax.import_guard: {', '.join(already)} were imported before the guard started")
    sys.argv = argv  # the program sees its own name and arguments
    with blocked():
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
