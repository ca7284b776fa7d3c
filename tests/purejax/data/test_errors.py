"""purejax.data's bad inputs: one row per argument of every public function (batching, the loaders, the
tasks' batch functions and goals), each refused with the function, the argument and what came.

An empty dataset is refused when `batches` is called, whatever the remainder and the epochs, so an
endless stream of it cannot spin without yielding: the rows below call `batches` and never iterate.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import purejax.random
from purejax.data import (
    batches,
    inverse_sine_data,
    linear_data,
    load_digits,
    load_text,
    num_examples,
    split,
    take,
    task_batches,
)
from purejax.data.tasks import digits, inverse_sine, linear, text
from tests._asserts import assert_refused

KEY = purejax.random.PRNGKey(0)
DATA = {"x": np.arange(8.0), "y": np.arange(8)}
EMPTY = {"x": np.zeros((0, 2)), "y": np.zeros(0, int)}
TASK = task_batches(lambda: {"train": DATA, "test": DATA})
NO_TEST = task_batches(lambda: {"train": DATA})

B = "purejax.data.batches"
S = "purejax.data.split"

ROWS = [
    # -- batches(data, batch_size, *, key, epochs, remainder) --
    ("batches/data None", lambda: batches(None, 2), TypeError, B, "data must be a dict of arrays, got None"),
    ("batches/data list", lambda: batches([np.zeros(4)], 2), TypeError, B, "data must be a dict"),
    ("batches/data empty dict", lambda: batches({}, 2), ValueError, B, "data must be a non-empty dict"),
    ("batches/data None array", lambda: batches({"x": None}, 2), TypeError, B, "data['x']", "got None"),
    ("batches/data string", lambda: batches({"x": "abcd"}, 2), TypeError, B, "data['x']", "str 'abcd'"),
    ("batches/data objects", lambda: batches({"x": np.array([object()] * 4)}, 2), TypeError, B, "data['x']"),
    ("batches/data lengths", lambda: batches({"x": np.zeros(4), "y": np.zeros(3)}, 2), ValueError, B, "axis 0"),
    ("batches/data 0-d", lambda: batches({"x": np.float32(1)}, 1), ValueError, B, "0-d array"),
    *[
        (
            f"batches/no examples {r} {e}",
            lambda r=r, e=e: batches(EMPTY, 2, epochs=e, remainder=r),
            ValueError,
            B,
            "0 examples",
        )
        for r in ("keep", "pad", "drop")
        for e in (None, 1)
    ],
    ("batches/batch_size 0", lambda: batches(DATA, 0), ValueError, B, "batch_size", "got int 0"),
    ("batches/batch_size -1", lambda: batches(DATA, -1), ValueError, B, "batch_size"),
    ("batches/batch_size 2.0", lambda: batches(DATA, 2.0), TypeError, B, "batch_size", "float 2.0"),
    ("batches/batch_size None", lambda: batches(DATA, None), TypeError, B, "batch_size"),
    ("batches/batch_size True", lambda: batches(DATA, True), TypeError, B, "batch_size"),
    ("batches/batch_size above n, drop", lambda: batches(DATA, 9, epochs=None), ValueError, B, "no full batch of 9"),
    ("batches/key str", lambda: batches(DATA, 2, key="k"), TypeError, B, "key must be a key"),
    ("batches/key int", lambda: batches(DATA, 2, key=0), TypeError, B, "key must be a key", "int 0"),
    ("batches/key typed", lambda: batches(DATA, 2, key=jax.random.key(0)), TypeError, B, "key", "key_data"),
    ("batches/key batch", lambda: batches(DATA, 2, key=purejax.random.split(KEY)), ValueError, B, "key"),
    ("batches/epochs -1", lambda: batches(DATA, 2, epochs=-1), ValueError, B, "epochs", "non-negative", "int -1"),
    ("batches/epochs 1.5", lambda: batches(DATA, 2, epochs=1.5), TypeError, B, "epochs", "float 1.5"),
    ("batches/epochs 2.0", lambda: batches(DATA, 2, epochs=2.0), TypeError, B, "epochs", "float 2.0"),
    ("batches/epochs str", lambda: batches(DATA, 2, epochs="2"), TypeError, B, "epochs", "str '2'"),
    ("batches/epochs bool", lambda: batches(DATA, 2, epochs=True), TypeError, B, "epochs"),
    ("batches/remainder", lambda: batches(DATA, 2, remainder="truncate"), ValueError, B, "remainder", "'drop'"),
    ("batches/remainder None", lambda: batches(DATA, 2, remainder=None), ValueError, B, "remainder"),
    # -- split(data, key, test_fraction) --
    ("split/data", lambda: split(None, KEY), TypeError, S, "data"),
    ("split/one example", lambda: split({"x": np.zeros(1)}, KEY, 0.5), ValueError, S, "at least 2"),
    ("split/no examples", lambda: split(EMPTY, KEY, 0.5), ValueError, S, "at least 2"),
    ("split/key None", lambda: split(DATA, None), TypeError, S, "key must be a key", "got None"),
    ("split/key float", lambda: split(DATA, np.zeros(2)), TypeError, S, "key", "float64 array [2]"),
    ("split/fraction str", lambda: split(DATA, KEY, "0.2"), TypeError, S, "test_fraction", "str '0.2'"),
    ("split/fraction None", lambda: split(DATA, KEY, None), TypeError, S, "test_fraction"),
    ("split/fraction 0", lambda: split(DATA, KEY, 0), ValueError, S, "test_fraction", "(0, 1)"),
    ("split/fraction 1", lambda: split(DATA, KEY, 1.0), ValueError, S, "test_fraction", "(0, 1)"),
    ("split/fraction -0.1", lambda: split(DATA, KEY, -0.1), ValueError, S, "test_fraction"),
    ("split/fraction nan", lambda: split(DATA, KEY, float("nan")), ValueError, S, "test_fraction"),
    (
        "split/empty test split",
        lambda: split({"x": np.zeros(5)}, KEY, 0.01),
        ValueError,
        S,
        "test_fraction 0.01 of 5 examples leaves the test split empty",
        "between 0.2 and 0.8",
    ),
    ("split/empty train split", lambda: split(DATA, KEY, 0.99), ValueError, S, "leaves the train split empty"),
    # -- num_examples(data, where, name), take(data, index) --
    ("num_examples/data", lambda: num_examples("x", "f", "batch"), TypeError, "f: batch must be a dict"),
    ("take/data", lambda: take([1, 2], 0), TypeError, "purejax.data.take", "data"),
    ("take/index float", lambda: take(DATA, 1.5), TypeError, "purejax.data.take", "index", "float 1.5"),
    ("take/index None", lambda: take(DATA, None), TypeError, "purejax.data.take", "index", "None"),
    # -- task_batches(load_data) and the three functions it returns --
    ("task_batches/load_data", lambda: task_batches(3), TypeError, "purejax.data.task_batches", "load_data", "int 3"),
    ("task_batches/no test split", lambda: NO_TEST[1](2), ValueError, "task_batches", "load_data()", "'test'"),
    ("task_batches/train key", lambda: TASK[0]("k", 2), TypeError, B, "key"),
    ("task_batches/train batch_size", lambda: TASK[0](KEY, 0), ValueError, B, "batch_size"),
    ("task_batches/eval batch_size", lambda: TASK[1](2.5), TypeError, B, "batch_size"),
    ("task_batches/example key", lambda: TASK[2](1), TypeError, B, "key"),
    ("task_batches/example batch_size", lambda: TASK[2](KEY, "4"), TypeError, B, "batch_size"),
    # -- load_digits(key, test_fraction): checked before scikit-learn loads anything --
    ("load_digits/key", lambda: load_digits(None), TypeError, "purejax.data.load_digits", "key"),
    ("load_digits/fraction", lambda: load_digits(KEY, 1.5), ValueError, "purejax.data.load_digits", "test_fraction"),
    (
        "load_digits/empty test split",
        lambda: load_digits(KEY, 1e-4),
        ValueError,
        "purejax.data.load_digits",
        "test_fraction 0.0001 of 1797 examples leaves the test split empty",
    ),
    # -- load_text(path, max_bytes) --
    ("load_text/path int", lambda: load_text(0), TypeError, "purejax.data.load_text", "path", "int 0"),
    ("load_text/path empty", lambda: load_text(""), ValueError, "purejax.data.load_text", "path"),
    ("load_text/max_bytes 0", lambda: load_text(None, 0), ValueError, "purejax.data.load_text", "max_bytes"),
    ("load_text/max_bytes -1", lambda: load_text(None, -1), ValueError, "purejax.data.load_text", "max_bytes"),
    ("load_text/max_bytes float", lambda: load_text(None, 1e3), TypeError, "purejax.data.load_text", "max_bytes"),
    # -- linear_data(key, n, features, noise), inverse_sine_data(key, n, noise) --
    ("linear_data/key", lambda: linear_data(None), TypeError, "purejax.data.linear_data", "key"),
    ("linear_data/n float", lambda: linear_data(KEY, n=2.5), TypeError, "purejax.data.linear_data", "n must", "2.5"),
    ("linear_data/n 0", lambda: linear_data(KEY, n=0), ValueError, "purejax.data.linear_data", "n must"),
    ("linear_data/features", lambda: linear_data(KEY, features=0), ValueError, "linear_data", "features"),
    ("linear_data/noise str", lambda: linear_data(KEY, noise="a"), TypeError, "purejax.data.linear_data", "noise"),
    ("linear_data/noise -1", lambda: linear_data(KEY, noise=-1.0), ValueError, "purejax.data.linear_data", "noise"),
    ("inverse_sine_data/key", lambda: inverse_sine_data("k"), TypeError, "purejax.data.inverse_sine_data", "key"),
    ("inverse_sine_data/n", lambda: inverse_sine_data(KEY, n=-3), ValueError, "inverse_sine_data", "n must"),
    (
        "inverse_sine_data/noise nan",
        lambda: inverse_sine_data(KEY, noise=float("nan")),
        ValueError,
        "inverse_sine_data",
        "noise",
    ),
    # -- the tasks: goals, baselines, batch checks --
    (
        "digits.learning_goal/eval_metrics",
        lambda: digits.learning_goal({"loss": 0.1}),
        ValueError,
        "purejax.data.tasks.digits.learning_goal",
        "eval_metrics",
        "'accuracy'",
    ),
    (
        "digits.generation_goal/eval_metrics",
        lambda: digits.generation_goal(None),
        TypeError,
        "digits.generation_goal",
        "eval_metrics",
    ),
    (
        "digits.pixel_mean_baseline/by_class",
        lambda: digits.pixel_mean_baseline("no"),
        TypeError,
        "pixel_mean_baseline",
        "by_class",
    ),
    ("digits.check_digits/batch", lambda: digits.check_digits([1], "mlp"), ValueError, "mlp: expected a batch"),
    (
        "linear.learning_goal/eval_metrics",
        lambda: linear.learning_goal({}),
        ValueError,
        "linear.learning_goal",
        "eval_metrics",
    ),
    ("linear.check_linear/batch", lambda: linear.check_linear({"x": 1}, "lr"), ValueError, "lr: expected a batch"),
    (
        "inverse_sine.learning_goal/eval_metrics",
        lambda: inverse_sine.learning_goal(3),
        TypeError,
        "inverse_sine.learning_goal",
        "eval_metrics",
    ),
    (
        "inverse_sine.check_inverse_sine/batch",
        lambda: inverse_sine.check_inverse_sine(0, "mdn"),
        ValueError,
        "mdn: expected a batch",
    ),
    ("text.train_batches/key", lambda: text.train_batches(None, 2), TypeError, "text.train_batches", "key"),
    ("text.train_batches/batch_size", lambda: text.train_batches(KEY, 0), ValueError, "train_batches", "batch_size"),
    ("text.train_batches/path", lambda: text.train_batches(KEY, 2, path=3), TypeError, "train_batches", "path"),
    (
        "text.train_batches/seq_len 0",
        lambda: text.train_batches(KEY, 2, seq_len=0),
        ValueError,
        "text.train_batches",
        "seq_len",
    ),
    (
        "text.train_batches/seq_len long",
        lambda: text.train_batches(KEY, 2, seq_len=10**7),
        ValueError,
        "text.train_batches",
        "seq_len",
    ),
    ("text.eval_batches/batch_size", lambda: text.eval_batches(2.0), TypeError, "text.eval_batches", "batch_size"),
    ("text.eval_batches/path", lambda: text.eval_batches(2, path=[]), TypeError, "text.eval_batches", "path"),
    ("text.eval_batches/seq_len", lambda: text.eval_batches(2, seq_len=10**6), ValueError, "eval_batches", "seq_len"),
    ("text.example_batch/key", lambda: text.example_batch("k"), TypeError, "text.train_batches", "key"),
    (
        "text.example_batch/batch_size",
        lambda: text.example_batch(KEY, -4),
        ValueError,
        "text.train_batches",
        "batch_size",
    ),
    (
        "text.learning_goal/eval_metrics",
        lambda: text.learning_goal({"acc": 1}),
        ValueError,
        "text.learning_goal",
        "eval_metrics",
    ),
    ("text.learning_goal/path", lambda: text.learning_goal({"loss": 1.0}, path=1), TypeError, "learning_goal", "path"),
    (
        "text.check_text/batch",
        lambda: text.check_text({"tokens": np.zeros((2, 1), int)}, "lm"),
        ValueError,
        "lm: expected a batch",
    ),
]


@pytest.mark.parametrize("call,error,fragments", [(r[1], r[2], r[3:]) for r in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_naming_the_function_and_the_argument(call, error, fragments):
    assert_refused(call, error, *fragments)


def test_load_text_names_a_missing_file_and_a_directory(tmp_path):
    missing = tmp_path / "nosuch.txt"
    assert_refused(
        lambda: load_text(missing), FileNotFoundError, "purejax.data.load_text", "path", str(missing), "no such file"
    )
    assert_refused(lambda: load_text(tmp_path), IsADirectoryError, "purejax.data.load_text", str(tmp_path))
    assert_refused(lambda: text.train_batches(KEY, 2, path=missing), FileNotFoundError, "load_text", str(missing))


def test_the_smallest_dataset_still_streams_without_end():
    """One example, batches of 4 padded, without end: every batch comes (the guard is for zero examples only)."""
    stream = batches({"x": np.ones(1)}, 4, epochs=None, remainder="pad")
    for _ in range(3):
        assert next(stream)["mask"].tolist() == [True, False, False, False]


def test_zero_epochs_is_an_empty_stream():
    """`epochs=0` is a valid request for no batches (negative counts are refused above)."""
    assert list(batches(DATA, 2, epochs=0)) == []
