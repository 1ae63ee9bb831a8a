"""Slice assignment, slices and whole arrays inside loops, arrays allocated in loops, 3-D arrays
(tests/transform/test_slices_and_loops.py)."""

import numpy as np


# ---------------------------------------------------------------- 3-D arrays in element loops
def cube_filled(x):
    n = x.shape[0]
    T = np.zeros((n, n, 3))
    for i in range(n):
        for j in range(n):
            for k in range(3):
                T[i, j, k] = x[i] * x[j] + k * x[i]
    s = 0.0
    for i in range(n):
        for j in range(T.shape[1]):
            for k in range(T.shape[2]):
                s += np.sin(T[i, j, k]) * T[i, j, k]
    return s


def cube_parameter(A, w):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            for k in range(A.shape[2]):
                s += A[i, j, k] ** 2 * w[k] + A[i, j, k] * A[i, j, 0]
    return s


def cube_used_whole(x):
    T = np.zeros((2, x.shape[0], 2))
    for i in range(x.shape[0]):
        T[0, i, 1] = x[i] ** 2
        T[1, i, 0] = np.sin(x[i])
    return np.sum(T * T) + np.sum(T[1, :, 0])
