"""The seeds' models in Flax NNX (`flaxed/nnx/NAME.py`) against purejax's (`purejax/models/NAME.py`).

For every model in `purejax.models.MODELS`:
- the contract: the task's functions and `DEFAULTS`/`NAME`/`check_batch` are purejax's objects;
- NNX's init (`nnx.Rngs(key)`) has purejax's variables layout, and equals purejax's
  `init(..., rng_rule='nnx')` bitwise (the image models also at `image_size=16`, where the NNX CNN
  sizes its first `nnx.Linear` from it), and so does one training loss and its running averages;
- the converters: linen-layout variables -> NNX model -> variables, and NNX state -> variables ->
  NNX state, bitwise (BatchNorm's statistics, the fused LSTM gates, the attention cache);
- 3 training steps from the same variables on the same batches, NNX trained the NNX way
  (`nnx.Optimizer`, `nnx.value_and_grad`, `nnx.jit`), per-step losses within 1e-4;
and the extras (`sample`, `predict`, the cache), linen's dropout keys, and refused mistakes.
"""

from __future__ import annotations

import importlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from flax.core.scope import LazyRng

import purejax.random
from comparisons.parity.measures import TRAINING_RTOL
from comparisons.parity.tables.models_nnx import model_inputs
from comparisons.training.pair import same_layout, train_pair
from flaxed.nnx import variables as layout
from flaxed.nnx.linen_rngs import linen_stream
from purejax.data.tasks import digits
from purejax.models import MODELS
from tests._asserts import assert_bitwise, assert_refused

SHARED = ("DEFAULTS", "NAME", "load_data", "train_batches", "eval_batches", "example_batch", "check_batch")
PER_SIDE = ("build", "init", "loss_fn", "optimizer")
NNX_ONLY = ("to_variables", "from_variables", "loss")
IMAGE_SIZES = [("cnn", {"image_size": 16}), ("resnet", {"image_size": 16})]  # the digits upscaled to 16x16


def _sides(name):
    return importlib.import_module(f"purejax.models.{name}"), importlib.import_module(f"flaxed.nnx.{name}")


def _jittered(variables, seed: int):
    """`variables` plus noise (numpy's, no compiles), so no leaf is a constant (BatchNorm's mean 0, zero biases)."""
    noise = np.random.default_rng(seed)
    return jax.tree_util.tree_map(
        lambda x: np.asarray(x) + noise.standard_normal(np.shape(x)).astype(np.asarray(x).dtype), variables
    )


@pytest.fixture(params=MODELS)
def name(request):
    return request.param


def test_contract(name):
    ours, theirs = _sides(name)
    for attribute in SHARED:
        assert getattr(theirs, attribute) is getattr(ours, attribute), f"{name}.{attribute} is not purejax's"
    for attribute in PER_SIDE:
        assert callable(getattr(theirs, attribute)) and getattr(theirs, attribute) is not getattr(ours, attribute)
    for attribute in NNX_ONLY:
        assert callable(getattr(theirs, attribute)), f"flaxed.nnx.{name} lacks {attribute}"


def test_init_layout_and_converters_round_trip_bitwise(name, key):
    ours, theirs = _sides(name)
    batch = ours.example_batch(key)
    variables = ours.init(key, batch)
    assert same_layout(variables, theirs.init(key, batch))
    variables = _jittered(variables, 1)
    back = theirs.to_variables(theirs.from_variables(variables))
    assert jax.tree_util.tree_structure(back) == jax.tree_util.tree_structure(variables)
    jax.tree_util.tree_map(assert_bitwise, back, variables)
    model = theirs.build(rngs=nnx.Rngs(3))  # NNX state -> linen layout -> NNX state (RNG streams are not carried)
    again = theirs.from_variables(theirs.to_variables(model))
    arrays = nnx.Not(nnx.RngState)
    jax.tree_util.tree_map(
        assert_bitwise, nnx.to_pure_dict(nnx.state(again, arrays)), nnx.to_pure_dict(nnx.state(model, arrays))
    )


