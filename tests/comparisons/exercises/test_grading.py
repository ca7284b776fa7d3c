"""The grader (`comparisons.exercises.grading`): every reference solution passes, every untouched stub
fails saying so, and a difference is explained by element, ulp and tolerance."""

import numpy as np
import pytest

from comparisons.exercises import EXERCISES, Tolerance, make_stub
from comparisons.exercises.grading import compare_leaf, compare_trees, describe_inputs


@pytest.mark.parametrize("name", list(EXERCISES))
def test_reference_solution_passes(graded, name):
    verdict = graded(name, EXERCISES[name].solution_source())
    assert verdict.ok, verdict.text
    assert f"match {EXERCISES[name].counterpart}" in verdict.text


@pytest.mark.parametrize("name", list(EXERCISES))
def test_untouched_stub_fails(graded, name):
    verdict = graded(name, make_stub(EXERCISES[name]))
    assert not verdict.ok
    assert "case 1 of" in verdict.text and "raised NotImplementedError: the stub's body is still there" in verdict.text
    assert f"fix it and check again: python -m comparisons exercise {name} --check FILE" in verdict.text


def test_a_difference_names_the_element_the_values_and_the_ulp():
    want = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    got = want.copy()
    got[1, 0] = np.nextafter(np.float32(3.0), np.float32(4.0))  # 1 ulp
    got[1, 1] = 4.5
    bitwise = compare_leaf("x", want, got, Tolerance(), "numpy")
    assert bitwise is not None
    assert bitwise[0] == "x (float32[2, 2]): 2 of 4 elements differ; the first at [1, 0]:"
    assert "expected  3.0   (numpy)" in bitwise[1] and "got       3.0000002" in bitwise[2]
    assert "1 ulp apart" in bitwise[3] and "bitwise (0 ulp)" in bitwise[3]
    loose = compare_leaf("x", want, got, Tolerance(1e-5), "numpy")
    assert loose is not None and "1 of 4 elements differ; the first at [1, 1]" in loose[0]
    assert compare_leaf("x", want, want.copy(), Tolerance(), "numpy") is None


def test_shapes_dtypes_and_structures_are_named():
    want = {"w": np.zeros((2, 3), np.float32)}
    assert compare_trees(want, {"w": np.zeros((3, 2), np.float32)}, Tolerance(), "c") == [
        "result['w']: expected shape (2, 3) (float32[2, 3]), got shape (3, 2) (float32[3, 2])"
    ]
    assert "expected dtype float32, got float64" in compare_trees(want, {"w": np.zeros((2, 3))}, Tolerance(), "c")[0]
    assert "expected 1 arrays, got 2" in compare_trees(want, [want["w"], want["w"]], Tolerance(), "c")[0]


def test_inputs_show_small_arrays_and_the_shapes_of_params():
    text = describe_inputs({"key": np.array([0, 42], np.uint32), "params": {"w": np.ones((2, 3))}, "n": 3})
    assert text == "key=uint32[2] [ 0, 42], params={'w': float64[2, 3]}, n=3"
