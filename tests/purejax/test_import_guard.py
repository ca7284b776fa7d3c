"""purejax.import_guard: a purejax program runs under the guard; one that imports Flax or Optax stops, naming it."""

import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

from purejax.import_guard import blocked

ROOT = pathlib.Path(__file__).resolve().parents[2]

PURE = """
    import sys
    import jax.numpy as jnp
    import purejax.nn as nn
    import purejax.optim as optim
    import purejax.random
    import purejax.train
    variables = nn.Dense(3).init(purejax.random.PRNGKey(0), jnp.ones((2, 4)))
    state = purejax.train.TrainState.create(apply_fn=nn.Dense(3).apply, params=variables["params"], tx=optim.adam(1e-3))
    print("ran with", sys.argv[1:], int(state.step))
"""


def run(tmp_path, source, *args):
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source))
    command = [sys.executable, "-m", "purejax.import_guard", str(program), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_a_purejax_program_runs_under_the_guard(tmp_path):
    done = run(tmp_path, PURE, "--steps", "3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ran with ['--steps', '3'] 0"


@pytest.mark.parametrize(
    "line,message",
    [
        ("import optax", "optax is blocked; use purejax.optim"),
        ("from flax import linen as nn", "flax is blocked; use purejax.nn (linen)"),
        ("import flax.training.train_state", "flax is blocked"),
        ("import chex", "chex is blocked"),
    ],
)
def test_a_program_that_imports_a_counterpart_stops_naming_it(tmp_path, line, message):
    done = run(tmp_path, textwrap.dedent(PURE) + line + "\n")
    assert done.returncode != 0
    assert f"ImportError: purejax.import_guard: {message}" in done.stderr, done.stderr


def test_blocked_in_process_refuses_and_then_lets_go():
    with blocked(("some_module_name",)), pytest.raises(ImportError, match="some_module_name is blocked"):
        import some_module_name  # noqa: F401  # pyright: ignore[reportMissingImports]
    with pytest.raises(TypeError, match="names must be a list of module names"):
        with blocked("flax"):
            pass


# The second recipe docs/migration.md gives, without the guard: `python -X importtime prog.py`, whose
# report (on stderr) names every module imported; the grep it shows prints nothing once Flax is gone.
IMPORTTIME_GREP = re.compile(r" (flax|optax|chex|orbax)(\.|$)", re.M)


@pytest.mark.parametrize(
    "source, found",
    [
        ("import jax.numpy as jnp\nimport purejax.nn as nn\nimport purejax.optim as optax\n", False),
        ("import purejax.nn as nn\nimport optax.transforms\n", True),
    ],
    ids=["ported", "partly-ported"],
)
def test_the_importtime_recipe_finds_a_leftover_import(tmp_path, source, found):
    program = tmp_path / "prog.py"
    program.write_text(source)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(program)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert bool(IMPORTTIME_GREP.search(result.stderr)) is found
    docs = (ROOT / "docs" / "migration.md").read_text()
    assert 'grep -E " (flax|optax|chex|orbax)(\\.|$)"' in docs  # the recipe the test checks is the one documented
