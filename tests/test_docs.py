"""The documents a learner reads stay true: every ```python block of docs/*.md runs, every path it names exists."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_python_blocks_run(page):
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    for block in blocks:
        exec(compile(block, str(page.relative_to(ROOT)), "exec"), {})


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_named_paths_exist(page):
    paths = set(re.findall(r"`((?:purejax|flaxed|comparisons|tests|docs|examples)/[\w./]*)`", page.read_text()))
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"{page.name} names files that do not exist: {missing}"


def test_the_migration_guide_has_code_to_run():
    assert len(re.findall(r"```python\n", (ROOT / "docs" / "migration.md").read_text())) >= 3
