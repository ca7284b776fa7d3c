"""Bad input to `purejax.optim`: at least one row per argument of every public function.

Each row is `(id, call, exception type, fragments)` and asserts the type and that the message names
the function the user called (`purejax.optim.adam`, not a block inside it) and the argument. Most
rows are built from small tables below (the learning rate of every alias, a string for every
numeric hyperparameter, a non-bool for every flag, ...); the rest are written out. Arguments that
accept anything, as in Optax (`init_empty_state`'s params, `skip_*`'s unused `gradient_step` and
`params`), have no row.
"""

import math
from types import ModuleType

import jax
import jax.numpy as jnp
import pytest

import purejax.losses as pl
import purejax.optim as po
from tests._asserts import assert_refused

P = {"w": jnp.ones(3), "b": jnp.zeros(2)}  # params
G = {"w": jnp.ones(3), "b": jnp.ones(2)}  # grads
LR = {"learning_rate": 0.1}
NAN = math.nan


def call(name: str, **kwargs):
    return lambda: getattr(po, name)(**kwargs)


def update_with(tx, grads=G, state=None, params=P):
    """`tx.update(grads, state, params)`, the state from `tx.init(P)` unless given."""
    return lambda: tx.update(grads, tx.init(P) if state is None else state, params)


# -- the learning rate: one check (scaling.check_learning_rate) behind every alias ----------------
REQUIRED = {  # alias -> its other required arguments
    "adabelief": {},
    "adagrad": {},
    "adam": {},
    "adamax": {},
    "adamw": {},
    "amsgrad": {},
    "adamaxw": {},
    "adan": {},
    "dpsgd": {"l2_norm_clip": 1.0, "noise_multiplier": 1.0, "seed": 0},
    "fromage": {},
    "lamb": {},
    "lars": {},
    "lion": {},
    "nadam": {},
    "nadamw": {},
    "noisy_sgd": {"key": 0},
    "novograd": {},
    "optimistic_adam": {},  # a number only: a schedule is refused (below)
    "optimistic_adam_v2": {},
    "optimistic_gradient_descent": {},
    "radam": {},
    "rmsprop": {},
    "rprop": {},  # a number only, as in Optax
    "sgd": {},
    "sign_sgd": {},
    "signum": {},
    "sm3": {},
    "yogi": {},
}
OPTIONAL = {"adadelta": {}, "adafactor": {}}  # learning_rate=None: no scaling, as in Optax
BAD_LEARNING_RATES = [
    ("str", "0.1", TypeError),
    ("list", [0.1], TypeError),
    ("bool", True, TypeError),
    ("vector", jnp.ones(2), TypeError),
    ("nan", NAN, ValueError),
]
ROWS = [
    (
        f"{alias}-learning_rate-{kind}",
        call(alias, learning_rate=lr, **rest),
        error,
        (f"purejax.optim.{alias}:", "learning_rate"),
    )
    for alias, rest in {**REQUIRED, **OPTIONAL}.items()
    for kind, lr, error in BAD_LEARNING_RATES
]
ROWS += [  # None would return the unscaled, ascending direction
    (
        f"{alias}-learning_rate-None",
        call(alias, learning_rate=None, **rest),
        TypeError,
        (f"purejax.optim.{alias}:", "learning_rate"),
    )
    for alias, rest in REQUIRED.items()
]

# -- numbers: a string for each (a NaN for the first), naming the function called --------------------
NUMBERS = [  # (function, valid arguments, its numeric arguments)
    ("adabelief", LR, ["b1", "b2", "eps", "eps_root"]),
    ("adadelta", {}, ["rho", "eps", "weight_decay"]),
    ("adafactor", {}, ["decay_rate", "clipping_threshold", "momentum", "weight_decay_rate", "eps"]),
    ("adagrad", LR, ["initial_accumulator_value", "eps"]),
    ("adam", LR, ["b1", "b2", "eps", "eps_root"]),
    ("adamax", LR, ["b1", "b2", "eps"]),
    ("adamw", LR, ["b1", "b2", "eps", "eps_root", "weight_decay"]),
    ("adamaxw", LR, ["b1", "b2", "eps", "weight_decay"]),
    ("adan", LR, ["b1", "b2", "b3", "eps", "eps_root", "weight_decay"]),
    ("adaptive_grad_clip", {"clipping": 1.0}, ["clipping", "eps"]),
    ("add_decayed_weights", {}, ["weight_decay"]),
    ("add_noise", {"eta": 0.01, "gamma": 0.55, "key": 0}, ["eta", "gamma"]),
    ("amsgrad", LR, ["b1", "b2", "eps", "eps_root"]),
    ("bias_correction", {"moment": G, "decay": 0.9, "count": 1}, ["decay"]),
    ("clip", {"max_delta": 1.0}, ["max_delta"]),
    ("clip_by_block_rms", {"threshold": 1.0}, ["threshold"]),
    ("clip_by_global_norm", {"max_norm": 1.0}, ["max_norm"]),
    ("constant_schedule", {"value": 1.0}, ["value"]),
    (
        "cosine_onecycle_schedule",
        {"transition_steps": 100, "peak_value": 1.0},
        ["peak_value", "pct_start", "div_factor", "final_div_factor"],
    ),
    ("cosine_decay_schedule", {"init_value": 1.0, "decay_steps": 10}, ["init_value", "alpha", "exponent"]),
    (
        "differentially_private_aggregate",
        {"l2_norm_clip": 1.0, "noise_multiplier": 1.0, "key": 0},
        ["l2_norm_clip", "noise_multiplier"],
    ),
    (
        "dpsgd",
        {**LR, "l2_norm_clip": 1.0, "noise_multiplier": 1.0, "seed": 0},
        ["l2_norm_clip", "noise_multiplier", "momentum"],
    ),
    ("ema", {"decay": 0.9}, ["decay"]),
    (
        "exponential_decay",
        {"init_value": 1.0, "transition_steps": 10, "decay_rate": 0.5},
        ["init_value", "decay_rate", "end_value"],
    ),
    ("fromage", LR, ["min_norm"]),
    ("incremental_update", {"new_tensors": P, "old_tensors": P, "step_size": 0.5}, ["step_size"]),
    ("lamb", LR, ["b1", "b2", "eps", "eps_root", "weight_decay"]),
    ("lars", LR, ["weight_decay", "trust_coefficient", "eps", "momentum"]),
    ("linear_schedule", {"init_value": 1.0, "end_value": 0.0, "transition_steps": 10}, ["init_value", "end_value"]),
    (
        "linear_onecycle_schedule",
        {"transition_steps": 100, "peak_value": 1.0},
        ["peak_value", "pct_start", "pct_final", "div_factor", "final_div_factor"],
    ),
    ("lion", LR, ["b1", "b2", "weight_decay"]),
    ("lookahead", {"fast_optimizer": po.sgd(0.1), "sync_period": 2, "slow_step_size": 0.5}, ["slow_step_size"]),
    ("measure_with_ema", {"measure": po.global_norm, "decay": 0.9}, ["decay"]),
    ("nadam", LR, ["b1", "b2", "eps", "eps_root"]),
    ("nadamw", LR, ["b1", "b2", "eps", "eps_root", "weight_decay"]),
    ("noisy_sgd", {**LR, "key": 0}, ["eta", "gamma"]),
    ("normalize_by_update_norm", {}, ["scale_factor", "eps"]),
    ("novograd", LR, ["b1", "b2", "eps", "eps_root", "weight_decay"]),
    ("optimistic_gradient_descent", LR, ["alpha", "beta"]),
    ("optimistic_adam", LR, ["optimism", "b1", "b2", "eps", "eps_root"]),
    ("optimistic_adam_v2", LR, ["alpha", "beta", "b1", "b2", "eps", "eps_root"]),
    ("per_example_layer_norm_clip", {"grads": [jnp.ones((2, 3))], "global_l2_norm_clip": 1.0}, ["global_l2_norm_clip"]),
    ("piecewise_constant_schedule", {"init_value": 1.0}, ["init_value"]),
    ("piecewise_interpolate_schedule", {"interpolate_type": "linear", "init_value": 1.0}, ["init_value"]),
    ("polyak_sgd", {}, ["max_learning_rate", "scaling", "f_min", "eps"]),
    (
        "polynomial_schedule",
        {"init_value": 1.0, "end_value": 0.0, "power": 2, "transition_steps": 10},
        ["init_value", "end_value", "power"],
    ),
    ("radam", LR, ["b1", "b2", "eps", "eps_root", "threshold"]),
    ("rmsprop", LR, ["decay", "eps", "initial_scale", "momentum"]),
    ("rprop", LR, ["eta_minus", "eta_plus", "min_step_size", "max_step_size"]),
    ("safe_norm", {"x": jnp.ones(3), "min_norm": 0.0}, ["min_norm"]),
    ("safe_root_mean_squares", {"x": jnp.ones(3), "min_rms": 0.0}, ["min_rms"]),
    ("scale", {"step_size": 1.0}, ["step_size"]),
    ("scale_by_adadelta", {}, ["rho", "eps"]),
    ("scale_by_adam", {}, ["b1", "b2", "eps", "eps_root"]),
    ("scale_by_adan", {}, ["b1", "b2", "b3", "eps", "eps_root"]),
    ("scale_by_adamax", {}, ["b1", "b2", "eps"]),
    ("scale_by_amsgrad", {}, ["b1", "b2", "eps", "eps_root"]),
    ("scale_by_belief", {}, ["b1", "b2", "eps", "eps_root"]),
    ("scale_by_distance_over_gradients", {}, ["reps_rel", "eps", "global_scale"]),
    ("scale_by_factored_rms", {}, ["decay_rate", "epsilon"]),
    ("scale_by_lion", {}, ["b1", "b2", "smooth_beta"]),
    ("scale_by_novograd", {}, ["b1", "b2", "eps", "eps_root", "weight_decay"]),
    ("scale_by_optimistic_gradient", {}, ["alpha", "beta"]),
    ("scale_by_param_block_norm", {}, ["min_scale"]),
    ("scale_by_param_block_rms", {}, ["min_scale"]),
    ("scale_by_polyak", {}, ["f_min", "max_learning_rate", "eps"]),
    ("scale_by_radam", {}, ["b1", "b2", "eps", "eps_root", "threshold"]),
    ("scale_by_rms", {}, ["decay", "eps", "initial_scale"]),
    ("scale_by_rprop", LR, ["learning_rate", "eta_minus", "eta_plus", "min_step_size", "max_step_size"]),
    ("scale_by_rss", {}, ["initial_accumulator_value", "eps"]),
    ("scale_by_sm3", {}, ["b1", "b2", "eps"]),
    ("scale_by_stddev", {}, ["decay", "eps", "initial_scale"]),
    ("scale_by_trust_ratio", {}, ["min_norm", "trust_coefficient", "eps"]),
    ("scale_by_yogi", {}, ["b1", "b2", "eps", "eps_root", "initial_accumulator_value"]),
    ("scale_gradient", {"inputs": P, "scale": 2.0}, ["scale"]),
    ("sgd", LR, ["momentum"]),
    ("signum", LR, ["beta"]),
    ("sm3", LR, ["momentum"]),
    ("trace", {"decay": 0.9}, ["decay"]),
    ("update_infinity_moment", {"updates": G, "moments": G, "decay": 0.9, "eps": 1e-8}, ["decay", "eps"]),
    ("update_moment", {"updates": G, "moments": G, "decay": 0.9, "order": 1}, ["decay", "order"]),
    ("update_moment_per_elem_norm", {"updates": G, "moments": G, "decay": 0.9, "order": 2}, ["decay", "order"]),
    (
        "warmup_constant_schedule",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10},
        ["init_value", "peak_value"],
    ),
    (
        "warmup_cosine_decay_schedule",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "decay_steps": 100},
        ["init_value", "peak_value", "end_value", "exponent"],
    ),
    (
        "warmup_exponential_decay_schedule",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "transition_steps": 10, "decay_rate": 0.5},
        ["init_value", "peak_value", "decay_rate", "end_value"],
    ),
    ("yogi", LR, ["b1", "b2", "eps"]),
]
ROWS += [
    (f"{fn}-{arg}-str", call(fn, **{**valid, arg: "x"}), TypeError, (f"purejax.optim.{fn}:", f"{arg} must be"))
    for fn, valid, args in NUMBERS
    for arg in args
]
ROWS += [
    (f"{fn}-{args[0]}-nan", call(fn, **{**valid, args[0]: NAN}), ValueError, (f"purejax.optim.{fn}:", args[0]))
    for fn, valid, args in NUMBERS
    if fn != "sgd"  # momentum=nan: [0, 1] check, below
]

