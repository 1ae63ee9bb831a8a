"""Arrays computed from an array's shape alone (np.arange(1, len(x) + 1)): constants, with no adjoint."""

import numpy as np


def weighted_cosines(x):
    i = np.arange(1, len(x) + 1)
    return np.sum(x ** 2) / 4000.0 - np.prod(np.cos(x / np.sqrt(i)))


def weighted_neighbours(x):
    i = np.arange(2, x.shape[0] + 1)
    return (x[0] - 1.0) ** 2 + np.sum(i * (2.0 * x[1:] ** 2 - x[:-1]) ** 2)


def scaled_by_size(x):
    ramp = np.linspace(0.0, 1.0, np.size(x))
    return np.sum(ramp * x ** 2) + np.sum(x) / len(x)
