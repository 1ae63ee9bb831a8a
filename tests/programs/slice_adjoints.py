"""Slice reads whose adjoints add into the array they came from (tests/transform/test_slice_adjoints.py)."""

import numpy as np


def first_contribution_is_a_slice(x):
    # the reverse sweep meets the slices first (whole-array code: np.sum of an elementwise
    # expression of slices of one vector would run as an element loop)
    return np.sum(x ** 2) + np.dot(x[1:] * 1.0, x[:-1])


def whole_before_the_slices(x):
    y = np.sin(x) * 2.0
    return np.sum(y[::2] ** 2) + np.sum(y[::-1] * x) + np.sum(y)


def only_slices_of_a_local(x):
    y = x * x + 1.0
    return np.sum(y[2:] - y[:-2] * y[1:-1])


def a_slice_summed_as_it_is(x):
    return np.sum(x[1:]) * 3.0 + np.sum(x[:1] ** 3)


def rows_columns_and_elements(X):
    return np.sum(X[:, 0] * X[:, -1] ** 2) + np.sum(X[1:, :-1] ** 3) + np.sum(X[0] * X[-1])


def slices_in_a_loop(x, steps: int):
    total = 0.0
    for k in range(steps):
        total += np.sum(np.cos(x[k:] * 0.5) * x[:len(x) - k])
    return total


def slices_of_an_output(x):
    return x[1:] * x[:-1] - x[:-1] ** 2


def constants_times_the_sum(x):
    # reductions of named arrays stay whole-array code (of an expression they would be loops)
    total = x ** 4 - 16.0 * x ** 2 + 5.0 * x
    shifted = 3.0 - x / 4.0
    return 0.5 * np.sum(total) - np.mean(shifted)


def spread_then_reduced(X, c):
    return np.sum(2.0 * (X + c)) - np.sum(-(X * c) / 3.0)


def linear(x):
    return np.sum(2.0 * x) + 1.0


def elements_and_whole(x):
    return (x[0] - 1.0) ** 2 + np.dot(x[1:] * 1.0, x[:-1]) + x[-1] * np.sum(x ** 2)


def written_after_read_whole(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] ** 2
    s = np.sum(y * x)
    y[0] = 3.0 * s
    return np.sum(y * y) + s
