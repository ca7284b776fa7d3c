"""The parity report: its tables, its measures, and the report that runs and prints them.

    sections.py   the sections, in the order the report runs them, and where each table lives
    tables/       one table per purejax component (`checks(tier) -> [Check]`), shared with the tests
    rows.py       what a row is (`Row`), one planned (`Check`), and the two tiers
    measures.py   how two results are measured (ulp, relative differences) and the tolerances
    report.py     runs the planned checks, prints each row as it comes, and the summary

`python -m comparisons` (`comparisons/__main__.py`) runs the report; `report.py` is also the
second process that runs the `BACKGROUND` sections alongside the others.
"""
