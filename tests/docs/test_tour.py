"""The tour runs: every chapter of docs/tour/ executes top to bottom in a fresh Jupyter kernel.

A chapter states its parity claims as `assert`s in its cells, so a claim that stops holding fails
here as an error in that cell. The kernel imports this worktree's purejax (PYTHONPATH is the
repository root) and runs in a temporary directory, so the files a chapter writes go there.
"""

import json
import os
import pathlib
import re
import sys

import jupytext
import nbclient
import pytest

from comparisons.exercises import EXERCISES as REGISTRY

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs" / "tour"
CHAPTERS = sorted(TOUR.glob("[0-9][0-9]_*.md"))
EXERCISES = set(REGISTRY)  # the names `python -m comparisons exercise` knows
POINTER = re.compile(r"python -m comparisons exercise (\w+)")


def test_the_tour_has_its_chapters():
    assert len(CHAPTERS) >= 12, [c.name for c in CHAPTERS]
    index = (TOUR / "index.md").read_text()
    missing = [c.stem for c in CHAPTERS if c.stem not in index]
    assert not missing, f"docs/tour/index.md does not list {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_executes(chapter, tmp_path, monkeypatch):
    notebook = jupytext.read(chapter)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert any("assert " in cell.source for cell in notebook.cells if cell.cell_type == "code"), (
        f"{chapter.name} states no parity claim a test could check"
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend draws the figures
    # the kernel is this interpreter, whatever other "python3" kernel the machine has registered
    spec = tmp_path / "jupyter" / "kernels" / "purejax-tour"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "purejax tour", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))  # searched before the user's and the system's
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="purejax-tour", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError naming the cell and its traceback
    if "plt.show()" in chapter.read_text():
        outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
        images = [output for output in outputs if "image/png" in output.get("data", {})]
        assert images, f"{chapter.name} draws a figure, but no cell output holds an image"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_ends_with_its_exercises(chapter):
    named = POINTER.findall(chapter.read_text().split("**Exercises**")[-1])
    assert named, f"{chapter.name} does not end by pointing to an exercise"
    unknown = set(named) - EXERCISES
    assert not unknown, f"{chapter.name} points to exercises that do not exist: {sorted(unknown)}"


def test_every_exercise_has_a_chapter():
    named = {name for chapter in CHAPTERS for name in POINTER.findall(chapter.read_text())}
    assert named >= EXERCISES, f"no chapter points to {sorted(EXERCISES - named)}"


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_exercise_chapter_points_back(name):
    chapter = TOUR / f"{REGISTRY[name].chapter}.md"
    assert chapter.exists(), f"exercise {name} names chapter {REGISTRY[name].chapter}, which is not in docs/tour/"
    assert name in POINTER.findall(chapter.read_text()), f"{chapter.name} does not point to its exercise {name}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_named_paths_exist(chapter):
    named = re.findall(r"`((?:purejax|flaxed|comparisons|tests|docs|examples)/[\w./]*)`", chapter.read_text())
    missing = sorted(p for p in set(named) if not (ROOT / p).exists())
    assert not missing, f"{chapter.name} names files that do not exist: {missing}"
