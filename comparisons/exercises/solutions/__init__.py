"""The exercises' reference solutions, one file per exercise, named after it.

Each file is what `python -m comparisons exercise NAME --solution` prints, and the file the stub
is cut from (`comparisons/exercises/stub.py`): its module docstring states the task, its functions'
docstrings the math. They use jax.numpy and jax.lax (and what each exercise allows), never the
counterpart the exercise is graded against.
"""
