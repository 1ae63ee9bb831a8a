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


# ---------------------------------------------------------------- slice assignment
def shift_into_zeros(x):
    y = np.zeros(len(x))
    y[1:] = x[:-1] * 2.0
    y[:1] = x[-1]
    return np.sum(y * x)


def add_into_window(x, a: int, b: int):
    y = x * 2.0
    y[a:b] += x[: b - a] ** 2
    return np.sum(y ** 2)


def every_other_of_a_copy(x):
    y = x.copy()
    y[::2] = np.sin(x[::2])
    y[1::2] *= x[1::2] ** 2
    return np.sum(y ** 2) + y[0]


def reversed_into_itself(x):
    y = x.copy()
    y[1:] = y[:-1] + y[1:]  # reads y where it writes: NumPy reads all of it first
    y[::-1] = y * x
    return np.sum(y * x)


def columns_written(X):
    Y = np.zeros((X.shape[0], X.shape[1]))
    for j in range(X.shape[1]):
        Y[:, j] = X[:, j] * (j + 1.0) + X[:, 0]
    return np.sum(Y ** 2)


def rows_written(X):
    Y = np.zeros((X.shape[0], X.shape[1]))
    for i in range(X.shape[0]):
        Y[i, :] = np.tanh(X[i, :]) * X[-1, :]
    Y[-1, 1:] -= 0.5 * Y[0, :-1]
    return np.sum(Y * X)


def scalar_into_every_other(x):
    y = x * 1.0
    y[::2] = 0.5
    return np.sum(y * x)


def vector_into_a_column(x):
    Y = np.ones((len(x), 2))
    Y[:, 0] = x
    Y[1:, 1] = x[:-1] ** 2
    return np.sum(Y ** 3)


def backwards_every_other_target(x):
    y = np.zeros(len(x))
    y[-1:0:-2] = np.cos(x[: len(x) // 2])
    return np.sum(y * x)


def heat_stencil(u0, alpha, steps: int):
    u = u0.copy()
    for _ in range(steps):
        u[1:-1] = u[1:-1] + alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u ** 2)


# ---------------------------------------------------------------- slices inside loops
def moving_window(x):
    s = 0.0
    for i in range(len(x) - 2):
        s += np.sum(x[i:i + 3] ** 2) * x[i]
    return s


def row_products_in_a_loop(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        s += np.sum(X[i, :] * w) ** 2 + np.dot(X[i, 1:], w[:-1])
    return s


def prefix_and_suffix_sums(x):
    s = 0.0
    for i in range(len(x)):
        s += np.sum(x[:i]) * x[i] + np.sum(x[i:]) ** 2 + np.mean(x[i:]) * np.dot(x[:i], x[:i])
    return s


def windows_written_in_a_loop(x):
    y = np.zeros(len(x) + 2)
    for i in range(len(x) - 2):
        y[i:i + 3] += np.cos(np.sum(x[i:i + 2])) * x[i:i + 3]
    return np.sum(y * y)


def negative_bounds_in_a_loop(x, n: int):
    s = 0.0
    for i in range(1, n):
        s += np.sum(x[-i:] * x[:i]) + np.prod(x[i - n:-1:2] + 2.0)
    return s


def window_kept_in_a_variable(x, width: int = 3):
    s = 0.0
    for i in range(len(x)):
        window = x[i:i + width]  # shorter near the end: substituted into its uses
        s += np.sum(window ** 2) * x[i] + np.mean(np.sin(window))
    return s


# ---------------------------------------------------------------- arrays allocated or reassigned in loops
def allocated_in_a_loop(x):
    s = 0.0
    n = len(x)
    for k in range(3):
        t = np.zeros(n)
        for i in range(n):
            t[i] = x[i] * (k + 1.0) + t[max(i - 1, 0)] * 0.5
        s += np.sum(np.sin(t)) + t[n - 1]
    return s


def copied_in_a_loop(x):
    s = 0.0
    for k in range(3):
        t = x.copy()
        t[k] = t[k] * s + 1.0
        s += np.sum(t * t) * 0.1
    return s


def reassigned_in_a_loop(x):
    y = x
    for k in range(4):
        y = y * 0.5 + np.sin(x)
    return np.sum(y ** 2)


def gradient_steps(x, rate):
    z = x * 1.0
    for _ in range(3):
        z = z - rate * (z - np.cos(x)) * z
        z[0] = z[0] * x[1]
    return np.sum(z * x)


def new_array_each_iteration(x):
    s = 0.0
    for k in range(3):
        w = np.tanh(x * (k + 1.0))
        s += np.dot(w, x) + w[0]
    return s


# ---------------------------------------------------------------- element loops and whole arrays mixed
def whole_then_elements_in_a_loop(x, w):
    total = 0.0
    for k in range(2):
        z = np.tanh(x * w)
        for i in range(len(x)):
            z[i] = z[i] * w[i] + k
        total += np.sum(z ** 2) + z[1]
    return total


def written_whole_written_again(x):
    z = np.tanh(x)
    for i in range(len(x)):
        z[i] = z[i] * x[i]
    z = z * 2.0 + x  # a new value for an array written by element: in place
    for i in range(len(x)):
        z[i] = z[i] ** 2
    z = np.zeros(len(x)) + z[::-1]
    return np.sum(z) + z[0]


def parameter_updated_in_a_loop(x, rate):
    for _ in range(3):
        x = x - rate * np.sin(x) * x[0]  # the caller's array is not written: a copy is
    return np.sum(x ** 2)


def parameter_given_a_new_value(x):
    x = x * 2.0 + 1.0
    x[0] = x[0] * x[1]
    return np.sum(np.exp(x))


# ---------------------------------------------------------------- views: the eager tape
def slice_seen_after_a_write(x):
    y = x.copy()
    v = y[1:]  # a view: the write below shows through it
    y[1] = 5.0 * x[0]
    return np.sum(v * x[1:])


def slice_of_a_parameter_written(x):
    y = x[1:]
    y[0] = 3.0 * x[0]  # writes x[1]
    return np.sum(x * x) + y[1]


def slice_seen_after_a_write_in_a_loop(x):
    y = x.copy()
    s = 0.0
    for i in range(2):
        v = y[1:]
        y[1] = y[1] * 2.0 + x[0]
        s += np.sum(v * 3.0)
    return s
