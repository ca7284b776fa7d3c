"""`comparisons.bench.lstm.normalized_program`: two compiled programs compare equal when only names differ."""

import jax
import jax.numpy as jnp

from comparisons.bench.lstm import normalized_program


def test_normalized_program_ignores_names_only():
    square = jax.jit(lambda x: jnp.square(x) + 1.0)
    product = jax.jit(lambda y: y * y + 1.0)  # another name, another primitive, same optimised program
    other = jax.jit(lambda x: x * x - 1.0)
    x = jnp.ones((4, 3))
    programs = [normalized_program(f.lower(x).compile()) for f in (square, product, other)]
    assert programs[0] == programs[1]
    assert programs[0] != programs[2]