@pytest.mark.parametrize(
    "name, hparams",
    [(n, {}) for n in MODELS] + IMAGE_SIZES,
    ids=list(MODELS) + [f"{n}_16x16" for n, _ in IMAGE_SIZES],
)
def test_init_equals_purejax_under_nnx_rule(name, hparams, key):
    """The same seed: NNX's `init` (`nnx.Rngs(key)`) is purejax's `init(..., rng_rule='nnx')`, bitwise."""
    ours, theirs = _sides(name)
    batch = ours.example_batch(key)
    if hparams:
        batch = digits.upscale(batch, hparams["image_size"] // digits.IMAGE_SIZE)
    args, kwargs = model_inputs(name, batch, key)
    expected = ours.build(**hparams).init(key, *args, rng_rule="nnx", **kwargs)
    got = theirs.init(key, batch, **hparams)
    assert jax.tree_util.tree_structure(got) == jax.tree_util.tree_structure(expected)
    jax.tree_util.tree_map(assert_bitwise, got, expected)


def test_training_agrees(name):
    result = train_pair(name, steps=3, batch_size=8, evaluate_at_end=False, flax="nnx")
    assert result["flaxed"]["api"] == "nnx" and result["init_equal"]
    assert result["max_rel_loss_diff"] <= TRAINING_RTOL, result["max_rel_loss_diff"]
    assert result["ok"] and result["steps"] == 3


def test_fused_lstm_gates_are_linens_side_by_side(key):
    ours, theirs = _sides("lstm_classifier")
    variables = _jittered(ours.init(key, ours.example_batch(key)), 2)
    cell = theirs.from_variables(variables).rnns[0].cell
    gates = variables["params"]["RNN_0"]["cell"]
    assert_bitwise(cell.dense_i.kernel[...], jnp.concatenate([gates[f"i{g}"]["kernel"] for g in "ifgo"], axis=-1))
    assert_bitwise(cell.dense_h.bias[...], jnp.concatenate([gates[f"h{g}"]["bias"] for g in "ifgo"], axis=-1))


@pytest.mark.parametrize(
    "name, hparams", [("cnn", {})] + IMAGE_SIZES, ids=["cnn"] + [f"{n}_16x16" for n, _ in IMAGE_SIZES]
)
def test_batch_norm_statistics_train_in_place(name, hparams, key):
    ours, theirs = _sides(name)
    batch = ours.example_batch(key)
    if hparams:
        batch = digits.upscale(batch, hparams["image_size"] // digits.IMAGE_SIZE)
    variables = ours.init(key, batch, **hparams)
    ours_loss, ours_metrics = ours.loss_fn(variables, batch, key, train=True, **hparams)
    theirs_loss, theirs_metrics = theirs.loss_fn(variables, batch, key, train=True, **hparams)
    np.testing.assert_allclose(theirs_loss, ours_loss, rtol=1e-5)
    jax.tree_util.tree_map(assert_bitwise, theirs_metrics["batch_stats"], ours_metrics["batch_stats"])
    assert not np.array_equal(ours_metrics["batch_stats"]["BatchNorm_0"]["mean"], 0.0)  # they moved


@pytest.mark.parametrize("path", [("Dropout_0",), ("Block_1", "MultiHeadDotProductAttention_0"), ("a", "b", "c")])
def test_linen_stream_draws_linens_key(path):
    key = jax.random.PRNGKey(7)
    for draw in (1, 2):
        expected = LazyRng.create(key, *path, draw).as_jax_rng()
        assert_bitwise(jax.random.key_data(linen_stream(key, *path, draw=draw)()), expected)


@pytest.mark.parametrize("name", ["lstm_lm", "transformer_lm"])
def test_samples_are_purejax_bytes(name, key):
    ours, theirs = _sides(name)
    variables = ours.init(key, ours.example_batch(key))
    options = [{"temperature": 0.7}]
    options += [{"greedy": True, "use_cache": False}] if name == "transformer_lm" else []
    for option in options:
        assert theirs.sample(variables, key, b"def ", 8, **option) == ours.sample(variables, key, b"def ", 8, **option)


def test_transformer_cache_is_linens(key):
    ours, theirs = _sides("transformer_lm")
    variables = ours.init(key, ours.example_batch(key))
    cache = theirs.init_cache(variables, 2)
    jax.tree_util.tree_map(assert_bitwise, cache, ours.init_cache(variables, 2))
    tokens = jnp.array([[3], [5]], jnp.int32)
    logits, cache = theirs.decode_step(variables, cache, tokens, 0)
    ours_logits, ours_cache = ours.decode_step(variables, ours.init_cache(variables, 2), tokens, 0)
    np.testing.assert_allclose(logits, ours_logits, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        cache["Block_0"]["MultiHeadDotProductAttention_0"]["cached_key"],
        ours_cache["Block_0"]["MultiHeadDotProductAttention_0"]["cached_key"],
        rtol=1e-5,
        atol=1e-6,
    )
    assert int(cache["Block_0"]["MultiHeadDotProductAttention_0"]["cache_index"]) == 1


def test_vae_samples_and_mdn_predictions_are_purejax(key):
    vae, vae_nnx = _sides("vae")
    variables = vae.init(key, vae.example_batch(key))
    labels = np.arange(10, dtype=np.int32)
    np.testing.assert_allclose(vae_nnx.sample(variables, key, labels), vae.sample(variables, key, labels), rtol=1e-5)
    mdn, mdn_nnx = _sides("mdn")
    variables = mdn.init(key, mdn.example_batch(key))
    x = np.linspace(-1, 1, 7, dtype=np.float32)[:, None]
    for a, b in zip(mdn_nnx.predict(variables, x), mdn.predict(variables, x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_mistakes_are_refused(key):
    cnn, cnn_nnx = _sides("cnn")
    batch = cnn.example_batch(key)
    variables = cnn.init(key, batch)
    assert_refused(lambda: cnn_nnx.loss_fn(variables, batch, None, train=True), ValueError, "cnn", "key")
    model = cnn_nnx.build()
    assert_refused(lambda: layout.to_variables(model, {}), KeyError, "convs/0", "PATHS")
    assert_refused(lambda: cnn_nnx.loss_fn(variables, {"image": batch["image"]}), ValueError, "cnn")
    assert_refused(lambda: cnn_nnx.init(key, batch, image_size=32), ValueError, "image_size=8", "upscale(batch, 4)")
    assert_refused(lambda: cnn_nnx.build(features=(8, 8, 8), image_size=4), ValueError, "cnn", "at least 8")


def test_init_is_nnx_rngs_of_the_seed():
    """`init(PRNGKey(seed), batch)` is the model NNX builds from `nnx.Rngs(seed)`, in linen's layout."""
    ours, theirs = _sides("mlp")
    key = purejax.random.PRNGKey(5)
    expected = theirs.to_variables(theirs.build(rngs=nnx.Rngs(5)))
    jax.tree_util.tree_map(assert_bitwise, theirs.init(key, ours.example_batch(key)), expected)
