"""Whole arrays raised to the constant powers 3 and 4 (NumPy calls pow per element for them)."""

import numpy as np


# named arrays, then reduced: whole-array code (np.sum of an expression would be an element loop)
def quartic_well(x):
    terms = x ** 4 - 3.0 * x ** 3 + x ** 2
    return np.sum(terms)


def cubed_residuals(w, X, y):
    r = X @ w - y
    cubes, quartics = r ** 3.0, w ** 4.0
    return np.mean(cubes) + np.sum(quartics)


def integer_weights_cubed(x, n: int):
    k = np.arange(1, n + 1)
    return np.sum(x ** 3 * k ** 3)