# -- flags: a string ('no' is truthy) for each ---------------------------------------------------
FLAGS = [
    ("adabelief", LR, ["nesterov"]),
    ("adafactor", {}, ["multiply_by_parameter_scale", "factored"]),
    ("adam", LR, ["nesterov"]),
    ("adamw", LR, ["nesterov"]),
    ("amsgrad", LR, ["bias_correction_mu", "bias_correction_nu"]),
    (
        "conditionally_mask",
        {"inner": po.sgd(0.1), "should_transform_fn": lambda step: step < 5},
        ["forward_extra_args"],
    ),
    (
        "conditionally_transform",
        {"inner": po.sgd(0.1), "should_transform_fn": lambda step: step < 5},
        ["forward_extra_args"],
    ),
    ("dpsgd", {**LR, "l2_norm_clip": 1.0, "noise_multiplier": 1.0, "seed": 0}, ["nesterov"]),
    ("ema", {"decay": 0.9}, ["debias"]),
    ("exponential_decay", {"init_value": 1.0, "transition_steps": 10, "decay_rate": 0.5}, ["staircase"]),
    ("lars", LR, ["nesterov"]),
    ("lookahead", {"fast_optimizer": po.sgd(0.1), "sync_period": 2, "slow_step_size": 0.5}, ["reset_state"]),
    ("measure_with_ema", {"measure": po.global_norm, "decay": 0.9}, ["debias"]),
    ("nadam", LR, ["nesterov"]),
    ("nadamw", LR, ["nesterov"]),
    ("optimistic_adam", LR, ["nesterov"]),
    ("optimistic_adam_v2", LR, ["nesterov"]),
    ("per_example_layer_norm_clip", {"grads": [jnp.ones((2, 3))], "global_l2_norm_clip": 1.0}, ["uniform"]),
    ("radam", LR, ["nesterov"]),
    ("rmsprop", LR, ["eps_in_sqrt", "centered", "nesterov", "bias_correction"]),
    ("safe_norm", {"x": jnp.ones(3), "min_norm": 0.0}, ["keepdims"]),
    ("scale_by_adam", {}, ["nesterov"]),
    ("scale_by_amsgrad", {}, ["bias_correction_mu", "bias_correction_nu"]),
    ("scale_by_belief", {}, ["nesterov"]),
    ("scale_by_factored_rms", {}, ["factored"]),
    ("scale_by_learning_rate", LR, ["flip_sign"]),
    ("scale_by_radam", {}, ["nesterov"]),
    ("scale_by_rms", {}, ["eps_in_sqrt", "bias_correction"]),
    ("scale_by_stddev", {}, ["eps_in_sqrt", "bias_correction"]),
    ("sgd", LR, ["nesterov"]),
    ("trace", {"decay": 0.9}, ["nesterov"]),
    (
        "warmup_exponential_decay_schedule",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "transition_steps": 10, "decay_rate": 0.5},
        ["staircase"],
    ),
]
ROWS += [
    (
        f"{fn}-{arg}-str",
        call(fn, **{**valid, arg: "no"}),
        TypeError,
        (f"purejax.optim.{fn}:", f"{arg} must be True or False"),
    )
    for fn, valid, args in FLAGS
    for arg in args
]

