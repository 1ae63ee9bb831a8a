"""Array arguments of generated functions: conversions, refusals and bounds, never a crash."""

from __future__ import annotations

import numpy as np
import pytest

from support import EXAMPLES, PROGRAMS, compiled_module, original_module, pure_module

ROSENBROCK = str(EXAMPLES / "rosenbrock.py")
LOGISTIC = str(EXAMPLES / "logistic.py")
ARRAYS = str(PROGRAMS / "arrays.py")


@pytest.fixture(scope="module", params=["compiled", "pure"])
def build(request):
    return compiled_module if request.param == "compiled" else pure_module


def test_wrong_dimension_names_the_parameter(build):
    module = build(ROSENBROCK)
    with pytest.raises(ValueError, match="parameter 'x' must be a 1-dimensional array, got 2 dimensions"):
        module.grad_rosenbrock(np.ones((2, 2)))


def test_non_numeric_dtype_is_refused(build):
    module = build(ROSENBROCK)
    with pytest.raises(ValueError, match="parameter 'x' must be an array of numbers"):
        module.rosenbrock(np.array(["a", "b"]))


def test_integer_arrays_and_lists_are_converted(build):
    module = build(ROSENBROCK)
    expected = module.grad_rosenbrock(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(module.grad_rosenbrock(np.array([1, 2, 3])), expected)
    np.testing.assert_allclose(module.grad_rosenbrock([1, 2, 3]), expected)


def test_non_contiguous_input_works(build):
    module = build(LOGISTIC)
    X = np.arange(24.0).reshape(4, 6)[:, ::2] / 10.0  # a strided view
    w, y = np.array([0.1, -0.2, 0.3]), np.array([1.0, -1.0, 1.0, -1.0])
    gradient = module.grad_logistic_loss(w, X, y, 0.5)
    reference = module.grad_logistic_loss(w, np.ascontiguousarray(X), y, 0.5)
    for a, b in zip(gradient, reference):
        np.testing.assert_allclose(a, b)


def test_length_mismatch_is_an_index_error_not_a_crash(build):
    module = build(LOGISTIC)
    X = np.ones((4, 3))
    with pytest.raises(IndexError, match="'w'"):
        module.grad_logistic_loss(np.ones(2), X, np.ones(4), 0.1)
    with pytest.raises(IndexError, match="'y'"):
        module.logistic_loss(np.ones(3), X, np.ones(3), 0.1)


def test_data_dependent_index_is_checked_before_use(build):
    module, original = build(ARRAYS), original_module(ARRAYS)
    x = np.array([1.0, 2.0, 3.0])
    assert module.pick(x, 2) == original.pick(x, 2)
    assert module.grad_pick(x, 2).tolist() == [0.0, 0.0, 6.0]
    with pytest.raises(IndexError, match="'x'"):
        module.grad_pick(x, 3)


def test_negative_constant_index_counts_from_the_end(build):
    module = build(ARRAYS)
    x = np.array([1.0, 2.0, 5.0])
    assert module.last(x) == 25.0
    assert module.grad_last(x).tolist() == [0.0, 0.0, 10.0]


def test_empty_array_runs_no_iteration(build):
    module = build(ROSENBROCK)
    assert module.rosenbrock(np.zeros(0)) == 0.0
    assert module.grad_rosenbrock(np.zeros(0)).shape == (0,)
