"""`purejax.train.fit` and its callbacks on the digits MLP, with purejax's model and optimizer and with
Flax's and Optax's: the history, early stopping on crafted metric sequences, the best checkpoint,
a resumed run that is bitwise the uninterrupted one, the loggers, `evaluate` and `predict`."""

import functools
import io
import json

import jax
import numpy as np
import pytest

import flaxed.models.mlp
import flaxed.train
import purejax.models.mlp
import purejax.random
from purejax.train import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    JSONLogger,
    ModelCheckpoint,
    ProgbarLogger,
    TrainState,
    evaluate,
    fit,
    predict,
)
from tests._asserts import GRADIENT_RTOL, assert_bitwise, assert_refused

HIDDEN = 8
PACKAGES = {"purejax": (purejax.models.mlp, TrainState), "flaxed": (flaxed.models.mlp, flaxed.train.TrainState)}


@functools.cache
def digits() -> tuple[dict, dict]:
    """96 training and 64 test digits: three batches of 32 per epoch."""
    data = purejax.models.mlp.load_data()
    return {k: v[:96] for k, v in data["train"].items()}, {k: v[:64] for k, v in data["test"].items()}


def setup(package: str = "purejax") -> tuple:
    """`(state, loss_fn)`: the small MLP, the same initial variables for both packages."""
    module, state_class = PACKAGES[package]
    train, _ = digits()
    variables = purejax.models.mlp.init(purejax.random.PRNGKey(0), train, hidden=HIDDEN)
    state = state_class.create(apply_fn=None, params=variables["params"], tx=module.optimizer(1e-2))
    return state, loss_fn(package)


@functools.cache
def loss_fn(package: str):
    """One function per package, so that fit's steps compile once for all the tests."""
    return functools.partial(PACKAGES[package][0].loss_fn, hidden=HIDDEN)


def run(state, loss_fn, epochs, **kwargs):
    train, test = digits()
    return fit(state, loss_fn, train, key=purejax.random.PRNGKey(1), batch_size=32, epochs=epochs,
               validation_data=test, **kwargs)  # fmt: skip


class Crafted(Callback):
    """Puts `values[epoch]` into the logs as `score`, and records each epoch's parameters."""

    def __init__(self, values):
        self.values, self.params = values, []

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = self.values[epoch]
        self.params.append(self.model.state.params)


def test_fit_trains_both_packages_alike():
    histories = {}
    for package in PACKAGES:
        state, loss_fn = setup(package)
        state, history = run(state, loss_fn, 3)
        assert int(state.step) == 9 and history.epoch == [0, 1, 2]
        histories[package] = history.history
    ours, theirs = histories["purejax"], histories["flaxed"]
    assert sorted(ours) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert ours["loss"][-1] < ours["loss"][0] and ours["val_loss"][-1] < ours["val_loss"][0]
    for name in ours:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=GRADIENT_RTOL)


@pytest.mark.parametrize(
    ("values", "options", "stopped", "best"),
    [
        ([5, 3, 4, 2, 2.5, 2.6, 1, 0], {"patience": 2}, 5, 3),  # two epochs after the best
        ([5, 3, 4, 2, 2.5, 2.6, 1, 0], {"patience": 0}, 2, 1),  # the first epoch that is worse
        ([1.0, 0.95, 0.9, 0.85, 0.5, 0, 0, 0], {"patience": 2, "min_delta": 0.1}, 2, 0),  # small gains do not count
        ([0.1, 0.5, 0.4, 0.3, 0.2, 0.1, 0, 0], {"patience": 3, "mode": "max"}, 4, 1),  # accuracy-like
        ([5, 4, 3, 2, 1, 0, -1, -2], {"patience": 1}, 0, 7),  # always improving: never stops
    ],
)
def test_early_stopping_stops_at_the_right_epoch_and_restores_the_best(values, options, stopped, best):
    state, loss_fn = setup()
    crafted = Crafted(values)
    stopping = EarlyStopping(monitor="score", restore_best_weights=True, **options)
    state, history = run(state, loss_fn, len(values), callbacks=[crafted, stopping])
    assert stopping.stopped_epoch == stopped and stopping.best_epoch == best
    assert history.epoch == list(range((stopped or len(values) - 1) + 1))
    assert history.history["score"] == [float(v) for v in values[: len(history.epoch)]]
    assert_bitwise(state.params, crafted.params[best])  # the best epoch's weights, not the last's
    assert int(state.step) == 3 * len(history.epoch)  # the weights only: the step count stays


