"""Styles of outside code the compiler learnt from the held-out corpus (tests/corpus_outside/):
new axes by None and np.newaxis, np.eye and np.trace."""

import numpy as np


def column_times_row(u, v, M):
    return np.sum((u[:, None] * v[None, :] - M) ** 2)


def kernel_from_norms(alpha, X, gamma=0.5):
    sq = np.sum(X ** 2, 1)
    K = np.exp(-gamma * (sq[:, None] + sq[None, :] - 2 * X @ X.T))
    return alpha @ K @ alpha


def pair_differences(pos):
    diff = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
    return np.sum(np.sin(diff) ** 2)


def powers_by_column(x):
    k = np.arange(1, len(x) + 1)[:, None]
    return np.sum(np.sum(x ** k, axis=1) ** 2)


def sliced_new_axes(x):
    return np.sum(x[1:, None] * x[None, :-1] ** 2) + np.sum(x[None] * x)


def frequencies(x, a=0.5):
    k = np.arange(4)
    return np.sum(a ** k * np.cos(3.0 ** k * (x[:, None] + 0.5)))


def laplacian_energy(u, alpha=0.2):
    n = len(u)
    L = -2.0 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    v = u + alpha * (L @ u)
    return np.sum(v ** 2)


def masked_pair_energy(pos, q):
    n = len(q)
    d = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
    r = np.sqrt((d ** 2).sum(-1) + np.eye(n))
    return 0.5 * np.sum(q[:, None] * q[None, :] / r * (1 - np.eye(n)))


def gram_trace(X):
    G = X.T @ X
    return np.trace(G) + 0.1 * np.sum(G ** 2) + np.sum(np.eye(3, 4, 1) * X[:3])


def stacked_features(w, t, y):
    features = np.stack([np.ones_like(t), t, t ** 2], axis=1)
    return np.sum((features @ w - y) ** 2) + np.sum(np.hstack([np.zeros(2), t]) ** 2)


def _penalty(x, a, k, m):
    return k * (x - a) ** m * (x > a) + k * (-x - a) ** m * (x < -a)


def penalized(x):
    y = 1 + (x + 1) / 4
    return np.sum(np.sin(np.pi * y) ** 2) + np.sum(_penalty(x, 1.0, 100.0, 4)) + _penalty(x[0], 0.5, 10.0, 2)


def softmax_rebound(W, X, Y):
    Z = X @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    log_p = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.sum(Y * log_p) / X.shape[0]


def clipped_probabilities(w, X, t):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    p = np.clip(p, 0.05, 0.95)
    total = 0.0
    total = total + np.sum(t * np.log(p))
    for i in range(len(t)):
        total -= (1 - t[i]) * np.log(1 - p[i])
    return total
