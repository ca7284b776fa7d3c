"""The parity report's sections: one module per purejax component, each with `checks(tier) -> [Check]`.

A `Check` (`common.py`) is one row of the report still to be run: the report runs them one by
one, printing each row as it comes. `tier` is "quick" (the default report: fewer keys, shapes,
settings and steps per row) or "full" (`--full`: the complete matrix); both tiers give the same
rows from the same tables, except the data-parallel section, whose quick tier runs a
representative subset of the models. The tests run the complete tables (`tests/test_*.py`).

Later components add a module here and a line to SECTIONS.
"""
from comparisons.parity import (
    convert, losses, models, nn_activations, nn_initializers, nn_linear, nn_normalization, nn_recurrent,
    nn_recurrent_cells, optim_adaptive, optim_schedules, optim_sgd, optim_wrappers, parallel, random, tree,
)

SECTIONS = {
    "tree": tree.checks,
    "random": random.checks,
    "optim-schedules": optim_schedules.checks,
    "optim-adaptive": optim_adaptive.checks,
    "optim-sgd": optim_sgd.checks,
    "optim-wrappers": optim_wrappers.checks,
    "nn-activations": nn_activations.checks,
    "nn-initializers": nn_initializers.checks,
    "nn-linear": nn_linear.checks,
    "nn-normalization": nn_normalization.checks,
    "nn-recurrent-cells": nn_recurrent_cells.checks,
    "nn-recurrent": nn_recurrent.checks,
    "convert": convert.checks,
    "losses": losses.checks,
    "models": models.checks,
    "parallel": parallel.checks,
}

# Sections the report runs in a second process, started with the report, alongside the others: the
# report compiles on one core, and these two keep another busy (the models train, the data-parallel
# rows run subprocesses of their own). Their rows are printed when the report reaches them.
BACKGROUND = ("models", "parallel")

DESCRIPTIONS = {
    "tree": "purejax.tree    <-> jax.tree_util  pytrees: flatten, unflatten, map, paths, register_node",
    "random": "purejax.random  <-> jax.random     Threefry-2x32 PRNG: keys, bits and samplers",
    "optim-schedules": "purejax.optim   <-> optax          learning-rate schedules",
    "optim-adaptive": "purejax.optim   <-> optax          Adam, RMSProp and friends: moment-based optimizers",
    "optim-sgd": "purejax.optim   <-> optax          SGD, noise, clipping, LAMB/LARS, Adafactor, SM3, DP-SGD",
    "optim-wrappers": "purejax.optim   <-> optax          chain, masked, multi_transform, MultiSteps, apply_if_finite, ...",
    "nn-activations": "purejax.nn      <-> jax.nn         activations, softmax, logsumexp, one_hot, standardize",
    "nn-initializers": "purejax.nn.initializers <-> jax.nn.initializers  same key, same array",
    "nn-linear": "purejax.nn      <-> flax.linen     Dense, DenseGeneral, Embed, Conv, ConvTranspose, pooling",
    "nn-normalization": "purejax.nn      <-> flax.linen     LayerNorm, RMSNorm, GroupNorm, BatchNorm, Dropout, PReLU, Sequential",
    "nn-recurrent-cells": "purejax.nn      <-> flax.linen     LSTMCell, OptimizedLSTMCell, GRUCell, MGUCell, SimpleCell, ConvLSTMCell",
    "nn-recurrent": "purejax.nn      <-> flax.linen     RNN over lax.scan (seq_lengths, reverse, keep_order) and Bidirectional",
    "convert": "purejax.convert <-> torch.nn       LSTM/GRU state dicts <-> RNN(LSTMCell/GRUCell) variables, carries",
    "losses": "purejax.losses  <-> optax.losses   regression and classification losses, label smoothing",
    "models": "purejax.models  <-> flaxed.models  the seeds' models: same init, short training side by side",
    "parallel": "purejax.parallel <-> one device   every model on 8 devices: pmap and jit with shardings, both packages",
}
