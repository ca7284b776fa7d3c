"""The parity report: every section's rows, printed as each finishes, then a summary per section.

    $ python -m comparisons                 # the quick tier: every section and component
    $ python -m comparisons --full          # the complete matrix: every key, shape, setting, model
    == random  purejax.random  <-> jax.random     Threefry-2x32 PRNG: keys, bits and samplers (24 rows)
    ok   purejax.random.PRNGKey    bitwise    jax.random.PRNGKey    6 seeds
    ...
    section   rows ok  worst difference  where  seconds
    ...
    209 of 209 rows ok in 155 s (quick tier) on cpu, jax 0.10.2

Each section module (`comparisons/parity/`) plans its rows as `Check`s; this module runs them one
by one, prints each row as it comes (through `comparisons.display`: a live progress line on a
terminal, plain flushed lines elsewhere), and ends with one line per section (rows ok, the worst
difference and where, seconds), the total, what the differences mean and where to go next. A
check that raises becomes a FAIL row. Ctrl-C stops after the current row and still prints the
summary of what ran (exit code 130); a second Ctrl-C stops at once. Exit code 0 only if every
row is ok. `python -m comparisons.parity.report --tier TIER SECTION ...` is the second process that runs
the `BACKGROUND` sections (`Background`, `worker`).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from typing import NamedTuple

import jax
from rich.text import Text

from comparisons import display
from comparisons.cli import PROGRAMS
from comparisons.parity.measures import describe_rel, describe_ulp
from comparisons.parity.rows import TIERS, Check, Row, check_tier
from comparisons.parity.sections import BACKGROUND, SECTIONS, table
from purejax.models import MODELS

STATUS_WIDTH, DIFFERENCE_WIDTH, COUNTERPART_WIDTH = 4, 40, 36  # the row columns; `check` takes the rest
TOLERANCES = """\
what the differences mean (README.md, 'How parity is measured'):
  bitwise      the same bits
  max N ulp    N representable floats apart; allowed (2 at most) where a transcendental such as erf_inv
               is computed in another order
  max rel X    the largest relative difference; allowed up to 1e-5 for outputs, 1e-4 for gradients and
               training runs (float32)"""
NEXT = (
    ("--full", "every key, shape, setting and model (about 13 minutes on 2 CPU cores)"),
    ("--only nn-recurrent", "one section (python -m comparisons list names them)"),
    ("train mlp", "train both packages side by side, with loss curves"),
    ("source adam", "read the two implementations side by side"),
)


class Section(NamedTuple):
    """What one section's rows came to, for the summary."""

    name: str
    rows: list  # the Rows that ran, each with its `seconds`
    planned: int  # how many rows the section has in this tier
    seconds: float
    background: bool = False  # ran in the second process, alongside the others


def plan(names=None, tier: str = "quick") -> dict[str, list[Check]]:
    """Each named section's checks (all sections by default); a section that cannot plan becomes one failing check."""
    check_tier(tier)
    planned = {}
    for name in SECTIONS:
        if names and name not in names:
            continue
        try:
            planned[name] = table(name).checks(tier)
        except Exception as e:
            planned[name] = [_failing(f"purejax.{name}", "planning the section", e)]
    return planned


def _failing(component: str, what: str, error: Exception) -> Check:
    row = Row(component, "-", what, f"{type(error).__name__}: {error}", False)
    return Check(component, lambda: row)


def run_check(check: Check) -> Row:
    """The check's row, with the `seconds` it took; an exception becomes a failed row (traceback to stderr)."""
    start = time.perf_counter()
    try:
        row = check.run()
    except Exception as e:
        traceback.print_exc()
        row = Row(check.component, "-", "running the check", f"{type(e).__name__}: {e}", False)
    row.seconds = round(time.perf_counter() - start, 3)
    return row


def release_memory() -> None:
    """Drop JAX's compiled programs and give freed memory back to the system: between sections, and
    after a check that says the rows after it share none of its programs (`Check.release`).

    Each section compiles its own programs (hundreds of small ones, eagerly and under jit) and
    shares almost none with the next; without this the report's resident memory grows with every
    section (to 4 GB over the full tier).
    """
    jax.clear_caches()
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed pages otherwise
    except (OSError, AttributeError):  # not glibc: the memory is reused, just not returned
        pass


class StopAfterRow:
    """Ctrl-C handling: the first Ctrl-C asks to stop after the current row; a second stops at once."""

    def __init__(self, say):
        self.requested, self.say, self.previous = False, say, None

    def __enter__(self) -> StopAfterRow:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def _interrupt(self, *_) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.say("Ctrl-C: stopping after the current row (Ctrl-C again stops at once)")

    def __exit__(self, *_) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


