"""TensorBoard event files read back with the `tensorboard` package's reader: `train --logdir` writes both
packages' losses, evaluations, hyperparameters and pictures equal to metrics.json, and fit's `TensorBoard`
callback writes the History."""

import gzip
import io
import json
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import purejax.models.linear_regression as linear
import purejax.random
from comparisons.training import command, tensorboard
from comparisons.training.progress import RichProgress
from purejax.train import TrainState, fit
from tests._asserts import assert_refused


def read(run_dir) -> EventAccumulator:
    events = EventAccumulator(str(run_dir), size_guidance={"scalars": 0, "images": 0, "tensors": 0})
    events.Reload()
    return events


def scalars(events: EventAccumulator, tag: str) -> tuple[list[int], list[float]]:
    got = events.Scalars(tag)
    return [e.step for e in got], [e.value for e in got]


def test_train_logdir_equals_metrics_json(tmp_path):
    out, logdir, profile = tmp_path / "out", tmp_path / "logs", tmp_path / "profile"
    stream = io.StringIO()
    code = command.run("mdn", steps=4, out=str(out), stream=stream, logdir=str(logdir), profile=str(profile))
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    for side in ("purejax", "flaxed"):  # the same tags under two runs: one chart, two curves
        events = read(logdir / side)
        steps, values = scalars(events, "train/loss")
        assert steps == [1, 2, 3, 4]
        assert values == [float(np.float32(v)) for v in metrics[side]["loss"]]  # events hold float32
        for name, value in metrics[side]["eval"].items():
            assert scalars(events, f"eval/{name}") == ([4], [float(np.float32(value))])
        session = events.PluginTagToContent("hparams")
        assert "_hparams_/session_start_info" in session and b"mdn" in session["_hparams_/session_start_info"]
    pictures = read(logdir / "pictures")
    assert sorted(pictures.Tags()["images"]) == ["pictures/curves", "pictures/mixture"]
    image = pictures.Images("pictures/mixture")[0]
    from matplotlib import image as mpimg

    assert (image.height, image.width) == mpimg.imread(out / "mixture.png").shape[:2]
    assert "profile of 3 steps" in stream.getvalue()  # steps 1-3: the run ended before step 5
    (trace,) = profile.glob("plugins/profile/*/*.trace.json.gz")
    with gzip.open(trace) as file:
        assert json.load(file)["traceEvents"]
    assert list(profile.glob("plugins/profile/*/*.xplane.pb"))


def test_fit_callback_writes_the_history(tmp_path):
    data = linear.load_data()
    train, test = data["train"], data["test"]
    variables = linear.init(purejax.random.PRNGKey(0), train)
    state = TrainState.create(apply_fn=None, params=variables["params"], tx=linear.optimizer(0.1))
    board = tensorboard.TensorBoard(tmp_path, update_freq=1, hparams={"learning_rate": 0.1})
    key = purejax.random.PRNGKey(1)
    state, history = fit(state, linear.loss_fn, train, key=key, batch_size=len(train["x"]) // 2, epochs=3,
                         validation_data=test, callbacks=[board])  # fmt: skip
    events = {run: read(tmp_path / run) for run in ("train", "validation")}
    for name, values in history.history.items():
        run, tag = ("validation", name[4:]) if name.startswith("val_") else ("train", name)
        assert scalars(events[run], f"epoch_{tag}") == ([0, 1, 2], [float(np.float32(v)) for v in values])
    assert scalars(events["train"], "batch_loss")[0] == [1, 2, 3, 4, 5, 6]  # every batch, at the global step
    assert "_hparams_/experiment" in events["train"].PluginTagToContent("hparams")


def test_without_tensorboardx_the_error_says_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    assert_refused(lambda: tensorboard.summary_writer(str(tmp_path)), ImportError, "pip install 'purejax[tensorboard]'")
    stream = io.StringIO()
    assert command.run("linear_regression", steps=1, out=str(tmp_path), stream=stream, logdir=str(tmp_path)) == 2
    assert not stream.getvalue() and "pip install 'purejax[tensorboard]'" in capsys.readouterr().err  # before training
    with pytest.raises(ValueError, match="update_freq"):
        tensorboard.TensorBoard(tmp_path, update_freq="batch")


def test_rich_progress_prints_each_epoch():
    data = linear.load_data()
    variables = linear.init(purejax.random.PRNGKey(0), data["train"])
    state = TrainState.create(apply_fn=None, params=variables["params"], tx=linear.optimizer(0.1))
    stream = io.StringIO()
    _, history = fit(
        state,
        linear.loss_fn,
        data["train"],
        key=purejax.random.PRNGKey(1),
        batch_size=len(data["train"]["x"]),
        epochs=2,
        callbacks=[RichProgress(stream)],
    )
    lines = stream.getvalue().splitlines()
    assert "epoch 1/2 1/1 loss" in lines[0]  # the bar's plain line: its running loss
    summaries = [line for line in lines if " steps " in line]  # one line per epoch, after its bar
    assert len(summaries) == 2
    for epoch, line in enumerate(summaries):
        assert line.startswith(f"epoch {epoch + 1}/2  1 steps  loss {history.history['loss'][epoch]:.4f}")


def test_text_samples_become_text(tmp_path):
    result = {"model": "lstm_lm", "steps": 2, "seed": 0, "batch_size": 4, "learning_rate": 0.1}
    for side in ("purejax", "flaxed"):
        result[side] = {"loss": [2.0, 1.5], "eval": {"loss": 1.25}}
    (tmp_path / "samples.txt").write_text("--- purejax, greedy ---\ndef f():")
    runs = tensorboard.write_pair(result, str(tmp_path / "logs"), str(tmp_path), ["metrics.json", "samples.txt"])
    assert [run.rsplit("/", 1)[-1] for run in runs] == ["purejax", "flaxed", "pictures"]
    (text,) = read(runs[2]).Tensors("pictures/samples/text_summary")  # tensorboardX adds the suffix
    assert text.step == 2 and b"def f():" in text.tensor_proto.string_val[0]
    assert scalars(read(runs[1]), "eval/loss") == ([2], [1.25])
