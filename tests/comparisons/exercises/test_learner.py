"""A learner's file (`comparisons.exercises.learner.load`): what is refused, and how the refusal reads."""

import pytest

from comparisons.exercises import Refused, load, lookup
from tests._asserts import assert_refused


def _file(tmp_path, text: str):
    path = tmp_path / "attempt.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_says_how_to_make_one(tmp_path):
    assert_refused(
        lambda: load(lookup("split"), tmp_path / "nope.py"),
        Refused,
        "no file",
        "nope.py",
        "python -m comparisons exercise split",
        "--check exercises/split.py",
    )


@pytest.mark.parametrize(
    ("name", "source", "fragments"),
    [
        ("scale_by_adam", "import optax\n", ("attempt.py:1: import optax", "optax.scale_by_adam is what the grader")),
        ("split", "from jax import random\n", ("from jax import random",)),
        ("split", "import jax\nk = jax.random.PRNGKey(0)\n", ("attempt.py:2: jax.random",)),
        ("dropout", "import flax.linen as nn\n", ("import flax.linen",)),
        (
            "uniform",
            "from purejax.random import uniform\n",
            ("from purejax.random import uniform", "purejax.random.bits"),
        ),
        ("tree_flatten", "from jax.tree_util import tree_flatten\n", ("from jax.tree_util import tree_flatten",)),
    ],
)
def test_the_counterpart_is_refused(tmp_path, name, source, fragments):
    assert_refused(
        lambda: load(lookup(name), _file(tmp_path, source)), Refused, "what it is meant to rebuild", *fragments
    )


def test_what_an_exercise_allows_is_accepted(tmp_path):
    source = "import jax.numpy as jnp\nfrom purejax.random import bits\n\ndef uniform(key, shape=()):\n    return jnp\n"
    assert load(lookup("uniform"), _file(tmp_path, source)).uniform is not None  # bits: given to this exercise
    adam = "import jax\n\ndef scale_by_adam():\n    return jax.tree_util.tree_map\n"
    assert load(lookup("scale_by_adam"), _file(tmp_path, adam)).scale_by_adam() is not None  # optax is its counterpart


def test_a_file_without_the_function_names_it(tmp_path):
    assert_refused(
        lambda: load(lookup("tree_flatten"), _file(tmp_path, "def tree_flatten(tree):\n    return [], None\n")),
        Refused,
        "does not define tree_unflatten",
        "Keep the stub's names and signatures",
    )


def test_a_file_that_raises_or_does_not_parse(tmp_path):
    assert_refused(
        lambda: load(lookup("split"), _file(tmp_path, "def split(key):\n    pass\nraise RuntimeError('boom')\n")),
        Refused,
        "raised RuntimeError while it was imported at line 3",
        "boom",
    )
    assert_refused(
        lambda: load(lookup("split"), _file(tmp_path, "def split(key:\n")), Refused, "attempt.py:1", "does not parse"
    )
