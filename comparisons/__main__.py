"""Command line: `python -m comparisons [--json FILE]` (also installed as `purejax-compare`).

    python -m comparisons                  # the parity report, every section
    python -m comparisons --only random    # one section
    python -m comparisons list             # the components and what they mirror
"""
from __future__ import annotations

import argparse
import sys


def _list() -> int:
    from comparisons.parity import DESCRIPTIONS, SECTIONS

    for name in SECTIONS:
        print(f"{name:19s} {DESCRIPTIONS.get(name, '')}")
    return 0


def main(argv=None) -> int:
    from comparisons.parity import SECTIONS

    parser = argparse.ArgumentParser(
        prog="python -m comparisons",
        description="Show that purejax computes what JAX, Flax and Optax compute.",
    )
    parser.add_argument("command", nargs="?", default="report", choices=["report", "list"],
                        help="report (default): the parity table; list: the components")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE")
    parser.add_argument("--only", metavar="SECTION", action="append", choices=sorted(SECTIONS),
                        help="run only this section (repeatable)")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    from comparisons import report

    return report.main(json_path=args.json, sections=args.only)


if __name__ == "__main__":
    sys.exit(main())
