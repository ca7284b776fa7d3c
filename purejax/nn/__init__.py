"""Neural-network pieces from scratch: activations, initializers and layers that produce Flax's variables.

Counterparts: `jax.nn` (activations), `jax.nn.initializers` (`purejax.nn.initializers`),
`flax.linen` (layers and pooling). One concept per module:

    keypath, module                        one seed -> Flax's keys; layers as forward(scope, ...)
    activations, softmax                   relu ... tanh (elementwise); softmax ... one_hot, glu (along an axis)
    initializers                           zeros ... orthogonal, variance_scaling and its family
    linear, conv, pooling                  Dense, DenseGeneral, Embed; Conv, ConvTranspose; pools
    normalization, batch_norm              LayerNorm, RMSNorm, GroupNorm and their statistics; BatchNorm
    stochastic, prelu, combinators         Dropout; PReLU; Sequential
    recurrent_cells, recurrent_cells_more  LSTMCell, OptimizedLSTMCell, SimpleCell; GRU, MGU, ConvLSTM
    recurrent                              RNN and Bidirectional over lax.scan
"""
from purejax.nn import initializers
from purejax.nn.activations import (
    celu, elu, gelu, hard_sigmoid, hard_silu, hard_swish, hard_tanh, leaky_relu, log_sigmoid, relu, relu6, selu,
    sigmoid, silu, soft_sign, softplus, swish, tanh,
)
from purejax.nn.batch_norm import BatchNorm
from purejax.nn.combinators import Sequential
from purejax.nn.conv import Conv, ConvTranspose
from purejax.nn.keypath import KeyPath, fold_in_path
from purejax.nn.linear import Dense, DenseGeneral, Embed
from purejax.nn.module import Layer, Scope, Variable
from purejax.nn.normalization import GroupNorm, LayerNorm, RMSNorm
from purejax.nn.pooling import avg_pool, max_pool, min_pool, pool
from purejax.nn.prelu import PReLU
from purejax.nn.recurrent import RNN, Bidirectional, flip_sequences
from purejax.nn.recurrent_cells import LSTMCell, OptimizedLSTMCell, SimpleCell
from purejax.nn.recurrent_cells_more import ConvLSTMCell, GRUCell, MGUCell
from purejax.nn.softmax import glu, log_softmax, logsumexp, one_hot, softmax, standardize
from purejax.nn.stochastic import Dropout
