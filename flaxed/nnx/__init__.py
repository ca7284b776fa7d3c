"""The seeds' models written with Flax NNX (`flax.nnx`) and Optax: the third column.

`flaxed/nnx/NAME.py` is the NNX twin of `purejax/models/NAME.py` and `flaxed/models/NAME.py`
(same stem, same contract, same task), for every name in `purejax.models.MODELS`; each adds
`loss(model, ...)`, `to_variables(model)` and `from_variables(variables)`. Each model creates its
layers in the order purejax's (and linen's) model calls them, the order in which NNX's counter
hands out keys, and every parameter draws its key from `rngs.params()`, zeros included, as NNX's
own layers do (`lstm_lm`'s `c0`); NNX's fused `OptimizedLSTMCell` draws one key per fused kernel.

variables.py    NNX state <-> linen's variables layout, by a table of module paths (fused LSTM gates too)
layers.py       one NNX layer's state <-> its linen variables (`state_to_variables`, `variables_to_state`),
                the twins of the report's layers and cells (section nn-nnx)
linen_rngs.py   the dropout keys linen draws, as `nnx.RngStream`s for NNX layers
train.py        NNX's training loop: `nnx.Optimizer`, `nnx.value_and_grad`, `nnx.jit`, in place

Modules are imported by name (`importlib`), so `import flaxed.nnx` stays light.
"""
