"""`partition`, and Optax's older names for it: the same state class, the same updates; errors name the one called."""

import jax.numpy as jnp
import pytest

from purejax.optim import MultiTransformState, PartitionState, multi_transform, partition, set_to_zero, sgd


def test_old_names_compute_the_same():
    assert MultiTransformState is PartitionState
    params = {"w": jnp.array([1.0, -2.0]), "b": jnp.array([1.0])}
    grads = {"w": jnp.ones(2), "b": jnp.ones(1)}
    labels = {"w": "train", "b": "freeze"}
    results = []
    for factory in (partition, multi_transform):
        tx = factory({"train": sgd(0.1), "freeze": set_to_zero()}, labels)
        state = tx.init(params)
        assert isinstance(state, PartitionState)
        results.append(tx.update(grads, state, params)[0])
    assert results[0]["w"].tolist() == results[1]["w"].tolist() == jnp.full(2, -0.1).tolist()
    assert results[0]["b"].tolist() == results[1]["b"].tolist() == [0.0]


@pytest.mark.parametrize("factory, name", [(partition, "partition"), (multi_transform, "multi_transform")])
def test_errors_name_the_function_called(factory, name):
    tx = factory({"train": sgd(0.1)}, {"w": "train"})
    with pytest.raises(ValueError, match=rf"^purejax\.optim\.{name}: the params differ from param_labels"):
        tx.init({"w": jnp.ones(2), "b": jnp.ones(1)})
