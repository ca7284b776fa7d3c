"""Train a model's purejax and flaxed versions side by side: same variables, batches and keys.

    variables = purejax init(key)                    # both sides start from this one tree
    for step in range(steps):
        batch = next(train_batches)                   # the same numpy batch for both
        state_p, m_p = purejax step(state_p, batch, fold_in(key, step))
        state_f, m_f = flaxed step(state_f, batch, fold_in(key, step))

`train_pair` returns both loss curves, both evaluations and the largest relative loss difference;
`python -m comparisons train`, the report's training rows and the model tests all use it.

`flax` picks the Flax side: `"linen"` (`flaxed/models/NAME.py`, under the key `"flaxed"`),
`"nnx"` (`flaxed/nnx/NAME.py`, under the same key) or `"both"` (linen under `"flaxed"`, NNX under
`"flax_nnx"`: three sides, each compared with purejax). The NNX side trains the NNX way
(`flaxed.nnx.train.Trainer`: `nnx.Optimizer`, `nnx.value_and_grad`, `nnx.jit`, in place).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any, NamedTuple

import jax
import numpy as np

import purejax.random
from comparisons.parity.measures import TRAINING_RTOL, loss_rel, trees_identical
from flaxed.nnx.train import Trainer
from flaxed.train import TrainState as FlaxTrainState
from purejax.models import MODELS
from purejax.train import TrainState, average_metrics, make_eval_step, make_train_step

FLAX_APIS = ("linen", "nnx", "both")  # the choices of `--flax`
PACKAGES = {"linen": "flaxed.models", "nnx": "flaxed.nnx"}  # where each API's models live
SIDES = {"linen": {"flaxed": "linen"}, "nnx": {"flaxed": "nnx"}, "both": {"flaxed": "linen", "flax_nnx": "nnx"}}
LABELS = {"linen": "Flax linen + Optax", "nnx": "Flax NNX + Optax"}


def check_flax(flax: str, choices=FLAX_APIS) -> str:
    """`flax` itself, or a ValueError naming the choices."""
    if flax not in choices:
        raise ValueError(f"unknown Flax API {flax!r}; choose one of: {', '.join(choices)}")
    return flax


def modules(name: str, flax: str = "linen") -> tuple[ModuleType, ModuleType]:
    """`(purejax.models.NAME, flaxed.models.NAME)`; `flax="nnx"`: `flaxed.nnx.NAME`. A ValueError lists the models."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; the models are: {', '.join(MODELS)}")
    package = PACKAGES[check_flax(flax, tuple(PACKAGES))]
    return importlib.import_module(f"purejax.models.{name}"), importlib.import_module(f"{package}.{name}")


def flax_sides(name: str, flax: str = "linen") -> dict[str, tuple[str, ModuleType]]:
    """`{result key: (API, module)}` of the Flax sides `flax` names (see `SIDES`)."""
    return {key: (api, modules(name, api)[1]) for key, api in SIDES[check_flax(flax)].items()}


def same_layout(a, b) -> bool:
    """Whether two variables trees have the same structure, shapes and dtypes (values may differ)."""
    if jax.tree_util.tree_structure(a) != jax.tree_util.tree_structure(b):
        return False
    pairs = zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b), strict=True)
    return all(np.shape(x) == np.shape(y) and np.asarray(x).dtype == np.asarray(y).dtype for x, y in pairs)


def create_states(name: str, variables: dict, learning_rate: float, flax: str = "linen"):
    """A purejax `TrainState` and a Flax one (`flax`: "linen" or "nnx") for the same variables and learning rate."""
    ours, theirs = modules(name, flax)
    extra = {"batch_stats": variables["batch_stats"]} if "batch_stats" in variables else {}
    state_p = TrainState.create(apply_fn=None, params=variables["params"], tx=ours.optimizer(learning_rate), **extra)
    state_f = FlaxTrainState.create(
        apply_fn=None, params=variables["params"], tx=theirs.optimizer(learning_rate), **extra
    )
    return state_p, state_f


class Setup(NamedTuple):
    """What every side-by-side run derives from a model name and `PRNGKey(seed)`."""

    ours: ModuleType
    theirs: ModuleType
    batch_size: int
    learning_rate: float
    train: Iterator[dict]  # the training batches, endless
    first: dict  # the first of them, for init
    variables: dict  # purejax's init: both sides start from it
    k_init: Any
    k_step: Any  # step i uses fold_in(k_step, i)
    k_eval: Any


def setup(
    name: str,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    seed: int = 0,
    data_options: dict | None = None,
) -> Setup:
    """The modules, the model's defaults where None, the keys split from `PRNGKey(seed)`, the data, init."""
    ours, theirs = modules(name)
    batch_size = ours.DEFAULTS["batch_size"] if batch_size is None else batch_size
    learning_rate = ours.DEFAULTS["learning_rate"] if learning_rate is None else learning_rate
    k_init, k_data, k_step, k_eval = purejax.random.split(purejax.random.PRNGKey(seed), 4)
    train = ours.train_batches(k_data, batch_size, **(data_options or {}))
    first = next(ours.train_batches(k_data, batch_size, **(data_options or {})))  # the same first batch
    return Setup(
        ours, theirs, batch_size, learning_rate, train, first, ours.init(k_init, first), k_init, k_step, k_eval
    )


