"""An element of a whole-array value: the smallest of a sorted vector, the last partial sum,
an entry of a product, as statistics and least-squares code read them."""

import numpy as np


def ends(x):
    return np.sort(x)[0] * np.cumsum(x)[-1] + (x * x)[1] + np.diff(x)[0] ** 2


def matrix_element(A, x):
    return (A @ x)[0] + (A.T @ A)[1, 0] + np.outer(x, x)[0, -1]


def median_of_three(x):
    middle = np.sort(x[:3])[1]
    return (x[0] - middle) ** 2 + np.tanh(-x)[2]
