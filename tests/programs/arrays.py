"""Array functions for the entry-check tests."""

import numpy as np


def pick(x, k: int):
    j = k
    return x[j] * x[j]


def last(x):
    return x[-1] ** 2


def shared_adjoint(x, y):
    import_free = x + y
    return np.sum(import_free * 2.0)


def array_output(x: np.ndarray, scale):
    return np.sin(x) * scale


def broadcasting(A, v, s):
    return np.sum(np.exp(A * v + s) * v)


def reductions(A):
    column_means = np.mean(A, axis=0)
    return np.sum(column_means ** 2) + np.sum(np.sum(A, axis=1) * 0.5)


def matrix_vector(A, x):
    return np.sum(np.tanh(A @ x)) + x @ x + np.sum(np.outer(x, x).T * 0.1)


def selects(x):
    return np.sum(np.where(x > 0.0, x * x, -x) + np.maximum(x, 0.5))
