"""The parity report's sections, in the order it runs them, and where each one's table lives.

Each section is one module of `comparisons/parity/tables/` (its name with `-` as `_`), with
`checks(tier) -> [Check]`. The tables import JAX, Flax, Optax and the models, so they are
imported by name when the report plans (`table`), not here: `python -m comparisons train
--devices N` reads this module's names before JAX's backend may start.

A new component adds a table module and a line to SECTIONS.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SECTIONS = {  # name -> what it compares, as the report's header and `list` show it
    "tree": "purejax.tree    <-> jax.tree_util  pytrees: flatten, unflatten, map, paths, register_node",
    "random": "purejax.random  <-> jax.random     Threefry-2x32 PRNG: keys, bits and samplers",
    "optim-schedules": "purejax.optim   <-> optax          learning-rate schedules",
    "optim-adaptive": "purejax.optim   <-> optax          Adam, RMSProp and friends: moment-based optimizers",
    "optim-sgd": "purejax.optim   <-> optax          SGD, noise, clipping, LAMB/LARS, Adafactor, SM3, DP-SGD",
    "optim-wrappers": "purejax.optim   <-> optax          chain, masked, multi_transform, MultiSteps, "
    "apply_if_finite, ...",
    "optim-surface": "purejax.optim   <-> optax          the rest of Optax's API: wrappers, transforms, Adan, "
    "Rprop, sign, Polyak, lookahead, onecycle schedules, optax.tree, ...",
    "nn-activations": "purejax.nn      <-> jax.nn         activations, softmax, logsumexp, one_hot, standardize",
    "nn-initializers": "purejax.nn.initializers <-> jax.nn.initializers  same key, same array",
    "nn-linear": "purejax.nn      <-> flax.linen     Dense, DenseGeneral, Embed, Conv, ConvTranspose, pooling",
    "nn-normalization": "purejax.nn      <-> flax.linen     LayerNorm, RMSNorm, GroupNorm, BatchNorm, Dropout, "
    "PReLU, Sequential",
    "nn-recurrent-cells": "purejax.nn      <-> flax.linen     LSTMCell, OptimizedLSTMCell, GRUCell, MGUCell, "
    "SimpleCell, ConvLSTMCell",
    "nn-recurrent": "purejax.nn      <-> flax.linen     RNN over lax.scan (seq_lengths, reverse, keep_order) and "
    "Bidirectional",
    "nn-attention": "purejax.nn      <-> flax.linen     dot_product_attention, masks, MultiHeadDotProductAttention "
    "(dropout, normalize_qk, bfloat16), cached decoding vs the full causal pass",
    "nn-linen": "purejax.nn      <-> flax.linen     Module, @compact, setup, method=, sow, capture_intermediates, "
    "adoption, nn.scan, nn.vmap, nn.remat, nn.jit, RNN split_rngs",
    "nn-nnx": "purejax.nn      <-> flax.nnx       init(..., rng_rule='nnx') vs the NNX twins from nnx.Rngs(seed): "
    "Linear, Conv, Embed, norms, BatchStat, Dropout's fork, cells (fused gates), RNN, MultiHeadAttention",
    "convert": "purejax.convert <-> torch.nn       LSTM/GRU state dicts <-> RNN(LSTMCell/GRUCell) variables, carries",
    "losses": "purejax.losses  <-> optax.losses   regression, classification, self-supervised losses; smoothing",
    "models": "purejax.models  <-> flaxed.models  the seeds' models: same init, short training side by side",
    "models-nnx": "purejax.models  <-> flaxed.nnx     the seeds' models in Flax NNX: converters, init layout, "
    "training side by side",
    "parallel": "purejax.parallel <-> one device   models on 8 devices and on 2 processes: pmap and jit with "
    "shardings, both packages",
}

# Sections the report runs in a second process, started with the report, alongside the others: the
# report compiles on one core, and these two keep another busy (the models train, the data-parallel
# rows run subprocesses of their own). Their rows are printed when the report reaches them.
BACKGROUND = ("models", "models-nnx", "parallel")


def table(name: str) -> ModuleType:
    """The section's table module, `comparisons.parity.tables.NAME` (imported on first use)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; the sections are: {', '.join(SECTIONS)}")
    return importlib.import_module(f"comparisons.parity.tables.{name.replace('-', '_')}")
