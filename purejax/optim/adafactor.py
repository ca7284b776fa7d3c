"""Adafactor: factored second moments, update clipping, steps relative to the weights' size.

Adam keeps one second-moment number per parameter; for a matrix `[n, m]` Adafactor keeps `n + m`,
row and column statistics whose outer product estimates the second moment:

    V ~ R C^T / sum(R),  R = row means of g**2, C = column means

`scale_by_factored_rms` is the building block, with the state `FactoredState(count, v_row, v_col,
v)`; the math is in its docstring. `adafactor` chains it with update clipping, the learning rate,
the relative step size, optional momentum and weight decay:

    adafactor = chain(scale_by_factored_rms, clip_by_block_rms, scale_by_learning_rate(flip_sign=False),
                      scale_by_param_block_rms, ema, add_decayed_weights, scale(-1))   # optional parts

Counterpart: `optax.scale_by_factored_rms`, `optax.FactoredState` (optax/_src/factorized.py);
`optax.adafactor` (optax/_src/alias.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from purejax import tree
from purejax.checks import check_bool, check_callable, check_dtype, check_int, check_number
from purejax.optim.base import GradientTransformation, chain, check_params, check_state, named, where
from purejax.optim.transforms.adding import add_decayed_weights
from purejax.optim.transforms.clipping import clip_by_block_rms
from purejax.optim.transforms.masking import MaskOrFn, check_mask
from purejax.optim.transforms.momentum import ema
from purejax.optim.transforms.scaling import (
    ScalarOrSchedule,
    check_learning_rate,
    check_scalar_or_schedule,
    scale,
    scale_by_learning_rate,
)
from purejax.optim.transforms.trust_ratio import scale_by_param_block_rms
from purejax.optim.tree_math import abs_sq, check_same_structure, safe_increment


def decay_rate_pow(i, exponent=0.8) -> jax.Array:
    """Adafactor's second-moment decay `1 - (i + 1)**(-exponent)`: 0 at first, rising towards 1."""
    t = jnp.array(i + 1, jnp.float32)
    return 1.0 - t ** (-exponent)


def factored_dims(shape: tuple, factored: bool, min_dim_size_to_factor: int) -> tuple[int, int] | None:
    """The two largest axes `(d1, d0)` (d0 the largest) if both are >= `min_dim_size_to_factor`."""
    if not factored or len(shape) < 2:
        return None
    sorted_dims = np.argsort(shape)
    if shape[sorted_dims[-2]] < min_dim_size_to_factor:
        return None
    return int(sorted_dims[-2]), int(sorted_dims[-1])


def check_static_int(where_: str, name: str, value, *, minimum: int | None = None, traced: bool = True):
    """A Python int, or (if `traced`: an offset that `inject_hyperparams` may trace) a 0-d integer array."""
    if traced and hasattr(value, "dtype") and jnp.ndim(value) == 0 and jnp.issubdtype(value.dtype, jnp.integer):
        return value
    hint = "with inject_hyperparams, name it in static_args" if hasattr(value, "dtype") else ""
    if isinstance(value, float) and value.is_integer():
        hint = f"write {int(value)}"
    return check_int(where_, name, value, minimum=minimum, hint=hint)


def shape_without(shape: tuple, axis: int) -> tuple:
    return shape[:axis] + shape[axis + 1 :]


class FactoredState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32; update steps so far
    v_row: Any  # like params; factored leaves: row statistics (largest axis d0 removed), else [1]
    v_col: Any  # like params; factored leaves: column statistics (axis d1 removed), else [1]
    v: Any  # like params; unfactored leaves: the full second moment, else [1]


