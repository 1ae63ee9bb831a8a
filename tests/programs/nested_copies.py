"""Copies of arrays inside expressions (tests/transform/test_nested_copies.py)."""

import numpy as np


def sine_of_a_copy(x):
    return np.sum(np.sin(x.copy()))


def weighted_np_copy(x, w):
    return np.sum(np.copy(x) * w) + np.sum(np.copy(w) ** 2)


def dot_with_a_copy(x):
    return np.dot(x.copy(), x)


def copy_then_element_write(x):
    y = x.copy()
    y[0] = 2.0 * y[0]
    return np.sum(y * x)


def copies_in_a_loop(x, n: int):
    total = 0.0
    for i in range(n):
        total += np.sum(np.cos(x.copy() * (i + 1)))
    return total


def normalised_copy(X):
    centred = X - np.mean(X.copy(), axis=0)
    return np.sum(centred ** 2) / X.shape[0]
