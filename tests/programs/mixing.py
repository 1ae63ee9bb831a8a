"""Arrays used element by element and as a whole in one function (tests/transform/test_mixing.py)."""

import numpy as np


def written_then_summed(x: np.ndarray):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i]) * x[i]
    return np.sum(y * y)


def whole_then_indexed(x: np.ndarray, w: np.ndarray):
    z = np.tanh(x)
    s = 0.0
    for i in range(len(x)):
        s += z[i] * w[i]
    return s


def parameter_both_ways(x: np.ndarray):
    s = np.sum(x ** 2)
    for i in range(len(x) - 1):
        s += x[i] * x[i + 1]
    return s + np.mean(np.cos(x))


def alternating(x: np.ndarray):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = x[i] * x[i]
    first = np.sum(np.exp(y * 0.5))
    for i in range(n):
        y[i] = y[i] * first + x[(i + 1) % n]
    second = np.sum(y * y)
    for i in range(n):
        y[i] = np.sin(y[i])
    return first + second + np.sum(y)


def whole_indexed_written_whole(x: np.ndarray, w: np.ndarray):
    z = np.tanh(x * 2.0)
    for i in range(len(z)):
        z[i] = z[i] * w[i] + x[i]
    return np.sum(z ** 2) + np.dot(z, w)


def matrix_filled_then_product(x: np.ndarray, v: np.ndarray):
    n = len(x)
    a = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            a[i, j] = np.cos(x[i] - x[j]) * (i + 1)
    h = np.tanh(a @ v)
    return np.sum(h * h)
