"""Slices as whole-array values (tests/transform/test_slicing.py)."""

import numpy as np


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def trid(x):
    return np.sum((x - 1) ** 2) - np.sum(x[1:] * x[:-1])


def every_other(x):
    return np.sum(x[::2] ** 2 * x[1::2])


def reversed_weights(x):
    return np.sum(x * x[::-1] ** 3)


def window(x, a: int, b: int):
    return np.sum(np.sin(x[a:b]) * x[a:b])


def beyond_the_end(x):
    return np.sum(x[2:100] ** 2) + np.sum(x[-100:1] ** 3) + np.sum(x[7:] * 5.0)


def empty_slices(x, n: int):
    return np.sum(x[n:] ** 2) + np.sum(x[3:1]) + np.sum(x ** 2)


def backwards_steps(x):
    return np.sum(x[-1:0:-2] ** 2 * x[len(x) - 2::-2])


def columns(X):
    return np.sum(X[:, 0] * X[:, 1] ** 2) + np.sum(X[1:, :-1] ** 3)


def row(X, i: int):
    return np.sum(np.exp(X[i, :]) * X[-1, ::-1])


def array_output(x):
    return x[1:] * x[:-1]


def powell(x):
    x1 = x[0::4]
    x2 = x[1::4]
    x3 = x[2::4]
    x4 = x[3::4]
    return np.sum((x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 - 2 * x3) ** 4 + 10 * (x1 - x4) ** 4)


def levy(x):
    w = 1 + (x - 1) / 4
    term1 = np.sin(np.pi * w[0]) ** 2
    wi = w[:-1]
    term2 = np.sum((wi - 1) ** 2 * (1 + 10 * np.sin(np.pi * wi + 1) ** 2))
    term3 = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return term1 + term2 + term3


def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


def cigar(x):
    return x[0] ** 2 + 100.0 * np.sum(x[1:] ** 2)


C = np.array([[4.0, 1.0, 8.0], [4.0, 1.0, 8.0], [4.0, 1.0, 8.0]])
B = np.array([0.1, 0.2, 0.2])


def constant_columns(x):
    return -1.0 / (np.sum((x - C[:, 0]) ** 2) + B[0]) - 1.0 / (np.sum((x - C[:, 2]) ** 2) + np.sum(B[1:]))


# slice assignment: written element by element
def shifted_product(x):
    y = np.zeros(len(x))
    y[1:] = x[:-1]
    return np.sum(y * x)


def added_window(x, a: int, b: int):
    y = x * 2.0
    y[a:b] += x[: b - a] ** 2
    return np.sum(y ** 2)


def heat_stencil(u0, alpha, steps: int):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u ** 2)
