"""`python -m comparisons source NAME` (`comparisons.source.command.run`): its output and exit codes."""

import pytest

from comparisons import source


def test_run_writes_html(tmp_path, capsys):
    path = tmp_path / "lstm.html"
    assert source.run("lstm", html=str(path)) == 0
    assert capsys.readouterr().out.strip() == str(path)
    assert "flax/linen/recurrent.py" in path.read_text(encoding="utf-8")


def test_run_prints_plain_text_when_piped(capsys):
    assert source.run("dense", width=100) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "class Dense(" in out and max(map(len, out.splitlines())) <= 100


def test_unknown_name_lists_the_valid_ones(capsys):
    assert source.run("adamm") == 2
    err = capsys.readouterr().err
    for name in ("linear_regression", "lstm", "adam", "threefry"):
        assert name in err
    with pytest.raises(source.UnknownName, match="choose one of: .*linear_regression"):
        source.render_html("adamm")


def test_missing_file_and_missing_object(monkeypatch, capsys):
    monkeypatch.setitem(source.PAIRS, "ghost", ("purejax/models/ghost.py", "flaxed/models/ghost.py", "not yet"))
    monkeypatch.setitem(source.PAIRS, "typo", (("purejax.nn.Dense",), ("flax.linen.Dens",), "a typo"))
    assert source.run("ghost") == 1
    assert "purejax/models/ghost.py does not exist" in capsys.readouterr().err
    assert source.run("typo") == 1
    assert "flax.linen.Dens" in capsys.readouterr().err


def test_flax_nnx_shows_the_nnx_file(capsys):
    assert source.run("lstm_lm", width=160, flax="nnx") == 0
    out = capsys.readouterr().out
    assert "flaxed/nnx/lstm_lm.py" in out and "purejax/models/lstm_lm.py" in out and "nnx.RNN" in out


def test_flax_nnx_is_for_the_models(capsys):
    assert source.run("adam", flax="nnx") == 2
    assert "the NNX versions are the models'" in capsys.readouterr().err
