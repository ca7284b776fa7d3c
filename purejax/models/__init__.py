"""The seeds' models written with purejax alone, one module per model (`flaxed/models/` mirrors them).

Every model module has the same contract (see `MODEL_CONTRACT` in the README):

- shared with flaxed (flaxed imports these from here): `DEFAULTS` (training budget: steps,
  batch_size, learning_rate), `load_data()`, `train_batches(key, batch_size)`,
  `eval_batches(batch_size)`, `example_batch(key, batch_size=4)`, `check_batch(batch)`,
  `learning_goal(eval_metrics) -> (ok, text)`;
- per package: `build(**hparams)`, `init(key, batch, **hparams) -> variables`,
  `loss_fn(variables, batch, key, train=True, **hparams) -> (loss, metrics)`,
  `optimizer(learning_rate)`, and extras (`sample`, `predict`).

Modules are imported by name (`importlib`), so `import purejax.models` stays light.
"""
MODELS = ("linear_regression", "mlp", "cnn", "resnet", "lstm_classifier", "lstm_lm", "vae", "mdn")

__all__ = ["MODELS"]
