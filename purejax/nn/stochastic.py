"""Dropout: zero each input with probability `rate` while training, and rescale the rest.

    keep ~ Bernoulli(1 - rate)                   # one draw per element (or shared along broadcast_dims)
    y = where(keep, x / (1 - rate), 0)           # E[y] = x

The key comes from the 'dropout' rng stream, derived from the layer's place in the model exactly
as Flax derives it (see `keypath.py`), so the same `rngs` give the same mask as `flax.linen.Dropout`:

    y = Dropout(0.5).apply({}, x, deterministic=False, rngs={'dropout': key})

Counterpart: `flax.linen.Dropout` (flax/linen/stochastic.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import jax.numpy as jnp
from jax import lax

import purejax.random
from purejax.checks import check_array, check_axes, check_bool, check_probability, fail
from purejax.nn.keypath import check_key
from purejax.nn.module import Layer, Scope, layer_where, merge_attribute


@dataclasses.dataclass(frozen=True)
class Dropout(Layer):
    """Randomly zero inputs with probability `rate`, scaling the kept ones by `1 / (1 - rate)`.

        mask = bernoulli(key, 1 - rate, shape)  # shape = x.shape with broadcast_dims set to 1
        y = select(mask, x / (1 - rate), 0)

    With `deterministic=True` (evaluation), or `rate == 0`, `y = x` and no key is used; with
    `rate == 1`, `y = zeros_like(x)` (no division by zero, so no NaN gradients).

    Attributes:
      rate: the probability of *dropping* an element (not the keep rate).
      broadcast_dims: axes along which the mask is shared: for `x` `[batch, time, features]`,
        `(1,)` draws a mask `[batch, 1, features]`, dropping the same features at every step.
      deterministic: True to pass `x` through unchanged; may instead be given at each call.
      rng_collection: the rng stream of the key (default 'dropout'): pass
        `rngs={'dropout': key}` to `apply`.

    Returns (of `apply(variables, x, deterministic=None, rng=None, rngs=...)`): `y`, shaped as `x`.
      `rng`, if given, is the key itself, used instead of the stream's. Without a key for the
      stream, the 'params' key is used if there is one (as in Flax), else it is an error.

    Under `init(..., rng_rule='nnx')` the layer does what `nnx.Dropout(rate, rngs=rngs)` does when
    built: it forks its stream (`Scope.fork_rng`), taking one key from it (from the shared default
    stream for a bare key), whether or not it drops anything, so the parameters created after it
    get NNX's keys; a mask drawn during that `init` is `fold_in(fork, n)` for its n-th call, as the
    NNX layer's own stream gives. `apply` keeps Flax linen's rule.

    Counterpart: `flax.linen.Dropout` (flax/linen/stochastic.py).

    References:
      Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, *Dropout: A Simple Way to Prevent
      Neural Networks from Overfitting*, JMLR 2014, https://jmlr.org/papers/v15/srivastava14a.html

    Differences:
      A `rate` outside [0, 1] is refused when the layer is built (Flax computes with it: a rate
      of 1.5 "keeps" with probability -0.5 and scales by -2), and so is a `broadcast_dims` entry
      outside the inputs' axes (Flax: an `IndexError`).
      As Flax's and PyTorch's `nn.Dropout(p)`, `rate` is the drop probability; `stax.Dropout(rate)`
      in jax.example_libraries takes the *keep* probability. PyTorch switches with
      `model.train()`/`model.eval()`; here (as in Flax) `deterministic` is an explicit argument.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import nn, random
      >>> layer = nn.Dropout(rate=0.5)
      >>> x = jnp.ones((2, 8))
      >>> y = layer.apply({}, x, deterministic=False, rngs={'dropout': random.PRNGKey(0)})
      >>> jnp.unique(y).tolist()  # dropped, or kept and scaled by 1 / (1 - rate)
      [0.0, 2.0]
      >>> bool((layer.apply({}, x, deterministic=True) == x).all())  # evaluation: the identity
      True
    """

    rate: float
    broadcast_dims: Sequence[int] = ()
    deterministic: bool | None = None
    rng_collection: str = "dropout"

    def __post_init__(self):
        super().__post_init__()
        where = layer_where(self)
        check_probability(where, "rate", self.rate, hint="the probability of dropping an element")
        check_axes(where, "broadcast_dims", self.broadcast_dims)
        check_bool(where, "deterministic", self.deterministic, optional=True)
        if not isinstance(self.rng_collection, str):
            raise fail(TypeError, where, "rng_collection", "the name of an rng stream (a str)", self.rng_collection)

    def forward(self, scope: Scope, inputs, deterministic: bool | None = None, rng=None):
        check_array(scope.where, "inputs", inputs)
        check_bool(scope.where, "deterministic", deterministic, optional=True)
        broadcast_dims = check_axes(scope.where, "broadcast_dims", self.broadcast_dims, jnp.ndim(inputs))
        deterministic = merge_attribute(
            scope.where,
            "deterministic",
            self.deterministic,
            deterministic,
            " (True to pass the inputs through, False to drop)",
        )
        # NNX's Dropout(rate, rngs=rngs) forks its stream when built, taking one key from it
        fork = scope.fork_rng(self.rng_collection) if scope.initializing and scope.rng_rule == "nnx" else None
        if self.rate == 0.0 or deterministic:
            return inputs
        if self.rate == 1.0:  # everything dropped; avoids 0 / 0 in the gradient
            return jnp.zeros_like(inputs)

        keep_prob = 1.0 - self.rate
        if rng is None:
            if self.rng_collection not in scope.rngs and "params" not in scope.rngs:  # Flax falls back to 'params'
                raise ValueError(
                    f"{scope.where}: dropout with deterministic=False needs a key for the "
                    f"'{self.rng_collection}' rng stream: pass rngs={{'{self.rng_collection}': key}} to apply "
                    f"(or deterministic=True to turn dropout off)" + scope.lifted_rng_hint(self.rng_collection)
                )
            rng = scope.make_rng(self.rng_collection) if fork is None else fork.child(scope.next_count("fork")).key()
        else:
            check_key(scope.where, "rng", rng)
        broadcast_shape = list(inputs.shape)
        for dim in broadcast_dims:
            broadcast_shape[dim] = 1  # one draw shared along this axis
        mask = purejax.random.bernoulli(rng, p=keep_prob, shape=tuple(broadcast_shape))  # [1 on broadcast_dims]
        mask = jnp.broadcast_to(mask, inputs.shape)  # [x.shape]
        return lax.select(mask, inputs / keep_prob, jnp.zeros_like(inputs))
