"""`comparisons.source.align`: blocks paired by name start on the same row; unmatched ones face blank space."""

from comparisons import source
from tests.comparisons.source._examples import LEFT, RIGHT


def _starts(rows, side: int, prefix: str) -> int:
    """The row index where `side`'s text starts with `prefix`."""
    hits = [
        k
        for k, row in enumerate(rows)
        if row[side] is not None and "".join(t for _, t in row[side][1]).startswith(prefix)
    ]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


def test_align_pairs_same_names_on_the_same_row():
    left = source.Side(["ours.py"], source.parse_blocks(LEFT))
    right = source.Side(["theirs.py"], source.parse_blocks(RIGHT))
    pairs = source.align(left.blocks, right.blocks)
    keys = [(a and a.key, b and b.key) for a, b in pairs]
    assert keys == [
        ("<docstring>", "<docstring>"),
        ("<imports>", "<imports>"),
        ("helper", None),
        ("loss_fn", "loss_fn"),
        (None, "only_theirs"),
        ("Model", "Model"),
    ]
    rows = source.layout(left, right)
    for left_text, right_text in [
        ("def loss_fn", "def loss_fn"),
        ("class Model", "class Model"),
        ("import jax", "import flax"),
    ]:
        assert _starts(rows, 0, left_text) == _starts(rows, 1, right_text)
    helper = _starts(rows, 0, "def helper")
    assert rows[helper][1] is None  # an unmatched block faces blank space
    only = _starts(rows, 1, "def only_theirs")
    assert rows[only][0] is None


def test_crossing_names_keep_the_longest_in_order_chain():
    left = source.parse_blocks("def a(): pass\ndef b(): pass\ndef c(): pass\n")
    right = source.parse_blocks("def c(): pass\ndef a(): pass\ndef b(): pass\n")
    keys = [(a and a.key, b and b.key) for a, b in source.align(left, right)]
    assert keys == [(None, "c"), ("a", "a"), ("b", "b"), ("c", None)]


def test_linear_regression_definitions_start_on_the_same_row():
    left, right, _ = source.load("linear_regression")
    rows = source.layout(left, right)
    for name in ("build", "init", "predict", "loss_fn", "optimizer"):
        assert _starts(rows, 0, f"def {name}(") == _starts(rows, 1, f"def {name}(")
    assert _starts(rows, 0, "__all__") == _starts(rows, 1, "__all__")
    assert _starts(rows, 0, "load_data = linear.") == _starts(rows, 1, "load_data = linear.")  # the task, bound twice
    shared = _starts(rows, 0, "def check_batch(")  # defined here, imported by flaxed: blank opposite
    assert rows[shared][1] is None


def test_alias_pairs_differently_named_objects():
    rows = source.layout(*source.load("threefry")[:2])
    assert _starts(rows, 0, "def threefry2x32_words(") == _starts(rows, 1, "def _threefry2x32_lowering(")
    assert _starts(rows, 0, "def threefry_2x32(") == _starts(rows, 1, "def threefry_2x32(")
