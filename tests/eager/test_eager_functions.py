"""gradients_function, and the fallback entry points grad_of / value_and_grad_of."""

from __future__ import annotations

import numpy as np
import pytest

from srcgrad.eager import (
    GradientTape,
    Tensor,
    constant,
    grad_of,
    gradients_function,
    hessian_of,
    hvp_of,
    jvp_of,
    value_and_grad_of,
    value_and_gradients_function,
)


def test_one_gradient_per_argument():
    def f(x, y):
        return x * x * y + np.sin(y)

    dx, dy = gradients_function(f)(3.0, 2.0)
    assert isinstance(dx, Tensor) and isinstance(dy, Tensor)
    assert dx.numpy() == 12.0
    assert dy.numpy() == pytest.approx(9.0 + np.cos(2.0))


def test_arrays_and_array_results():
    def f(w, x):
        return np.tanh(x @ w)  # a vector: differentiated as the sum of its elements

    w, x = np.array([0.5, -0.25]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    dw, dx = gradients_function(f)(w, x)
    s = 1.0 - np.tanh(x @ w) ** 2
    assert dw.shape == (2,) and np.allclose(dw.numpy(), x.T @ s)
    assert dx.shape == (3, 2) and np.allclose(dx.numpy(), np.outer(s, w))


def test_unconnected_and_non_numeric_arguments_get_none():
    def f(x, y, name, flag):
        assert isinstance(name, str) and flag is True
        return x * 2.0

    dx, dy, dname, dflag = gradients_function(f)(1.0, np.ones(3), "a", True)
    assert dx.numpy() == 2.0 and dy is None and dname is None and dflag is None


def test_params_selects_arguments():
    def f(x, y):
        return x * y

    assert [float(g) for g in gradients_function(f, params=[1])(3.0, 4.0)] == [3.0]
    with pytest.raises(TypeError):
        gradients_function(f, params=[0])("x", 4.0)


def test_control_flow_and_integer_arguments():
    def power(x, y):
        output = 1
        for _ in range(int(y)):
            output = np.multiply(output, x)
        return output

    dx, dy = gradients_function(power)(4.0, 3)
    assert dx.numpy() == 48.0
    assert dy is None  # int(y) leaves differentiation


def test_recursion_and_closures():
    scale = constant(3.0)

    def fact_like(x, n):
        return x if n == 0 else x * fact_like(x + 1.0, n - 1) * scale

    (dx,) = gradients_function(fact_like, params=[0])(1.0, 2)  # x (x+1) (x+2) 9
    assert dx.numpy() == pytest.approx(9.0 * (3 * 1.0 ** 2 + 6 * 1.0 + 2))


def test_nesting_gives_higher_derivatives():
    def f(x):
        return x ** 4

    def grad(fun):
        return lambda x: gradients_function(fun)(x)[0]

    x = 2.0
    assert grad(f)(x).numpy() == 32.0
    assert grad(grad(f))(x).numpy() == 48.0
    assert grad(grad(grad(f)))(x).numpy() == 48.0
    assert grad(grad(grad(grad(f))))(x).numpy() == 24.0


def test_nesting_mixed_partials():
    def f(x, y):
        return x * x * y * y * y

    def dfdx(x, y):
        return gradients_function(f)(x, y)[0]

    dxdx, dxdy = gradients_function(dfdx)(2.0, 3.0)
    assert (dxdx.numpy(), dxdy.numpy()) == (2.0 * 27.0, 2 * 2.0 * 3 * 9.0)


def test_value_and_gradients_function():
    value, (dx,) = value_and_gradients_function(lambda x: x * x)(3.0)
    assert value.numpy() == 9.0 and dx.numpy() == 6.0


# --- the fallback entry points ------------------------------------------------------------------
def loop_until(x, tol):
    """A data-dependent while loop, the kind of function the compiler may hand to the tape."""
    steps = 0
    while x > tol:
        x = x * 0.5
        steps += 1
    return x * x


def test_grad_of_returns_plain_values():
    value, grads = value_and_grad_of(loop_until, (3.0, 1.0))
    assert value == 0.75 ** 2 and isinstance(value, float)
    assert grads == pytest.approx([2 * 0.75 * 0.25, 0.0])  # tol: zeros, not None
    assert all(isinstance(g, float) for g in grads)


def test_grad_of_selected_arguments_and_arrays():
    def f(w, n, x):
        assert isinstance(n, int)
        return np.sum(np.sin(w * x)) * n

    w, x = np.array([1.0, 2.0]), np.array([0.5, 0.25])
    (dw, dx) = grad_of(f, (w, 3, x), [0, 2])
    assert isinstance(dw, np.ndarray) and isinstance(dx, np.ndarray)
    assert np.allclose(dw, 3 * np.cos(w * x) * x) and np.allclose(dx, 3 * np.cos(w * x) * w)


def test_grad_of_with_an_output_cotangent():
    (dx,) = grad_of(lambda x: x * x, (np.array([1.0, 2.0]),), [0], dout=np.array([1.0, -1.0]))
    assert dx.tolist() == [2.0, -4.0]
    (dx,) = grad_of(lambda x: x * x, (3.0,), [0], dout=2.0)
    assert dx == 12.0


def test_grad_of_under_a_tape_returns_tensors_for_higher_order():
    x = constant(2.0)
    with GradientTape() as tape:
        tape.watch(x)
        value, (dx,) = value_and_grad_of(lambda x: x ** 3, (x,), [0])
    assert isinstance(dx, Tensor) and isinstance(value, Tensor)
    assert dx.numpy() == 12.0
    assert tape.gradient(dx, x).numpy() == 12.0  # second derivative 6 x


def test_grad_of_unconnected_array_argument_gives_zero_array():
    (dx, dy) = grad_of(lambda x, y: x * 2.0, (1.0, np.ones((2, 2))))
    assert dx == 2.0 and isinstance(dy, np.ndarray) and dy.shape == (2, 2) and not dy.any()


def test_jvp_of_is_the_directional_derivative():
    def f(x, y):
        return x * x * y + np.sin(y)

    assert jvp_of(f, (2.0, 3.0), None, (1.0, 0.0)) == pytest.approx((f(2.0, 3.0), 12.0))
    assert jvp_of(f, (2.0, 3.0), None, (0.5, 2.0))[1] == pytest.approx(0.5 * 12.0 + 2.0 * (4.0 + np.cos(3.0)))
    value, tangent = jvp_of(lambda w, x: np.tanh(x @ w), (np.array([0.5, -1.0]), np.eye(2) * 2.0), [0], (np.array([1.0, 0.0]),))
    assert np.allclose(tangent, (1 - np.tanh(np.array([1.0, -2.0])) ** 2) * np.array([2.0, 0.0]))
    assert jvp_of(lambda x, y: x * 2.0, (1.0, 5.0), None, (0.0, 1.0)) == (2.0, 0.0)


def test_hvp_of_and_hessian_of():
    def f(x, y):
        return x * x * y + np.sin(y)

    expected = np.array([[6.0, 4.0], [4.0, -np.sin(3.0)]])
    assert hvp_of(f, (2.0, 3.0), None, (1.0, 0.0)) == pytest.approx([6.0, 4.0])
    assert hvp_of(f, (2.0, 3.0), None, (0.5, -1.0)) == pytest.approx(list(expected @ [0.5, -1.0]))
    assert np.allclose(hessian_of(f, (2.0, 3.0)), expected)
    assert hessian_of(lambda x: x ** 3, (2.0,)) == 12.0
    (hv,) = hvp_of(lambda x: np.sum(x ** 3), (np.array([1.0, 2.0]),), [0], (np.array([1.0, 1.0]),))
    assert hv.tolist() == [6.0, 12.0]
