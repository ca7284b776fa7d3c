"""One table per purejax component: the cases both the parity report and the tests run.

Each module has a table of cases (a call written once, run with purejax and with its
counterpart), the measures of one case, and `checks(tier) -> [Check]`, the report's rows for a
tier. The tests (`tests/`) run every case of a table; the report's quick tier runs fewer.

    tree, random                                  pytrees and the PRNG
    optim_harness                                 50 jitted steps of two optimizers side by side
    optim_schedules, optim_adaptive, optim_sgd,   the optimizers and schedules against Optax
    optim_wrappers
    nn_activations, nn_initializers, nn_linear,   the layers against jax.nn and flax.linen
    nn_normalization, nn_recurrent_cells,
    nn_recurrent, nn_attention
    nn_nnx                                        the layers under NNX's key rule against flax.nnx
    convert, losses                               PyTorch state dicts; Optax's losses
    models, parallel                              the seeds' models, one device and many
"""