# -- dtypes: a number for each --------------------------------------------------------------------
DTYPES = [
    ("adafactor", {}, "dtype_momentum"),
    ("adam", LR, "mu_dtype"),
    ("adamw", LR, "mu_dtype"),
    ("amsgrad", LR, "mu_dtype"),
    ("ema", {"decay": 0.9}, "accumulator_dtype"),
    ("inject_hyperparams", {"inner_factory": po.sgd}, "hyperparam_dtype"),
    ("lion", LR, "mu_dtype"),
    ("measure_with_ema", {"measure": po.global_norm, "decay": 0.9}, "accumulator_dtype"),
    ("nadam", LR, "mu_dtype"),
    ("nadamw", LR, "mu_dtype"),
    ("optimistic_adam", LR, "mu_dtype"),
    ("optimistic_adam_v2", LR, "mu_dtype"),
    ("scale_by_adam", {}, "mu_dtype"),
    ("scale_by_amsgrad", {}, "mu_dtype"),
    ("scale_by_lion", {}, "mu_dtype"),
    ("scale_by_novograd", {}, "mu_dtype"),
    ("sgd", LR, "accumulator_dtype"),
    ("signum", LR, "accumulator_dtype"),
    ("trace", {"decay": 0.9}, "accumulator_dtype"),
]
ROWS += [
    (f"{fn}-{arg}-int", call(fn, **{**valid, arg: 3}), TypeError, (f"purejax.optim.{fn}:", f"{arg} must be a dtype"))
    for fn, valid, arg in DTYPES
]

# -- step counts and sizes: integers (a float, even 1e2, is refused) -----------------------------
STEPS = [
    ("adafactor", {}, ["min_dim_size_to_factor", "decay_offset"]),
    ("cosine_decay_schedule", {"init_value": 1.0, "decay_steps": 10}, ["decay_steps"]),
    ("cosine_onecycle_schedule", {"transition_steps": 100, "peak_value": 1.0}, ["transition_steps"]),
    ("linear_onecycle_schedule", {"transition_steps": 100, "peak_value": 1.0}, ["transition_steps"]),
    (
        "exponential_decay",
        {"init_value": 1.0, "transition_steps": 10, "decay_rate": 0.5},
        ["transition_steps", "transition_begin"],
    ),
    (
        "linear_schedule",
        {"init_value": 1.0, "end_value": 0.0, "transition_steps": 10},
        ["transition_steps", "transition_begin"],
    ),
    (
        "polynomial_schedule",
        {"init_value": 1.0, "end_value": 0.0, "power": 2, "transition_steps": 10},
        ["transition_steps", "transition_begin"],
    ),
    ("scale_by_factored_rms", {}, ["step_offset", "min_dim_size_to_factor"]),
    ("warmup_constant_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10}, ["warmup_steps"]),
    (
        "warmup_cosine_decay_schedule",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "decay_steps": 100},
        ["warmup_steps", "decay_steps"],
    ),
    (
        "warmup_exponential_decay_schedule",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "transition_steps": 10, "decay_rate": 0.5},
        ["warmup_steps", "transition_steps", "transition_begin"],
    ),
]
ROWS += [
    (
        f"{fn}-{arg}-float",
        call(fn, **{**valid, arg: 1e2}),
        TypeError,
        (f"purejax.optim.{fn}:", f"{arg} must be", "write 100"),
    )
    for fn, valid, args in STEPS
    for arg in args
]

# -- masks: a leaf that is not a static bool, named by the alias's own argument ------------------
MASKS = [
    ("adadelta", {}, "weight_decay_mask"),
    ("adafactor", {}, "weight_decay_mask"),
    ("adamaxw", LR, "mask"),
    ("adan", LR, "mask"),
    ("adamw", LR, "mask"),
    ("add_decayed_weights", {}, "mask"),
    ("freeze", {}, "mask"),
    ("lamb", LR, "mask"),
    ("lars", LR, "weight_decay_mask"),
    ("lars", LR, "trust_ratio_mask"),
    ("lion", LR, "mask"),
    ("masked", {"inner": po.scale(1.0)}, "mask"),
    ("nadamw", LR, "mask"),
    ("selective_transform", {"optimizer": po.sgd(0.1)}, "freeze_mask"),
]
ROWS += [
    (
        f"{fn}-{arg}-str-leaf",
        call(fn, **{**valid, arg: {"w": "yes"}}),
        TypeError,
        (f"purejax.optim.{fn}:", f"{arg}['w'] must be True or False"),
    )
    for fn, valid, arg in MASKS
]

# -- a state made by another optimizer, fed to update: refused at the boundary ------------------
ALIASES = {
    **{alias: lambda alias=alias, rest=rest: getattr(po, alias)(0.1, **rest) for alias, rest in REQUIRED.items()},
    "adadelta": lambda: po.adadelta(0.1),
    "adafactor": lambda: po.adafactor(0.1),
}


def foreign_state(tx):
    """A state of as many parts as `tx`'s, made by another optimizer: heavy-ball momentum, then nothing."""
    return po.chain(po.trace(0.9), *[po.identity()] * (len(tx.init(P)) - 1)).init(P)


ROWS += [
    (
        f"{alias}-update-state-of-another",
        lambda alias=alias: (tx := ALIASES[alias]()).update(G, foreign_state(tx), P),
        TypeError,
        (f"purejax.optim.{alias}:", "TraceState", f"{alias}(...).init(params)"),
    )
    for alias in ALIASES
]
ROWS += [
    (
        "adam-update-state-of-another-length",
        lambda: po.adam(0.1).update(G, po.rmsprop(0.1).init(P), P),
        ValueError,
        ("purejax.optim.adam:", "the state holds 3 states for 2 transformations", "adam(...).init(params)"),
    ),
]

# -- params of another tree than the updates, to an update that reads them ----------------------
ROWS += [
    (
        f"{alias}-update-params-tree",
        lambda alias=alias: update_with(ALIASES[alias](), params={"w": jnp.ones(3)})(),
        ValueError,
        (f"purejax.optim.{alias}.update:", "params differ from the updates' tree"),
    )
    for alias in ("adamw", "fromage", "lamb", "lars", "lion", "novograd", "adafactor", "adadelta")
]

