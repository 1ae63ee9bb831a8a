"""NumPy's basic slices are views; the eager engine's are copies. Where the two would differ, the
engine either behaves as NumPy does (`v += 1` on a view writes into the array) or raises, saying
why: never a silently different value or gradient."""

from __future__ import annotations

import numpy
import pytest

from srcgrad.eager import numpylib as np
from srcgrad.eager import value_and_grad_of
from support import central_differences

X = numpy.array([1.5, 2.0, 3.0, -0.5])


def _check(function, original):
    value, (gradient,) = value_and_grad_of(function, (X.copy(),), [0])
    assert value == pytest.approx(original(X.copy()), rel=1e-13)
    expected = central_differences(lambda x: original(x.copy()), (X,), [0])[0]
    numpy.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-8)


def test_in_place_arithmetic_on_a_view_writes_into_the_array():
    def f(x, np=np):
        v = x[1:]
        v += 1.0
        v *= x[0]
        return np.sum(x * x) + np.sum(v)

    _check(f, lambda x: f(x, numpy))


def test_in_place_arithmetic_on_a_subscript_stores_back():
    def f(x, np=np):
        m = np.zeros((3, 3))
        m[0, :] = x[:3] * 2.0
        m[1:, 0] += x[1:3]
        return np.sum(m * m)

    _check(f, lambda x: f(x, numpy))


def test_slices_used_before_a_later_write_are_fine():
    def f(x, np=np):
        y = np.zeros(4)
        s = 0.0
        for i in range(4):
            s = s + np.sum(y[:i])
            y[i] = x[i] * 2.0
        return s + np.sum(y)

    _check(f, lambda x: f(x, numpy))


def test_a_slice_used_after_its_array_was_written_raises():
    def f(x):
        v = x[1:]
        x[1] = 5.0 * x[0]
        return np.sum(v * v)

    with pytest.raises(ValueError, match="NumPy's slice is a view that sees the write"):
        value_and_grad_of(f, (X.copy(),), [0])


def test_a_row_of_a_matrix_used_after_the_matrix_was_written_raises():
    def f(x):
        m = np.zeros((2, 4))
        m[0, :] = x
        row = m[0]
        m[0, 1] = 3.0
        return np.sum(row)

    with pytest.raises(ValueError, match="NumPy's slice is a view"):
        value_and_grad_of(f, (X.copy(),), [0])


def test_writing_an_element_of_a_view_raises():
    def f(x):
        v = x[1:]
        v[0] = 3.0 * x[0]
        return np.sum(x)

    with pytest.raises(ValueError, match="NumPy writes through the view"):
        value_and_grad_of(f, (X.copy(),), [0])
