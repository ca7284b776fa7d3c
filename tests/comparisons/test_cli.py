"""`comparisons.cli`: the bench command's options are checked before JAX starts, and errors name the choices."""

import pytest

from comparisons import cli
from purejax.models import MODELS


@pytest.mark.parametrize(
    "args, message",
    [
        (["--models", "nosuch"], "unknown model 'nosuch'"),
        (["--steps", "0"], "--steps must be at least 1"),
        (["--repeats", "many"], "invalid int value"),
        (["--tiny"], "write --sweep --tiny"),
    ],
)
def test_bad_arguments_are_refused(args, message, capsys):
    assert cli.parse_bench_args(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    if "unknown model" in message:
        assert all(name in err for name in MODELS)
