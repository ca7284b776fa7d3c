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


# -- optim --
@pytest.mark.parametrize(
    "call,result",
    [
        (lambda: checks.check_bool("f", "flag", np.bool_(True)), True),
        (lambda: checks.check_dtype("f", "dtype", "bfloat16"), "bfloat16"),
        (lambda: checks.check_dtype("f", "dtype", None, optional=True), None),
    ],
)
def test_optim_checkers_return_good_values(call, result):
    assert call() == result


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: checks.check_bool("f", "flag", "False"), TypeError, "f: flag must be True or False, got str 'False'"),
        (lambda: checks.check_bool("f", "flag", 1), TypeError, "f: flag must be True or False, got int 1"),
        (lambda: checks.check_dtype("f", "dtype", "x"), TypeError, "f: dtype must be a dtype (e.g. jnp.float32), got"),
        (
            lambda: checks.check_dtype("f", "dtype", None),
            TypeError,
            "f: dtype must be a dtype (e.g. jnp.float32), got None",
        ),
        (
            lambda: checks.check_dtype("f", "dtype", 3, optional=True),
            TypeError,
            "f: dtype must be a dtype (e.g. jnp.float32) or None, got int 3",
        ),
    ],
)
def test_optim_checkers_refuse_bad_values(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)
