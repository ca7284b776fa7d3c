"""The parity report's `models-nnx` section (`comparisons/parity/tables/models_nnx.py`), on the cheapest model."""

from comparisons.parity.sections import SECTIONS
from purejax.models import MODELS


def test_models_nnx_section_rows():
    """Three rows per model; on linear_regression: converter, init (rng_rule="nnx") and training identical."""
    from comparisons.parity.tables import models_nnx

    assert "models-nnx" in SECTIONS
    checks = models_nnx.checks("quick")
    assert len(checks) == 3 * len(MODELS)
    rows = [check.run() for check in checks[:3]]
    assert [c.component for c in checks[:3]] == [
        "flaxed.nnx.linear_regression converter",
        "flaxed.nnx.linear_regression.init",
        "purejax.models.linear_regression training",
    ]
    assert all(r.ok for r in rows), rows
    assert rows[0].difference == "identical"
    assert rows[1].difference == "identical"
    assert rows[2].difference.startswith("bitwise") and rows[2].check.startswith("20 steps")
