"""Reductions, scans and constant arrays, as NumPy users write them (one small function each)."""

import numpy as np


def product(x):
    return np.prod(x) + 0.5 * x.prod()


def product_rows(X):
    return np.sum(np.prod(X, axis=1) ** 2)


def product_columns(X, w):
    return np.sum(w * np.prod(X, axis=0))


def largest(X):
    return np.sum(np.max(X, axis=0) ** 2) + X.min() + np.amax(X) - np.sum(np.amin(X, axis=1))


def largest_row(X):
    return np.sum(X.max(axis=1) * np.min(X, axis=1))


def sup_norm(x):
    return np.max(np.abs(x)) + abs(x).max() + max(abs(x)) - min(x) * 0.0


def differences(x):
    return np.sum(np.diff(x) ** 2) + np.sum(np.cos(np.diff(x * x)))


def column_differences(X):
    return np.sum(np.diff(X, axis=0) ** 2)


def methods(x, y):
    return x.sum() * y.mean() + x.dot(y) + np.sum(x.cumsum() * y)


def perm_beta(x, beta=10.0):
    d = len(x)
    j = np.arange(1.0, d + 1)
    return np.sum((j + beta) * (x ** 2 - 1.0 / j ** 2)) ** 2


def weighted_by_index(x):
    n = x.shape[0]
    return np.sum(np.arange(n) * x ** 2) + np.sum(np.arange(1, n + 1) * x)


def grid_weights(x):
    return np.sum(np.linspace(0.0, 1.0, x.shape[0]) * np.sin(x))


def filled(x):
    return np.sum(np.full(x.shape[0], 2.5) * x * x)


def filled_with_derivative(x):
    return np.sum(np.full(3, x[0]) * x)


def spread(x):
    return np.var(x) + 2.0 * np.std(x) + np.linalg.norm(x)


def column_spread(X):
    return np.sum(np.var(X, axis=0) * np.std(X, axis=0)) + np.linalg.norm(X)


def pick(x, y):
    k = np.argmax(x)
    j = np.argmin(y * y)
    return x[k] * y[j] + np.sum(x * y)
