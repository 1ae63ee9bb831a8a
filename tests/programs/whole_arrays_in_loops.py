"""Whole-array expressions inside loops, as numerical code writes them: reductions of arrays
made anew on each trip (tests/transform/test_whole_arrays_in_loops.py)."""

import numpy as np


def summed_sines(x, steps):
    total = 0.0
    for k in range(steps):
        total += np.sum(np.sin(x * k))
    return total


def cubed_grids(a, steps):
    total = 0.0
    for k in range(steps):
        total += np.sum(np.linspace(a * k, a + k, k + 2) ** 3)
    return total


def statistics_per_step(x, w, steps):
    total = 0.0
    for k in range(steps):
        total += np.mean(np.tanh(x * (k + 1.0))) + np.max(x * w) * k - np.linalg.norm(x - k) + np.sum(w * x) * k
    return total


def slices_and_scans(x, steps):
    total = 0.0
    for k in range(steps):
        total += np.sum((x[1:] - x[:-1]) ** 2 * (k + 1)) + np.sum(np.cumsum(x) * k)
        total += np.sum(np.diff(x * x) ** 2) - np.sum(np.sort(x * k)[:1])
    return total


def rolled_products(x, w, steps):
    total = 0.0
    for k in range(steps):
        total = total + np.sum(np.roll(x, k) * w) * total / (1.0 + k)
    return total


def carried_and_reduced(u, rate, steps):
    total = 0.0
    for k in range(steps):
        u = u * rate + 0.5
        total += np.sum(np.cos(u)) + (u * u).sum()
    return total


def relaxes_until_small(x, rate):
    total = 0.0
    k = 0
    while k < 5:
        change = np.linalg.norm(x * rate ** k)
        total += change
        if change < 1e-3:
            break
        k += 1
    return total


def nested_reductions(x, steps):
    total = 0.0
    for i in range(steps):
        for j in range(i + 1):
            total += np.prod(np.cos(x * (i - j))) + np.var(x + j) * i
    return total


def diffuses(u, alpha, steps):
    for _ in range(steps):
        u = u + alpha * (np.roll(u, 1) - 2 * u + np.roll(u, -1))
    return np.sum(u * u)


def rolled_and_weighted(u, w, steps):
    total = 0.0
    for k in range(steps):
        u = np.roll(u, k) * w[::-1] + np.roll(w, -2)
        total += np.sum(u * u)
    return total + np.sum(np.sin(u))


def differences_and_scans(x: np.ndarray, a: float, n: int):
    total = 0.0
    for k in range(n):
        total += np.linalg.norm(np.diff(x) * (k + 1)) + np.max(np.cumsum(x) * a) + np.sum(np.linspace(a, k, k + 2) ** 2)
    return total


def carried_then_differenced(x: np.ndarray, a, n: int):
    total = 0.0
    for k in range(n):
        x = x + a * (np.roll(x, 1) - x)
        total += np.sum(np.sin(x * k))
    return total + np.linalg.norm(np.diff(x) * a)


def temporaries_per_trip(x, steps):
    total = 0.0
    for k in range(steps):
        y = np.sin(x * k) + x
        gaps = x[1:] - x[:-1] * k
        total += np.sum(y) + y.max() * np.mean(y ** 2) + np.sum(gaps * gaps)
    return total


def rolled_times_weights(u: np.ndarray, w: np.ndarray, steps: int):
    for _ in range(steps):
        u = np.roll(u, 1) * w
    return np.sum(u)


def column_sums_per_step(X, steps):
    total = 0.0
    for k in range(steps):
        total += np.sum(np.sum(X * k, axis=0) ** 2)
    return total