class Background:
    """Sections run by a second process (`python -m comparisons.parity.report`), their rows read as they come.

    The report spends most of its time compiling, on one core; on a machine with two or more, the
    sections in `BACKGROUND` (`sections.py`) run alongside the others from the start, and
    their rows are printed when the report reaches them. The second process has a session of its
    own, so Ctrl-C reaches the report alone, which stops it (`stop`).
    """

    def __init__(self, names: list[str], tier: str):
        self.log = tempfile.TemporaryFile("w+")  # its stderr: JAX's warnings, tracebacks of failed rows
        self.process = subprocess.Popen(
            [sys.executable, "-m", "comparisons.parity.report", "--tier", tier, *names],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )

    def next_row(self, check: Check) -> Row:
        """The second process's next row (it runs the same checks in the same order)."""
        line = self.process.stdout.readline()
        if not line:  # it ended before this row: say how
            self.process.wait()
            self.log.seek(0)
            tail = self.log.read()[-500:]
            return Row(
                check.component,
                "-",
                "running the check in the second process",
                f"it exited with code {self.process.returncode} before this row: {tail}",
                False,
            )
        item = json.loads(line)
        return Row(**item)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.log.close()


def row_table(row: Row, component_width: int, width: int):
    """One row of the report, its columns as wide as every other row's at this `width`.

    The columns, most important first: status, component, difference, counterpart, check. Each
    takes its width from what the ones before it left (a space between two); the check takes the
    rest; a column left fewer than 8 characters is not shown.
    """
    status = Text("ok", style="green") if row.ok else Text("FAIL", style="bold red")
    cells = [status, row.component, row.difference, row.counterpart, row.check]
    wanted = [STATUS_WIDTH, component_width, DIFFERENCE_WIDTH, COUNTERPART_WIDTH, width]
    widths, free = [], width
    for i, want in enumerate(wanted):
        take = min(want, free)
        if take < (len(status) if i == 0 else 8):
            break
        widths.append(take)
        free -= take + 1
    n = len(widths)
    return display.table(None, [cells[:n]], widths=widths, wrap=[i == 2 for i in range(n)])


def run(planned: dict[str, list[Check]], tier: str = "quick", stream=None) -> tuple[list[Section], bool]:
    """Run the planned checks in order, printing each row as it finishes.

    The sections in `BACKGROUND` run in a second process alongside the others, when there are
    others. Returns the sections that ran (the last one possibly cut short) and whether Ctrl-C
    stopped the run.
    """
    total = sum(len(checks) for checks in planned.values())
    component_width = min(44, max((len(c.component) for checks in planned.values() for c in checks), default=10))
    behind = [name for name in planned if name in BACKGROUND]
    spare_core = (os.cpu_count() or 1) > 1
    background = Background(behind, tier) if spare_core and behind and len(behind) < len(planned) else None
    sections: list[Section] = []
    with (
        display.Progress(total, stream=stream or sys.stdout, plain="none", description_width=48) as progress,
        StopAfterRow(progress.print) as stop,
    ):
        width = progress.console.width
        try:
            for name, checks in planned.items():
                if stop.requested:
                    break
                progress.print(Text(f"== {name}  {SECTIONS.get(name, '')} ({len(checks)} rows)", style="bold"))
                elsewhere = background is not None and name in behind
                sections.append(Section(name, [], len(checks), 0.0, elsewhere))
                for check in checks:
                    if stop.requested:
                        break
                    progress.update(description=f"{name}: {check.component}")
                    row = background.next_row(check) if elsewhere else run_check(check)
                    if check.release and not elsewhere:
                        release_memory()
                    sections[-1].rows.append(row)
                    sections[-1] = sections[-1]._replace(seconds=sections[-1].seconds + (row.seconds or 0.0))
                    progress.print(row_table(row, component_width, width))
                    progress.advance()
                if not elsewhere:
                    release_memory()
        except KeyboardInterrupt:  # the second Ctrl-C: the current row is lost
            stop.requested = True
        finally:
            if background is not None:
                background.stop()
    return sections, stop.requested


def worst(rows: list[Row]) -> tuple[str, str]:
    """The largest difference among `rows`, in words, and the component it was measured on."""
    rel = [r for r in rows if r.rel]
    if rel:
        row = max(rel, key=lambda r: r.rel)
        return describe_rel(row.rel), row.component
    ulp = [r for r in rows if r.ulp]
    if ulp:
        row = max(ulp, key=lambda r: r.ulp)
        return describe_ulp(row.ulp), row.component
    measured = any(r.ulp == 0 or r.rel == 0 for r in rows)
    return ("bitwise" if measured else "-"), ""