# -- written out: the remaining arguments and values --------------------------------------------
ADAM = po.adam(0.1)
ROWS += [
    # the named classes of the issue
    (
        "apply_updates-updates-tree",
        lambda: po.apply_updates(P, {"w": jnp.ones(3)}),
        ValueError,
        ("purejax.optim.apply_updates:", "updates differ from params", "<root>"),
    ),
    (
        "apply_updates-updates-None-leaf",
        lambda: po.apply_updates(P, {"w": jnp.ones(3), "b": None}),
        TypeError,
        ("purejax.optim.apply_updates:", "updates must hold an array"),
    ),
    (
        "apply_updates-params-not-a-tree-like-updates",
        lambda: po.apply_updates([jnp.ones(2)], G),
        ValueError,
        ("purejax.optim.apply_updates:", "updates"),
    ),
    (
        "multi_transform-param_labels-tree",
        lambda: po.multi_transform({"a": po.sgd(0.1)}, {"w": "a"}).init(P),
        ValueError,
        ("purejax.optim.multi_transform:", "param_labels"),
    ),
    (
        "multi_transform-update-tree",
        update_with(po.multi_transform({"a": po.sgd(0.1)}, {"w": "a", "b": "a"}), grads={"w": jnp.ones(3)}),
        ValueError,
        ("purejax.optim.multi_transform.update:", "updates"),
    ),
    (
        "multi_transform-transforms-uncalled",
        lambda: po.multi_transform({"a": po.sgd}, {"w": "a", "b": "a"}),
        TypeError,
        ("purejax.optim.multi_transform:", "transforms['a']", "call it first"),
    ),
    (
        "partition-transforms-list",
        lambda: po.partition([po.sgd(0.1)], {"w": 0, "b": 0}),
        TypeError,
        ("purejax.optim.partition:", "transforms must be a mapping"),
    ),
    (
        "partition-param_labels-None",
        lambda: po.partition({"a": po.sgd(0.1)}, None).init(P),
        TypeError,
        ("purejax.optim.partition", "param_labels"),
    ),
    (
        "adam-update-sgd-state-under-jit",
        lambda: jax.jit(ADAM.update)(G, po.sgd(0.1).init(P), P),
        TypeError,
        ("purejax.optim.adam:", "ScaleByAdamState", "adam(...).init(params)"),
    ),
    (
        "adam-update-updates-tree",
        update_with(ADAM, grads={"w": jnp.ones(3)}),
        ValueError,
        ("purejax.optim.adam.update:", "updates"),
    ),
    (
        "adamw-update-params-missing",
        update_with(po.adamw(0.1), params=None),
        ValueError,
        ("purejax.optim.adamw:", "params"),
    ),
    (
        "lamb-update-params-missing",
        update_with(po.lamb(0.1), params=None),
        ValueError,
        ("purejax.optim.lamb:", "params"),
    ),
    # the interface
    (
        "chain-transforms-uncalled",
        lambda: po.chain(po.clip(1.0), po.sgd),
        TypeError,
        ("purejax.optim.chain:", "transforms[1]", "call it first"),
    ),
    (
        "chain-update-state-not-a-tuple",
        update_with(po.chain(po.scale(1.0)), state=po.EmptyState()),
        TypeError,
        ("purejax.optim.chain:", "state"),
    ),
    (
        "identity-update-state",
        update_with(po.identity(), state=ADAM.init(P)[0]),
        TypeError,
        ("purejax.optim.identity:", "EmptyState"),
    ),
    (
        "set_to_zero-update-state",
        update_with(po.set_to_zero(), state=ADAM.init(P)[0]),
        TypeError,
        ("purejax.optim.set_to_zero:", "state"),
    ),
    ("safe_increment-count-str", lambda: po.safe_increment("1"), TypeError, ("purejax.optim.safe_increment:", "count")),
    (
        "safe_increment-count-bool-array",
        lambda: po.safe_increment(jnp.array(True)),
        TypeError,
        ("purejax.optim.safe_increment:", "count"),
    ),
    (
        "global_norm-updates-str-leaf",
        lambda: po.global_norm({"w": "x"}),
        TypeError,
        ("purejax.optim.global_norm:", "updates['w']"),
    ),
    (
        "per_example_global_norm_clip-grads-no-batch-axis",
        lambda: po.per_example_global_norm_clip([jnp.ones(3), jnp.ones((2, 3))], 1.0),
        ValueError,
        ("purejax.optim.per_example_global_norm_clip:", "per-example gradients"),
    ),
    (
        "per_example_global_norm_clip-l2_norm_clip",
        lambda: po.per_example_global_norm_clip([jnp.ones((2, 3))], -1.0),
        ValueError,
        ("purejax.optim.per_example_global_norm_clip:", "l2_norm_clip"),
    ),
    (
        "skip_not_finite-updates-str-leaf",
        lambda: po.skip_not_finite({"w": "x"}, 0, None),
        TypeError,
        ("purejax.optim.skip_not_finite:", "updates"),
    ),
    (
        "skip_large_updates-updates-str-leaf",
        lambda: po.skip_large_updates({"w": "x"}, 0, None, 1.0),
        TypeError,
        ("purejax.optim.skip_large_updates:", "updates"),
    ),
    (
        "skip_large_updates-max_squared_norm",
        lambda: po.skip_large_updates(G, 0, None, "1"),
        TypeError,
        ("purejax.optim.skip_large_updates:", "max_squared_norm"),
    ),
    # ranges
    (
        "sgd-momentum-above-1",
        call("sgd", learning_rate=0.1, momentum=1.5),
        ValueError,
        ("purejax.optim.sgd:", "momentum must be a number in [0, 1]"),
    ),
    ("clip-max_delta-negative", call("clip", max_delta=-1.0), ValueError, ("purejax.optim.clip:", "max_delta")),
    (
        "clip_by_global_norm-max_norm-0",
        call("clip_by_global_norm", max_norm=0.0),
        ValueError,
        ("purejax.optim.clip_by_global_norm:", "max_norm must be a positive"),
    ),
    (
        "clip_by_block_rms-threshold-0",
        call("clip_by_block_rms", threshold=0),
        ValueError,
        ("purejax.optim.clip_by_block_rms:", "threshold"),
    ),
    (
        "add_noise-eta-negative",
        call("add_noise", eta=-0.1, gamma=0.55, key=0),
        ValueError,
        ("purejax.optim.add_noise:", "eta"),
    ),
    (
        "noisy_sgd-eta-negative",
        call("noisy_sgd", learning_rate=0.1, eta=-0.1, key=0),
        ValueError,
        ("purejax.optim.noisy_sgd:", "eta"),
    ),
    (
        "dpsgd-noise_multiplier-negative",
        call("dpsgd", learning_rate=0.1, l2_norm_clip=1.0, noise_multiplier=-1.0, seed=0),
        ValueError,
        ("purejax.optim.dpsgd:", "noise_multiplier"),
    ),
    (
        "differentially_private_aggregate-update-empty-batch",
        update_with(
            po.differentially_private_aggregate(1.0, 1.0, key=0), grads={"w": jnp.ones((0, 3)), "b": jnp.ones((0, 2))}
        ),
        ValueError,
        ("purejax.optim.differentially_private_aggregate.update:", "updates", "batch of 0"),
    ),
    (
        "scale_by_trust_ratio-min_norm-negative",
        call("scale_by_trust_ratio", min_norm=-1.0),
        ValueError,
        ("purejax.optim.scale_by_trust_ratio:", "min_norm"),
    ),
    (
        "fromage-min_norm-negative",
        call("fromage", learning_rate=0.1, min_norm=-1.0),
        ValueError,
        ("purejax.optim.fromage:", "min_norm"),
    ),
    (
        "adafactor-min_dim_size_to_factor-negative",
        call("adafactor", min_dim_size_to_factor=-1),
        ValueError,
        ("purejax.optim.adafactor:", "min_dim_size_to_factor"),
    ),
    # keys
    ("add_noise-key-None", call("add_noise", eta=0.01, gamma=0.55), ValueError, ("purejax.optim.add_noise:", "key=")),
    (
        "add_noise-key-str",
        call("add_noise", eta=0.01, gamma=0.55, key="0"),
        TypeError,
        ("purejax.optim.add_noise:", "key must be"),
    ),
    ("noisy_sgd-key-None", call("noisy_sgd", learning_rate=0.1), ValueError, ("purejax.optim.noisy_sgd:", "key=")),
    (
        "differentially_private_aggregate-key-None",
        call("differentially_private_aggregate", l2_norm_clip=1.0, noise_multiplier=1.0),
        ValueError,
        ("purejax.optim.differentially_private_aggregate:", "key="),
    ),
    (
        "dpsgd-seed-None",
        call("dpsgd", learning_rate=0.1, l2_norm_clip=1.0, noise_multiplier=1.0, seed=None),
        ValueError,
        ("purejax.optim.dpsgd:", "seed="),
    ),
    (
        "dpsgd-seed-float",
        call("dpsgd", learning_rate=0.1, l2_norm_clip=1.0, noise_multiplier=1.0, seed=0.5),
        TypeError,
        ("purejax.optim.dpsgd:", "seed must be"),
    ),
    # transformations and callables
    (
        "masked-inner",
        call("masked", inner="adam", mask={"w": True, "b": False}),
        TypeError,
        ("purejax.optim.masked:", "inner"),
    ),
    ("masked-mask-None", call("masked", inner=po.scale(1.0), mask=None), TypeError, ("purejax.optim.masked:", "mask")),
    (
        "masked-update-state",
        update_with(po.masked(po.scale(1.0), {"w": True, "b": False}), state=po.EmptyState()),
        TypeError,
        ("purejax.optim.masked:", "MaskedState"),
    ),
    (
        "apply_if_finite-inner",
        call("apply_if_finite", inner=None, max_consecutive_errors=3),
        TypeError,
        ("purejax.optim.apply_if_finite:", "inner"),
    ),
    (
        "apply_if_finite-max_consecutive_errors",
        call("apply_if_finite", inner=po.sgd(0.1), max_consecutive_errors=-1),
        ValueError,
        ("purejax.optim.apply_if_finite:", "max_consecutive_errors"),
    ),
    (
        "apply_if_finite-update-state",
        update_with(po.apply_if_finite(po.sgd(0.1), 3), state=ADAM.init(P)),
        TypeError,
        ("purejax.optim.apply_if_finite:", "ApplyIfFiniteState"),
    ),
    (
        "MultiSteps-opt",
        lambda: po.MultiSteps(po.adam, 2),
        TypeError,
        ("purejax.optim.MultiSteps:", "opt", "call it first"),
    ),
    (
        "MultiSteps-every_k_schedule-0",
        lambda: po.MultiSteps(po.sgd(0.1), 0),
        ValueError,
        ("purejax.optim.MultiSteps:", "every_k_schedule"),
    ),
    (
        "MultiSteps-every_k_schedule-float",
        lambda: po.MultiSteps(po.sgd(0.1), 2.0),
        TypeError,
        ("purejax.optim.MultiSteps:", "every_k_schedule"),
    ),
    (
        "MultiSteps-use_grad_mean",
        lambda: po.MultiSteps(po.sgd(0.1), 2, use_grad_mean="yes"),
        TypeError,
        ("purejax.optim.MultiSteps:", "use_grad_mean"),
    ),
    (
        "MultiSteps-should_skip_update_fn",
        lambda: po.MultiSteps(po.sgd(0.1), 2, should_skip_update_fn=True),
        TypeError,
        ("purejax.optim.MultiSteps:", "should_skip_update_fn"),
    ),
    (
        "MultiSteps-accumulator_dtype",
        lambda: po.MultiSteps(po.sgd(0.1), 2, accumulator_dtype="x"),
        TypeError,
        ("purejax.optim.MultiSteps:", "accumulator_dtype"),
    ),
    (
        "MultiSteps-update-state",
        lambda: po.MultiSteps(po.sgd(0.1), 2).update(G, ADAM.init(P), P),
        TypeError,
        ("purejax.optim.MultiSteps:", "MultiStepsState"),
    ),
    (
        "inject_hyperparams-inner_factory",
        call("inject_hyperparams", inner_factory=3),
        TypeError,
        ("purejax.optim.inject_hyperparams:", "inner_factory"),
    ),
    (
        "inject_hyperparams-static_args",
        call("inject_hyperparams", inner_factory=po.sgd, static_args=3),
        TypeError,
        ("purejax.optim.inject_hyperparams:", "static_args"),
    ),
    (
        "inject_hyperparams-learning_rate-str",
        lambda: po.inject_hyperparams(po.sgd)(learning_rate="x").init(P),
        TypeError,
        ("purejax.optim.sgd:", "learning_rate"),
    ),
    (
        "inject_hyperparams-update-state",
        update_with(po.inject_hyperparams(po.sgd)(learning_rate=0.1), state=ADAM.init(P)),
        TypeError,
        ("purejax.optim.inject_hyperparams:", "state"),
    ),
    (
        "WrappedSchedule-schedule_fn",
        lambda: po.WrappedSchedule(0.1),
        TypeError,
        ("purejax.optim.WrappedSchedule:", "schedule_fn"),
    ),
    (
        "scale_by_schedule-step_size_fn",
        call("scale_by_schedule", step_size_fn=0.1),
        TypeError,
        ("purejax.optim.scale_by_schedule:", "step_size_fn"),
    ),
    (
        "scale_by_factored_rms-decay_rate_fn",
        call("scale_by_factored_rms", decay_rate_fn=0.8),
        TypeError,
        ("purejax.optim.scale_by_factored_rms:", "decay_rate_fn"),
    ),
    ("scale_by_lion-mode", call("scale_by_lion", mode="soft"), ValueError, ("purejax.optim.scale_by_lion:", "mode")),
    (
        "lion-update-params-of-another-tree",
        update_with(po.lion(0.1), grads={"w": jnp.ones(3)}),
        ValueError,
        ("purejax.optim.lion.update:", "updates"),
    ),
    # schedules
    (
        "cosine_decay_schedule-decay_steps-0",
        call("cosine_decay_schedule", init_value=1.0, decay_steps=0),
        ValueError,
        ("purejax.optim.cosine_decay_schedule:", "decay_steps must be positive"),
    ),
    (
        "warmup_cosine_decay_schedule-decay_steps-not-after-warmup",
        call("warmup_cosine_decay_schedule", init_value=0.0, peak_value=1.0, warmup_steps=10, decay_steps=10),
        ValueError,
        ("purejax.optim.warmup_cosine_decay_schedule:", "decay_steps must be greater than warmup_steps"),
    ),
    (
        "warmup_cosine_decay_schedule-warmup_steps-negative",
        call("warmup_cosine_decay_schedule", init_value=0.0, peak_value=1.0, warmup_steps=-1, decay_steps=10),
        ValueError,
        ("purejax.optim.warmup_cosine_decay_schedule:", "warmup_steps"),
    ),
    (
        "exponential_decay-decay_rate-negative",
        call("exponential_decay", init_value=1.0, transition_steps=10, decay_rate=-0.5),
        ValueError,
        ("purejax.optim.exponential_decay:", "decay_rate"),
    ),
    (
        "piecewise_constant_schedule-boundaries_and_scales-list",
        call("piecewise_constant_schedule", init_value=1.0, boundaries_and_scales=[(10, 0.1)]),
        TypeError,
        ("purejax.optim.piecewise_constant_schedule:", "boundaries_and_scales must be a dict"),
    ),
    (
        "piecewise_constant_schedule-boundaries_and_scales-float-key",
        call("piecewise_constant_schedule", init_value=1.0, boundaries_and_scales={10.5: 0.1}),
        TypeError,
        ("purejax.optim.piecewise_constant_schedule:", "boundaries_and_scales key 10.5"),
    ),
    (
        "piecewise_constant_schedule-boundaries_and_scales-negative",
        call("piecewise_constant_schedule", init_value=1.0, boundaries_and_scales={10: -0.1}),
        ValueError,
        ("purejax.optim.piecewise_constant_schedule:", "boundaries_and_scales"),
    ),
    (
        "join_schedules-schedules-not-callable",
        call("join_schedules", schedules=[1.0, 2.0], boundaries=[5]),
        TypeError,
        ("purejax.optim.join_schedules:", "schedules[0]"),
    ),
    (
        "join_schedules-boundaries-count",
        call("join_schedules", schedules=[po.constant_schedule(1.0)] * 2, boundaries=[5, 6]),
        ValueError,
        ("purejax.optim.join_schedules:", "boundaries must hold one step fewer"),
    ),
    (
        "join_schedules-boundaries-decreasing",
        call("join_schedules", schedules=[po.constant_schedule(1.0)] * 3, boundaries=[10, 5]),
        ValueError,
        ("purejax.optim.join_schedules:", "boundaries must be non-decreasing"),
    ),
    (
        "sgdr_schedule-cosine_kwargs-empty",
        call("sgdr_schedule", cosine_kwargs=[]),
        ValueError,
        ("purejax.optim.sgdr_schedule:", "cosine_kwargs"),
    ),
    (
        "sgdr_schedule-cosine_kwargs-unknown-key",
        call(
            "sgdr_schedule", cosine_kwargs=[dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=10, foo=1)]
        ),
        TypeError,
        ("purejax.optim.sgdr_schedule:", "cosine_kwargs[0] has unknown key(s) ['foo']"),
    ),
    (
        "sgdr_schedule-cosine_kwargs-bad-cycle",
        call("sgdr_schedule", cosine_kwargs=[dict(init_value=0.0, peak_value=1.0, warmup_steps=10, decay_steps=10)]),
        ValueError,
        ("purejax.optim.sgdr_schedule:", "decay_steps", "cosine_kwargs[0]"),
    ),
]


