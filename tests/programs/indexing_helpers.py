"""Helpers that read an array parameter by element, called with arrays their callers also use
whole (tests/building/test_helpers_reading_elements.py): each call is inlined."""

import numpy as np


def corner_terms(x):
    return x[0] * x[1] + x[2] ** 2


def with_corner_terms(x):
    return corner_terms(x) + np.sum(x ** 2)


def _weighted_sines(x):
    s = 0.0
    for i in range(len(x)):
        s += np.sin(x[i]) * (i + 1)
    return s


def with_weighted_sines(x):
    return _weighted_sines(x) + np.sum(np.exp(0.5 * x))


def _determinant(X):
    return X[0, 0] * X[1, 1] - X[0, 1] * X[1, 0]


def with_determinant(X):
    return _determinant(X) + np.sum(X * X)


def _grid_sum(X):
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total += X[i, j] ** 2 * (i - j + 0.5)
    return total


def with_grid_sum(X):
    return _grid_sum(X) * 0.5 + np.sum(np.tanh(X))


def _scaled_first(x, a):
    return a * x[0] ** 2 + x[1]


def with_a_number(x, a):
    return _scaled_first(x, a) * 2.0 + np.sum(np.cos(x))


def twice(x, y):
    return corner_terms(x) * corner_terms(y) + np.sum(x * y)


def in_a_loop(x, n: int):
    total = 0.0
    for k in range(n):
        total += corner_terms(x * (k + 1))
    return total + np.sum(x)


def of_an_expression(x):
    return _weighted_sines(np.tanh(x) + 1.0) + np.mean(x)


def nested(x):
    return 2.0 * with_corner_terms(x) + corner_terms(x)
