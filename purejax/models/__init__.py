"""The seeds' models written with purejax alone, one module per model (`flaxed/models/` mirrors them).

Every model module has the same contract (see `MODEL_CONTRACT` in the README):

- the task, bound one line each from its module in `purejax/data/tasks/` (`train_batches =
  digits.train_batches`), here and in flaxed alike: `load_data()`, `train_batches(key,
  batch_size)`, `eval_batches(batch_size)`, `example_batch(key, batch_size=4)`,
  `learning_goal(eval_metrics) -> (ok, text)`;
- shared with flaxed (flaxed imports these from here): `NAME`, `DEFAULTS` (training budget:
  steps, batch_size, learning_rate), `check_batch(batch)` (the task's check, naming the model);
- per package: `build(**hparams)`, `init(key, batch, **hparams) -> variables`,
  `loss_fn(variables, batch, key, train=True, **hparams) -> (loss, metrics)`,
  `optimizer(learning_rate)`, and extras (`sample`, `predict`).

Modules are imported by name (`importlib`), so `import purejax.models` stays light.
"""

MODELS = ("linear_regression", "mlp", "cnn", "resnet", "lstm_classifier", "lstm_lm", "vae", "mdn", "transformer_lm")

__all__ = ["MODELS"]