# -- a state made by another optimizer, fed to a transformation's update ---------------------------
OTHERS = {  # transformation -> one built with valid arguments
    "adaptive_grad_clip": lambda: po.adaptive_grad_clip(1.0),
    "apply_every": lambda: po.apply_every(2),
    "centralize": po.centralize,
    "conditionally_mask": lambda: po.conditionally_mask(po.sgd(0.1), lambda step: step < 5),
    "conditionally_transform": lambda: po.conditionally_transform(po.sgd(0.1), lambda step: step < 5),
    "keep_params_nonnegative": po.keep_params_nonnegative,
    "lookahead": lambda: po.lookahead(po.sgd(0.1), 2, 0.5),
    "monitor": lambda: po.monitor({"norm": po.global_norm}),
    "normalize_by_update_norm": po.normalize_by_update_norm,
    "scale_by_adan": po.scale_by_adan,
    "scale_by_distance_over_gradients": po.scale_by_distance_over_gradients,
    "scale_by_polyak": po.scale_by_polyak,
    "scale_by_rprop": lambda: po.scale_by_rprop(0.1),
    "scale_by_sign": po.scale_by_sign,
    "snapshot": lambda: po.snapshot("norm", po.global_norm),
    "stateless": lambda: po.stateless(lambda u, p: u),
    "stateless_with_tree_map": lambda: po.stateless_with_tree_map(lambda u, p: u),
    "zero_nans": po.zero_nans,
}
SYNCED = po.LookaheadParams.init_synced(P)
ROWS += [
    (
        f"{name}-update-state-of-another",
        lambda make=make, name=name: make().update(G, ADAM.init(P), SYNCED if name == "lookahead" else P),
        TypeError,
        (f"purejax.optim.{name}:", "ScaleByAdamState", f"{name}(...).init(params)"),
    )
    for name, make in OTHERS.items()
]

