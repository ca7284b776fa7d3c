"""The README's Quickstart stays true: exactly two commands, and CI runs the test one verbatim."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quickstart_has_two_commands_main_job_then_tests():
    first, second = quickstart_commands()
    assert "pip install" in first and first.endswith("python -m comparisons")
    assert "pip install" in second and "pytest" in second


def test_ci_runs_the_readme_test_command():
    assert quickstart_commands()[1] in (ROOT / ".ci" / "run").read_text().splitlines()


def test_python_examples_in_the_readme_run():
    """Teaching code that no test runs rots: every ```python block of the README is executed."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "the README should show at least one example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_every_path_the_readme_names_exists():
    """The layout table and the reading order follow the files: a path in backticks must exist."""
    readme = (ROOT / "README.md").read_text()
    paths = set(re.findall(r"`((?:purejax|flaxed|comparisons|tests|docs)/[\w./]*)`", readme))
    assert len(paths) > 20, paths  # the check reads the README's paths at all
    missing = sorted(p for p in paths if "NAME" not in p and not (ROOT / p).exists())  # NAME: a placeholder
    assert not missing, f"the README names files that do not exist: {missing}"
