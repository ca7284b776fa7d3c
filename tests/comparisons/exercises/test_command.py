"""`python -m comparisons exercise` (through `comparisons.__main__.main`): output and exit codes."""

from comparisons.__main__ import main
from comparisons.exercises import EXERCISES


def test_no_name_lists_the_exercises(capsys):
    assert main(["exercise"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()[: len(EXERCISES)]] == list(EXERCISES)


def test_stub_then_check_then_solution(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["exercise", "tree_flatten"]) == 0
    out = capsys.readouterr().out
    stub = tmp_path / "exercises" / "tree_flatten.py"
    assert f"wrote {stub.relative_to(tmp_path)}" in out
    assert "python -m comparisons exercise tree_flatten --check exercises/tree_flatten.py" in out
    assert "raise NotImplementedError" in stub.read_text(encoding="utf-8")

    assert main(["exercise", "tree_flatten", "--check", "exercises/tree_flatten.py"]) == 1  # the stub fails
    out = capsys.readouterr().out
    assert (
        "NotImplementedError" in out
        and "check again: python -m comparisons exercise tree_flatten --check exercises/" in out
    )

    assert main(["exercise", "tree_flatten"]) == 2  # never overwrites the learner's work
    assert "exists; keeping your work" in capsys.readouterr().err

    assert main(["exercise", "tree_flatten", "--solution"]) == 0
    solution = capsys.readouterr().out
    assert solution == EXERCISES["tree_flatten"].solution_source()
    stub.write_text(solution, encoding="utf-8")
    assert main(["exercise", "tree_flatten", "--check", str(stub)]) == 0
    assert "all 7 cases and 40 generated ones match jax.tree_util, exactly" in capsys.readouterr().out


def test_out_writes_elsewhere(tmp_path, capsys):
    path = tmp_path / "mine" / "adam.py"
    assert main(["exercise", "scale_by_adam", "--out", str(path)]) == 0
    assert path.is_file() and f"--check {path}" in capsys.readouterr().out


def test_refusals_exit_2(tmp_path, capsys):
    assert main(["exercise", "--check", "attempt.py"]) == 2
    assert "name the exercise" in capsys.readouterr().err
    assert main(["exercise", "adam"]) == 2
    assert "no exercise named 'adam'; the exercises are: tree_flatten" in capsys.readouterr().err
    assert main(["exercise", "split", "--check", str(tmp_path / "missing.py")]) == 2
    assert "no file" in capsys.readouterr().err
    (tmp_path / "empty.py").write_text("", encoding="utf-8")
    assert main(["exercise", "split", "--check", str(tmp_path / "empty.py")]) == 2
    assert "does not define split" in capsys.readouterr().err
