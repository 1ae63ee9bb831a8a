"""Everyday numerical NumPy as scientific code writes it: polynomials by Horner over an array of
coefficients, enumerate-weighted sums, log-sum-exp, softmax entropy, trapezoid and stencil
sums, row reads `A[i] @ x` in a loop, outer products by broadcasting, Gram matrices and traces,
ReLU and soft thresholds, np.mean of a comprehension of a nested helper, np.stack of features,
cumulative sums, normalised vectors, boolean masks. Written for this held-out corpus."""

import numpy as np


def horner(coeffs, x):
    result = 0.0
    for c in coeffs:
        result = result * x + c
    return result


def poly_enumerate(c, x):
    return sum(ci * x ** i for i, ci in enumerate(c))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def smooth_max(x, beta=4.0):
    return np.log(np.sum(np.exp(beta * x))) / beta


def softmax_entropy(x):
    e = np.exp(x - x.max())
    p = e / e.sum()
    return -(p * np.log(p)).sum()


def trapezoid_integral(y, dx=0.1):
    return dx * (np.sum(y) - 0.5 * (y[0] + y[-1]))


def second_difference_energy(u, h=0.1):
    lap = (u[2:] - 2 * u[1:-1] + u[:-2]) / h ** 2
    return np.sum(lap ** 2) * h


def quadratic_rows(A, x):
    total = 0.0
    for i in range(len(x)):
        total += x[i] * (A[i] @ x)
    return total


def outer_broadcast_fit(u, v, M):
    return np.sum((u[:, None] * v[None, :] - M) ** 2)


def gram_trace(X):
    G = X.T @ X
    return np.trace(G) + 0.1 * np.sum(G ** 2)


def relu_sum(x):
    return np.sum(np.maximum(0, x)) + 0.5 * np.sum(np.maximum(x, 0.0) ** 2)


def soft_threshold_energy(x, lam=0.5):
    s = np.sign(x) * np.maximum(np.abs(x) - lam, 0)
    return np.sum(s ** 2) + np.sum(x)


def positive_part_mask(x):
    mask = x > 0
    return np.sum(x[mask] ** 2) + np.sum(x)


def mean_abs_deviation(x):
    return np.mean(np.abs(x - np.mean(x)))


def rms_of_pairs(x):
    def pair_norm(a, b):
        return np.sqrt(a * a + b * b)

    return np.mean([pair_norm(a, b) for a, b in zip(x[::2], x[1::2])])


def quadratic_features_fit(w, t, y):
    features = np.stack([np.ones_like(t), t, t ** 2], axis=1)
    return np.sum((features @ w - y) ** 2)


def cumulative_penalty(x):
    return np.sum(np.cumsum(x) ** 2)


def normalized_direction(x, target):
    u = x / np.linalg.norm(x)
    return np.sum((u - target) ** 2)


def weighted_sum_loop(x, w):
    total = 0.0
    for xi, wi in zip(x, w):
        total += wi * np.sin(xi) ** 2
    return total


def running_max_free_energy(x, temperature=0.5):
    return -temperature * np.log(np.sum(np.exp(-x / temperature)))


def pairwise_sq_distances(X):
    sq = np.sum(X ** 2, 1).reshape(-1, 1)
    D = sq + sq.T - 2.0 * X @ X.T
    return np.sum(np.exp(-D))


def vector_of_list(a, b):
    v = np.array([a * b, a + b, a - b])
    return v @ v


def matrix_power_loop(A, x, k=3):
    y = x
    for _ in range(k):
        y = A @ y
    return y @ y


def squared_norm_of_helper(x):
    return np.sum(relu_pos(x - 0.5) ** 2)


def relu_pos(z):
    return np.maximum(0.0, z)
