"""The parity report's sections: one module per purejax component, each with `checks() -> [Row]`.

Later components add a module here and a line to SECTIONS.
"""
from comparisons.parity import optim_adaptive, optim_schedules, optim_sgd, optim_wrappers, random, tree

SECTIONS = {
    "tree": tree.checks,
    "random": random.checks,
    "optim-schedules": optim_schedules.checks,
    "optim-adaptive": optim_adaptive.checks,
    "optim-sgd": optim_sgd.checks,
    "optim-wrappers": optim_wrappers.checks,
}

DESCRIPTIONS = {
    "tree": "purejax.tree    <-> jax.tree_util  pytrees: flatten, unflatten, map, paths, register_node",
    "random": "purejax.random  <-> jax.random     Threefry-2x32 PRNG: keys, bits and samplers",
    "optim-schedules": "purejax.optim   <-> optax          learning-rate schedules",
    "optim-adaptive": "purejax.optim   <-> optax          Adam, RMSProp and friends: moment-based optimizers",
    "optim-sgd": "purejax.optim   <-> optax          SGD, noise, clipping, LAMB/LARS, Adafactor, SM3, DP-SGD",
    "optim-wrappers": "purejax.optim   <-> optax          chain, masked, multi_transform, MultiSteps, apply_if_finite, ...",
}
