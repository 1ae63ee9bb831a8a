"""In-process higher derivatives: nested grad compiled to third order, jvp/hvp/hessian,
check_grads, and the eager fallback with its warning."""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest

import srcgrad
from support import EXAMPLES, PROGRAMS

sys.path[:0] = [str(EXAMPLES), str(PROGRAMS)]
from dynamic import uses_a_list  # noqa: E402
from newton import compound, cube_root  # noqa: E402
from piecewise import tax  # noqa: E402
from rosenbrock import rosenbrock  # noqa: E402
from tutorial import power, square_sin  # noqa: E402


def compiled_only():
    """Inside this block an eager fallback is an error: these derivatives must be compiled."""
    manager = warnings.catch_warnings()
    manager.__enter__()
    warnings.simplefilter("error", srcgrad.FallbackWarning)
    return manager


def eager_derivative(f, order):
    derivative = f
    for _ in range(order):
        derivative = (lambda g: lambda *a: srcgrad.gradients_function(g)(*a)[0])(derivative)
    return derivative


def test_sin_squared_to_third_order_compiled_agrees_with_eager_on_100_points():
    xs = np.linspace(-2 * math.pi, 2 * math.pi, 100)
    manager = compiled_only()
    try:
        first = srcgrad.grad(square_sin)
        second = srcgrad.grad(first)
        third = srcgrad.grad(second)
        compiled = [[d(float(x)) for x in xs] for d in (first, second, third)]
    finally:
        manager.__exit__(None, None, None)
    exact = [np.sin(2 * xs), 2 * np.cos(2 * xs), -4 * np.sin(2 * xs)]
    eager_f = lambda x: np.sin(x) ** 2  # noqa: E731  (the tutorial's f, on Tensors)
    for order in (1, 2, 3):
        np.testing.assert_allclose(compiled[order - 1], exact[order - 1], rtol=1e-10, atol=1e-10)
        eager = [float(eager_derivative(eager_f, order)(srcgrad.constant(float(x)))) for x in xs[::9]]
        np.testing.assert_allclose(compiled[order - 1][::9], eager, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("function,args,derivatives", [
    (power, (1.3, 4), (4 * 1.3 ** 3, 12 * 1.3 ** 2, 24 * 1.3)),
    (cube_root, (5.0,), (1 / 3 * 5.0 ** (-2 / 3), -2 / 9 * 5.0 ** (-5 / 3), 10 / 27 * 5.0 ** (-8 / 3))),
    (compound, (0.05, 10), (10 * 1.05 ** 9, 90 * 1.05 ** 8, 720 * 1.05 ** 7)),  # a call inside a loop
])
def test_loops_and_while_loops_to_third_order_compiled(function, args, derivatives):
    manager = compiled_only()
    try:
        first = srcgrad.grad(function)
        second = srcgrad.grad(first)
        third = srcgrad.grad(second)
        got = (first(*args), second(*args), third(*args))
    finally:
        manager.__exit__(None, None, None)
    np.testing.assert_allclose(got, derivatives, rtol=1e-8)


def test_value_and_grad_of_grad():
    value, second = srcgrad.value_and_grad(srcgrad.grad(power))(1.3, 4)
    assert value == pytest.approx(4 * 1.3 ** 3) and second == pytest.approx(12 * 1.3 ** 2)


def test_jvp_hvp_hessian_in_process():
    assert srcgrad.jvp(power)(1.3, 4, 2.0) == pytest.approx(2.0 * 4 * 1.3 ** 3)
    blocks = srcgrad.hessian(tax)(27.0, 0.1, 0.3)  # three float parameters: a 3 x 3 tuple of float blocks
    assert len(blocks) == 3 and all(len(row) == 3 and all(isinstance(b, float) for b in row) for row in blocks)
    hessian = np.array(blocks)
    np.testing.assert_allclose(hessian, hessian.T)
    np.testing.assert_allclose(srcgrad.hvp(tax)(27.0, 0.1, 0.3, (1.0, 0.5, 0.2)), hessian @ [1.0, 0.5, 0.2])
    x = np.array([0.5, 1.2, -0.3])
    v = np.array([1.0, -1.0, 2.0])
    hv = srcgrad.hvp(rosenbrock)(x, v)
    eps = 1e-6
    numeric = (srcgrad.grad(rosenbrock)(x + eps * v) - srcgrad.grad(rosenbrock)(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv, numeric, rtol=1e-6)


def test_check_grads_passes_on_correct_derivatives_and_names_the_worst_mismatch():
    srcgrad.check_grads(rosenbrock, (np.array([0.5, 1.2, -0.3]),), order=2)
    srcgrad.check_grads(tax, (27.0, 0.1, 0.3), order=2)
    with pytest.raises(AssertionError, match="step_function: .* central differences give"):
        from checks import step_function

        srcgrad.check_grads(step_function, (1.0,))


def test_fallback_warns_with_the_construct_and_still_differentiates():
    with pytest.warns(srcgrad.FallbackWarning, match=r"dynamic\.py:6:14: uses_a_list: a list comprehension"):
        gradient = srcgrad.grad(uses_a_list)
    assert gradient(0.7, 4) == pytest.approx(12 * 0.7 + math.cos(0.7))
    with pytest.warns(srcgrad.FallbackWarning):
        second = srcgrad.grad(srcgrad.grad(uses_a_list))
    assert second(0.7, 4) == pytest.approx(12 - math.sin(0.7))
    with pytest.warns(srcgrad.FallbackWarning):
        assert srcgrad.hvp(uses_a_list)(0.7, 4, 2.0) == pytest.approx(2 * (12 - math.sin(0.7)))


def test_a_lambda_falls_back_to_the_eager_tape():
    with pytest.warns(srcgrad.FallbackWarning, match="lambda"):
        gradient = srcgrad.grad(lambda x: x * x * x)
    assert gradient(2.0) == pytest.approx(12.0)
