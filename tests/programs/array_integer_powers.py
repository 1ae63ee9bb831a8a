"""Whole arrays raised to the constant powers 3 and 4 (NumPy calls pow per element for them)."""

import numpy as np


def quartic_well(x):
    return np.sum(x ** 4 - 3.0 * x ** 3 + x ** 2)


def cubed_residuals(w, X, y):
    r = X @ w - y
    return np.mean(r ** 3.0) + np.sum(w ** 4.0)


def integer_weights_cubed(x, n: int):
    k = np.arange(1, n + 1)
    return np.sum(x ** 3 * k ** 3)
