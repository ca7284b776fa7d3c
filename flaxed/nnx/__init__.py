"""flaxed.nnx: the layers (and models) written with Flax NNX, beside `flaxed`'s linen versions.

Modules:
    layers    NNX layers' state <-> linen variables (`state_to_variables`, `variables_to_state`)
"""
