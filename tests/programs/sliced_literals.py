"""Literal arrays of numbers sliced where they are written (`np.array([1.0, 2.0, 3.0])[:len(x)]`),
and elements of a transposed matrix (`A.T[i, j]`), as people write them: weights cut to the
problem's dimension, Shekel's constant rows, transposed reads in loops."""

import numpy as np

C = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])


def weighted_squares(x):
    w = np.array([1.0, 2.0, 3.0, 4.0])[:len(x)]
    return np.sum(w * x ** 2)


def integer_weights(x):
    # the same numbers as weighted_squares', written as integers: one constant for both
    return np.sum(np.array([1, 2, 3, 4])[:len(x)] * np.cos(x))


def shekel(x):
    a = np.array([[4.0, 4.0, 4.0, 4.0], [1.0, 1.0, 1.0, 1.0], [8.0, 8.0, 8.0, 8.0],
                  [6.0, 6.0, 6.0, 6.0], [3.0, 7.0, 3.0, 7.0]])[:, :len(x)]
    c = np.array([0.1, 0.2, 0.2, 0.4, 0.4])
    s = 0.0
    for i in range(5):
        d = x - a[i]
        s -= 1.0 / (d @ d + c[i])
    return s


def weights_in_a_loop(x):
    n = len(x)
    w = np.array([0.5, 1.5, 2.5, 3.5, 4.5])[:n]
    s = 0.0
    for i in range(n):
        s += w[i] * np.sin(x[i])
    return s


def offsets_from_the_end(x):
    return np.sum((x - np.array([1.0, -2.0, 0.5, 3.0])[-len(x):]) ** 2)


def every_other(x):
    c = np.array([1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 4.0, 0.0])[::2]
    return np.sum(c[:len(x)] * x) + np.array([[1.0, 2.0], [3.0, 4.0]])[0, :] @ x[:2]


def transposed_elements(A):
    return A.T[0, 1] * A.T[1, 0] + A.T[-1, 0] ** 2


def transposed_reads_in_loops(A):
    s = 0.0
    for i in range(A.shape[1]):
        for j in range(A.shape[0]):
            s += np.tanh(A.T[i, j]) * (i + 1) + C.T[1, j % 3] * A[j, i]
    return s


def rows_of_a_sliced_matrix(x, B):
    # a local holding a 2-D slice, read by rows: it has two dimensions (the row read said one)
    a = B[:, :len(x)]
    s = 0.0
    for i in range(B.shape[0]):
        d = x - a[i]
        s += np.log(1.0 + d @ d)
    return s