def evaluate(eval_step, state, module: ModuleType, batch_size: int, key, data_options: dict | None = None) -> dict:
    """Metrics averaged over the evaluation batches, weighted by their sizes."""
    history, sizes = [], []
    for batch in module.eval_batches(batch_size, **(data_options or {})):
        history.append(jax.device_get(eval_step(state, batch, key)))
        sizes.append(len(next(iter(batch.values()))))
    return average_metrics(history, sizes)


def train_pair(
    name: str,
    steps: int | None = None,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    seed: int = 0,
    evaluate_at_end: bool = True,
    on_step=None,
    should_stop=None,
    data_options: dict | None = None,
    flax: str = "linen",
) -> dict:
    """Train both versions of model `name` for `steps` steps from the same variables.

    Args:
      name: one of `purejax.models.MODELS`.
      steps, batch_size, learning_rate: default to the model's `DEFAULTS`.
      seed: the root key `PRNGKey(seed)`: init, data order and per-step keys derive from it.
      evaluate_at_end: run both evaluations on the test split after training.
      on_step: optional `(step, loss_purejax, *loss_flax) -> None`, called after each step (one
        Flax loss per side, in the order of `SIDES[flax]`).
      should_stop: optional `() -> bool`, checked before each step (Ctrl-C handling).
      data_options: keyword arguments for the model's `train_batches` and `eval_batches`
        (e.g. `{'path': 'book.txt'}` for lstm_lm's `--text`).
      flax: "linen" (default), "nnx" or "both": the Flax side(s), see `SIDES`.

    Returns:
      `{"model", "steps", "seed", "batch_size", "learning_rate", "flax", "sides", "init_equal",
        "purejax": {"loss": [...], "eval": {...}, "seconds": s, "first_step_seconds": s (compiling),
        "median_step_ms": ms (after the first)}, "flaxed": {..., "api", "init_equal",
        "max_rel_loss_diff"}, ["flax_nnx": {...}], "max_rel_loss_diff", "ok"}`; `ok` when every
      step's losses agree within `TRAINING_RTOL`. A side's `init_equal`: linen's init equals
      purejax's bitwise; NNX's (another key rule) has its layout: structure, shapes, dtypes.
    """
    run = setup(name, batch_size, learning_rate, seed, data_options)
    ours, batch_size, learning_rate, train = run.ours, run.batch_size, run.learning_rate, run.train
    steps = ours.DEFAULTS["steps"] if steps is None else steps
    flaxes = flax_sides(name, flax)
    init_equal = {
        key: (trees_identical if api == "linen" else same_layout)(run.variables, module.init(run.k_init, run.first))
        for key, (api, module) in flaxes.items()
    }
    sides = {"purejax": [ours, create_states(name, run.variables, learning_rate)[0], make_train_step(ours.loss_fn)]}
    for key, (api, module) in flaxes.items():
        if api == "nnx":  # the model and optimizer change in place; the step hands the same object back
            trainer = Trainer(module, run.variables, learning_rate)
            sides[key] = [module, trainer, lambda state, batch, key: (state, state.step(batch, key))]
        else:
            state = create_states(name, run.variables, learning_rate, api)[1]
            sides[key] = [module, state, make_train_step(module.loss_fn)]
    losses = {side: [] for side in sides}
    seconds = {side: [] for side in sides}  # per step; the first includes compiling
    for step in range(steps):
        if should_stop is not None and should_stop():
            break
        batch, key = next(train), purejax.random.fold_in(run.k_step, step)
        for side, entry in sides.items():  # interleaved: A B A B ...
            start = time.perf_counter()
            entry[1], metrics = entry[2](entry[1], batch, key)
            losses[side].append(float(metrics["loss"]))  # waits for the step to finish
            seconds[side].append(time.perf_counter() - start)
        if on_step is not None:
            on_step(step, *(losses[side][-1] for side in sides))
    result = {
        "model": name,
        "steps": len(losses["purejax"]),
        "seed": seed,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "flax": flax,
        "sides": list(flaxes),
        "init_equal": all(init_equal.values()),
    }
    for key, (api, module) in flaxes.items():
        if api == "nnx":  # evaluation and the pictures read arrays: the trained model's, as a TrainState
            trainer = sides[key][1]
            extra = {} if trainer.batch_stats is None else {"batch_stats": trainer.batch_stats}
            sides[key][1] = TrainState.create(apply_fn=None, params=trainer.params, tx=module.optimizer(0.0), **extra)
    for side, (module, state, _) in sides.items():
        evals = (
            evaluate(make_eval_step(module.loss_fn), state, module, batch_size, run.k_eval, data_options)
            if evaluate_at_end and losses[side]
            else {}
        )
        times = seconds[side]
        result[side] = {
            "loss": losses[side],
            "eval": evals,
            "seconds": float(np.sum(times)),
            "first_step_seconds": times[0] if times else 0.0,
            "median_step_ms": 1e3 * float(np.median(times[1:])) if len(times) > 1 else None,
            "state": state,
        }
    for key, (api, _) in flaxes.items():
        diffs = loss_rel(losses["purejax"], losses[key])
        worst = float(diffs.max()) if diffs.size else 0.0
        result[key].update(api=api, init_equal=init_equal[key], max_rel_loss_diff=worst)
    result["max_rel_loss_diff"] = max(result[key]["max_rel_loss_diff"] for key in flaxes)
    result["ok"] = bool(result["init_equal"] and result["max_rel_loss_diff"] <= TRAINING_RTOL)
    return result
