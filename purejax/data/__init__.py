"""Data for the models: host-memory batching and offline datasets (digits, text, synthetic)."""
from purejax.data.batching import REMAINDERS, batches, num_examples, split, take
from purejax.data.datasets import (DIGITS_KEY, inverse_sine_data, linear_data, load_digits, load_text,
                                   stdlib_sources)

__all__ = ["REMAINDERS", "batches", "num_examples", "split", "take", "DIGITS_KEY", "inverse_sine_data",
           "linear_data", "load_digits", "load_text", "stdlib_sources"]
