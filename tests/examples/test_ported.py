"""Public Flax and Optax example programs, ported to purejax by changing their imports.

For each program in `examples/flax/` its port in `examples/purejax/` must
- train to the same losses, bit for bit, from the same seed (both run here, in one process);
- run with Flax, Optax, chex and Orbax unimportable (`python -m purejax.import_guard`);
- differ from the original in `CHANGED_LINES[stem]` lines (difflib), all of them imports except
  the ones `NOT_IMPORTS` lists with the reason.
"""

import ast
import difflib
import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# Lines of examples/purejax/<stem>.py that differ from examples/flax/<stem>.py (a replaced block
# counts its longer side). Change a number only together with the program.
CHANGED_LINES = {
    "cnn": 3,  # optax, flax.linen, flax.training.train_state
    "vae": 3,
    "lstm_text": 3,
    "seq2seq": 3,
    "grad_accumulation": 2,  # optax, flax.linen (no TrainState: Optax's own loop)
    "freezing": 3,
    "transformer_lm": 3,
}

# Changed lines that are not imports: a fragment of the port's line, and why it is needed (none).
NOT_IMPORTS: dict[str, list[str]] = {}

STEMS = sorted(CHANGED_LINES)
STEPS = 5  # optimizer steps in the in-process runs (the programs' own default, under the guard, is 5 to 10)


def load(flavour: str, stem: str):
    """Import examples/<flavour>/<stem>.py as a module of its own."""
    path = EXAMPLES / flavour / f"{stem}.py"
    name = f"examples_{flavour}_{stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses (Flax's modules) look their module up there
    spec.loader.exec_module(module)
    return module


def changed_lines(stem: str) -> tuple[int, list[str]]:
    """The number of changed lines, and the port's changed lines."""
    original = (EXAMPLES / "flax" / f"{stem}.py").read_text().splitlines()
    port = (EXAMPLES / "purejax" / f"{stem}.py").read_text().splitlines()
    opcodes = difflib.SequenceMatcher(a=original, b=port, autojunk=False).get_opcodes()
    count = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")
    return count, [line for tag, _, _, j1, j2 in opcodes if tag != "equal" for line in port[j1:j2]]


def is_import(line: str) -> bool:
    try:
        statements = ast.parse(line.strip()).body
    except SyntaxError:
        return False
    return len(statements) == 1 and isinstance(statements[0], (ast.Import, ast.ImportFrom))


def test_every_program_has_a_port_and_a_row():
    flax = sorted(p.stem for p in (EXAMPLES / "flax").glob("*.py"))
    pure = sorted(p.stem for p in (EXAMPLES / "purejax").glob("*.py"))
    assert flax == pure == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_the_port_trains_to_the_same_losses_bit_for_bit(stem):
    theirs = load("flax", stem).main(steps=STEPS)
    ours = load("purejax", stem).main(steps=STEPS)
    assert len(theirs) >= STEPS and np.all(np.isfinite(theirs)), theirs
    bits = [np.array(losses, np.float64).view(np.uint64).tolist() for losses in (ours, theirs)]
    assert bits[0] == bits[1], f"{stem}: purejax {ours} != flax {theirs}"


@pytest.mark.parametrize("stem", STEMS)
def test_the_port_runs_without_flax_optax_chex_and_orbax(stem):
    command = [sys.executable, "-m", "purejax.import_guard", f"examples/purejax/{stem}.py"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    losses = ast.literal_eval(done.stdout.strip().splitlines()[-1])  # the program prints main()
    assert len(losses) >= 5 and np.all(np.isfinite(losses)), done.stdout


@pytest.mark.parametrize("stem", STEMS)
def test_the_port_changes_imports_only(stem):
    count, lines = changed_lines(stem)
    assert count == CHANGED_LINES[stem], f"{stem}: {count} changed lines, the table says {CHANGED_LINES[stem]}: {lines}"
    fragments = NOT_IMPORTS.get(stem, [])
    others = [line for line in lines if not is_import(line)]
    unexplained = [line for line in others if not any(f in line for f in fragments)]
    assert not unexplained, f"{stem}: changed lines that are not imports: {unexplained}"
    stale = [f for f in fragments if not any(f in line for line in others)]
    assert not stale, f"{stem}: NOT_IMPORTS lists {stale}, which no changed line holds any more"
