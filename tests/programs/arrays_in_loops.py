"""Whole-array values inside element loops: matrix products, rows of 2-D arrays read and written,
elementwise arithmetic and reductions of those rows (tests/transform/test_arrays_in_loops.py)."""

import numpy as np


def recurrent_cell(Wh, Wx, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t])
    return np.sum(h ** 2)


def euler_steps(A, x0, steps: int):
    x = x0.copy()
    for _ in range(steps):
        x = x + 0.1 * (A @ x)
    return np.sum(x ** 2)


def vector_times_matrix(v, B, steps: int):
    for _ in range(steps):
        v = np.sin(v @ B) + v
    return np.sum(v * v)


def non_square_map(v, B):
    total = 0.0
    for k in range(2):
        u = v @ B
        total += np.sum(np.cos(u) * (k + 1)) + np.sum(np.sin(B.T @ v))
    return total + B[0, -1]


def matrix_power(M, B, steps: int):
    P = M.copy()
    for _ in range(steps):
        P = np.tanh(P @ B)
    return np.sum(P * P) + P[0, -1]


def transpose_update(w, X, y, steps: int):
    for _ in range(steps):
        r = X @ w - y
        w = w - 0.1 * X.T @ r / len(y)
    return np.sum(w ** 2) + np.sum(np.sin(w))


def dot_of_matrix(A, x, steps: int):
    for _ in range(steps):
        x = np.cos(np.dot(A, x))
    return np.sum(x) + A[0, 0]


def pair_distances(pos, m):
    energy = 0.0
    for i in range(pos.shape[0]):
        for j in range(i + 1, pos.shape[0]):
            d = pos[i] - pos[j]
            energy += m[i] * m[j] / np.sqrt(d @ d)
    return energy


def pair_sum_of_squares(pos):
    energy = 0.0
    for i in range(pos.shape[0]):
        for j in range(i):
            d = pos[i] - pos[j]
            energy += 1.0 / (1.0 + np.sum(d * d))
    return energy


def pair_norms(pos, m):
    energy = 0.0
    for i in range(len(m)):
        for j in range(i):
            energy -= m[i] * m[j] / np.linalg.norm(pos[i] - pos[j])
    return energy


def pair_dots(coords):
    energy = 0.0
    for i in range(coords.shape[0]):
        for j in range(i + 1, coords.shape[0]):
            d = coords[i] - coords[j]
            inv6 = 1.0 / np.dot(d, d) ** 3
            energy += 4.0 * (inv6 * inv6 - inv6)
    return energy


def rows_of_products(inputs, W):
    h = np.zeros((inputs.shape[0] + 1, W.shape[1]))
    for t in range(inputs.shape[0]):
        h[t + 1] = np.dot(inputs[t], W) + np.tanh(h[t])
    return np.sum(h[1:] ** 2)


def row_slices(X, w):
    total = 0.0
    for i in range(X.shape[0]):
        total += np.mean(X[i, :] * w) + np.sum(X[i] ** 2) * X[i, 0] * w[0]
    return total


def rows_zipped(w, X, y):
    total = 0.0
    for xi, yi in zip(X, y):
        total += (xi @ w - yi) ** 2
    return total


def row_of_matrix_times_vector(A, x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] * np.sin(A[i] @ x)
    return total


def trajectory_rows(W, x0, steps: int):
    H = np.zeros((steps + 1, len(x0)))
    H[0] = x0
    for t in range(steps):
        H[t + 1] = np.tanh(W @ H[t]) + 0.5 * H[t]
    return np.sum(H ** 2)


def products_in_branches(A, h, steps: int):
    for t in range(steps):
        if t % 2 == 0:
            h = A @ h
        else:
            h = np.cos(h) * 2.0
        if h @ h > 4.0:
            h = 0.5 * h
    return np.sum(h)


def product_in_while(A, x):
    steps = 0
    while steps < 3:
        x = np.tanh(A @ x) + x
        steps += 1
    return np.sum(x ** 3)


C = np.array([[0.5, -0.2], [0.1, 0.9]])


def constant_matrix(x, steps: int):
    for _ in range(steps):
        x = np.tanh(C @ x) + 0.1 * x
    return np.sum(x ** 2)


def vector_on_the_left(w, X):
    total = 0.0
    for i in range(X.shape[0]):
        total += np.sin(w @ X[i])
    return total


def difference_kept(pos):
    e = 0.0
    for i in range(pos.shape[0]):
        for j in range(i):
            d = pos[i] - pos[j]
            e += np.sum(d * d) * d[0] + np.sqrt(d @ d)
    return e


def stacked_weights(W, X, y):
    h = X
    for k in range(W.shape[0]):
        h = np.tanh(h @ W[k])
    return np.sum((h[:, 0] - y) ** 2)


def nested_products(A, B, x, steps: int):
    for _ in range(steps):
        x = np.tanh(A @ (B @ x)) + x
    return np.sum(x)


def quadratic_form(A, X):
    total = 0.0
    for i in range(X.shape[0]):
        total += X[i] @ A @ X[i]
    return total


def sliced_operands(A, x):
    total = 0.0
    for k in range(2):
        y = A[:, 1:] @ x[1:] * (k + 1.0)
        total += np.sum(y ** 2) + x[0]
    return total


def written_and_multiplied(A, x):
    M = A.copy()
    for i in range(len(x)):
        M[i, i] = M[i, i] + x[i] ** 2
        x = M @ x * 0.5
    return np.sum(x ** 2)


def recurrent_cell_with_bias(Wh, Wx, b, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t] + b)
    return np.sum(h ** 2)


def dot_plus_offset(w, X, c):
    total = 0.0
    for i in range(X.shape[0]):
        total += np.sin(X[i] @ w - c) ** 2
    return total


def recurrent_cell_rows(Wx, Wh, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.sum(h ** 2)


def distances_to_the_last_row(pos):
    total = 0.0
    for i in range(pos.shape[0] - 1):
        total += np.linalg.norm(pos[i] - pos[-1]) * (i + 1)
    return total


def sum_of_fixed_elements(x):
    total = 0.0
    for i in range(3):
        total += np.sum(x[0] ** 2 + x[1] * i)
    return total