def test_model_checkpoint_keeps_the_best(tmp_path):
    state, loss_fn = setup()
    crafted = Crafted([3, 1, 2, 0.5, 4])
    best = ModelCheckpoint(tmp_path / "best", monitor="score", save_best_only=True, max_to_keep=1)
    every = ModelCheckpoint(tmp_path / "every", monitor="score")
    trained, _ = run(state, loss_fn, 5, callbacks=[crafted, best, every])
    assert best.saved == [1, 2, 4] and best.manager.all_steps() == [4]  # epochs 0, 1, 3 improved
    assert every.manager.all_steps() == [1, 2, 3, 4, 5]
    restored, history = ModelCheckpoint.restore(tmp_path / "best", state)
    assert_bitwise(restored.params, crafted.params[3])
    assert int(restored.step) == 12 and history.history["score"] == [3, 1, 2, 0.5]
    last, _ = ModelCheckpoint.restore(tmp_path / "every", state)
    assert_bitwise(jax.tree_util.tree_leaves(last), jax.tree_util.tree_leaves(trained))


@pytest.mark.parametrize("package", list(PACKAGES))
def test_resuming_from_a_checkpoint_continues_bitwise(tmp_path, package):
    state, loss_fn = setup(package)
    straight, history = run(state, loss_fn, 4)
    run(state, loss_fn, 2, callbacks=[ModelCheckpoint(tmp_path)])  # interrupted after 2 epochs
    restored, earlier = ModelCheckpoint.restore(tmp_path, state)
    assert earlier.epoch == [0, 1]
    resumed, continued = run(restored, loss_fn, 4, history=earlier, callbacks=[ModelCheckpoint(tmp_path)])
    assert_bitwise(jax.tree_util.tree_leaves(resumed), jax.tree_util.tree_leaves(straight))
    assert continued.history == history.history and continued.epoch == [0, 1, 2, 3]


def test_loggers_write_every_epoch_and_continue_a_resumed_run(tmp_path):
    state, loss_fn = setup()
    csv_path, json_path = tmp_path / "log.csv", tmp_path / "history.json"
    first, history = run(state, loss_fn, 2, callbacks=[CSVLogger(csv_path), JSONLogger(json_path)])
    loggers = [CSVLogger(csv_path, append=True), JSONLogger(json_path)]
    _, history = run(first, loss_fn, 3, history=history, callbacks=loggers)
    rows = [line.split(",") for line in csv_path.read_text().splitlines()]
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"] and len(rows) == 4
    for name, column in zip(rows[0][1:], list(zip(*rows[1:], strict=True))[1:], strict=True):
        assert [float(v) for v in column] == history.history[name]  # repr(float) round-trips exactly
    assert json.loads(json_path.read_text()) == {"epoch": [0, 1, 2], **history.history}


def test_progress_line_per_epoch():
    state, loss_fn = setup()
    stream = io.StringIO()
    _, history = run(state, loss_fn, 2, callbacks=[ProgbarLogger(stream)])
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[:2] for line in lines] == [["epoch 1/2", "3/3 steps"], ["epoch 2/2", "3/3 steps"]]
    assert f"val_loss {history.history['val_loss'][1]:.4f}" in lines[1]


def test_evaluate_and_predict_match_the_model():
    state, loss_fn = setup()
    state, history = run(state, loss_fn, 1)
    _, test = digits()
    got = evaluate(state, loss_fn, test, key=purejax.random.PRNGKey(2), batch_size=24)  # a short last batch
    assert got["loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-6)
    model = purejax.models.mlp.build(hidden=HIDDEN)
    logits = predict(state, model.apply, test["image"], batch_size=24)
    np.testing.assert_allclose(logits, model.apply({"params": state.params}, test["image"]), rtol=1e-5, atol=1e-6)


def test_endless_batches_with_steps_per_epoch():
    state, loss_fn = setup()
    batches = purejax.models.mlp.train_batches(purejax.random.PRNGKey(3), 16)
    key = purejax.random.PRNGKey(1)
    state, history = fit(state, loss_fn, lambda epoch: batches, key=key, epochs=2, steps_per_epoch=2)
    assert int(state.step) == 4 and history.epoch == [0, 1]


def test_refused():
    state, loss_fn = setup()
    train, _ = digits()
    key = purejax.random.PRNGKey(1)
    assert_refused(lambda: fit(state, loss_fn, (train["image"], train["label"]), key=key), TypeError,
                   "purejax.train.fit", "data", "{'image': x, 'label': y}")  # fmt: skip
    assert_refused(lambda: fit(state, loss_fn, {"image": train["image"], "label": train["label"][:5]}, key=key),
                   ValueError, "fit", "same leading")  # fmt: skip
    assert_refused(lambda: fit(state, loss_fn, train, key=key, callbacks=[print]), TypeError, "callbacks[0]")
    assert_refused(lambda: run(state, loss_fn, 2, callbacks=[EarlyStopping(monitor="val_acc")]), KeyError,
                   "EarlyStopping", "'val_acc'", "val_accuracy")  # fmt: skip
    assert_refused(lambda: run(state, loss_fn, 3, history=History({"loss": [1.0]}), initial_epoch=2), ValueError,
                   "initial_epoch 2", "1 epochs")  # fmt: skip
    assert_refused(lambda: EarlyStopping(mode="lowest"), ValueError, "EarlyStopping", "mode", "'min'")
