"""Arrays passed to and returned from other functions of the module, and helpers whose bodies
read as scalar code called with arrays (tests/transform/test_calls_and_sequences.py)."""

import numpy as np

CENTRE = np.array([0.5, -0.25, 1.0, 0.75])


def residual(x):
    return x[1:] - x[:-1] ** 2


def rosenbrock_by_residual(x):
    r = residual(x)
    return np.sum(100.0 * r * r + (1.0 - x[:-1]) ** 2)


def shifted(x, c):
    return x - c


def squared_norm(v):
    return np.sum(v * v)


def chained_helpers(x):
    # an array result passed straight on, and a helper called twice with the same argument
    return squared_norm(shifted(x, CENTRE)) + 0.5 * squared_norm(shifted(x, CENTRE)) + np.sum(x ** 2)


def identity(v):
    return v


def passed_through(x):
    # the callee returns its own argument: its gradient is the cotangent itself
    y = identity(x)
    return np.sum(y * x) + np.sum(identity(x * 2.0) ** 3)


def weighted(x, w):
    return np.sum(w * np.sin(x))


def array_and_number_arguments(x, a):
    # an array argument and a number argument of one call; the number has a gradient too
    return weighted(x, a) + weighted(x * a, 0.5)


def cube(x):
    return x * x * x


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softplus(z):
    return np.log1p(np.exp(z))


def logistic_loss(w, X, t):
    p = sigmoid(X @ w)
    return np.sum((p - t) ** 2)


def scalar_helpers_on_arrays(x):
    # the same scalar helpers called with numbers and with arrays in one function
    return np.sum(cube(x) + softplus(-x)) + cube(x[0]) * sigmoid(x[1]) + np.sum(sigmoid(x[1:] * 0.5))


def scale(x, a):
    return a * x


def nested_specialisations(x):
    # a helper of helpers, specialised on arrays at every level
    return np.sum(scale(sigmoid(cube(x)), 2.0)) + scale(cube(x[0]), 3.0)


def gaussian(r, width):
    return np.exp(-r * r / width)


def rbf_energy(x, width=0.8):
    d = x[1:] - x[:-1]
    return np.sum(gaussian(d, width)) + gaussian(x[0], width)


def position_weighted(x):
    # np.arange(1, len(x) + 1) measures x but does not vary with it: its tangent is none, not the
    # 0.0 that np.dot(0.0, x) turned into an array of x's length (jvp_ and hvp_ raised ValueError)
    j = np.arange(1, len(x) + 1)
    r = np.arange(1, 6) * np.dot(j, x) - 1.0
    return np.sum(r ** 2) + np.sum(j * x ** 3)
