"""The transfer task: digits 0-4 (source) and a few labelled digits 5-9 (target), from the digits task's split."""

import numpy as np

from purejax.data.tasks import digits, digits_transfer


def test_source_and_target_come_from_the_digits_split_relabelled():
    full, source, target = digits.load_data(), digits_transfer.load_source(), digits_transfer.load_data()
    for split in ("train", "test"):
        labels = full[split]["label"]
        keep = labels < 5
        np.testing.assert_array_equal(source[split]["image"], full[split]["image"][keep])
        np.testing.assert_array_equal(source[split]["label"], labels[keep])
    test = full["test"]["label"] >= 5
    np.testing.assert_array_equal(target["test"]["image"], full["test"]["image"][test])
    np.testing.assert_array_equal(target["test"]["label"], full["test"]["label"][test] - 5)
    sizes = (len(source["train"]["label"]), len(source["test"]["label"]), len(target["test"]["label"]))
    assert sizes == (729, 172, 187)


def test_target_training_digits_are_the_first_few_of_each_class():
    per_class = digits_transfer.TARGET_PER_CLASS
    train, full = digits_transfer.load_data()["train"], digits.load_data()["train"]
    assert np.bincount(train["label"]).tolist() == [per_class] * 5
    first = np.concatenate([np.nonzero(full["label"] == c)[0][:per_class] for c in range(5, 10)])
    np.testing.assert_array_equal(train["image"], full["image"][np.sort(first)])
    np.testing.assert_array_equal(train["label"], full["label"][np.sort(first)] - 5)


def test_select_classes_keeps_order_and_relabels():
    data = {"image": np.arange(6, dtype=np.float32), "label": np.array([7, 2, 9, 7, 2, 9])}
    got = digits_transfer.select_classes(data, (9, 7))
    assert got["image"].tolist() == [0.0, 2.0, 3.0, 5.0] and got["label"].tolist() == [1, 0, 1, 0]
    assert digits_transfer.select_classes(data, (2,), per_class=1)["image"].tolist() == [1.0]


def test_learning_goal():
    assert digits_transfer.learning_goal({"accuracy": 0.86})[0]
    assert not digits_transfer.learning_goal({"accuracy": 0.84})[0]
