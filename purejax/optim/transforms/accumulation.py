"""Gradient accumulation: take one optimizer step every k mini-batches.

    acc    <- acc + (g - acc) / (n + 1)      (use_grad_mean: running mean over n mini-steps so far)
    acc    <- acc + g                        (otherwise: sum)
    every k-th mini-step:  u, inner <- opt.update(acc, inner);  acc <- 0;  emit u
    other mini-steps:      emit zeros;  the inner optimizer's state does not move

This gives the step of a k times larger batch with the memory of one mini-batch. `k` may follow
a schedule `every_k_schedule(gradient_step)` (a growing batch size).

Counterpart: `optax.MultiSteps`, `optax.MultiStepsState`, `optax.skip_not_finite`,
`optax.skip_large_updates` (optax/transforms/_accumulation.py).

Differences:
  `update` takes no `**extra_args`, and `inner_opt` is the transformation as given (Optax wraps it
  with `with_extra_args_support`). Grads whose tree differs from `acc_grads`' raise a ValueError
  naming the first differing path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from purejax import tree
from purejax.checks import check_array, check_bool, check_callable, check_dtype, check_int, check_number
from purejax.optim.base import GradientTransformation, called, check_state, check_transformation, named, where
from purejax.optim.tree_math import check_same_structure, safe_increment, zeros_like


class MultiStepsState(NamedTuple):
    mini_step: jax.Array  # shape=(), dtype=int32; 0..k-1, mini-steps accumulated so far
    gradient_step: jax.Array  # shape=(), dtype=int32; inner optimizer steps taken
    inner_opt_state: Any  # the wrapped optimizer's state
    acc_grads: Any  # like params, dtype accumulator_dtype; the running mean (or sum)
    skip_state: Any = ()  # whatever should_skip_update_fn returns as its second output


def _check_updates(name: str, updates: Any) -> None:
    """Every leaf an array (or a number)."""
    for i, leaf in enumerate(tree.leaves(updates)):
        check_array(where(name), f"updates leaf {i}", leaf)


@named
def skip_not_finite(updates, gradient_step, params) -> tuple[jax.Array, dict]:
    """Skip a mini-step whose updates hold a NaN or an infinity.

    Returns:
      `(should_skip, {'should_skip': ..., 'num_not_finite': ...})`, scalars.

    Counterpart: `optax.skip_not_finite`.
    """
    del gradient_step, params
    _check_updates("skip_not_finite", updates)
    all_is_finite = [jnp.sum(jnp.logical_not(jnp.isfinite(p))) for p in tree.leaves(updates)]
    num_not_finite = jnp.sum(jnp.array(all_is_finite))
    should_skip = num_not_finite > 0
    return should_skip, {"should_skip": should_skip, "num_not_finite": num_not_finite}


@named
def skip_large_updates(updates, gradient_step, params, max_squared_norm) -> tuple[jax.Array, dict]:
    """Skip a mini-step whose updates have squared global norm `>= max_squared_norm`.

    Counterpart: `optax.skip_large_updates` (bind `max_squared_norm` with `functools.partial`).
    """
    del gradient_step, params
    _check_updates("skip_large_updates", updates)
    check_number(where("skip_large_updates"), "max_squared_norm", max_squared_norm, minimum=0)
    norm_sq = jnp.sum(jnp.array([jnp.sum(p**2) for p in tree.leaves(updates)]))
    should_skip = jnp.logical_not(norm_sq < max_squared_norm)
    return should_skip, {"should_skip": should_skip, "norm_squared": norm_sq}


def _never_skip(*unused_args, **unused_kwargs):
    return jnp.array(False, dtype=jnp.bool_), ()


class MultiSteps:
    """Accumulate gradients over `every_k_schedule` mini-steps, then step the wrapped optimizer.

    Args:
      opt: the wrapped optimizer.
      every_k_schedule: `k`, an int, or a function `gradient_step -> k`.
      use_grad_mean: average the accumulated gradients (True) or sum them (False).
      should_skip_update_fn: `(updates, gradient_step, params) -> (bool scalar, skip_state)`;
        a skipped mini-step leaves the state as it was (but for `skip_state`) and emits zeros.
        E.g. `skip_not_finite`.
      accumulator_dtype: the dtype of `acc_grads`.

    Use `MultiSteps(opt, k).gradient_transformation()` where a `GradientTransformation` is needed.

    Counterpart: `optax.MultiSteps` (optax/transforms/_accumulation.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.MultiSteps(optim.sgd(learning_rate=0.1), every_k_schedule=2)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> updates, state = opt.update({'w': jnp.array([1.5, -1.5])}, state, params)  # the 2nd: a step
      >>> [round(u, 3) for u in updates['w'].tolist()]  # -0.1 times the mean of the two gradients
      [-0.1, 0.1]
    """

    def __init__(
        self,
        opt: GradientTransformation,
        every_k_schedule: int | Callable[[Any], Any],
        use_grad_mean: bool = True,
        should_skip_update_fn: Callable | None = None,
        accumulator_dtype=jnp.float32,
    ):
        w = "purejax.optim.MultiSteps"
        self._opt = check_transformation(w, "opt", opt)
        if callable(every_k_schedule):
            self._every_k_schedule = every_k_schedule
        else:
            every_k = check_int(w, "every_k_schedule", every_k_schedule, minimum=1, hint="or a function step -> k")
            self._every_k_schedule = lambda step: every_k
        self._use_grad_mean = check_bool(w, "use_grad_mean", use_grad_mean)
        if should_skip_update_fn is not None:
            check_callable(w, "should_skip_update_fn", should_skip_update_fn, "e.g. purejax.optim.skip_not_finite")
        self._accumulator_dtype = jax.dtypes.canonicalize_dtype(check_dtype(w, "accumulator_dtype", accumulator_dtype))
        if use_grad_mean:  # running mean: after n + 1 grads, acc = their mean
            self._acc_update = lambda grad, acc, *, n_acc: acc + (grad - acc) / (n_acc + 1)
        else:
            self._acc_update = lambda grad, acc, *, n_acc: grad + acc
        self._should_skip_update_fn = should_skip_update_fn or _never_skip

    @property
    def inner_opt(self) -> GradientTransformation:
        return self._opt

    def init(self, params: Any) -> MultiStepsState:
        """Zero counters, zero accumulators, and the inner optimizer's initial state."""
        with called("MultiSteps"):
            return self._init(params)

    def _init(self, params: Any) -> MultiStepsState:
        updates = zeros_like(params)
        gradient_step = jnp.zeros([], dtype=jnp.int32)
        _, skip_state = self._should_skip_update_fn(updates, gradient_step, params)
        return MultiStepsState(
            mini_step=jnp.zeros([], dtype=jnp.int32),
            gradient_step=gradient_step,
            inner_opt_state=self._opt.init(params),
            acc_grads=zeros_like(params, dtype=self._accumulator_dtype),
            skip_state=skip_state,
        )

    def update(self, updates: Any, state: MultiStepsState, params: Any = None) -> tuple[Any, MultiStepsState]:
        """Accumulate `updates`; on every k-th mini-step return the inner optimizer's update, else zeros."""
        with called("MultiSteps"):
            return self._update(updates, state, params)

    def _update(self, updates: Any, state: MultiStepsState, params: Any) -> tuple[Any, MultiStepsState]:
        check_state("MultiSteps", state, MultiStepsState)
        check_same_structure("MultiSteps", updates, state.acc_grads)
        k_steps = self._every_k_schedule(state.gradient_step)
        should_skip_update, skip_state = self._should_skip_update_fn(updates, state.gradient_step, params)
        if (should_skip_update.dtype, should_skip_update.shape) != (jnp.bool_, ()):
            raise ValueError(
                f"{where('MultiSteps')}: should_skip_update_fn must return a boolean scalar array "
                f"first, got dtype {should_skip_update.dtype} and shape {should_skip_update.shape}"
            )

        def cast_like(t, other):
            return tree.map(lambda x, o: x.astype(o.dtype) if hasattr(o, "dtype") else x, t, other)

        def do_update(updates, state, params):
            acc_grads = tree.map(
                lambda upd, acc: self._acc_update(upd, acc, n_acc=state.mini_step), updates, state.acc_grads
            )
            final_updates, new_inner_state = self._opt.update(
                cast_like(acc_grads, updates), state.inner_opt_state, params
            )
            emit = state.mini_step == (k_steps - 1)  # the k-th mini-step: take a real step
            new_state = MultiStepsState(
                mini_step=safe_increment(state.mini_step) % k_steps,
                gradient_step=emit * safe_increment(state.gradient_step) + (1 - emit) * state.gradient_step,
                inner_opt_state=tree.map(
                    lambda st, nst: jnp.astype(jnp.where(emit, nst, st), st.dtype),
                    state.inner_opt_state,
                    new_inner_state,
                ),
                acc_grads=tree.map(lambda ga: jnp.astype((1 - emit) * ga, self._accumulator_dtype), acc_grads),
                skip_state=skip_state,
            )
            return tree.map(lambda ga: emit * ga, final_updates), new_state

        def skip_update(updates, state, params):
            acc_grads = cast_like(state.acc_grads, updates)
            shapes, _ = jax.eval_shape(self._opt.update, acc_grads, state.inner_opt_state, params)
            return zeros_like(shapes), state._replace(skip_state=skip_state)

        return lax.cond(should_skip_update, skip_update, do_update, updates, state, params)

    def has_updated(self, state: MultiStepsState) -> jax.Array:
        """True right after a mini-step that stepped the inner optimizer."""
        return jnp.logical_and(state.mini_step == 0, state.gradient_step > 0)

    def gradient_transformation(self) -> GradientTransformation:
        """This wrapper as a plain `GradientTransformation(init, update)`."""
        return GradientTransformation(init=self.init, update=self.update)
