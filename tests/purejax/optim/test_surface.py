"""The rest of Optax's surface in purejax.optim, against Optax: cases in `optim_surface.py`.

Every transformation runs 50 jitted steps beside Optax's; schedules are bitwise; functions within
`FORWARD_RTOL`. States have Optax's pytree paths and class names. The Optax names that purejax
leaves out are exactly the README's list.
"""

import inspect
import re
import typing
import warnings
from pathlib import Path

import jax.numpy as jnp
import optax
import pytest

import purejax.optim as ours
from comparisons.parity.measures import FORWARD_RTOL, OPTIMIZER_RTOL
from comparisons.parity.tables.optim_harness import example_params
from comparisons.parity.tables.optim_surface import (
    CASES,
    FUNCTION_CASES,
    SCHEDULE_CASES,
    function_rel,
    run_case,
    schedule_ulp,
    state_paths,
)

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}[{c.label}]" for c in CASES])
def test_transformation_matches_optax(case):
    assert run_case(case) <= OPTIMIZER_RTOL


@pytest.mark.parametrize("case", [c for c in CASES if not c.lookahead], ids=lambda c: f"{c.name}[{c.label}]")
def test_state_has_optax_paths_and_classes(case):
    params = example_params()
    assert state_paths(case.build(ours).init(params)) == state_paths(case.build(optax).init(params))


def test_lookahead_state_paths():
    params = example_params()
    a = ours.lookahead(ours.adam(1e-2), 5, 0.5).init(ours.LookaheadParams.init_synced(params))
    b = optax.lookahead(optax.adam(1e-2), 5, 0.5).init(optax.LookaheadParams.init_synced(params))
    assert state_paths(a) == state_paths(b)


@pytest.mark.parametrize("case", SCHEDULE_CASES, ids=[f"{c.name}[{c.label}]" for c in SCHEDULE_CASES])
def test_schedule_is_bitwise_optax(case):
    assert schedule_ulp(case) == 0


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=[f"{c.name}[{c.label[:20]}]" for c in FUNCTION_CASES])
def test_function_matches_optax(case):
    assert function_rel(case) <= FORWARD_RTOL


def _left_out_in_readme() -> set[str]:
    text = README.read_text()
    paragraph = text[text.index("Optax names not in purejax") :].split("\n\n")[0]
    paragraph = paragraph.split("`optim.tree` lacks")[0]  # the top-level list; optim.tree's is tested below
    return set(re.findall(r"`([A-Za-z_]\w*)`", paragraph))


def test_optax_names_missing_from_purejax_are_the_readme_list():
    missing = {n for n in dir(optax) if not n.startswith("_") and not hasattr(ours, n)}
    assert missing == _left_out_in_readme()
    assert missing == set(ours.OPTAX_ONLY)


@pytest.mark.parametrize("name", sorted(ours.OPTAX_ONLY))
def test_a_left_out_name_says_why(name):
    with pytest.raises(AttributeError, match=rf"optax\.{name} .*left out"):
        getattr(ours, name)


@pytest.mark.parametrize(
    "submodule", ["transforms", "tree", "tree_utils", "schedules", "losses", "projections", "contrib"]
)
def test_submodules_exist(submodule):
    assert hasattr(ours, submodule)


def test_transforms_and_tree_cover_optax():
    assert {n for n in dir(optax.transforms) if not n.startswith("_")} <= set(dir(ours.transforms))
    assert {n for n in dir(optax.projections) if not n.startswith("_")} == set(ours.projections.__all__)
    assert set(ours.contrib.__all__) <= set(dir(optax.contrib))  # a part of Optax's contrib, under its names
    tree_left_out = {"get", "set", "get_all_with_path", "unwrap_random_key_data"}
    assert {n for n in dir(optax.tree) if not n.startswith("_")} - set(dir(ours.tree)) == tree_left_out


def test_type_aliases_and_extra_args():
    for name in ["Params", "OptState", "Updates", "Schedule", "ScalarOrSchedule", "MaskOrFn", "TransformInitFn"]:
        assert hasattr(ours, name)
    tx = ours.chain(ours.scale(-1.0), ours.scale_by_polyak())
    assert isinstance(tx, ours.GradientTransformationExtraArgs)
    updates, _ = tx.update(jnp.array([2.0]), tx.init(jnp.zeros(1)), None, value=4.0)
    assert updates.tolist() == [-2.0]  # gap 4 / |g|^2 4 = 1, times the -1 from scale


PUBLIC_FUNCTIONS = [name for name in ours.__all__ if inspect.isfunction(getattr(ours, name))]


def test_optax_signatures_hold_objects_not_strings():
    """The premise of the next test: tools that read Optax's signatures get classes, not names."""
    annotation = inspect.signature(optax.adam).parameters["learning_rate"].annotation
    assert not isinstance(annotation, str)


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_annotations_resolve(name):
    """purejax's annotations are strings (`from __future__ import annotations`); every name in them
    is importable where the function is defined, so `typing.get_type_hints` turns them into objects."""
    fn = getattr(ours, name)
    hints = typing.get_type_hints(fn)
    assert not any(isinstance(hint, str) for hint in hints.values())
    resolved = inspect.signature(fn, eval_str=True)
    assert not any(isinstance(p.annotation, str) for p in resolved.parameters.values())


def test_annotations_resolve_to_optax_names():
    assert len(PUBLIC_FUNCTIONS) > 100
    hints = typing.get_type_hints(ours.adam)
    assert hints["learning_rate"] == ours.ScalarOrSchedule and issubclass(hints["return"], ours.GradientTransformation)


def test_add_noise_takes_optax_seed_keyword():
    with pytest.warns(DeprecationWarning, match="seed= is deprecated"):
        a = ours.noisy_sgd(0.1, seed=3)
    b = ours.noisy_sgd(0.1, key=3)
    assert (a.init(jnp.zeros(2))[0].rng_key == b.init(jnp.zeros(2))[0].rng_key).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="pass key= or seed=, not both"):
            ours.add_noise(0.01, 0.55, key=1, seed=2)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ours.apply_every(0), ValueError, r"apply_every: k must be a positive integer, got int 0"),
        (lambda: ours.lookahead(ours.sgd(0.1), 0, 0.5), ValueError, r"lookahead: sync_period must be a positive"),
        (lambda: ours.named_chain(("a", ours.scale(1.0)), ("a", ours.scale(1.0))), ValueError, "unique"),
        (lambda: ours.named_chain(ours.scale(1.0)), TypeError, r"a \(name, transformation\) pair"),
        (lambda: ours.scale_by_polyak(variant="x"), ValueError, r"variant must be one of 'sps', 'sps\+'"),
        (lambda: ours.piecewise_interpolate_schedule("cubic", 1.0), ValueError, "'linear' or 'cosine'"),
        (lambda: ours.stateless(3), TypeError, r"stateless: f must be callable"),
        (
            lambda: ours.keep_params_nonnegative().update(jnp.ones(1), ours.EmptyState()),
            ValueError,
            "keep_params_nonnegative: this transformation needs the current parameters",
        ),
    ],
)
def test_bad_arguments_say_what_to_write(call, error, message):
    with pytest.raises(error, match=message):
        call()
