"""The contract every model keeps, on both sides (`purejax/models/NAME.py`, `flaxed/models/NAME.py`).

For each model in `purejax.models.MODELS` whose two modules exist:
- the shared data functions are the same objects on both sides, and deterministic;
- same key and batch -> the same variables tree, bitwise;
- same variables -> the same loss, metrics and gradients (eager and jit);
  both also for the image models at another `image_size` (`IMAGE_SIZES`: the digits upscaled);
- 100 training steps from the same variables on the same batches: per-step losses within 1e-4;
- the purejax side reaches the model's learning goal within its default budget;
- a batch of the wrong shape is refused with the model's name (an image of the wrong size, with
  the `image_size` to pass).
Model-specific extras (`sample`, `predict`) are tested in `test_NAME.py` beside this file.
"""

from __future__ import annotations

import importlib

import chex
import jax
import numpy as np
import pytest
from absl.testing import parameterized

import purejax.random
from comparisons.parity.measures import TRAINING_RTOL as RTOL
from comparisons.training.pair import train_pair
from purejax.data.tasks import digits
from purejax.models import MODELS
from purejax.train import TrainState, make_eval_step, make_train_step
from tests._asserts import FORWARD_RTOL, GRADIENT_RTOL, assert_bitwise, assert_refused

SHARED = (
    "DEFAULTS",
    "NAME",
    "load_data",
    "train_batches",
    "eval_batches",
    "example_batch",
    "check_batch",
    "learning_goal",
)
PER_SIDE = ("build", "init", "loss_fn", "optimizer")
PARITY_STEPS = 100


def _available() -> list[str]:
    found = []
    for name in MODELS:
        try:
            importlib.import_module(f"purejax.models.{name}")
            importlib.import_module(f"flaxed.models.{name}")
        except ModuleNotFoundError as error:
            if error.name not in (f"purejax.models.{name}", f"flaxed.models.{name}"):
                raise
            continue
        found.append(name)
    return found


AVAILABLE = _available()
IMAGE_SIZES = [("cnn", {"image_size": 16}), ("resnet", {"image_size": 16})]  # the digits upscaled to 16x16
CASES = [(name, name, {}) for name in AVAILABLE] + [(f"{n}_16x16", n, h) for n, h in IMAGE_SIZES]  # (id, name, hparams)


def _sides(name):
    return importlib.import_module(f"purejax.models.{name}"), importlib.import_module(f"flaxed.models.{name}")


