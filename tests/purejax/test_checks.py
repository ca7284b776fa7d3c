"""purejax.checks: each checker returns the canonical value or raises naming where, the argument, expected and got."""

import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from purejax import checks


@pytest.mark.parametrize(
    "call,result",
    [
        (lambda: checks.check_int("f", "n", np.int64(3)), 3),
        (lambda: checks.check_int("f", "n", 0, minimum=0), 0),
        (lambda: checks.check_positive_int("f", "n", 7), 7),
        (lambda: checks.check_optional_int("f", "n", None), None),
        (lambda: checks.check_int_tuple("f", "window", [2, 3], 2, minimum=1), (2, 3)),
        (lambda: checks.check_number("f", "lr", 1e-3, minimum=0), 1e-3),
        (lambda: checks.check_probability("f", "rate", 1), 1),
        (lambda: checks.check_axis("f", "axis", -1, 3), 2),
        (lambda: checks.check_axis("f", "axis", 0, 1), 0),
        (lambda: checks.check_path("f", "path", "~/x"), pathlib.Path("~/x").expanduser()),
        (lambda: checks.check_choice("f", "mode", "pad", ("keep", "pad")), "pad"),
    ],
)
def test_good_values_come_back_canonical(call, result):
    assert call() == result


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: checks.check_int("f", "n", 2.0), TypeError, "f: n must be an integer, got float 2.0"),
        (lambda: checks.check_int("f", "n", True), TypeError, "f: n must be an integer, got bool True"),
        (lambda: checks.check_int("f", "n", "3"), TypeError, "f: n must be an integer, got str '3'"),
        (
            lambda: checks.check_int("f", "n", -1, minimum=0),
            ValueError,
            "f: n must be a non-negative integer, got int -1",
        ),
        (
            lambda: checks.check_positive_int("Dense_0", "features", 0),
            ValueError,
            "Dense_0: features must be a positive",
        ),
        (
            lambda: checks.check_int("f", "n", 1, minimum=2, hint="use 2"),
            ValueError,
            "f: n must be an integer >= 2, got int 1; use 2",
        ),
        (
            lambda: checks.check_int_tuple("f", "window", 2, 2),
            TypeError,
            "f: window must be a tuple of 2 integers, got int 2; write (2, 2)",
        ),
        (lambda: checks.check_int_tuple("f", "window", (2,), 2), ValueError, "f: window must be a tuple of 2 integers"),
        (
            lambda: checks.check_int_tuple("f", "strides", (1, -1), 2, minimum=1),
            ValueError,
            "f: strides[1] must be a positive",
        ),
        (lambda: checks.check_number("f", "lr", "0.1"), TypeError, "f: lr must be a real number, got str '0.1'"),
        (lambda: checks.check_number("f", "lr", float("nan")), ValueError, "f: lr must be a number"),
        (lambda: checks.check_number("f", "lr", -1.0, minimum=0), ValueError, "f: lr must be a number >= 0"),
        (
            lambda: checks.check_number("f", "lr", jnp.asarray(True)),
            TypeError,
            "f: lr must be a real number, got bool array []",
        ),
        (
            lambda: checks.check_probability("f", "rate", 1.5),
            ValueError,
            "f: rate must be a number in [0, 1], got float 1.5",
        ),
        (
            lambda: checks.check_axis("f", "axis", 3, 3),
            ValueError,
            "f: axis must be an axis in [-3, 3) for an array of rank 3, got int 3",
        ),
        (lambda: checks.check_axis("f", "axis", -4, 3), ValueError, "f: axis must be an axis in [-3, 3)"),
        (lambda: checks.check_axis("f", "axis", 1.0, 3), TypeError, "f: axis must be an integer axis"),
        (lambda: checks.check_array("f", "x", None), TypeError, "f: x must be an array (or a number), got None"),
        (lambda: checks.check_array("f", "x", "abc"), TypeError, "f: x must be an array (or a number), got str 'abc'"),
        (lambda: checks.check_array("f", "x", np.array([object()])), TypeError, "f: x must be an array of numbers"),
        (
            lambda: checks.check_shape("f", "c", np.zeros((2, 3)), (2, 4)),
            ValueError,
            "f: c must have shape [2, 4], got shape [2, 3]",
        ),
        (
            lambda: checks.check_path("f", "path", None),
            TypeError,
            "f: path must be a path (str or pathlib.Path), got None",
        ),
        (lambda: checks.check_path("f", "path", ""), ValueError, "f: path must be a non-empty path"),
        (
            lambda: checks.check_choice("f", "mode", "x", ("keep", "pad")),
            ValueError,
            "f: mode must be one of 'keep', 'pad', got str 'x'",
        ),
        (lambda: checks.check_callable("f", "fn", 3), TypeError, "f: fn must be callable, got int 3"),
    ],
)
def test_bad_values_are_refused_naming_where_and_what(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)


def test_checks_run_under_jit_without_reading_values():
    """Checkers look at dtypes and static shapes only: a traced argument passes, no device sync."""

    @jax.jit
    def f(x, lr):
        checks.check_array("f", "x", x)
        checks.check_shape("f", "x", x, (3,))
        checks.check_number("f", "lr", lr)
        return x * lr

    assert f(jnp.ones(3), 0.5).tolist() == [0.5, 0.5, 0.5]


