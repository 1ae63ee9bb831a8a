"""Logistic regression loss with nested loops over samples and features."""

import math

import numpy as np


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float) -> float:
    """Mean log-loss of labels y in {-1, +1}, plus an L2 penalty on the weights."""
    n, d = X.shape
    total = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        total += math.log(1.0 + math.exp(-y[i] * z))
    penalty = 0.0
    for j in range(d):
        penalty += w[j] * w[j]
    return total / n + l2 * penalty
