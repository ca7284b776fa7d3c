"""`partition`, and Optax's older names for it: the same objects."""

from purejax.optim import MultiTransformState, PartitionState, multi_transform, partition


def test_old_names_are_the_same_objects():
    assert multi_transform is partition
    assert MultiTransformState is PartitionState
