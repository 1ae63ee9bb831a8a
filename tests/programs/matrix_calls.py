"""np.matmul spelled as a function, and np.diag both ways (a vector made a diagonal matrix, a
matrix's diagonal read), as linear-algebra code writes them (tests/frontend/test_matrix_calls.py)."""

import numpy as np


def chained_matmul(A, B, x):
    return np.sum(np.matmul(A, np.matmul(B, x)))


def recurrent_matmul(W, h0, steps: int):
    h = h0
    for t in range(steps):
        h = np.tanh(np.matmul(W, h))
    return np.sum(h * h)


def scaled_quadratic(x, d):
    D = np.diag(d)
    return x @ D @ x


def diagonal_of_product(A, B):
    return np.sum(np.diag(A @ B) ** 2)


def wide_diagonal(A):
    return np.sum(np.exp(np.diag(A)))


def off_diagonals(A):
    return np.sum(np.diag(A, 1) ** 2) + np.sum(np.diag(np.diag(A, -1), -1) * A)