def _example(name: str, key, hparams: dict, **options) -> dict:
    """The model's example batch, its digits upscaled to `hparams['image_size']` when given."""
    batch = _sides(name)[0].example_batch(key, **options)
    size = hparams.get("image_size", digits.IMAGE_SIZE)
    return digits.upscale(batch, size // digits.IMAGE_SIZE) if size != digits.IMAGE_SIZE else batch


@pytest.fixture(params=AVAILABLE)
def name(request):
    return request.param


def test_every_listed_model_is_available():
    assert AVAILABLE == list(MODELS)


def test_contract(name):
    ours, theirs = _sides(name)
    for attribute in SHARED:
        assert getattr(theirs, attribute) is getattr(ours, attribute), f"{name}.{attribute} is not shared"
    for attribute in PER_SIDE:
        assert callable(getattr(ours, attribute)) and callable(getattr(theirs, attribute))
        assert getattr(ours, attribute) is not getattr(theirs, attribute)
    assert set(ours.DEFAULTS) >= {"steps", "batch_size", "learning_rate"}
    assert ours.NAME == name


def test_example_batch_is_deterministic(name, key):
    ours, _ = _sides(name)
    first, again = ours.example_batch(key, batch_size=4), ours.example_batch(key, batch_size=4)
    assert_bitwise(first, again)
    ours.check_batch(first)
    other = ours.example_batch(purejax.random.PRNGKey(1), batch_size=4)
    assert any(not np.array_equal(first[k], other[k]) for k in first), "the key does not change the batch"


@pytest.mark.parametrize("name, hparams", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_init_is_identical(name, hparams, key):
    ours, theirs = _sides(name)
    batch = _example(name, key, hparams)
    assert_bitwise(ours.init(key, batch, **hparams), theirs.init(key, batch, **hparams))


class LossParityTest(chex.TestCase):
    """Same variables and batch and key -> same loss, metrics and gradients, eager and under jit."""

    @chex.variants(with_jit=True, without_jit=True)
    @parameterized.named_parameters(CASES)
    def test_loss_and_gradients_agree(self, name, hparams):
        ours, theirs = _sides(name)
        key = purejax.random.PRNGKey(0)
        batch = _example(name, key, hparams, batch_size=4)
        variables = theirs.init(key, batch, **hparams)
        step_key = purejax.random.PRNGKey(7)

        def value_and_grad(module):
            def objective(params):
                return module.loss_fn({**variables, "params": params}, batch, step_key, train=True, **hparams)

            return self.variant(jax.value_and_grad(objective, has_aux=True))(variables["params"])

        (loss_p, metrics_p), grads_p = value_and_grad(ours)
        (loss_f, metrics_f), grads_f = value_and_grad(theirs)
        chex.assert_trees_all_close((loss_p, metrics_p), (loss_f, metrics_f), rtol=FORWARD_RTOL, atol=1e-6)
        chex.assert_trees_all_close(grads_p, grads_f, rtol=GRADIENT_RTOL, atol=1e-6)


def test_training_parity(name):
    result = train_pair(name, steps=PARITY_STEPS, evaluate_at_end=False)
    assert result["init_equal"]
    assert result["max_rel_loss_diff"] <= RTOL, (
        f"{name}: losses differ by {result['max_rel_loss_diff']:.2e} (allowed {RTOL})"
    )
    assert np.isfinite(result["purejax"]["loss"]).all()


def test_learns_within_default_budget(name):
    ours, _ = _sides(name)
    root = purejax.random.PRNGKey(0)
    k_init, k_data, k_step, k_eval = purejax.random.split(root, 4)
    batches = ours.train_batches(k_data, ours.DEFAULTS["batch_size"])
    first = next(ours.train_batches(k_data, ours.DEFAULTS["batch_size"]))
    variables = ours.init(k_init, first)
    state = TrainState.create(
        apply_fn=None,
        params=variables["params"],
        tx=ours.optimizer(ours.DEFAULTS["learning_rate"]),
        batch_stats=variables.get("batch_stats"),
    )
    step = make_train_step(ours.loss_fn)
    for i in range(ours.DEFAULTS["steps"]):
        state, _ = step(state, next(batches), purejax.random.fold_in(k_step, i))
    from comparisons.training.pair import evaluate

    evals = evaluate(make_eval_step(ours.loss_fn), state, ours, ours.DEFAULTS["batch_size"], k_eval)
    ok, text = ours.learning_goal(evals)
    assert ok, f"{name} did not learn: {text}"


def test_wrong_batch_is_refused(name, key):
    ours, theirs = _sides(name)
    batch = ours.example_batch(key)
    bad = {k: np.asarray(v)[..., None] for k, v in batch.items()}  # one axis too many everywhere
    for module in (ours, theirs):
        with pytest.raises(ValueError, match=name):
            module.check_batch(bad)
        with pytest.raises(ValueError, match=name):
            module.init(key, bad)
        with pytest.raises(ValueError, match=name):
            module.loss_fn(theirs.init(key, batch), bad, key)


@pytest.mark.parametrize("name, hparams", IMAGE_SIZES, ids=[name for name, _ in IMAGE_SIZES])
def test_image_of_another_size_is_refused_with_the_hparam_to_pass(name, hparams, key):
    ours, theirs = _sides(name)
    small, large = _example(name, key, {}), _example(name, key, hparams)  # [B, 8, 8, 1], [B, 16, 16, 1]
    variables = ours.init(key, large, **hparams)
    for module in (ours, theirs):
        fragments = (name, "float[B, 16, 16, 1]", "image_size=8", "upscale(batch, 2)")
        assert_refused(lambda m=module: m.init(key, small, **hparams), ValueError, *fragments)
        assert_refused(lambda m=module: m.loss_fn(variables, small, key, **hparams), ValueError, *fragments)
        assert_refused(lambda m=module: m.loss_fn(variables, large, key), ValueError, name, "image_size=16")
