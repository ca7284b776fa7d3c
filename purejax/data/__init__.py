"""Data for the models: host-memory batching, and the tasks the models train on.

    batching  batches(data, batch_size, key=, epochs=, remainder=), split, take, num_examples;
              task_batches(load_data): a task's train, eval and example batch functions
    tasks/    one module per task (data, fixed split, batches, batch check, learning goal):
              digits, text, linear, inverse_sine

The datasets' loaders are re-exported here: `load_digits` (scikit-learn's digits, the `data`
extra), `load_text` and `stdlib_sources` (bytes of the standard library's sources or of a file),
`linear_data` and `inverse_sine_data` (synthetic sets drawn from a key). Every loader returns
numpy arrays (dicts of them: `{'image': ..., 'label': ...}`), the format `batches` cuts into batches.
"""

from purejax.data.batching import REMAINDERS, batches, num_examples, split, take, task_batches
from purejax.data.tasks.digits import DIGITS_KEY, load_digits
from purejax.data.tasks.inverse_sine import inverse_sine_data
from purejax.data.tasks.linear import linear_data
from purejax.data.tasks.text import load_text, stdlib_sources

__all__ = [
    "REMAINDERS",
    "batches",
    "num_examples",
    "split",
    "take",
    "task_batches",
    "DIGITS_KEY",
    "inverse_sine_data",
    "linear_data",
    "load_digits",
    "load_text",
    "stdlib_sources",
]