# -- tree, random --
@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: checks.check_bool("f", "replace", "no"), TypeError, "f: replace must be True or False, got str 'no'"),
        (lambda: checks.check_bool("f", "replace", 1), TypeError, "f: replace must be True or False, got int 1"),
        (
            lambda: checks.check_dtype("f", "dtype", "abc", jnp.floating, "a float dtype"),
            TypeError,
            "f: dtype must be a float dtype, got str 'abc'",
        ),
        (
            lambda: checks.check_dtype("f", "dtype", jnp.int32, jnp.floating, "a float dtype"),
            ValueError,
            "f: dtype must be a float dtype, got int32",
        ),
        (
            lambda: checks.check_dtype("f", "dtype", bool, jnp.integer, "an integer dtype", error=TypeError),
            TypeError,
            "f: dtype must be an integer dtype, got bool",
        ),
    ],
)
def test_flags_and_dtypes_are_refused_naming_where_and_what(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)


# -- io --


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda: checks.check_key("f", "key", None),
            TypeError,
            "f: key must be a key, uint32[2] from purejax.random.PRNGKey, got None; write purejax.random.PRNGKey(0)",
        ),
        (lambda: checks.check_key("f", "key", 0), TypeError, "f: key must be a key, uint32[2]"),
        (
            lambda: checks.check_key("f", "key", np.zeros(2, np.int32)),
            TypeError,
            "f: key must be a key, uint32[2] from purejax.random.PRNGKey, got int32 array [2]",
        ),
        (lambda: checks.check_key("f", "key", jax.random.key(0)), TypeError, "f: key must be a key, uint32[2]"),
        (lambda: checks.check_key("f", "key", np.zeros((3, 2), np.uint32)), ValueError, "f: key must be a key"),
        (
            lambda: checks.check_metric("f", "eval_metrics", [0.9], "accuracy"),
            TypeError,
            "f: eval_metrics must be a dict of metrics with 'accuracy', got list [0.9]",
        ),
        (
            lambda: checks.check_metric("f", "eval_metrics", {"loss": 1.0}, "accuracy"),
            ValueError,
            "f: eval_metrics must be a dict of metrics with 'accuracy', got one with ['loss']",
        ),
        (
            lambda: checks.check_metric("f", "eval_metrics", {"loss": "low"}, "loss"),
            TypeError,
            "f: eval_metrics['loss'] must be a real number, got str 'low'",
        ),
    ],
)
def test_io_checks_refuse_naming_where_and_what(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)


def test_flags_and_dtypes_come_back_canonical():
    assert checks.check_bool("f", "replace", np.bool_(False)) is False
    assert checks.check_dtype("f", "dtype", "bfloat16", jnp.floating, "a float dtype") == jnp.bfloat16
    assert checks.check_dtype("f", "dtype", jnp.uint8, jnp.unsignedinteger, "an unsigned dtype") == np.uint8


def test_io_checks_pass_good_values_and_traced_keys():
    key = np.array([0, 42], np.uint32)
    assert checks.check_key("f", "key", key) is key
    assert checks.check_key("f", "key", None, optional=True) is None
    assert checks.check_metric("f", "m", {"loss": 0.5}, "loss") == 0.5
    assert jax.jit(lambda k: checks.check_key("f", "key", k))(key).tolist() == [0, 42]


# -- nn --


@pytest.mark.parametrize(
    "call,result",
    [
        (lambda: checks.check_bool("f", "flag", np.bool_(True)), True),
        (lambda: checks.check_bool("f", "flag", None, optional=True), None),
        (lambda: checks.check_dtype("f", "dtype", "bfloat16"), "bfloat16"),
        (lambda: checks.check_dtype("f", "dtype", None, optional=True), None),
        (lambda: checks.check_sizes("f", "shape", [2, np.int64(3)]), (2, 3)),
        (lambda: checks.check_sizes("f", "shape", 4), (4,)),
        (lambda: checks.check_axes("f", "axes", (-1, 0), 3), (2, 0)),
        (lambda: checks.check_axes("f", "axes", -1), (-1,)),
    ],
)
def test_nn_checkers_return_canonical_values(call, result):
    assert call() == result


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: checks.check_bool("f", "flag", "False"), TypeError, "f: flag must be True or False, got str 'False'"),
        (lambda: checks.check_bool("f", "flag", 1), TypeError, "f: flag must be True or False, got int 1"),
        (
            lambda: checks.check_bool("f", "flag", 0, optional=True),
            TypeError,
            "f: flag must be True or False (or None)",
        ),
        (
            lambda: checks.check_dtype("f", "dtype", "float33"),
            TypeError,
            "f: dtype must be a dtype such as jnp.float32",
        ),
        (
            lambda: checks.check_dtype("f", "dtype", 3),
            TypeError,
            "f: dtype must be a dtype such as jnp.float32, got int",
        ),
        (lambda: checks.check_dtype("f", "dtype", None, optional=False), TypeError, "f: dtype must be a dtype"),
        (lambda: checks.check_sizes("f", "shape", (2, 2.5)), TypeError, "f: shape[1] must be a non-negative integer"),
        (lambda: checks.check_sizes("f", "shape", (2, -1)), ValueError, "f: shape[1] must be a non-negative integer"),
        (
            lambda: checks.check_sizes("f", "shape", "23"),
            TypeError,
            "f: shape must be a shape (a tuple of non-negative",
        ),
        (lambda: checks.check_axes("f", "axes", (0, 1.0)), TypeError, "f: axes must be an integer axis or a tuple"),
        (lambda: checks.check_axes("f", "axes", (0, 3), 3), ValueError, "f: axes must be an axis in [-3, 3)"),
        (lambda: checks.check_axes("f", "axes", -4, 3), ValueError, "f: axes must be an axis in [-3, 3)"),
    ],
)
def test_nn_checkers_refuse_naming_where_and_what(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)