@named
def scale_by_factored_rms(
    factored: bool = True,
    decay_rate=0.8,
    step_offset=0,
    min_dim_size_to_factor: int = 128,
    epsilon=1e-30,
    decay_rate_fn: Callable = decay_rate_pow,
) -> GradientTransformation:
    """Divide by a factored estimate of the gradients' root mean square (Adafactor's core).

    For a leaf whose two largest axes `d1, d0` both have at least `min_dim_size_to_factor`
    entries (say a matrix `[n, m]`):

        beta_t = decay_rate_fn(t - step_offset, decay_rate)        # 1 - (t + 1)**-0.8
        s = g**2 + epsilon                                         # squared gradient
        R_t = beta_t R_{t-1} + (1 - beta_t) mean(s, axis=d0)       # row statistics   [n]
        C_t = beta_t C_{t-1} + (1 - beta_t) mean(s, axis=d1)       # column statistics [m]
        u = g / sqrt(R_t / mean(R_t)) / sqrt(C_t)                  # V ~ outer(R, C) / mean(R)

    Every other leaf keeps a full `v_t = beta_t v_{t-1} + (1 - beta_t) s` and gets `g / sqrt(v_t)`.

    Args:
      factored: factor the second moment of leaves with two large axes.
      decay_rate: the exponent passed to `decay_rate_fn`.
      step_offset: subtracted from the step count (for fine-tuning from a later step).
      min_dim_size_to_factor: factor only if the second-largest axis is at least this long.
      epsilon: added to the squared gradient.
      decay_rate_fn: `(step, decay_rate) -> beta_t`.

    Returns:
      A `GradientTransformation` (needs params); state `FactoredState(count, v_row, v_col, v)`.

    Counterpart: `optax.scale_by_factored_rms` (optax/_src/factorized.py).

    References:
      Noam Shazeer, Mitchell Stern, *Adafactor: Adaptive Learning Rates with Sublinear Memory
      Cost*, ICML 2018. https://arxiv.org/abs/1804.04235
    """
    w = where("scale_by_factored_rms")
    check_bool(w, "factored", factored)
    check_number(w, "decay_rate", decay_rate)
    check_static_int(w, "step_offset", step_offset)
    check_static_int(w, "min_dim_size_to_factor", min_dim_size_to_factor, minimum=0, traced=False)
    check_number(w, "epsilon", epsilon)
    check_callable(w, "decay_rate_fn", decay_rate_fn, "pass (step, decay_rate) -> beta, e.g. decay_rate_pow")

    def init_leaf(param):
        shape, dtype = param.shape, param.dtype
        unused = jnp.zeros((1,), dtype=dtype)  # placeholder where a statistic is not kept
        dims = factored_dims(shape, factored, min_dim_size_to_factor)
        if dims is not None:
            d1, d0 = dims
            return (jnp.zeros(shape_without(shape, d0), dtype), jnp.zeros(shape_without(shape, d1), dtype), unused)
        return unused, unused, jnp.zeros_like(param)

    def init_fn(params):
        leaves, treedef = tree.flatten(params)
        v_row, v_col, v = zip(*[init_leaf(p) for p in leaves], strict=True) if leaves else ((), (), ())
        return FactoredState(
            count=jnp.zeros([], jnp.int32),
            v_row=tree.unflatten(treedef, list(v_row)),
            v_col=tree.unflatten(treedef, list(v_col)),
            v=tree.unflatten(treedef, list(v)),
        )

    def update_leaf(grad, v_row, v_col, v, param, step):
        shape, dtype = param.shape, param.dtype
        beta = decay_rate_fn(step - step_offset, decay_rate)  # decay of the second moment
        new_v_row = new_v_col = new_v = jnp.zeros((1,), dtype=dtype)
        grad_sqr = abs_sq(grad) + epsilon  # squared gradient, regularised
        dims = factored_dims(shape, factored, min_dim_size_to_factor)
        if dims is not None:
            d1, d0 = dims
            new_v_row = (beta * v_row + (1.0 - beta) * jnp.mean(grad_sqr, axis=d0)).astype(dtype)  # rows
            new_v_col = (beta * v_col + (1.0 - beta) * jnp.mean(grad_sqr, axis=d1)).astype(dtype)  # columns
            reduced_d1 = d1 - 1 if d1 > d0 else d1  # axis d1 inside v_row, which lost d0
            row_col_mean = jnp.mean(new_v_row, axis=reduced_d1, keepdims=True)  # mean(R)
            row_factor = (new_v_row / row_col_mean) ** -0.5  # 1 / sqrt(R / mean(R))
            col_factor = new_v_col**-0.5  # 1 / sqrt(C)
            update = grad * jnp.expand_dims(row_factor, axis=d0) * jnp.expand_dims(col_factor, axis=d1)
        else:
            new_v = (beta * v + (1.0 - beta) * grad_sqr).astype(dtype)  # full second moment
            update = grad * new_v**-0.5
        return update, new_v_row, new_v_col, new_v

    def update_fn(updates, state, params=None):
        check_state("scale_by_factored_rms", state, FactoredState)
        check_params("scale_by_factored_rms", params, updates)
        check_same_structure("scale_by_factored_rms", updates, state.v)
        grads, treedef = tree.flatten(updates)
        columns = [tree.flatten_up_to(treedef, t) for t in (state.v_row, state.v_col, state.v, params)]
        out = [update_leaf(*args, step=state.count) for args in zip(grads, *columns, strict=True)]
        new_updates, v_row, v_col, v = (
            [tree.unflatten(treedef, list(c)) for c in zip(*out, strict=True)]
            if out
            else [tree.unflatten(treedef, [])] * 4
        )
        return new_updates, FactoredState(safe_increment(state.count), v_row, v_col, v)

    return GradientTransformation(init_fn, update_fn)


