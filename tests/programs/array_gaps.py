"""NumPy as people write it that compiled wrongly or fell back: np.outer of a matrix or a number
(NumPy flattens them), np.array([x, y]) of arrays (NumPy stacks them), a k-means / Gaussian
kernel loss with an axis reduction made anew in a loop, and an RK4 stepper whose right-hand side
is a def inside the loop. Then what still falls back, to run the eager tape cleanly."""

import numpy as np


def outer_of_matrix(A, b):
    return np.sum(np.outer(A, b) ** 2)


def outer_of_matrices(A, B):
    return np.sum(np.tanh(np.outer(A, B)))


def outer_of_number(x, b):
    return np.sum(np.sin(np.outer(np.sum(x * x), b)))


def outer_of_rows(X, w):
    total = 0.0
    for i in range(X.shape[0]):
        total += np.sum(np.outer(X[i, :], w) ** 2)
    return total


def stacked_parameters(x, y):
    z = np.array([x, y])
    return np.sum(z ** 2) + np.sum(x)


def stacked_expressions(x, y):
    z = np.array([x * 2, y])
    return np.sum(np.sin(z))


def stacked_inside_expression(x, y):
    return np.sum(np.array([np.sin(x), y * y]) * 3.0) + np.sum(y)


def stacked_rows(x, y):
    M = np.array([[x, y], [y * x, x]])
    return np.sum(M ** 3)


def stacked_beside_a_matrix(a, b, W):
    z = np.array([a, b])
    return np.sum(np.tanh(W @ z))


def stacked_in_a_loop(x, y, n: int):
    total = 0.0
    for i in range(n):
        z = np.array([x * i, y])
        total += np.sum(z ** 2)
    return total


def numbers_and_elements(x):
    M = np.array([[x[0], x[1]], [x[1], 1.0]])
    return np.sum(M @ M)


def kmeans_kernel(X, C, s):
    K = C.shape[0]
    total = 0.0
    for k in range(K):
        d2 = np.sum((X - C[k, :]) ** 2, axis=1)
        total += np.sum(np.exp(-d2 / s))
    return total


def kmeans_rows_unsaid(X, C, s):
    # C[k] of a matrix is a row, which nothing but the axis reduction says C is
    K = C.shape[0]
    total = 0.0
    for k in range(K):
        d2 = np.sum((X - C[k]) ** 2, axis=1)
        total += np.sum(np.exp(-d2 / s))
    return total


def outer_of_rows_unsaid(X, w):
    total = 0.0
    for i in range(X.shape[0]):
        total += np.sum(np.outer(X[i], w) ** 2)
    return total


def rk4_decay(y0, h, n: int):
    y = y0
    for i in range(n):
        def f(u):
            return -u * u + 0.5 * np.sin(u)
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


# --- still the eager tape's ----------------------------------------------------------------------



def mixture_likelihood(X, mu, w):
    lik = np.zeros(X.shape[0])
    for k in range(len(w)):
        d2 = np.sum((X - mu[k, :]) ** 2, axis=1)
        lik = lik + w[k] * np.exp(-0.5 * d2)
    return -np.sum(np.log(lik))


def closure_in_loop(y0, h, n: int):
    y = y0
    for i in range(n):
        def f(u):
            return -u * (i + 1.0)
        y = y + h * f(y)
    return y