def summary(sections: list[Section], tier: str, seconds: float, interrupted: bool, planned: int | None = None) -> list:
    """The closing lines: one per section, the total, what the tolerances mean, where to go next.

    `planned`: how many rows the whole report had (default: those of the sections that ran).
    """
    cells = []
    for s in sections:
        ok = sum(r.ok for r in s.rows)
        difference, where = worst(s.rows)
        ran = f"{ok}/{len(s.rows)}" + (f" (of {s.planned})" if len(s.rows) < s.planned else "")
        cells.append([s.name, ran, difference, where, f"{s.seconds:.1f}" + (" *" if s.background else "")])
    rows = [r for s in sections for r in s.rows]
    ok = sum(r.ok for r in rows)
    planned = sum(s.planned for s in sections) if planned is None else planned
    lines: list = [
        "",
        display.table(
            ["section", "rows ok", "worst difference", "where", "seconds"],
            cells,
            justify=["left", "right", "left", "left", "right"],
            wrap=[False, False, False, True, False],  # on a narrow terminal 'where' wraps, the figures stay whole
        ),
        "",
        f"{ok} of {len(rows)} rows ok in {seconds:.0f} s ({tier} tier) on {jax.devices()[0].platform}, "
        f"jax {jax.__version__}" + (f"; interrupted after {len(rows)} of {planned} rows" if interrupted else ""),
        f"{'every row agrees within its stated tolerance' if ok == len(rows) else 'FAILED: see the FAIL rows above'}.",
        *(
            ["* ran in a second process, alongside the sections before it (this machine has cores to spare)"]
            if any(s.background for s in sections)
            else []
        ),
        "",
        TOLERANCES,
        "",
        "next:",
    ]
    lines += [
        f"  python -m comparisons {command:20s} {what}"
        for command, what in NEXT
        if not (tier == "full" and command == "--full")
    ]
    return lines


def to_json(sections: list[Section], tier: str, seconds: float, interrupted: bool) -> dict:
    rows = [r for s in sections for r in s.rows]
    return {
        "ok": all(r.ok for r in rows) and not interrupted,
        "tier": tier,
        "interrupted": interrupted,
        "platform": jax.devices()[0].platform,
        "jax": jax.__version__,
        "seconds": round(seconds, 2),
        "sections": [
            {
                "name": s.name,
                "rows": len(s.rows),
                "planned": s.planned,
                "ok": sum(r.ok for r in s.rows),
                "seconds": round(s.seconds, 2),
                "worst": worst(s.rows)[0],
            }
            for s in sections
        ],
        "rows": [r.as_dict() for r in rows],
    }


def main(json_path: str | None = None, sections=None, tier: str = "quick", stream=None) -> int:
    """Plan, run, summarize; returns the exit code: 0 all ok, 1 a row failed, 130 interrupted."""
    start = time.perf_counter()
    out = display.console(stream or sys.stdout)
    planned = plan(sections, tier)
    with jax.default_matmul_precision("highest"):
        done, interrupted = run(planned, tier, stream=out.file)
    seconds = time.perf_counter() - start
    for line in summary(done, tier, seconds, interrupted, sum(len(checks) for checks in planned.values())):
        display.show(out, line)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(to_json(done, tier, seconds, interrupted), f, indent=2)
        display.show(out, f"wrote {json_path}")
    if interrupted:
        return 130
    return 0 if all(r.ok for s in done for r in s.rows) else 1


def show_list() -> int:
    """`python -m comparisons list`: the sections and the models, one line each."""
    print("components (python -m comparisons --only NAME):")
    for name, description in SECTIONS.items():
        print(f"  {name:19s} {description}")
    print("models (python -m comparisons train NAME; source NAME):")
    for name in MODELS + PROGRAMS:
        doc = (importlib.import_module(f"purejax.models.{name}").__doc__ or "").strip().splitlines()
        print(f"  {name:19s} {doc[0] if doc else ''}")
    return 0


def worker(argv=None) -> int:
    """`python -m comparisons.parity.report --tier TIER SECTION ...`: the second process of `Background`.

    Runs the sections' checks in order and writes each row as one line of JSON on stdout.
    """
    parser = argparse.ArgumentParser(prog="python -m comparisons.parity.report")
    parser.add_argument("--tier", choices=TIERS, default="quick")
    parser.add_argument("sections", nargs="+", choices=sorted(SECTIONS))
    args = parser.parse_args(argv)
    # Stopped by the report with SIGTERM: unwind, so that a running subprocess is killed too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rows, sys.stdout = sys.stdout, sys.stderr  # stdout carries the rows alone; anything else printed goes to stderr
    with jax.default_matmul_precision("highest"):
        for checks in plan(args.sections, args.tier).values():
            for check in checks:
                print(json.dumps(run_check(check).as_dict()), file=rows, flush=True)
                if check.release:
                    release_memory()
            release_memory()
    return 0


if __name__ == "__main__":
    sys.exit(worker())
