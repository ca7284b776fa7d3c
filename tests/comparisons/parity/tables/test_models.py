"""The parity report's `models` section (`comparisons/parity/tables/models.py`): its rows on the cheapest model."""


def test_models_section_rows():
    """The report's model rows on the cheapest model: init identical, a short training bitwise."""
    from comparisons.parity.tables import models

    checks = models.checks("quick")
    rows = [check.run() for check in checks[:2]]
    assert [c.component for c in checks[:2]] == [
        "purejax.models.linear_regression.init",
        "purejax.models.linear_regression training",
    ]
    assert all(r.ok for r in rows), rows
    assert rows[0].difference == "identical" and rows[1].difference.startswith("bitwise")
    assert rows[1].check.startswith(f"{models.STEPS['quick']} steps")
