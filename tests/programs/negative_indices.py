"""Element indices that count from the end on a loop's first trips, as Python counts them
(tests/transform/test_negative_indices.py): periodic neighbours."""

import numpy as np


def pinter(x):  # the Pinter test function as its definition writes it: x[i - 1] at i = 0 is x[-1]
    n = len(x)
    total = 0.0
    for i in range(n):
        prev = x[i - 1]
        nxt = x[(i + 1) % n]
        a = prev * np.sin(x[i]) + np.sin(nxt)
        b = prev ** 2 - 2 * x[i] + 3 * nxt - np.cos(x[i]) + 1
        total += (i + 1) * x[i] ** 2 + 20 * (i + 1) * np.sin(a) ** 2 + (i + 1) * np.log10(1 + (i + 1) * b ** 2)
    return total


def ring_of_springs(x, k: float):
    energy = 0.0
    for i in range(len(x)):
        energy += 0.5 * k * (x[i] - x[i - 1] - 1.0) ** 2
    return energy


def written_two_back(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i - 2] = x[i] * x[i - 1]
    return np.sum(y * y)


def periodic_laplacian(u, steps: int):
    v = u.copy()
    for _ in range(steps):
        w = np.zeros(len(v))
        for i in range(len(v)):
            w[i] = v[i] + 0.2 * (v[i - 1] - 2.0 * v[i] + v[(i + 1) % len(v)])
        v = w.copy()
    return np.sum(v ** 3)


def starts_at_one(x):  # x[i - 1] from i = 1 never counts from the end: its hoisted check stays
    total = 0.0
    for i in range(1, len(x)):
        total += x[i] * x[i - 1]
    return total
