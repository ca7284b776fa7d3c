"""`purejax.data` batching: batches (drop, pad, keep; shuffling against jax.random), split, num_examples.

Batches are checked by content, not shape: every dataset here carries `'index': arange(n)`, so a
batch says which examples it holds, and an epoch is checked against the order it should have
(`arange(n)` without a key, `jax.random.permutation(fold_in(key, epoch), n)` with one).
"""

import math

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import purejax.random
from purejax.data import REMAINDERS, batches, num_examples, split


def indexed(n: int) -> dict:
    """`{'index': int64[n], 'x': float32[n, 2]}` with `x[i] = (i, -i)`, so a batch names its examples."""
    index = np.arange(n)
    return {"index": index, "x": np.stack([index, -index], axis=1).astype(np.float32)}


def epoch_order(n: int, key, epoch: int) -> np.ndarray:
    """The counterpart: the order `batches` should visit the examples in during `epoch`."""
    if key is None:
        return np.arange(n)
    return np.asarray(jax.random.permutation(jax.random.fold_in(key, epoch), n))


def per_epoch(n: int, batch_size: int, remainder: str) -> int:
    """How many batches one epoch yields."""
    return n // batch_size if remainder == "drop" else math.ceil(n / batch_size)


def check_epochs(out: list, n: int, batch_size: int, remainder: str, epochs: int, key) -> None:
    """Every assertion about the batches of `indexed(n)`, epoch by epoch, for any remainder."""
    count = per_epoch(n, batch_size, remainder)
    assert len(out) == epochs * count
    for epoch in range(epochs):
        order = epoch_order(n, key, epoch)
        got = out[epoch * count : (epoch + 1) * count]
        for b in got:  # the arrays stay paired: x belongs to the same example as index
            np.testing.assert_array_equal(b["x"][:, 0], b["index"])
            assert set(b) == ({"index", "x", "mask"} if remainder == "pad" else {"index", "x"})
        seen = np.concatenate([b["index"] for b in got]) if got else np.zeros(0, int)
        if remainder == "drop":
            assert all(len(b["index"]) == batch_size for b in got)
            np.testing.assert_array_equal(seen, order[: count * batch_size])  # the remainder is dropped
        elif remainder == "keep":
            assert [len(b["index"]) for b in got] == [min(batch_size, n - i * batch_size) for i in range(count)]
            np.testing.assert_array_equal(seen, order)
        else:  # pad
            assert all(len(b["index"]) == batch_size and b["mask"].dtype == bool for b in got)
            mask = np.concatenate([b["mask"] for b in got])
            np.testing.assert_array_equal(seen[mask], order)  # every example once, where the mask is True
            short = count * batch_size - n
            np.testing.assert_array_equal(mask, np.arange(count * batch_size) < n)  # False on the padding only
            np.testing.assert_array_equal(seen[n:], np.resize(order, short))  # the epoch's first examples again


# --- batches: fixed cases -----------------------------------------------------------------------


@pytest.mark.parametrize("remainder", REMAINDERS)
@pytest.mark.parametrize("shuffle", [False, True], ids=["in_order", "shuffled"])
def test_every_example_once_per_epoch(remainder, shuffle, key):
    check_epochs(
        list(batches(indexed(10), 4, key=key if shuffle else None, epochs=3, remainder=remainder)),
        10,
        4,
        remainder,
        3,
        key if shuffle else None,
    )


def test_drop_leaves_out_the_remainder():
    out = list(batches(indexed(10), 4))
    assert [b["index"].tolist() for b in out] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_pad_masks_the_padding_and_repeats_the_first_examples():
    out = list(batches(indexed(10), 4, remainder="pad"))
    assert out[-1]["index"].tolist() == [8, 9, 0, 1]
    assert out[-1]["mask"].tolist() == [True, True, False, False]
    assert all(b["mask"].all() for b in out[:-1])


def test_pad_cycles_when_the_data_is_smaller_than_a_batch():
    (only,) = batches(indexed(2), 5, remainder="pad")
    assert only["index"].tolist() == [0, 1, 0, 1, 0] and only["mask"].tolist() == [True, True, False, False, False]


def test_keep_yields_a_short_last_batch():
    out = list(batches(indexed(10), 4, remainder="keep"))
    assert [b["index"].tolist() for b in out] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_exact_multiple_has_no_padding():
    out = list(batches(indexed(8), 4, remainder="pad"))
    assert len(out) == 2 and all(b["mask"].all() for b in out)


def test_batches_are_numpy_and_keep_dtypes(key):
    data = {"image": np.zeros((6, 8, 8, 1), np.float32), "label": np.arange(6, dtype=np.int32)}
    for b in batches(data, 3, key=key):
        assert (
            isinstance(b["image"], np.ndarray) and b["image"].shape == (3, 8, 8, 1) and b["image"].dtype == np.float32
        )
        assert isinstance(b["label"], np.ndarray) and b["label"].dtype == np.int32


def test_jax_arrays_are_accepted():
    (b,) = batches({"x": jax.numpy.arange(3.0)}, 3)
    assert isinstance(b["x"], np.ndarray) and b["x"].tolist() == [0.0, 1.0, 2.0]


# --- batches: shuffling -------------------------------------------------------------------------


def orders(n, key, epochs=1):
    """The index order of each epoch, as `batches` yields it (batch_size 1, so nothing is dropped)."""
    out = [int(b["index"][0]) for b in batches(indexed(n), 1, key=key, epochs=epochs)]
    return [out[e * n : (e + 1) * n] for e in range(epochs)]


def test_no_key_keeps_the_order():
    assert orders(12, None, epochs=2) == [list(range(12))] * 2


