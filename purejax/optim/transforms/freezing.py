"""Freezing parameters: their updates are zero, and no optimizer state is kept for them.

    freeze(mask)                                 = masked(set_to_zero(), mask)
    selective_transform(opt, freeze_mask=mask)   = partition({"train": opt, "freeze": set_to_zero()},
                                                             "freeze" where mask else "train")

`freeze` goes in a chain (the frozen leaves' updates become 0 after the optimizer ran on them);
`selective_transform` runs `opt` on the trainable leaves only, so it keeps no state for the frozen.

Counterpart: `optax.transforms.freeze`, `optax.transforms.selective_transform`
(optax/transforms/_freezing.py).
"""

from __future__ import annotations

from typing import Any

from purejax import tree
from purejax.checks import fail
from purejax.optim.base import GradientTransformation, check_transformation, named, where
from purejax.optim.transforms.masking import check_mask, masked, set_to_zero
from purejax.optim.transforms.partitioning import partition


@named
def freeze(mask: bool | Any) -> GradientTransformation:
    """Zero the updates where `mask` is True (those parameters stay put).

    Args:
      mask: a bool, or a tree (or prefix) of bools like the params: True = frozen.

    Returns:
      A `GradientTransformation` with state `MaskedState(EmptyState())`.

    Counterpart: `optax.transforms.freeze` (optax/transforms/_freezing.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'a': jnp.ones(2), 'b': jnp.ones(2)}
      >>> tx = optim.chain(optim.sgd(0.1), optim.freeze({'a': True, 'b': False}))
      >>> updates, _ = tx.update(params, tx.init(params), params)
      >>> updates['a'].tolist(), updates['b'].tolist()
      ([0.0, 0.0], [-0.10000000149011612, -0.10000000149011612])
    """
    return masked(set_to_zero(), mask)


@named
def selective_transform(optimizer: GradientTransformation, *, freeze_mask: bool | Any) -> GradientTransformation:
    """Run `optimizer` on the parameters where `freeze_mask` is False; zero the others' updates.

    Args:
      optimizer: the transformation for the trainable parameters.
      freeze_mask: a bool or a tree of bools like the params: True = frozen (keyword only).

    Returns:
      A `GradientTransformation` with state `PartitionState(inner_states={'freeze': ..., 'train': ...})`.

    Counterpart: `optax.transforms.selective_transform` (optax/transforms/_freezing.py).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'a': jnp.ones(2), 'b': jnp.ones(2)}
      >>> tx = optim.selective_transform(optim.sgd(0.1), freeze_mask={'a': True, 'b': False})
      >>> updates, _ = tx.update(params, tx.init(params), params)
      >>> updates['a'].tolist()
      [0.0, 0.0]
    """
    w = where("selective_transform")
    check_transformation(w, "optimizer", optimizer)
    if freeze_mask is None or callable(freeze_mask):
        raise fail(
            TypeError,
            w,
            "freeze_mask",
            "a bool or a tree of bools like the params",
            freeze_mask,
            "write e.g. freeze_mask={'w': False, 'b': True} (True = frozen)",
        )
    check_mask(w, "freeze_mask", freeze_mask)

    def label_fn(params):
        del params
        return tree.map(lambda m: "freeze" if m else "train", freeze_mask)

    return partition({"train": optimizer, "freeze": set_to_zero()}, param_labels=label_fn)