# -- written out: the rest of Optax 0.2.8's surface ---------------------------------------------
ROWS += [
    # transformations
    (
        "adaptive_grad_clip-clipping-negative",
        call("adaptive_grad_clip", clipping=-1.0),
        ValueError,
        ("purejax.optim.adaptive_grad_clip:", "clipping must be a number >= 0"),
    ),
    (
        "adaptive_grad_clip-axis-str",
        call("adaptive_grad_clip", clipping=1.0, axis="rows"),
        TypeError,
        ("purejax.optim.adaptive_grad_clip:", "axis must be an integer axis"),
    ),
    (
        "adaptive_grad_clip-update-params-missing",
        update_with(po.adaptive_grad_clip(1.0), params=None),
        ValueError,
        ("purejax.optim.adaptive_grad_clip:", "params"),
    ),
    ("apply_every-k-0", call("apply_every", k=0), ValueError, ("purejax.optim.apply_every:", "k must be a positive")),
    ("apply_every-k-float", call("apply_every", k=2.0), TypeError, ("purejax.optim.apply_every:", "k must be")),
    (
        "conditionally_mask-inner-uncalled",
        call("conditionally_mask", inner=po.sgd, should_transform_fn=lambda step: step < 5),
        TypeError,
        ("purejax.optim.conditionally_mask:", "inner", "call it first"),
    ),
    (
        "conditionally_mask-should_transform_fn",
        call("conditionally_mask", inner=po.sgd(0.1), should_transform_fn=True),
        TypeError,
        ("purejax.optim.conditionally_mask:", "should_transform_fn must be callable"),
    ),
    (
        "conditionally_transform-inner-uncalled",
        call("conditionally_transform", inner=po.sgd, should_transform_fn=lambda step: step < 5),
        TypeError,
        ("purejax.optim.conditionally_transform:", "inner", "call it first"),
    ),
    (
        "conditionally_transform-should_transform_fn",
        call("conditionally_transform", inner=po.sgd(0.1), should_transform_fn=5),
        TypeError,
        ("purejax.optim.conditionally_transform:", "should_transform_fn must be callable"),
    ),
    (
        "flatten-inner-uncalled",
        call("flatten", inner=po.adam),
        TypeError,
        ("purejax.optim.flatten:", "inner", "call it first"),
    ),
    (
        "flatten-update-state-of-another",
        update_with(po.flatten(po.adam(0.1)), state=po.sgd(0.1).init(P)),
        TypeError,
        ("purejax.optim.flatten:", "ScaleByAdamState", "flatten(...).init(params)"),
    ),
    ("freeze-mask-None", call("freeze", mask=None), TypeError, ("purejax.optim.freeze:", "mask")),
    (
        "selective_transform-optimizer-uncalled",
        call("selective_transform", optimizer=po.sgd, freeze_mask={"w": True, "b": False}),
        TypeError,
        ("purejax.optim.selective_transform:", "optimizer", "call it first"),
    ),
    (
        "selective_transform-freeze_mask-None",
        call("selective_transform", optimizer=po.sgd(0.1), freeze_mask=None),
        TypeError,
        ("purejax.optim.selective_transform:", "freeze_mask must be a bool or a tree of bools"),
    ),
    (
        "keep_params_nonnegative-update-params-missing",
        update_with(po.keep_params_nonnegative(), params=None),
        ValueError,
        ("purejax.optim.keep_params_nonnegative:", "params"),
    ),
    (
        "lookahead-fast_optimizer-uncalled",
        call("lookahead", fast_optimizer=po.adam, sync_period=2, slow_step_size=0.5),
        TypeError,
        ("purejax.optim.lookahead:", "fast_optimizer", "call it first"),
    ),
    (
        "lookahead-sync_period-0",
        call("lookahead", fast_optimizer=po.sgd(0.1), sync_period=0, slow_step_size=0.5),
        ValueError,
        ("purejax.optim.lookahead:", "sync_period must be a positive integer"),
    ),
    (
        "lookahead-sync_period-float",
        call("lookahead", fast_optimizer=po.sgd(0.1), sync_period=2.0, slow_step_size=0.5),
        TypeError,
        ("purejax.optim.lookahead:", "sync_period must be a positive integer"),
    ),
    (
        "lookahead-slow_step_size-above-1",
        call("lookahead", fast_optimizer=po.sgd(0.1), sync_period=2, slow_step_size=1.5),
        ValueError,
        ("purejax.optim.lookahead:", "slow_step_size must be a number in [0, 1]"),
    ),
    (
        "lookahead-update-params-plain",
        update_with(po.lookahead(po.sgd(0.1), 2, 0.5)),
        ValueError,
        ("purejax.optim.lookahead:", "LookaheadParams.init_synced(params)"),
    ),
    (
        "measure_with_ema-measure",
        call("measure_with_ema", measure="norm", decay=0.9),
        TypeError,
        ("purejax.optim.measure_with_ema:", "measure must be callable"),
    ),
    (
        "monitor-measures-list",
        call("monitor", measures=[po.global_norm]),
        TypeError,
        ("purejax.optim.monitor:", "measures must be a dict"),
    ),
    (
        "monitor-measures-value",
        call("monitor", measures={"norm": 3}),
        TypeError,
        ("purejax.optim.monitor:", "measures['norm'] must be callable"),
    ),
    (
        "named_chain-args-not-a-pair",
        lambda: po.named_chain(po.sgd(0.1)),
        TypeError,
        ("purejax.optim.named_chain:", "argument 0 must be a (name, transformation) pair"),
    ),
    (
        "named_chain-args-name-int",
        lambda: po.named_chain((0, po.sgd(0.1))),
        TypeError,
        ("purejax.optim.named_chain:", "argument 0"),
    ),
    (
        "named_chain-args-uncalled",
        lambda: po.named_chain(("sgd", po.sgd)),
        TypeError,
        ("purejax.optim.named_chain:", "'sgd'", "call it first"),
    ),
    (
        "named_chain-args-names-repeated",
        lambda: po.named_chain(("a", po.sgd(0.1)), ("a", po.sgd(0.1))),
        ValueError,
        ("purejax.optim.named_chain:", "the names must be unique"),
    ),
    (
        "normalize_by_update_norm-eps-negative",
        call("normalize_by_update_norm", eps=-1e-6),
        ValueError,
        ("purejax.optim.normalize_by_update_norm:", "eps must be a number >= 0"),
    ),
    (
        "scale_by_distance_over_gradients-param_dtype-int",
        call("scale_by_distance_over_gradients", param_dtype=3),
        TypeError,
        ("purejax.optim.scale_by_distance_over_gradients:", "param_dtype must be a float dtype"),
    ),
    (
        "scale_by_distance_over_gradients-param_dtype-integer",
        call("scale_by_distance_over_gradients", param_dtype=jnp.int32),
        TypeError,
        ("purejax.optim.scale_by_distance_over_gradients:", "param_dtype must be a float dtype"),
    ),
    (
        "scale_by_polyak-variant",
        call("scale_by_polyak", variant="sps++"),
        ValueError,
        ("purejax.optim.scale_by_polyak:", "variant must be one of 'sps', 'sps+'"),
    ),
    (
        "scale_by_polyak-max_learning_rate-negative",
        call("scale_by_polyak", max_learning_rate=-1.0),
        ValueError,
        ("purejax.optim.scale_by_polyak:", "max_learning_rate"),
    ),
    (
        "snapshot-measure_name-int",
        call("snapshot", measure_name=0, measure=po.global_norm),
        TypeError,
        ("purejax.optim.snapshot:", "measure_name must be a str"),
    ),
    (
        "snapshot-measure",
        call("snapshot", measure_name="norm", measure=None),
        TypeError,
        ("purejax.optim.snapshot:", "measure must be callable"),
    ),
    ("stateless-f", call("stateless", f=3), TypeError, ("purejax.optim.stateless:", "f must be callable")),
    (
        "stateless_with_tree_map-f",
        call("stateless_with_tree_map", f=None),
        TypeError,
        ("purejax.optim.stateless_with_tree_map:", "f must be callable"),
    ),
    (
        "with_extra_args_support-tx-uncalled",
        call("with_extra_args_support", tx=po.sgd),
        TypeError,
        ("purejax.optim.with_extra_args_support:", "tx", "call it first"),
    ),
    (
        "with_extra_args_support-tx-None",
        call("with_extra_args_support", tx=None),
        TypeError,
        ("purejax.optim.with_extra_args_support:", "tx must be a GradientTransformation"),
    ),
    # optimizers
    (
        "optimistic_adam-learning_rate-schedule",
        call("optimistic_adam", learning_rate=po.constant_schedule(0.1)),
        ValueError,
        ("purejax.optim.optimistic_adam:", "learning_rate must be a number", "optimistic_adam_v2"),
    ),
    (
        "polyak_sgd-variant",
        call("polyak_sgd", variant="sgd"),
        ValueError,
        ("purejax.optim.polyak_sgd:", "variant"),
    ),
    (
        "polyak_sgd-update-value-missing",
        update_with(po.polyak_sgd()),
        TypeError,
        ("purejax.optim.polyak_sgd:", "value=loss"),
    ),
    (
        "rprop-learning_rate-schedule",
        call("rprop", learning_rate=po.constant_schedule(0.1)),
        TypeError,
        ("purejax.optim.rprop:", "learning_rate", "not a schedule"),
    ),
    (
        "rprop-eta_minus-above-1",
        call("rprop", learning_rate=0.1, eta_minus=1.5),
        ValueError,
        ("purejax.optim.rprop:", "eta_minus must be a number in [0, 1]"),
    ),
    (
        "rprop-eta_plus-below-1",
        call("rprop", learning_rate=0.1, eta_plus=0.5),
        ValueError,
        ("purejax.optim.rprop:", "eta_plus must be a number >= 1"),
    ),
    (
        "rprop-max_step_size-below-min_step_size",
        call("rprop", learning_rate=0.1, min_step_size=1.0, max_step_size=0.1),
        ValueError,
        ("purejax.optim.rprop:", "max_step_size must be at least min_step_size"),
    ),
    (
        "scale_by_rprop-learning_rate-negative",
        call("scale_by_rprop", learning_rate=-0.1),
        ValueError,
        ("purejax.optim.scale_by_rprop:", "learning_rate must be a number >= 0"),
    ),
    (
        "signum-beta-above-1",
        call("signum", learning_rate=0.1, beta=1.5),
        ValueError,
        ("purejax.optim.signum:", "beta must be a number in [0, 1]"),
    ),
    # schedules
    (
        "cosine_onecycle_schedule-transition_steps-0",
        call("cosine_onecycle_schedule", transition_steps=0, peak_value=1.0),
        ValueError,
        ("purejax.optim.cosine_onecycle_schedule:", "transition_steps must be a positive integer"),
    ),
    (
        "cosine_onecycle_schedule-pct_start-above-1",
        call("cosine_onecycle_schedule", transition_steps=100, peak_value=1.0, pct_start=30),
        ValueError,
        ("purejax.optim.cosine_onecycle_schedule:", "pct_start must be a number in [0, 1]"),
    ),
    (
        "cosine_onecycle_schedule-div_factor-0",
        call("cosine_onecycle_schedule", transition_steps=100, peak_value=1.0, div_factor=0.0),
        ValueError,
        ("purejax.optim.cosine_onecycle_schedule:", "div_factor must be a positive number"),
    ),
    (
        "linear_onecycle_schedule-transition_steps-negative",
        call("linear_onecycle_schedule", transition_steps=-10, peak_value=1.0),
        ValueError,
        ("purejax.optim.linear_onecycle_schedule:", "transition_steps must be a positive integer"),
    ),
    (
        "linear_onecycle_schedule-pct_final-before-pct_start",
        call("linear_onecycle_schedule", transition_steps=100, peak_value=1.0, pct_start=0.5, pct_final=0.4),
        ValueError,
        ("purejax.optim.linear_onecycle_schedule:", "pct_final must be greater than pct_start"),
    ),
    (
        "linear_onecycle_schedule-final_div_factor-negative",
        call("linear_onecycle_schedule", transition_steps=100, peak_value=1.0, final_div_factor=-1.0),
        ValueError,
        ("purejax.optim.linear_onecycle_schedule:", "final_div_factor must be a positive number"),
    ),
    (
        "piecewise_interpolate_schedule-interpolate_type",
        call("piecewise_interpolate_schedule", interpolate_type="cubic", init_value=1.0),
        ValueError,
        ("purejax.optim.piecewise_interpolate_schedule:", "interpolate_type must be 'linear' or 'cosine'"),
    ),
    (
        "piecewise_interpolate_schedule-boundaries_and_scales-list",
        call(
            "piecewise_interpolate_schedule",
            interpolate_type="linear",
            init_value=1.0,
            boundaries_and_scales=[(10, 0.1)],
        ),
        TypeError,
        ("purejax.optim.piecewise_interpolate_schedule:", "boundaries_and_scales must be a dict"),
    ),
    (
        "piecewise_interpolate_schedule-boundaries_and_scales-float-key",
        call(
            "piecewise_interpolate_schedule",
            interpolate_type="linear",
            init_value=1.0,
            boundaries_and_scales={1e1: 0.1},
        ),
        TypeError,
        ("purejax.optim.piecewise_interpolate_schedule:", "boundaries_and_scales key 10.0", "write 10"),
    ),
    (
        "piecewise_interpolate_schedule-boundaries_and_scales-negative",
        call(
            "piecewise_interpolate_schedule", interpolate_type="cosine", init_value=1.0, boundaries_and_scales={10: -1}
        ),
        ValueError,
        ("purejax.optim.piecewise_interpolate_schedule:", "non-negative scale factors"),
    ),
    (
        "warmup_constant_schedule-warmup_steps-negative",
        call("warmup_constant_schedule", init_value=0.0, peak_value=1.0, warmup_steps=-1),
        ValueError,
        ("purejax.optim.warmup_constant_schedule:", "warmup_steps must be a non-negative integer"),
    ),
    # functions of trees and arrays
    (
        "bias_correction-count-str",
        call("bias_correction", moment=G, decay=0.9, count="1"),
        TypeError,
        ("purejax.optim.bias_correction:", "count"),
    ),
    (
        "bias_correction-moment-str-leaf",
        call("bias_correction", moment={"w": "x"}, decay=0.9, count=1),
        TypeError,
        ("bias_correction:", "moment['w'] must be an array", "got str"),
    ),
    (
        "incremental_update-step_size-above-1",
        call("incremental_update", new_tensors=P, old_tensors=P, step_size=2.0),
        ValueError,
        ("purejax.optim.incremental_update:", "step_size must be a number in [0, 1]"),
    ),
    (
        "incremental_update-old_tensors-tree",
        call("incremental_update", new_tensors=P, old_tensors={"w": jnp.ones(3)}, step_size=0.5),
        ValueError,
        ("purejax.optim.incremental_update:", "old_tensors differ from new_tensors' tree"),
    ),
    (
        "periodic_update-update_period-0",
        call("periodic_update", new_tensors=P, old_tensors=P, steps=1, update_period=0),
        ValueError,
        ("purejax.optim.periodic_update:", "update_period must be a positive integer"),
    ),
    (
        "periodic_update-update_period-float",
        call("periodic_update", new_tensors=P, old_tensors=P, steps=1, update_period=2.5),
        TypeError,
        ("purejax.optim.periodic_update:", "update_period must be a positive integer"),
    ),
    (
        "periodic_update-steps-float",
        call("periodic_update", new_tensors=P, old_tensors=P, steps=jnp.array(1.0), update_period=2),
        TypeError,
        ("purejax.optim.periodic_update:", "steps must be an integer"),
    ),
    (
        "periodic_update-old_tensors-tree",
        call("periodic_update", new_tensors=P, old_tensors={"w": jnp.ones(3)}, steps=1, update_period=2),
        ValueError,
        ("purejax.optim.periodic_update:", "old_tensors differ from new_tensors' tree"),
    ),
    (
        "per_example_layer_norm_clip-grads-no-batch-axis",
        call("per_example_layer_norm_clip", grads=[jnp.ones(3), jnp.ones((2, 3))], global_l2_norm_clip=1.0),
        ValueError,
        ("purejax.optim.per_example_layer_norm_clip:", "grads must have a batch axis first"),
    ),
    (
        "per_example_layer_norm_clip-grads-str-leaf",
        call("per_example_layer_norm_clip", grads=["x"], global_l2_norm_clip=1.0),
        TypeError,
        ("purejax.optim.per_example_layer_norm_clip:", "grads leaf 0"),
    ),
    (
        "per_example_layer_norm_clip-global_l2_norm_clip-negative",
        call("per_example_layer_norm_clip", grads=[jnp.ones((2, 3))], global_l2_norm_clip=-1.0),
        ValueError,
        ("purejax.optim.per_example_layer_norm_clip:", "global_l2_norm_clip must be a number >= 0"),
    ),
    (
        "safe_int32_increment-count-str",
        lambda: po.safe_int32_increment("1"),
        TypeError,
        ("purejax.optim.safe_int32_increment:", "count"),
    ),
    (
        "safe_int32_increment-count-bool-array",
        lambda: po.safe_int32_increment(jnp.array(True)),
        TypeError,
        ("purejax.optim.safe_int32_increment:", "count"),
    ),
    ("safe_norm-x-str", call("safe_norm", x="x", min_norm=0.0), TypeError, ("purejax.optim.safe_norm:", "x must be")),
    (
        "safe_root_mean_squares-x-None",
        call("safe_root_mean_squares", x=None, min_rms=0.0),
        TypeError,
        ("purejax.optim.safe_root_mean_squares:", "x must be"),
    ),
    (
        "tree_map_params-initable",
        lambda: po.tree_map_params(3, lambda p: p, ADAM.init(P)),
        TypeError,
        ("purejax.optim.tree_map_params:", "initable must be callable"),
    ),
    (
        "tree_map_params-f",
        lambda: po.tree_map_params(ADAM, "double", ADAM.init(P)),
        TypeError,
        ("purejax.optim.tree_map_params:", "f must be callable"),
    ),
    (
        "tree_map_params-state-of-another",
        lambda: po.tree_map_params(ADAM, lambda p: p, po.sgd(0.1).init(P)),
        ValueError,
        ("purejax.optim.tree_map_params:", "state differs from what initable's init makes"),
    ),
    *[
        (
            f"{fn}-moments-tree",
            call(fn, updates=G, moments={"w": jnp.ones(3)}, decay=0.9, **{last: value}),
            ValueError,
            (f"purejax.optim.{fn}:", "moments differ from the updates' tree"),
        )
        for fn, last, value in (
            ("update_moment", "order", 1),
            ("update_moment_per_elem_norm", "order", 2),
            ("update_infinity_moment", "eps", 1e-8),
        )
    ],
]


