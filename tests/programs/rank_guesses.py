"""Functions where nothing says how many dimensions an operand of `@` has: the compiler guesses
(a matrix on the left of a vector, else a vector), and an argument of other dimensions runs the
eager tape (tests/building/test_rank_fallback.py)."""

import numpy as np


def tanh_of_product(A, x):
    return np.sum(np.tanh(A @ x))


def tanh_of_product_in_a_loop(A, x):
    total = 0.0
    for k in range(3):
        total += np.sum(np.tanh(A @ x)) * (k + 1)
    return total


def sine_of_row_product(x, B):
    total = 0.0
    for k in range(2):
        total += np.sum(np.sin(x @ B + 0.5 * k))
    return total


def scaled_dot(A, x, scale=1.0):
    total = 0.0
    for k in range(2):
        total = total + scale * np.sum((A @ x) ** 2) / (k + 1)
    return total


def indexed_and_multiplied(w, X):
    # X[i, j] says X has two dimensions: a 1-D X stays an error; w is guessed
    total = 0.0
    for i in range(X.shape[0]):
        total += np.sin(X[i, 0]) * np.sum(X @ w)
    return total
