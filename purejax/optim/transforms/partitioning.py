"""Different transformations for different parameters, chosen by a label per parameter.

    partition({'adam': adam(1e-3), 'frozen': set_to_zero()}, labels)
        with labels = {'Dense_0': 'adam', 'embed': 'frozen'}

For each label `g`, the transformation `transforms[g]` runs as `masked(transforms[g], labels == g)`
on the whole update tree, one label after another; each sees and changes only its own leaves.

Counterpart: `optax.partition`, `optax.PartitionState` (optax/transforms/_combining.py), and
their old names `optax.multi_transform`, `optax.MultiTransformState` (the same objects).

Differences:
  No `mask_compatible_extra_args`. An unknown label is also an error in `update` (when the labels
  are computed from the updates by a function), where Optax would leave those updates unchanged.
  `multi_transform` is a second function with `partition`'s body, so that its errors name it (in
  Optax the two are one object).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, NamedTuple

from purejax import tree
from purejax.checks import describe
from purejax.optim.base import GradientTransformation, check_state, check_transformation, named, where
from purejax.optim.transforms.masking import masked


class PartitionState(NamedTuple):
    """One `MaskedState` per label, in a dict keyed by label."""

    inner_states: Mapping[Hashable, Any]


MultiTransformState = PartitionState  # the old name, as in Optax


def _check_labels(labels: Any, transforms: Mapping, during: str) -> None:
    """Raise naming every label that has no transformation, and the labels that do."""
    if labels is None:
        raise TypeError(
            f"{where('partition')} ({during}): param_labels must be a tree of labels like the params "
            "(or a function returning one), got None"
        )
    unknown = set(tree.leaves(labels)) - set(transforms)
    if unknown:
        raise ValueError(
            f"{where('partition')} ({during}): param_labels holds label(s) "
            f"{sorted(unknown, key=repr)} with no transformation; transforms has labels "
            f"{sorted(transforms, key=repr)}. Add them to transforms or relabel those parameters."
        )


@named
def partition(
    transforms: Mapping[Hashable, GradientTransformation], param_labels: Any | Callable[[Any], Any]
) -> GradientTransformation:
    """Apply `transforms[label]` to the parameters carrying that label.

        u'_i = transforms[labels_i](u restricted to label labels_i)_i

    Args:
      transforms: a mapping from label to transformation.
      param_labels: a tree of labels with the parameters' structure or a prefix of it (a label
        covers the whole subtree below it), or a function `params -> such a tree`. Every label
        must be a key of `transforms`.

    Returns:
      A `GradientTransformation` whose state is `PartitionState({label: MaskedState(...)})`.

    Counterpart: `optax.partition` (optax/transforms/_combining.py); `optax.multi_transform`
    is the same function.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0]), 'b': jnp.array([1.0])}
      >>> labels = {'w': 'train', 'b': 'freeze'}
      >>> opt = optim.partition({'train': optim.sgd(0.1), 'freeze': optim.set_to_zero()}, labels)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.ones(2), 'b': jnp.ones(1)}, state, params)
      >>> updates
      {'b': Array([0.], dtype=float32), 'w': Array([-0.1, -0.1], dtype=float32)}
    """
    if not isinstance(transforms, Mapping):
        raise TypeError(
            f"{where('partition')}: transforms must be a mapping from label to transformation, got "
            f"{describe(transforms)}; write e.g. {{'train': adam(1e-3), 'frozen': set_to_zero()}}"
        )
    for label, tx in transforms.items():
        check_transformation(where("partition"), f"transforms[{label!r}]", tx)

    def labels_of(tree_):
        return param_labels(tree_) if callable(param_labels) else param_labels

    def make_mask(labels, group):
        return tree.map(lambda label: label == group, labels)

    def init_fn(params):
        labels = labels_of(params)
        _check_labels(labels, transforms, "init")
        tree.flatten_up_to(tree.structure(labels), params, f"{where('partition')}: the params differ from param_labels")
        inner_states = {group: masked(tx, make_mask(labels, group)).init(params) for group, tx in transforms.items()}
        return PartitionState(inner_states)

    def update_fn(updates, state, params=None):
        check_state("partition", state, PartitionState)
        labels = labels_of(updates)
        _check_labels(labels, transforms, "update")
        tree.flatten_up_to(
            tree.structure(labels), updates, f"{where('partition')}.update: updates differ from param_labels"
        )
        missing = set(transforms) - set(state.inner_states)
        if missing:
            raise ValueError(
                f"{where('partition')}: state has no inner state for label(s) {sorted(missing, key=repr)}; "
                "it was made with other transforms: call init(params) of this transformation"
            )
        new_inner_state = {}
        for group, tx in transforms.items():
            masked_tx = masked(tx, make_mask(labels, group))
            updates, new_inner_state[group] = masked_tx.update(updates, state.inner_states[group], params)
        return updates, PartitionState(new_inner_state)

    return GradientTransformation(init_fn, update_fn)


multi_transform = named(partition.__wrapped__, name="multi_transform")  # the old name; its errors say so