# -- purejax.optim.contrib ------------------------------------------------------------------------
ROWS += [
    (
        "contrib.cocob-alpha-str",
        lambda: po.contrib.cocob(alpha="100"),
        TypeError,
        ("purejax.optim.contrib.cocob:", "alpha must be"),
    ),
    (
        "contrib.cocob-eps-negative",
        lambda: po.contrib.scale_by_cocob(eps=-1e-8),
        ValueError,
        ("purejax.optim.contrib.scale_by_cocob:", "eps must be a number >= 0"),
    ),
    (
        "contrib.cocob-learning_rate-str",
        lambda: po.contrib.cocob("1"),
        TypeError,
        ("purejax.optim.contrib.cocob:", "learning_rate"),
    ),
    (
        "contrib.cocob-mask-str-leaf",
        lambda: po.contrib.cocob(weight_decay=1e-3, mask={"w": "yes"}),
        TypeError,
        ("purejax.optim.contrib.cocob:", "mask['w'] must be True or False"),
    ),
    (
        "contrib.cocob-update-params-missing",
        update_with(po.contrib.cocob(), params=None),
        ValueError,
        ("purejax.optim.contrib.cocob:", "params"),
    ),
    (
        "contrib.cocob-update-state-of-another",
        update_with(po.contrib.scale_by_cocob(), state=ADAM.init(P)),
        TypeError,
        ("purejax.optim.contrib.scale_by_cocob:", "COCOBState", "ScaleByAdamState"),
    ),
    (
        "contrib.dadapt_adamw-betas-float",
        lambda: po.contrib.dadapt_adamw(betas=0.9),
        TypeError,
        ("purejax.optim.contrib.dadapt_adamw:", "betas must be a pair"),
    ),
    (
        "contrib.dadapt_adamw-betas-str",
        lambda: po.contrib.dadapt_adamw(betas=(0.9, "0.999")),
        TypeError,
        ("purejax.optim.contrib.dadapt_adamw:", "betas[1] must be"),
    ),
    (
        "contrib.dadapt_adamw-learning_rate-None",
        lambda: po.contrib.dadapt_adamw(None),
        TypeError,
        ("purejax.optim.contrib.dadapt_adamw:", "learning_rate"),
    ),
    *[
        (
            f"contrib.dadapt_adamw-{arg}-{kind}",
            lambda arg=arg, value=value: po.contrib.dadapt_adamw(**{arg: value}),
            error,
            ("purejax.optim.contrib.dadapt_adamw:", f"{arg} must be"),
        )
        for arg, kind, value, error in (
            ("eps", "negative", -1.0, ValueError),
            ("estim_lr0", "nan", NAN, ValueError),
            ("weight_decay", "str", "0", TypeError),
        )
    ],
    (
        "contrib.dadapt_adamw-update-params-missing",
        update_with(po.contrib.dadapt_adamw(), params=None),
        ValueError,
        ("purejax.optim.contrib.dadapt_adamw:", "params"),
    ),
    (
        "contrib.dadapt_adamw-update-state-of-another",
        update_with(po.contrib.dadapt_adamw(), state=ADAM.init(P)),
        TypeError,
        ("purejax.optim.contrib.dadapt_adamw:", "DAdaptAdamWState"),
    ),
]


@pytest.mark.parametrize("name, call_, error, fragments", ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_is_refused_naming_the_function_and_the_argument(name, call_, error, fragments):
    assert_refused(call_, error, *fragments)


def test_every_public_function_has_a_row():
    """A row for every public function (or a reason it has none), so that a new function needs one."""
    no_row = {"init_empty_state"}  # takes anything, as Optax's
    no_row |= set(pl.__all__)  # the losses, also reachable as purejax.optim.<loss>: rows in tests/purejax/losses
    covered = {row[0].split("-")[0] for row in ROWS}
    public = {
        n
        for n in po.__all__
        if (not n[0].isupper() or n in ("MultiSteps", "WrappedSchedule")) and not isinstance(getattr(po, n), ModuleType)
    }
    assert public - covered - no_row - ROWS_STILL_TO_WRITE == set()
    assert ROWS_STILL_TO_WRITE <= public - covered, "a name got its rows: take it off ROWS_STILL_TO_WRITE"


# Names whose bad-input rows are still to be written; the set may only shrink (the test above
# fails when a listed name gets its rows). Every public name has its rows now.
ROWS_STILL_TO_WRITE: set[str] = set()
