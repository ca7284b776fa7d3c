"""The seeds' models and layers written with Flax NNX (`flax.nnx`) and Optax: the third column.

`flaxed/nnx/NAME.py` is the NNX twin of `purejax/models/NAME.py` and `flaxed/models/NAME.py`
(same stem, same contract, same task); `variables.py` converts between NNX state and linen's
variables layout, `linen_rngs.py` gives NNX layers the dropout keys linen would draw.
"""
