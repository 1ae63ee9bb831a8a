"""Whole-array functions the outside-style corpus crashed or got wrong on (each a regression)."""

import numpy as np

HARTMANN3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
HARTMANN3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828.0]])
HARTMANN3_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.log(1 + np.exp(-y * z)))


def squared_hinge(w, X, y):
    margins = 1 - y * (X @ w)
    return np.mean(np.maximum(0.0, margins) ** 2)


def ridge_loss(w, X, y, lam=0.1):
    r = X @ w - y
    return 0.5 * np.dot(r, r) + 0.5 * lam * np.dot(w, w)


def mlp_loss(W1, W2, X, y):
    hidden = np.tanh(X @ W1)
    out = hidden @ W2
    return np.mean((out - y) ** 2)


def scaled_energy(x, a):
    return np.sum(a * x ** 2)


def scalar_and_broadcast(x, A, a):
    square = a * a
    z = A @ x
    scaled = a * z
    return square + np.sum(scaled)


def sigmoid_regression(w, X, t):
    p = sigmoid(X @ w)
    return np.sum((p - t) ** 2)


def hartmann3(x):
    inner = np.sum(HARTMANN3_A * (x - HARTMANN3_P) ** 2, axis=1)
    return -np.sum(HARTMANN3_ALPHA * np.exp(-inner))


def dot_of_stacks(A, B):
    return np.sum(np.dot(A, B) ** 2)


def dot_matrix_vector(A, w):
    return np.sum(np.dot(A, w) ** 2)


def defaulted_fallback(x, beta=10.0):
    square = lambda v: v * v  # noqa: E731 - a lambda: outside the compiled subset
    return np.sum(square(x)) * beta
