"""The parity report: run every section's checks, print one table, exit non-zero on any failure.

    $ python -m comparisons
    component                 counterpart          check                    difference  status
    purejax.random.normal     jax.random.normal    13 keys x 5 shapes, ...  bitwise     ok
"""
from __future__ import annotations

import json
import shutil
import sys
import time
import traceback

import jax

from comparisons.parity import SECTIONS
from comparisons.parity.common import Row

COLUMNS = ("component", "counterpart", "check", "difference", "status")


def run_sections(names=None) -> list[Row]:
    """Run the named sections (all by default); a crashing section becomes one FAIL row."""
    rows: list[Row] = []
    for name, checks in SECTIONS.items():
        if names and name not in names:
            continue
        try:
            rows.extend(checks())
        except Exception as e:  # report it as a failure rather than dying half-way
            traceback.print_exc()
            rows.append(Row(f"purejax.{name}", "-", "running the section", f"{type(e).__name__}: {e}", False))
    return rows


def format_table(rows: list[Row], width: int | None = None) -> str:
    """Rows as an aligned text table; the `check` column is cut to fit the terminal."""
    width = width or shutil.get_terminal_size((160, 24)).columns
    cells = [COLUMNS] + [(r.component, r.counterpart, r.check, r.difference, "ok" if r.ok else "FAIL")
                         for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    spare = width - (sum(widths) - widths[2]) - 2 * (len(COLUMNS) - 1)
    widths[2] = max(12, min(widths[2], spare))
    lines = []
    for c in cells:
        parts = [c[i] if len(c[i]) <= widths[i] else c[i][: widths[i] - 1] + "~" for i in range(len(c))]
        lines.append("  ".join(p.ljust(w) for p, w in zip(parts, widths)).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(json_path: str | None = None, sections=None) -> int:
    start = time.perf_counter()
    with jax.default_matmul_precision("highest"):
        rows = run_sections(sections)
    print(format_table(rows))
    failed = [r for r in rows if not r.ok]
    seconds = time.perf_counter() - start
    print(f"\n{len(rows) - len(failed)} of {len(rows)} rows ok on {jax.devices()[0].platform} "
          f"(jax {jax.__version__}) in {seconds:.1f} s")
    if json_path:
        report = {"ok": not failed, "platform": jax.devices()[0].platform, "jax": jax.__version__,
                  "seconds": round(seconds, 2), "rows": [r.as_dict() for r in rows]}
        with open(json_path, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {json_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
