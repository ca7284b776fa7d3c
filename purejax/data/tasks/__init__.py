"""The models' tasks, one module each: the data, their fixed split, the batches and the learning goal.

    digits        scikit-learn's 8x8 digits: mlp, cnn, resnet, lstm_classifier (accuracy) and vae
                  (below the per-class pixel-mean baseline)
    digits_transfer  the digits split by class: 0-4 to pretrain on, a few labelled 5-9 to transfer to
                  (the `transfer` program; target test accuracy)
    text          bytes of the standard library's sources or of a file: lstm_lm and transformer_lm
                  (below a fraction of the unigram entropy)
    linear        noisy linear data from a fixed key: linear_regression (near the noise floor)
    inverse_sine  Bishop's inverse sine problem: mdn (1 nat below one Gaussian)

Every task module offers `load_data()` (cached), `train_batches(key, batch_size)` (endless,
shuffled), `eval_batches(batch_size)` (the test split, once), `example_batch(key, batch_size=4)`,
a batch check naming the model (`check_digits(batch, name)`, ...) and `learning_goal(eval_metrics)
-> (ok, text)`. A model module, purejax's and flaxed's alike, binds them (`train_batches =
digits.train_batches`), so each task is defined once. The tasks in memory get their three batch
functions from `purejax.data.batching.task_batches`.
"""

from purejax.data.tasks import digits, digits_transfer, inverse_sine, linear, text

__all__ = ["digits", "digits_transfer", "inverse_sine", "linear", "text"]
