"""Whole-array primitives as NumPy users write them (tests/rules/test_more_array_primitives.py)."""

import numpy as np

W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def reshape_method(x):
    return np.sum((x.reshape(2, 3) @ x[:3]) ** 2)


def reshape_function(x):
    return np.sum(np.reshape(x, (3, 2)) ** 2 * np.arange(6).reshape(3, 2))


def reshape_inferred(x):
    pairs = x.reshape(-1, 2)
    return np.sum(pairs[:, 0] * pairs[:, 1])


def reshape_of_expression(X):
    return np.sum(np.sin(X * 2.0).reshape((-1,)) * np.arange(6.0))


def ravel_weighted(X):
    return np.sum(X.ravel() * np.arange(6.0)) + np.sum(np.ravel(X) ** 3)


def flatten_cubed(X):
    return np.sum(X.flatten() ** 3)


def mean_by_size(x):
    return np.sum(x * x) / np.size(x) + np.sum(x) / x.size


def mean_by_len(x):
    return np.sum(x ** 2) / len(x)


def rolled(x):
    return np.sum(x * np.roll(x, 1)) + np.sum(np.roll(x, -2) * np.arange(5.0))


def rolled_rows(X):
    return np.sum(X * np.roll(X, 1, axis=0) ** 2)


def sorted_weighted(x):
    return np.sum(np.sort(x) * np.arange(5.0))


def sorted_columns(X):
    return np.sum(np.sort(X, axis=0) ** 2 * np.arange(1.0, 4.0))


def running_product(x):
    return np.sum(np.cumprod(x))


def running_product_rows(X):
    return np.sum(np.cumprod(X, axis=1) * X)


def concatenated(x, y):
    return np.sum(np.concatenate([x, y, x * y]) ** 2 * np.arange(9.0))


def concatenated_columns(X, Y):
    return np.sum(np.concatenate((X, Y), axis=1) @ np.arange(6.0) ** 2)


def stacked(x, y):
    return np.sum((np.stack([x, y]) @ np.arange(3.0)) ** 2) + np.sum(np.stack((x, y), axis=1) ** 3)


def horizontally(x, y):
    return np.sum(np.hstack([x, y ** 2]) ** 3 * np.arange(6.0))


def vertically(x, y):
    return np.sum(np.vstack([x, y, x * y]) @ W.T ** 2)


def horizontally_matrices(X, Y):
    return np.sum(np.hstack((X, Y)) ** 2 * np.arange(3.0))


def tiled(x):
    return np.sum(np.tile(x, 2) * np.arange(10.0)) + np.sum(np.tile(x, (2, 1)) ** 2)


def repeated(x):
    return np.sum(np.repeat(x, 2) * np.arange(10.0)) + np.sum(np.repeat(x, 3) ** 3)


def at_least(x):
    return np.sum(np.atleast_1d(x) ** 2) + np.sum(np.atleast_2d(x) @ W.T)


def as_arrays(x):
    y = np.asarray(x) * 2.0
    z = np.array(x, dtype=float)
    return np.sum(y * z ** 2)


def normalised_rows(X):
    return np.sum((X / np.sum(X, axis=1, keepdims=True)) ** 2)


def centred_columns(X):
    return np.sum((X - np.mean(X, axis=0, keepdims=True)) ** 3 + X / np.max(X, axis=1, keepdims=True))


def softmax_stable(X):
    shifted = X - np.max(X, axis=1, keepdims=True)
    return np.sum(np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True) * W)


def smallest_kept(X):
    return np.sum(X * np.min(X, axis=0, keepdims=True))


def column_extremes(X):
    return np.sum(np.max(X, axis=0) ** 2) + np.sum(np.min(X, axis=1)) + np.sum(np.argmax(X, axis=0) * 1.0)


def spreads(X):
    return np.sum(np.var(X, axis=1)) + np.sum(np.std(X, axis=0)) + np.var(X) + np.sum(np.std(X, axis=-1) * W[:, 0])


def norms(x):
    return np.linalg.norm(x) + np.linalg.norm(x, 1) + np.linalg.norm(x, np.inf) + np.linalg.norm(x, ord=2)


def row_norms(X):
    return np.sum(np.linalg.norm(X, axis=1)) + np.sum(np.linalg.norm(X, 1, axis=0))


def builtins(x):
    return sum(x ** 2) + max(abs(x)) + min(x * x) + sum(abs(x))


def methods(x, y):
    return abs(x).max() + x.dot(y) + (x * y).prod() + x.prod()


def clipped(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2) + np.sum(np.clip(x, a_min=0.0, a_max=None) * x)


def array_of_expressions(x):
    v = np.array([x[0] * x[1], x[1] - x[2], np.sin(x[2])])
    return np.sum(v ** 2) + v[0] * v[2]


def array_of_rows(x):
    A = np.array([[x[0], 2.0 * x[1]], [np.exp(x[1]), x[0] * x[1]]], dtype=float)
    b = np.asarray((1.0, -0.5))
    return np.sum((A @ b) ** 2) + A[1, 0]


def rotation(theta, p):
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return np.sum((R @ p - 1.0) ** 2)


def literal_in_expression(x):
    return np.sum((x - np.array([1.0, 2.0, 0.5])) ** 2 * np.array([x[0], 1.0, x[1] * x[2]]))


def literal_in_a_loop(x, n: int):
    total = 0.0
    for i in range(n):
        p = np.array([x[0] * i, x[1] ** 2])
        total += p[0] * p[1] + x[2] * p[1]
    return total


def size_in_loops(x):
    n = x.size
    total = 0.0
    for i in range(n - 1):
        total += (x[i + 1] - x[i]) ** 2
    for i in range(np.size(x) - 1):
        total += x[i] * x[i + 1] / x.size
    return total


def sorted_then_indexed(x):
    s = np.sort(x)
    total = 0.0
    for i in range(3):
        total += s[i] * (i + 1)
    return total


def filled_then_reshaped(x):
    y = np.zeros(4)
    for i in range(4):
        y[i] = x[i] ** 2
    return np.sum(y.reshape(2, 2) @ x[:2])


def scalars_stacked(x):
    return np.sum(np.hstack([x[0], x[1] ** 2, x]) ** 2 * np.arange(6.0))


def more_methods(X):
    return (X.std() + np.sum(X.var(axis=0)) + np.sum(X.clip(-0.5, 0.5) ** 2) + np.sum(X.cumprod(axis=1))
            + np.sum(X.repeat(2, axis=0) ** 2) + np.sum(X.argmax(axis=1) * X[:, 0]))


def padded_with_literals(x):
    padded = np.concatenate(([0.0], x, [0.0]))
    r = (3.0 - 2.0 * x) * x - padded[:-2] - 2.0 * padded[2:] + 1.0
    return r @ r + np.sum(np.hstack([x[0] * x[1], x, [1.0, -2.0]]) ** 2 * np.arange(7.0))


def sample_spreads(X):
    return np.var(X[0, :], ddof=1) + np.sum(np.std(X, axis=0, ddof=1)) + np.sum(X.var(axis=1, ddof=1))


def standardised(X):
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    return np.sum(((X - mu) / sd) ** 3)


def flipped_and_cast(X, x):
    return (np.sum(np.flip(x) * np.arange(4.0)) + np.sum(np.flip(X, 0) * X) + np.sum(X.transpose() @ X)
            + np.sum(x.astype(float) ** 2))


def weighted_average(x, w):
    return np.average(x, weights=w) + np.average(x ** 2)
