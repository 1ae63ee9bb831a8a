"""Array adjoints a kernel may write once per element instead of adding into zeros
(transform/write_once.py), and ones it must not (tests/transform/test_write_once.py)."""

import math

import numpy as np


def logistic(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    n = X.shape[0]
    d = X.shape[1]
    loss = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        loss += math.log(1.0 + math.exp(-y[i] * z))
    return loss / n


def columns_first(A: np.ndarray, v: np.ndarray) -> float:
    total = 0.0
    for j in range(A.shape[1]):
        for i in range(A.shape[0]):
            total += A[i, j] * v[j] * A[i, j]
    return total


def squares(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x)):
        total += x[i] * x[i]
    return total


def skips_the_first(x: np.ndarray) -> float:
    total = 0.0
    for i in range(1, len(x)):
        total += x[i] * x[i]
    return total


def neighbours(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        total += x[i] * x[i + 1]
    return total


def repeated(x: np.ndarray, c: float) -> float:
    total = 0.0
    for t in range(3):
        for i in range(len(x)):
            total += x[i] * c * t
    return total


def only_some(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x)):
        if x[i] > 0.0:
            total += x[i] * x[i]
    return total


def shorter_loop(x: np.ndarray, y: np.ndarray) -> float:
    total = 0.0
    for i in range(len(y)):
        total += x[i] * y[i]
    return total
