"""Styles of outside code the compiler learnt from the held-out corpus (tests/corpus_outside/):
new axes by None and np.newaxis."""

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
