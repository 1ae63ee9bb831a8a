"""The eager automatic-differentiation tutorial, ported to srcgrad.

Every assertion of the original tutorial (TensorFlow's `tfe.gradients_function` and
`tf.GradientTape`) runs here with srcgrad's eager engine and NumPy:

    python examples/tutorial_eager.py

`tf.square`, `tf.sin`, `tf.multiply` and `tf.reduce_sum` become `np.square`, `np.sin`,
`np.multiply` and `np.sum`: NumPy functions called on srcgrad Tensors are recorded on the tape.
"""

from math import pi

import numpy as np

import srcgrad
from srcgrad import GradientTape, gradients_function


# --- Derivatives of a function -----------------------------------------------------------------
def f(x):
    return np.square(np.sin(x))


def check_derivatives_of_a_function():
    assert f(pi / 2) == 1.0
    # grad_f returns a list of derivatives of f with respect to its arguments. Since f() has a
    # single argument, grad_f returns a list with a single element.
    grad_f = gradients_function(f)
    assert np.abs(grad_f(pi / 2)[0]).numpy() < 1e-7


# --- Higher-order derivatives: the same API, as many times as you like -------------------------
def grad(f):
    return lambda x: gradients_function(f)(x)[0]


def derivatives(x):
    """f and its first three derivatives at the points x (a 1-D array)."""
    return f(x), grad(f)(x), grad(grad(f))(x), grad(grad(grad(f)))(x)


def check_higher_order():
    x = np.linspace(-2 * pi, 2 * pi, 100)  # 100 points between -2π and +2π
    f0, f1, f2, f3 = derivatives(x)
    # f = sin²x, f' = sin 2x, f'' = 2 cos 2x, f''' = -4 sin 2x
    assert np.allclose(f0, np.sin(x) ** 2, atol=1e-12)
    assert np.allclose(f1.numpy(), np.sin(2 * x), atol=1e-12)
    assert np.allclose(f2.numpy(), 2 * np.cos(2 * x), atol=1e-12)
    assert np.allclose(f3.numpy(), -4 * np.sin(2 * x), atol=1e-12)


# --- Python control flow is naturally handled ---------------------------------------------------
def power(x, y):
    output = 1
    for i in range(int(y)):
        output = np.multiply(output, x)
    return output


def g(x, y):
    # the gradient of `power` with respect to its first parameter
    return gradients_function(power)(x, y)[0]


def check_control_flow():
    assert power(3.0, 2) == 9.0  # power(x, 2) is essentially x * x
    assert g(3.0, 2).numpy() == 6.0  # and its gradient is 2 * x
    assert power(4.0, 3) == 64.0  # power(x, 3) is essentially x * x * x
    assert g(4.0, 3).numpy() == 48.0  # and its gradient is 3 * x * x


# --- Gradient tapes: gradients with respect to intermediate values ------------------------------
def check_persistent_tape():
    x = srcgrad.ones((2, 2))
    with GradientTape(persistent=True) as t:
        t.watch(x)
        y = np.sum(x)
        z = np.multiply(y, y)
    # Use the same tape to compute the derivative of z with respect to the intermediate value y.
    dz_dy = t.gradient(z, y)
    assert dz_dy.numpy() == 8.0
    # Derivative of z with respect to the original input tensor x
    dz_dx = t.gradient(z, x)
    for i in [0, 1]:
        for j in [0, 1]:
            assert dz_dx[i][j].numpy() == 8.0


# --- Higher-order gradients with nested tapes ---------------------------------------------------
def check_nested_tapes():
    x = srcgrad.constant(1.0)  # convert the Python 1.0 to a Tensor
    with GradientTape() as t:
        with GradientTape() as t2:
            t2.watch(x)
            y = x * x * x
        # Compute the gradient inside the 't' context manager, which means the gradient
        # computation is differentiable as well.
        dy_dx = t2.gradient(y, x)
    d2y_dx2 = t.gradient(dy_dx, x)
    assert dy_dx.numpy() == 3.0
    assert d2y_dx2.numpy() == 6.0


CHECKS = [
    check_derivatives_of_a_function,
    check_higher_order,
    check_control_flow,
    check_persistent_tape,
    check_nested_tapes,
]

if __name__ == "__main__":
    for check in CHECKS:
        check()
        print(f"ok  {check.__name__}")
    print("all tutorial assertions hold")
