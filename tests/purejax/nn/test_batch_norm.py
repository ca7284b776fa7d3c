"""purejax.nn.BatchNorm's running averages against flax.linen's: several training steps, then eval; and
which calls return the updated statistics."""

import chex
import flax.linen as fnn
import jax
import jax.numpy as jnp

from purejax.nn import BatchNorm
from tests._asserts import FORWARD_RTOL, assert_bitwise

KEY = jax.random.PRNGKey(0)
X = jax.random.normal(jax.random.PRNGKey(1), (6, 4)) * 3.0 + 1.0  # [batch, features]


def test_batch_norm_training_steps_then_eval():
    """Running averages over several steps equal Flax's, as do the eval outputs afterwards."""
    ours, theirs = BatchNorm(momentum=0.8), fnn.BatchNorm(momentum=0.8)
    ours_v = ours.init(KEY, X, use_running_average=False)
    theirs_v = theirs.init(KEY, X, use_running_average=False)
    assert_bitwise(ours_v["batch_stats"], {"mean": jnp.zeros(4), "var": jnp.ones(4)})  # init leaves them
    step = jax.jit(lambda v, x: ours.apply(v, x, use_running_average=False))
    for i in range(4):
        x = jax.random.normal(jax.random.PRNGKey(10 + i), X.shape) * (i + 1.0) + i
        y, changed = step(ours_v, x)
        their_y, their_changed = theirs.apply(theirs_v, x, use_running_average=False, mutable=["batch_stats"])
        chex.assert_trees_all_close((y, changed), (their_y, their_changed), rtol=FORWARD_RTOL)
        ours_v, theirs_v = {**ours_v, **changed}, {**theirs_v, **their_changed}
    assert not jnp.allclose(ours_v["batch_stats"]["var"], 1.0)
    for layer in (ours, BatchNorm(use_running_average=True, momentum=0.8)):  # call argument or attribute
        kwargs = {"use_running_average": True} if layer.use_running_average is None else {}
        y = layer.apply(ours_v, X, **kwargs)  # eval: the output alone
        chex.assert_trees_all_close(y, theirs.apply(theirs_v, X, use_running_average=True), rtol=FORWARD_RTOL)


def test_batch_norm_mutable_defaults():
    v = BatchNorm().init(KEY, X, use_running_average=False)
    assert isinstance(BatchNorm().apply(v, X, use_running_average=True), jax.Array)
    y, changed = BatchNorm(use_running_average=False).apply(v, X)
    assert list(changed) == ["batch_stats"]
    assert isinstance(BatchNorm().apply(v, X, use_running_average=False, mutable=["batch_stats"]), tuple)