def test_same_key_same_order(key):
    assert orders(20, key, epochs=2) == orders(20, key, epochs=2)


def test_different_key_different_order(key):
    assert orders(20, key) != orders(20, purejax.random.PRNGKey(1))


def test_a_new_order_every_epoch(key):
    first, second, third = orders(20, key, epochs=3)
    assert sorted(first) == sorted(second) == sorted(third) == list(range(20))
    assert first != second and second != third and first != third


@pytest.mark.parametrize("n", [1, 10, 20])
def test_shuffle_is_jax_random_permutation_of_fold_in(n, key):
    """Bitwise against the counterpart: epoch e visits `jax.random.permutation(fold_in(key, e), n)`."""
    for epoch, order in enumerate(orders(n, key, epochs=3)):
        np.testing.assert_array_equal(order, epoch_order(n, key, epoch))


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 12),
    batch_size=st.integers(1, 9),
    remainder=st.sampled_from(REMAINDERS),
    epochs=st.integers(0, 3),
    shuffle=st.booleans(),
)
def test_batches_property(n, batch_size, remainder, epochs, shuffle):
    key = purejax.random.PRNGKey(7) if shuffle else None
    if remainder == "drop" and n < batch_size:
        with pytest.raises(ValueError, match="make no full batch"):
            batches(indexed(n), batch_size, key=key, epochs=epochs, remainder=remainder)
        return
    it = batches(indexed(n), batch_size, key=key, epochs=epochs, remainder=remainder)
    check_epochs(list(it), n, batch_size, remainder, epochs, key)


# --- batches: errors ----------------------------------------------------------------------------
# `batches` checks its arguments when called, before the first batch is asked for.


@pytest.mark.parametrize(
    "data, kwargs, error, message",
    [
        (
            {"image": np.zeros((4, 2)), "label": np.zeros(3)},
            {},
            ValueError,
            r"every array of data needs the same number of examples on axis 0, got \{'image': 4, 'label': 3\}",
        ),
        (
            {"image": np.zeros((4, 2)), "scale": np.float32(1.0)},
            {},
            ValueError,
            r"same number of examples.*'scale': None",
        ),
        ({}, {}, ValueError, "data must be a non-empty dict of arrays, got dict"),
        ([np.zeros(4)], {}, TypeError, "data must be a dict of arrays, got list"),
        (indexed(4), {"batch_size": 0}, ValueError, "batch_size must be a positive integer, got int 0"),
        (indexed(4), {"batch_size": -2}, ValueError, "batch_size must be a positive integer, got int -2"),
        (indexed(4), {"batch_size": 2.5}, TypeError, "batch_size must be a positive integer, got float 2.5"),
        (indexed(4), {"batch_size": "2"}, TypeError, "batch_size must be a positive integer, got str '2'"),
        (
            indexed(4),
            {"remainder": "truncate"},
            ValueError,
            r"remainder must be one of 'drop', 'pad', 'keep', got str 'truncate'",
        ),
        (
            indexed(3),
            {"batch_size": 4},
            ValueError,
            "3 examples make no full batch of 4; use remainder='pad' or 'keep'",
        ),
    ],
    ids=[
        "mismatched",
        "scalar",
        "empty",
        "not_a_dict",
        "zero",
        "negative",
        "fraction",
        "string",
        "remainder",
        "too_few",
    ],
)
def test_batches_errors(data, kwargs, error, message):
    kwargs = {"batch_size": 2, **kwargs}
    with pytest.raises(error, match="^purejax.data.batches: .*" + message):
        batches(data, **kwargs)


@pytest.mark.parametrize("batch_size", [2.0, None, True])
def test_odd_batch_sizes_are_refused_at_the_call(batch_size):
    """Checked when `batches` is called, before the first batch is asked for."""
    with pytest.raises(TypeError, match="batch_size must be a positive integer"):
        batches(indexed(4), batch_size)


def test_num_examples():
    assert num_examples(indexed(5)) == 5
    with pytest.raises(ValueError, match=r"^split: "):
        num_examples({"a": np.zeros(2), "b": np.zeros(3)}, "split")


# --- split --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, fraction, n_test", [(10, 0.2, 2), (7, 0.5, 4), (5, 0.2, 1), (2, 0.5, 1)])
def test_split(n, fraction, n_test, key):
    train, test = split(indexed(n), key, fraction)
    assert len(test["index"]) == n_test and len(train["index"]) == n - n_test
    assert not set(train["index"]) & set(test["index"])  # disjoint
    assert sorted(np.concatenate([train["index"], test["index"]]).tolist()) == list(range(n))  # union = all
    np.testing.assert_array_equal(train["x"][:, 0], train["index"])  # arrays stay paired
    again = split(indexed(n), key, fraction)
    np.testing.assert_array_equal(again[0]["index"], train["index"])  # deterministic
    np.testing.assert_array_equal(again[1]["index"], test["index"])


def test_split_shuffles_with_the_key(key):
    order = np.asarray(jax.random.permutation(key, 10))
    train, test = split(indexed(10), key, 0.3)
    np.testing.assert_array_equal(test["index"], order[:3])
    np.testing.assert_array_equal(train["index"], order[3:])
    assert split(indexed(10), purejax.random.PRNGKey(1), 0.3)[1]["index"].tolist() != test["index"].tolist()


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_split_fraction_outside_the_open_interval(fraction, key):
    with pytest.raises(
        ValueError, match=rf"split: test_fraction must be a number in the open interval \(0, 1\), got .*{fraction}"
    ):
        split(indexed(10), key, fraction)