@named
def adafactor(
    learning_rate: ScalarOrSchedule | None = None,
    min_dim_size_to_factor: int = 128,
    decay_rate=0.8,
    decay_offset=0,
    multiply_by_parameter_scale: bool = True,
    clipping_threshold=1.0,
    momentum=None,
    dtype_momentum=jnp.float32,
    weight_decay_rate=None,
    eps=1e-30,
    factored: bool = True,
    weight_decay_mask: MaskOrFn = None,
) -> GradientTransformation:
    """Adafactor: factored second moments, update clipping, steps relative to the weights' size.

        beta_t = 1 - (t + 1)**(-decay_rate)                       # rising second-moment decay
        V_t ~ outer(R_t, C_t) / mean(R_t)  (factored leaves)      # see scale_by_factored_rms
        d_t = g_t / sqrt(V_t)
        d_t <- d_t / max(1, rms(d_t) / clipping_threshold)        # update clipping
        d_t <- lr_t * max(rms(p), 1e-3) * d_t                     # relative step size
        d_t <- ema(d_t, momentum)                                 # optional, not debiased
        d_t <- d_t + weight_decay_rate * p                        # optional
        u_t = -d_t

    Args:
      learning_rate: a number, a schedule `count -> value`, or `None` (no scaling).
      min_dim_size_to_factor: factor a leaf only if its second-largest axis is this long.
      decay_rate: the exponent of the second-moment decay schedule.
      decay_offset: subtracted from the step count (fine-tuning).
      multiply_by_parameter_scale: scale steps by the parameters' RMS.
      clipping_threshold: update-clipping RMS, or `None` for no clipping.
      momentum: EMA decay of the updates, or `None`.
      dtype_momentum: dtype of the momentum buffer.
      weight_decay_rate: a number, a schedule, or `None`.
      eps: added to the squared gradients.
      factored: factor second moments at all.
      weight_decay_mask: which parameters get weight decay.

    Returns:
      A `GradientTransformation` (needs params).

    Counterpart: `optax.adafactor` (optax/_src/alias.py).

    References:
      Noam Shazeer, Mitchell Stern, *Adafactor: Adaptive Learning Rates with Sublinear Memory
      Cost*, ICML 2018. https://arxiv.org/abs/1804.04235

    Differences:
      As Optax: the weight decay is added after the learning rate (it is not multiplied by it),
      and eps is added to g**2 (the paper's eps_1). Hugging Face's PyTorch `Adafactor` also uses
      the paper's relative step `min(1e-2, 1/sqrt(t))` when `lr=None`; here `None` means no scaling.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.adafactor(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.842, -1.842]
    """
    w = where("adafactor")
    check_learning_rate(learning_rate, optional=True)
    check_static_int(w, "decay_offset", decay_offset)
    check_bool(w, "multiply_by_parameter_scale", multiply_by_parameter_scale)
    check_dtype(w, "dtype_momentum", dtype_momentum)
    check_number(w, "eps", eps)
    if clipping_threshold is not None:
        check_number(w, "clipping_threshold", clipping_threshold, minimum=0)
    if momentum is not None:
        check_number(w, "momentum", momentum)
    if weight_decay_rate is not None:
        check_scalar_or_schedule("weight_decay_rate", weight_decay_rate, where_=w)
    check_mask(w, "weight_decay_mask", weight_decay_mask)
    tx = [scale_by_factored_rms(factored, decay_rate, decay_offset, min_dim_size_to_factor, eps)]
    if clipping_threshold is not None:
        tx.append(clip_by_block_rms(clipping_threshold))
    if learning_rate is not None:
        tx.append(scale_by_learning_rate(learning_rate, flip_sign=False))
    if multiply_by_parameter_scale:
        tx.append(scale_by_param_block_rms())
    if momentum is not None:
        tx.append(ema(momentum, debias=False, accumulator_dtype=dtype_momentum))
    if weight_decay_rate is not None:
        tx.append(add_decayed_weights(weight_decay_rate, mask=weight_decay_mask))
    tx.append(scale(-1))  # descent: follow the negative direction
    return chain(*tx)
