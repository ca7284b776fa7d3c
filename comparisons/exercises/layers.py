"""The layer exercises: `dense_forward` (chapter layers) and `dropout` (chapter state), against flax.linen.

Parameters come in Flax's layout (`{'kernel': [in, out], 'bias': [out]}`), so the learner computes
on exactly what Flax's layer reads; both sides run under `jax.jit` (the layer's settings stay
Python values, static). Outputs are held to the report's forward tolerance (`rtol` 1e-5); a
dropout mask that keeps or drops another element differs by the element itself, far beyond it.
"""

from __future__ import annotations

import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from comparisons.exercises.exercise import FORWARD, Case, Exercise


def _normal(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


# -- dense_forward -----------------------------------------------------------------------------
def _dense_inputs(shape: tuple[int, ...], features: int, use_bias: bool = True, seed: int = 0) -> dict:
    """Inputs, and parameters in Flax's layout (a bias that is not 0, unlike Flax's init, so that it shows)."""
    params = {"kernel": _normal((shape[-1], features), seed + 1)}
    if use_bias:
        params["bias"] = _normal((features,), seed + 2)
    return {"params": params, "inputs": _normal(shape, seed)}


@jax.jit
def _dense_expected(params, inputs):
    return nn.Dense(params["kernel"].shape[1], use_bias="bias" in params).apply({"params": params}, inputs)


def _dense_cases() -> list[Case]:
    return [
        Case("a batch of 4, 3 features in, 5 out", _dense_inputs((4, 3), 5), "y = inputs @ kernel + bias"),
        Case(
            "leading axes [2, 3] are batch axes",
            _dense_inputs((2, 3, 3), 2, seed=1),
            "contract the last axis of inputs with the first of kernel: inputs @ kernel does it for any "
            "number of leading axes (or lax.dot_general)",
        ),
        Case(
            "use_bias=False: no 'bias' in params",
            _dense_inputs((4, 3), 5, use_bias=False, seed=2),
            "params has no 'bias' when the layer has none: add it only `if 'bias' in params`",
        ),
        Case("one example, no batch axis", _dense_inputs((3,), 4, seed=3), "inputs may be a single vector [in]"),
    ]


def _dense_strategy():
    from hypothesis import strategies as st  # imported here: only grading needs hypothesis

    return st.builds(
        lambda batch, n_in, n_out, bias, seed: _dense_inputs((*batch, n_in), n_out, bias, seed),
        st.sampled_from([(), (2,), (2, 3)]),
        st.sampled_from([1, 3]),
        st.sampled_from([1, 4]),
        st.booleans(),
        st.integers(0, 100),
    )


DENSE_FORWARD = Exercise(
    name="dense_forward",
    chapter="03_layers",
    summary="a Dense layer's forward pass on Flax's variables",
    counterpart="flax.linen.Dense",
    functions=("dense_forward",),
    expected=_dense_expected,
    attempt=lambda m, params, inputs: jax.jit(m.dense_forward)(params, jnp.asarray(inputs)),
    cases=_dense_cases,
    hint="y[..., j] = sum_i inputs[..., i] * kernel[i, j] + bias[j]; the kernel is [in, out] (PyTorch's is [out, in])",
    strategy=_dense_strategy,
    tolerance=FORWARD,
    examples=8,
)


# -- dropout -----------------------------------------------------------------------------------
MASK_HINT = (
    "keep an element where uniform(rng, shape) < keep_prob = 1 - rate (rate is the probability of "
    "dropping), and scale the kept ones by 1 / keep_prob"
)


def _dropout_inputs(shape, rate, seed=0, deterministic=False, broadcast_dims=()) -> dict:
    return {
        "inputs": _normal(shape, seed),
        "rate": rate,
        "deterministic": deterministic,
        "rng": np.asarray(jax.random.PRNGKey(seed)),
        "broadcast_dims": tuple(broadcast_dims),
    }


STATIC = ("rate", "deterministic", "broadcast_dims")  # Python values under jit, as a layer's settings are


@functools.partial(jax.jit, static_argnames=STATIC)
def _dropout_expected(inputs, rate, deterministic, rng, broadcast_dims):
    layer = nn.Dropout(rate, broadcast_dims=broadcast_dims)
    return layer.apply({}, inputs, deterministic=deterministic, rng=rng)


def _dropout_attempt(m, inputs, rate, deterministic, rng, broadcast_dims):
    call = jax.jit(m.dropout, static_argnames=STATIC)
    return call(
        jnp.asarray(inputs), rate, deterministic=deterministic, rng=jnp.asarray(rng), broadcast_dims=broadcast_dims
    )


def _dropout_cases() -> list[Case]:
    return [
        Case("rate 0.5 on [4, 5]", _dropout_inputs((4, 5), 0.5), MASK_HINT),
        Case(
            "rate 0.2: rate is the probability of dropping",
            _dropout_inputs((4, 5), 0.2, seed=1),
            "with rate 0.2 about 80% of the elements survive: the mask is uniform < 1 - rate, not < rate",
        ),
        Case(
            "deterministic=True: no dropout",
            _dropout_inputs((3, 4), 0.5, seed=2, deterministic=True),
            "at evaluation time (deterministic=True) return the inputs unchanged",
        ),
        Case(
            "rate 1.0: all zeros",
            _dropout_inputs((3, 4), 1.0, seed=3),
            "with rate 1 nothing survives: return zeros (1 / keep_prob would divide by 0)",
        ),
        Case(
            "broadcast_dims=(0,): one mask row shared by every row",
            _dropout_inputs((3, 4), 0.5, seed=4, broadcast_dims=(0,)),
            "draw the mask with shape [1, 4] (the broadcast axes set to 1), then broadcast it to [3, 4]",
        ),
    ]


def _dropout_strategy():
    from hypothesis import strategies as st

    return st.builds(
        lambda shape, rate, seed, bcast: _dropout_inputs(shape, rate, seed, broadcast_dims=bcast[: len(shape) - 1]),
        st.sampled_from([(5,), (3, 4)]),
        st.sampled_from([0.1, 0.25, 0.5, 0.9]),
        st.integers(0, 2**16),
        st.sampled_from([(), (0,)]),
    )


DROPOUT = Exercise(
    name="dropout",
    chapter="07_state",
    summary="Dropout's mask and scaling, bit for bit with flax.linen.Dropout's",
    counterpart="flax.linen.Dropout",
    functions=("dropout",),
    expected=_dropout_expected,
    attempt=_dropout_attempt,
    cases=_dropout_cases,
    hint=MASK_HINT,
    strategy=_dropout_strategy,
    tolerance=FORWARD,
    allowed=("purejax.random:uniform",),
    examples=8,
)
