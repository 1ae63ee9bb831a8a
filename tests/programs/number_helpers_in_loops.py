"""Helpers of numbers called with rows inside loops, as people write losses
(tests/building/test_helpers_of_numbers_in_loops.py)."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softplus(z):
    return np.log(1.0 + np.exp(z))


def summed_sigmoids(w, X):
    total = 0.0
    for k in range(X.shape[0]):
        total += np.sum(sigmoid(X[k] * w))
    return total


def mean_softplus_of_shifted_rows(w, X):
    total = 0.0
    for k in range(len(X)):
        total += np.mean(softplus(X[k] - w) * 0.5)
    return total / len(X)


def weighted_row_terms(X, w):
    total = 0.0
    for k in range(X.shape[0]):
        z = X[k] * w + 0.5
        total += np.sum(z * sigmoid(z))
    return total
