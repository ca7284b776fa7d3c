"""Side-by-side training: purejax's and Flax's versions of a model, the same variables and batches.

pair.py       `train_pair`: both sides step for step on one device (the report, the tests, `train`)
parallel.py   `train_parallel`: one side data-parallel on every device, and its one-device reference
command.py    `python -m comparisons train MODEL`: progress, tables, metrics.json, pictures
figures.py    the pictures: loss curves, VAE samples, MDN mixtures, text samples, transfer's phases
transfer.py   `train transfer`: the transfer-learning program in both packages, compared and checked
tensorboard.py  TensorBoard event files (tensorboardX): `train --logdir`, and fit's `TensorBoard` callback
progress.py   `RichProgress`: fit's progress bar on rich
"""
