"""Loop programs the threaded (nogil) and batched builds share: a stencil over a vector, an
in-place smoothing sweep, an integer-indexed read (tests/building/test_batch.py, test_nogil.py).
Scalar state over time steps, the oscillator, test_batch.py takes from checkpointing.py."""

import math

import numpy as np


def rosen(x: np.ndarray) -> float:
    total = 0.0
    for i in range(len(x) - 1):
        total += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return total


def smooth(u0: np.ndarray, alpha: float, steps: int) -> float:
    u = u0.copy()
    n = len(u)
    new = np.zeros(n)
    for step in range(steps):
        for i in range(1, n - 1):
            new[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        for i in range(1, n - 1):
            u[i] = math.tanh(new[i])
    energy = 0.0
    for i in range(n):
        energy += u[i] * u[i]
    return energy


def pick(x: np.ndarray, k: int):
    return x[k] * x[0]
